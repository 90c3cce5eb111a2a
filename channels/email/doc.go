// Package email is the email channel: an SMTP server (github.com/emersion/go-smtp)
// that turns every accepted message into a ReceiveInbound command, and a
// sender that hands agents' replies to an SMTP relay with threading headers.
//
// Inbound, a message is parsed with github.com/emersion/go-message: the text
// is the message's text/plain parts (else its HTML made readable), decoded
// from its transfer encoding and charset (GB2312, GBK, GB18030, Big5, UTF-8,
// ..., and the aliases mailers write, such as Python's eucgb2312_cn; an
// unknown label is guessed from the bytes: UTF-8, GB18030, Windows-1252),
// in the body and in RFC 2047 words of the headers alike; every other part is an attachment, of which the ledger keeps the
// name, type, size and SHA-256, never the bytes. Broken MIME is refused with
// a 5xx reply and appends nothing. A message is answered 250 only after its
// events are appended, so nothing acknowledged can be lost; a redelivery
// (same Message-ID) appends nothing.
//
// Threading: the thread's root is the first References entry, else the
// In-Reply-To, else the message's own Message-ID (a message without one gets
// an id derived from its content, so a resend is still a no-op). Replies the
// ledger sends carry the root inside their own Message-ID, so a reply to
// them from a client that sets only In-Reply-To still finds its thread. The
// conversation key is the root and the sender's address: one customer's
// messages in one thread are one interaction, and a second participant who
// answers in the same thread gets an interaction of their own instead of
// writing into someone else's. The root also travels as the messages'
// correlation id ("email:<root>"), which is how the sender of a reply learns
// the root it must put first in References.
//
// Outbound, Sender is the email channel's outbound.Sender: the outbound
// dispatcher hands it every MessageSent on an email interaction, and it
// sends the reply through the relay (RelayConfig, from --smtp-relay): From
// the support address, To the customer, Subject "Re: <subject>",
// In-Reply-To the last inbound Message-ID, References the root and the
// interaction's messages up to it, and a Message-ID of ours derived from the
// MessageSent event's id, so a retried attempt sends the very same message.
package email
