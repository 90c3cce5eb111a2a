// Package sqlite is the embedded event store: it implements eventstore.Store
// on a single SQLite file (modernc.org/sqlite, pure Go) in WAL mode with
// synchronous=FULL, so an append that returned survives a crash.
//
// It owns the database file's schema (plain .sql migrations embedded in the
// binary), the single writer goroutine that group-commits concurrent appends
// in one transaction and one fsync, the in-memory cache of stream heads used
// for expected-version checks, and the read-only connection pool that serves
// reads and $all subscriptions.
//
// The file is an ordinary SQLite database: an auditor can open it with the
// sqlite3 command-line tool and read the events table directly. Streams are
// numbered in the streams table in creation order, and events are indexed
// by (stream_id, version) rather than by stream name, so that a group
// commit of appends to streams in progress rewrites a few index pages, not
// one per stream (see migrations/0001_events.sql).
package sqlite
