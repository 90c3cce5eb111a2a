// Package domain owns the ledger's business language: the events every
// channel produces, the aggregates they fold into (Customer, Interaction,
// Ticket, Agent, the identity reservations that keep an identity unique, a
// customer's business context from CRMs and order systems),
// their invariants, and pure decision functions.
//
// Every aggregate has the same two functions:
//
//	Decide<Aggregate>(state, command, now) ([]Event, error)
//	Evolve<Aggregate>(state, event) state
//
// Decide never performs I/O and never reads a clock: time is passed in.
//
// It also owns the events' encoding: EncodeEvent writes each event in its
// type's current shape and schema, and DecodeEvent, the one decode path
// every reader takes, folds older shapes into the current one through the
// upcasters of upcast.go (docs/schema-evolution.md).
// The package imports the standard library only.
package domain
