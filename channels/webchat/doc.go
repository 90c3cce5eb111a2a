// Package webchat owns the web chat channel: customers on the company's
// web site talk to agents over a WebSocket at /channels/webchat.
//
// # Protocol
//
// Every frame is a JSON text message with a "type". The client's first
// frame must be a hello, within HelloWait:
//
//	{"type": "hello", "visitorId": "v-9f8e7d6c5b4a39281706", "identity": "<assertion>", "name": "Li Lei"}
//
// visitorId is the browser's id (16 to 128 letters, digits, '-' or '_';
// the widget makes it random and keeps it in local storage). Since it
// alone lets one resume the conversation, it is a bearer credential: it
// must be unguessable, sites should issue a new one at logout, and the
// ledger never keeps it. It keeps its digest instead (VisitorDigest, a
// keyed HMAC-SHA256 under the server's VisitorKey): the customer's DEVICE
// identity, message ids, idempotency keys and logs all name the visitor
// by the digest, which cannot be turned back into the id nor used as one.
// identity is optional: an assertion signed by the site's backend that the
// visitor is a known customer (see below). name is a display name for a
// new customer, and is ignored when an assertion is given.
//
// The server answers with the conversation so far (the current interaction
// of this customer's web chat conversation, at most HistoryLimit messages):
//
//	{"type": "welcome", "interactionId": "...", "status": "QUEUED", "history": [
//	   {"type": "message", "id": "vd-…:c-1", "direction": "IN", "text": "...", "at": "...", "position": 12}, ...]}
//
// Then, in any order:
//
//	client: {"type": "message", "id": "c-2", "text": "...", "sentAt": "2026-01-02T03:04:05Z"}
//	server: {"type": "ack", "id": "c-2", "interactionId": "...", "position": 13}
//	server: {"type": "error", "id": "c-2", "code": "invalid", "message": "..."}
//	server: {"type": "message", "id": "r-7", "direction": "OUT", "agentId": "a1", "text": "...", "at": "...", "position": 15}
//	client: {"type": "ping"}   server: {"type": "pong"}
//
// A message's id is the client's: resending a message with the same id
// (after a reconnect, when no ack came) records it once. The ledger
// records it as "<digest>:<id>", which is the id of the message frames
// other tabs and later welcomes carry. An ack means the message is in the
// ledger. Agents' replies arrive as "message" frames with direction OUT; the customer's own messages sent from another tab of the
// same conversation arrive with direction IN. Clients drop frames whose id
// they already have.
//
// An error frame with code "limited" or "unavailable" (the ledger's disk is
// full) carries "retryAfter" in seconds: the message was not recorded and
// is to be sent again, with the same id, after that wait. Other codes are
// final.
//
// # Verified identity
//
// The assertion is a JWT (RFC 7519) signed with HS256 under the secret the
// site's backend shares with the ledger (--webchat-secret), with the claims
//
//	{"iss": "interaction-ledger-site", "aud": "interaction-ledger-webchat",
//	 "kind": "ACCOUNT", "sub": "u-42", "vid": "<visitorId>", "name": "Li Lei", "exp": 1767312300}
//
// The secret holds at least MinSecretBytes (32) bytes; iss and aud must be
// AssertionIssuer and AssertionAudience, as above.
// kind is PHONE, EMAIL, ACCOUNT or WECHAT; sub the identity's value; vid
// the visitor id it was issued to (an assertion is only good with that
// visitor id); exp is required (a few minutes is plenty: it is only checked
// when the socket opens). A verified customer's conversation is keyed by
// the verified identity, so it follows them across devices, and the
// visitor's device is linked to them on their first message.
//
// # Limits
//
// Frames larger than MaxFrameBytes close the socket (1009). The server
// pings every PingInterval and drops a client silent for PongWait. Each
// socket has a bounded send queue: a client too slow to take its frames is
// disconnected (1008) instead of holding up anyone else. Browsers may only
// connect from AllowedOrigins.
package webchat
