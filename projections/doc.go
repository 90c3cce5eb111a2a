// Package projections owns the ledger's read side: the projection runner
// that follows the event store's $all feed with checkpointed catch-up
// subscriptions, and the read models it maintains in a SQLite read database
// (the identity index, the customer 360 with its cross-channel timeline,
// interactions and their messages, tickets, routing queues, and agents with
// their presence and load), together with the query functions the API
// serves from them.
//
// Every batch of events is applied to every projection in one transaction
// together with each projection's checkpoint, so an event is applied
// exactly once even across crashes. Any projection can be dropped and
// rebuilt from the log (Runner.Rebuild). Read models hold no state that
// cannot be rebuilt, which is why the read database runs with
// synchronous=NORMAL: a crash may lose the last batches, but it loses the
// checkpoint with them, and the runner applies them again.
//
// A customer's erasure (domain.CustomerErased) overwrites their personal
// data in every read model with "[erased]", as a rebuild reads it once
// their keys are destroyed, and leaves none of it in the database's files
// (erasure.go).
package projections
