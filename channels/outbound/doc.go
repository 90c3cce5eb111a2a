// Package outbound owns the delivery of agents' replies to customers.
//
// A Dispatcher follows the ledger ($all) from a persisted checkpoint. For
// every MessageSent on an interaction whose channel has a Sender, it hands
// the reply to that sender (web chat: the live sockets of the conversation;
// SMS: the provider's REST API; WeChat: the customer-service message API;
// app: a push webhook), records every attempt as an event on
// delivery-<interactionId> (MessageDelivered or MessageDeliveryFailed)
// through the command layer (commands.Handler.RecordDeliveryAttempt), and
// retries failures with exponential backoff up to a number of attempts.
//
// Guarantees:
//   - Replies of one interaction are delivered in the order they were sent:
//     each interaction is a lane worked by one goroutine at a time; lanes of
//     different interactions run concurrently, so one failing provider or
//     one slow customer holds up nobody else.
//   - A reply whose success is recorded is never sent again, whatever
//     restarts happen: before every attempt the delivery stream is read.
//     Between a provider accepting a reply and the record being written a
//     crash can still cause one more send (at least once); providers get the
//     reply's event id where their API can carry it, to tell them apart.
//   - The checkpoint only moves past replies that are settled (delivered,
//     or given up), so a restart picks up every unfinished one.
//   - On its first start the dispatcher begins at the ledger's head: replies
//     written before delivery was configured are history, not a backlog to
//     send now.
package outbound
