// Package app owns the mobile app channel.
//
// Inbound: POST /channels/app with the header X-Api-Key and a JSON body
//
//	{"messageId": "m-1", "identity": {"kind": "PHONE", "value": "+8613800000000"},
//	 "text": "...", "sentAt": "2026-01-02T03:04:05Z"}
//
// (optionally "displayName" and "attachments": [{"name", "contentType",
// "size", "sha256"}]). messageId is the provider message id: the app may
// retry a send as often as it likes, the ledger records it once. The answer
// is 200 with {"customerId", "interactionId", "position"}; errors are
// {"error": {"code", "message"}} with a 4xx status. Every request is
// refused while no app key is configured.
//
// Outbound: when a push URL is configured, a Pusher POSTs each agent reply
// as JSON to it (the app's backend turns it into a push notification),
// signed with X-Ledger-Signature: sha256=<hex HMAC-SHA256 of the body keyed
// with the app key>; without one, the app reads replies itself.
package app
