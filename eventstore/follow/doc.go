// Package follow owns the one way the ledger is followed: every consumer of
// $all (projections, the subscription hub, the policies, the analytics
// sink, outbound delivery) runs on a Follower.
//
// A Follower gives each consumer the same things:
//
//   - catch-up then live: pages read ahead of the consumer while it is
//     behind, then a live subscription, never skipping or repeating an
//     event (Source picks full events, lean ones, or a consumer's own
//     decoding of them);
//   - a checkpoint: either the consumer stores it atomically with its
//     effect (ExactlyOnce), or the follower saves it after the consumer
//     handled a batch and the consumer's effects are idempotent
//     (AtLeastOnce);
//   - retry with backoff on failure, and a poison-event policy: an event
//     the consumer rejects (Poison) halts the follower, with the position
//     and the reason in the log and in ledger_follower_halted_position;
//     the follower never skips it, and the next Run starts on it again;
//   - metrics: ledger_follower_position, ledger_follower_lag_events,
//     ledger_follower_events_total, ledger_follower_errors_total,
//     ledger_follower_halted_position and ledger_follower_leader, each
//     labelled follower=<name>;
//   - graceful stop: when ctx ends, a consumer that buffers (Flusher) gets
//     to write what it holds;
//   - leadership: a follower marked Singleton runs only while it holds a
//     Lease (FileLease on one machine); projections and the hub are not
//     singletons, every node runs its own.
package follow
