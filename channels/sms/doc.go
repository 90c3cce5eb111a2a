// Package sms owns the SMS channel in the widely used Twilio shape:
//
//   - Inbound: POST /channels/sms, form-encoded (MessageSid, AccountSid,
//     From, To, Body, NumMedia, MediaUrlN, MediaContentTypeN, ...). Without
//     an auth token the endpoint is disabled (503) unless explicitly made
//     insecure. X-Twilio-Signature must be the base64
//     HMAC-SHA1, keyed with the token, of the full request URL followed by
//     every POST parameter, sorted by name, as name+value; a missing or
//     forged signature is refused with 403 and appends nothing. The sender's
//     number (From) is the customer's PHONE identity, MessageSid the
//     provider message id (a redelivery appends nothing). The answer is an
//     empty TwiML <Response/>: replies go out through the REST API, not in
//     the webhook's answer.
//   - Outbound: a Sender POSTs agents' replies to <base>/Messages.json
//     (To, From or MessagingServiceSid, Body) with HTTP basic auth.
package sms
