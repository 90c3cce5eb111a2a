package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
)

// StreamNames names the streams keyed by what a customer sends from: an
// identity's reservation stream and a channel conversation's stream. With
// a key (an encrypted ledger) the digest is an HMAC, so a phone number
// cannot be found again from a stream name by hashing every number; with
// none (a ledger written before encryption) it is the plain SHA-256 those
// ledgers were written with.
type StreamNames struct {
	key []byte
	// clearConversations is set on a ledger migrated to encryption: its
	// conversations keyed by a token of their own kept their clear names.
	clearConversations bool
}

// KeyedStreamNames returns names digested with an HMAC under key.
func KeyedStreamNames(key []byte) StreamNames { return StreamNames{key: key} }

// WithClearConversations returns the names of a ledger migrated from
// clear to encrypted (ledger migrate --encrypt): the migration renames the
// streams named by an identity, but a conversation keyed by a call id, an
// email thread or a chat session cannot be renamed (the ledger does not
// keep the key), so one that began before the migration is still found
// under its clear name (ConversationStreams).
func (n StreamNames) WithClearConversations() StreamNames {
	n.clearConversations = n.Keyed()
	return n
}

// Keyed reports whether names are HMACs.
func (n StreamNames) Keyed() bool { return len(n.key) > 0 }

func (n StreamNames) digest(text string) string {
	var h hash.Hash
	if n.Keyed() {
		h = hmac.New(sha256.New, n.key)
	} else {
		h = sha256.New()
	}
	h.Write([]byte(text))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Identity names the reservation stream that makes an identity unique.
func (n StreamNames) Identity(id Identity) string {
	return CategoryIdentity + "-" + strings.ToLower(string(id.Kind)) + "-" + n.digest(string(id.Kind)+":"+id.Value)
}

// Conversation names the stream of the conversation with the given
// channel and key.
func (n StreamNames) Conversation(channel Channel, key string) string {
	return CategoryConversation + "-" + n.digest(string(channel)+"|"+key)
}

// ConversationStreams lists the streams the conversation with the given
// channel and key of its own may be found in, in the order to look: its
// name, then on a migrated ledger its name from before the migration.
func (n StreamNames) ConversationStreams(channel Channel, key string) []string {
	if !n.clearConversations {
		return []string{n.Conversation(channel, key)}
	}
	return []string{n.Conversation(channel, key), StreamNames{}.Conversation(channel, key)}
}

// Subscription names the stream recording whether the holder of id
// follows the contact centre's account on channel.
func (n StreamNames) Subscription(channel Channel, id Identity) string {
	return CategorySubscription + "-" + n.digest(string(channel)+"|"+id.String())
}
