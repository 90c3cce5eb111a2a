package email

import (
	"encoding/base32"
	"strings"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// threadRoot returns the root of the thread m belongs to: the first
// References entry, else the In-Reply-To, else m's own Message-ID. When
// that id is one of the ledger's own replies, the root carried inside it is
// used instead, so a client that answers a reply with only In-Reply-To (no
// References) still lands in the thread. The result depends on m's headers
// alone, never on what the ledger has seen: a reply whose root the ledger
// never received still gets the same root every time, whatever order the
// thread's messages arrive in.
func threadRoot(m *Message) string {
	root := m.MessageID
	switch {
	case len(m.References) > 0:
		root = m.References[0]
	case m.InReplyTo != "":
		root = m.InReplyTo
	}
	if embedded, ok := rootFromReplyID(root); ok {
		return embedded
	}
	return root
}

// conversationKey is the key of the conversation a message joins: the
// thread's root and the sender. The sender is part of it because an
// interaction belongs to one customer: when a second person answers in the
// same thread (a colleague on Cc), their message opens an interaction of
// their own instead of landing in another customer's. Message-IDs hold no
// spaces, so the key is unambiguous.
func conversationKey(root string, from domain.Identity) string {
	return root + " " + from.Value
}

// correlationPrefix marks the correlation id inbound email events carry:
// "email:<root>" ties every message of a thread together, and tells the
// sender of a reply which root to put first in References.
const correlationPrefix = "email:"

func threadCorrelation(root string) string { return correlationPrefix + root }

func rootFromCorrelation(correlationID string) (string, bool) {
	root, ok := strings.CutPrefix(correlationID, correlationPrefix)
	return root, ok && validMsgID(root)
}

// replyIDPrefix starts the left-hand side of the Message-IDs of the
// ledger's replies: "ledger.<uuid>.<base32 of the root>@<domain>".
const replyIDPrefix = "ledger"

// maxEmbeddedRoot bounds the root carried in a reply's Message-ID, so the
// id stays well inside a header line; a reply to a thread with a longer
// root carries none (References still names it).
const maxEmbeddedRoot = 160

// rootEncoding is lower-case base32hex without padding: only letters and
// digits, which are atext in a msg-id and survive any case folding a
// mailer might do on the way.
var rootEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// replyMessageID returns the Message-ID of the ledger's reply identified by
// seed (the MessageSent event's id), in thread root, at domain. The same
// seed always gives the same id, so a retried send carries the same
// Message-ID and receiving mail systems see one message.
func replyMessageID(seed uuid.UUID, root, domainName string) string {
	left := replyIDPrefix + "." + uuid.NewSHA1(seed, []byte("email-reply")).String()
	if root != "" && len(root) <= maxEmbeddedRoot {
		left += "." + strings.ToLower(rootEncoding.EncodeToString([]byte(root)))
	}
	return left + "@" + domainName
}

// rootFromReplyID returns the root carried in one of the ledger's reply
// Message-IDs. Anyone can forge such an id, which is harmless: the root
// only chooses a conversation among the sender's own (see conversationKey).
func rootFromReplyID(id string) (string, bool) {
	at := strings.LastIndexByte(id, '@')
	if at < 0 {
		return "", false
	}
	parts := strings.Split(id[:at], ".")
	if len(parts) != 3 || !strings.EqualFold(parts[0], replyIDPrefix) {
		return "", false
	}
	if _, err := uuid.Parse(parts[1]); err != nil {
		return "", false
	}
	raw, err := rootEncoding.DecodeString(strings.ToUpper(parts[2]))
	if err != nil {
		return "", false
	}
	root := string(raw)
	if !validMsgID(root) {
		return "", false
	}
	return root, true
}
