// Package app owns the mobile app channel.
//
// Inbound: POST /channels/app with a JSON body
//
//	{"messageId": "m-1", "identity": {"kind": "PHONE", "value": "+8613800000000"},
//	 "text": "...", "sentAt": "2026-01-02T03:04:05Z"}
//
// (optionally "displayName" and "attachments": [{"name", "contentType",
// "size", "sha256"}], descriptions of files the ledger does not keep).
// messageId is the provider message id: the app may retry a send as often
// as it likes, the ledger records it once. The answer is 200 with
// {"customerId", "interactionId", "position"}; errors are
// {"error": {"code", "message"}} with a 4xx status.
//
// # Files
//
// A message with files is posted as multipart/form-data: the first part,
// named "message", is the JSON above (text may then be empty, and it has
// no "attachments"); every following part is a file, with its file name
// (Content-Disposition: form-data; name="file"; filename="receipt.pdf").
// The files are streamed into the ledger's blob store (sealed with the
// customer's data key, scanned for malware when the server scans), at most
// 10 files of Config.MaxFileBytes (default 20 MiB) each; their type is
// sniffed from their bytes, whatever the part says. A file over the limit
// refuses the whole message (400), and the app sends it again without it.
//
// # Trust
//
// The app itself is not trusted: whatever ships in it can be unpacked. A
// post is accepted in one of two ways:
//
//   - from the app, with X-Identity-Assertion: an HS256 JWT the company's
//     backend issued to the logged-in user, signed with the assertion
//     secret it shares with the ledger, with the claims
//     {"iss": <issuer>, "aud": "interaction-ledger/app", "kind": "PHONE",
//     "sub": "+8613800000000", "iat": ..., "exp": ...}. iss and aud must
//     be the configured ones, exp is required and at most a day ahead, and
//     kind and sub (normalised) must be the message's identity: a post
//     naming anyone else is refused with 403, a missing, forged or expired
//     assertion with 401, and nothing is appended;
//   - from the company's backend itself (server to server), with
//     X-Api-Key: the server key, which may name any identity and must never
//     ship in an app.
//
// Every request is refused (503) while neither is configured. Secrets are
// at least MinSecretBytes long.
//
// Outbound: when a push URL is configured, a Pusher POSTs each agent reply
// as JSON to it (the app's backend turns it into a push notification),
// signed with X-Ledger-Signature: sha256=<hex HMAC-SHA256 of the body keyed
// with the push secret>, a secret of its own, so that neither an app nor a
// holder of the inbound secrets can forge a push; without a push URL, the
// app reads replies itself.
package app
