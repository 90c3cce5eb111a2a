// Package esdbwire owns how a ledger event travels on EventStoreDB's gRPC
// protocol, for both ends: the esdb store (the client) and the ledger's
// own protocol endpoint (the server).
//
// An EventStoreDB event has an id, a type, data and free "custom
// metadata"; the ledger's event also has a schema, its recording time and
// its hash chain. Those travel in the custom metadata, in an envelope
// around the ledger's own metadata:
//
//	{"$ledger":{"schema":2,"recordedAt":"2026-12-05T08:00:00.123456789Z","prevHash":"…","hash":"…"},"metadata":{…}}
//
// The metadata inside is kept byte for byte (the hash covers it). Events
// written by other EventStoreDB clients have no envelope: their custom
// metadata is their metadata and their schema is 0.
//
// Positions: the ledger's $all position p is EventStoreDB's commit and
// prepare position p on the ledger's endpoint. A real EventStoreDB
// assigns byte offsets instead: the esdb store then uses each event's
// commit position, which grows with every event but has gaps.
package esdbwire
