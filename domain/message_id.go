package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
)

// MessageIDConflictError reports a message whose id is already recorded on
// the interaction for a message with different content (text, attachments
// or sender): a client or provider that reuses ids, not a retry. Nothing is
// recorded, and the caller must not be told the message was received. Its
// code is ECONFLICT (errors.As finds the *Error it wraps).
type MessageIDConflictError struct {
	InteractionID string
	MessageID     string
}

// Error does not quote the id: a channel's id may embed what the caller
// must not see echoed in logs (a web-chat visitor id).
func (e *MessageIDConflictError) Error() string {
	return fmt.Sprintf("the message id is already used on interaction %s by a different message; a new message needs a new id", e.InteractionID)
}

// Unwrap gives the error its domain code, ECONFLICT.
func (e *MessageIDConflictError) Unwrap() error {
	return &Error{Code: ECONFLICT, Message: e.Error()}
}

// messageFingerprint digests what identifies a message's content: who sent
// it (the customer, or which agent), its text and its attachments'
// metadata. Timestamps are left out: a retry sent later is the same
// message. Fields are length-prefixed, so no two contents collide by
// shifting bytes between fields.
func messageFingerprint(sender, text string, attachments []Attachment) string {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(sender)
	field(text)
	for _, a := range attachments {
		field(a.Name)
		field(a.ContentType)
		field(fmt.Sprint(a.Size))
		field(a.SHA256)
	}
	return string(h.Sum(nil))
}

// senderCustomer and senderAgent name a message's sender in its
// fingerprint.
func senderCustomer() string            { return "customer" }
func senderAgent(agentID string) string { return "agent:" + agentID }

// recordedMessage reports whether cmd records a message whose id is
// already recorded on i with the same content (a retry: nothing to do), or
// a *MessageIDConflictError when the id is recorded with other content.
// The text is compared as the decision would record it (trimmed).
func recordedMessage(i Interaction, cmd InteractionCommand) (seen bool, err error) {
	switch cmd := cmd.(type) {
	case ReceiveMessage:
		return checkMessageID(i, cmd.MessageID, messageFingerprint(senderCustomer(), strings.TrimSpace(cmd.Text), cmd.Attachments))
	case SendMessage:
		return checkMessageID(i, cmd.MessageID, messageFingerprint(senderAgent(cmd.AgentID), strings.TrimSpace(cmd.Text), cmd.Attachments))
	default:
		return false, nil
	}
}

// checkMessageID reports whether a message with id and fingerprint is
// already recorded on i (a retry: record nothing), or a
// *MessageIDConflictError when the id is recorded with other content.
func checkMessageID(i Interaction, id, fingerprint string) (seen bool, err error) {
	if id == "" {
		return false, nil
	}
	recorded, ok := i.seenMessages.get(id)
	switch {
	case !ok:
		return false, nil
	case recorded != fingerprint:
		return true, &MessageIDConflictError{InteractionID: i.ID, MessageID: id}
	default:
		return true, nil
	}
}
