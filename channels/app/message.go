package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

// Message is one message from the app, as posted.
type Message struct {
	MessageID   string              `json:"messageId"`
	Identity    domain.Identity     `json:"identity"`
	DisplayName string              `json:"displayName,omitempty"`
	Text        string              `json:"text"`
	SentAt      *time.Time          `json:"sentAt,omitempty"`
	Attachments []domain.Attachment `json:"attachments,omitempty"`
}

const (
	maxMessageIDLen = 128
	maxAttachments  = 10
)

// ParseMessage validates a request body. Every error is a domain EINVALID
// error naming what is wrong. Unknown fields are ignored, so newer apps can
// talk to an older ledger.
func ParseMessage(body []byte) (Message, error) {
	m, err := decodeMessage(body)
	if err != nil {
		return Message{}, err
	}
	return m, m.validate(true)
}

// decodeMessage reads a message's JSON, unchecked.
func decodeMessage(body []byte) (Message, error) {
	if !utf8.Valid(body) {
		// encoding/json would quietly turn bad bytes into U+FFFD.
		return Message{}, invalid("the body is not valid UTF-8")
	}
	var m Message
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return Message{}, invalid("the body is not a JSON message: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Message{}, invalid("the body holds more than one JSON value")
	}
	return m, nil
}

// validate checks the message; needContent refuses one with neither text
// nor attachments (a multipart post's files are its content).
func (m Message) validate(needContent bool) error {
	if err := checkMessageID(m.MessageID); err != nil {
		return err
	}
	if m.Identity.Kind == "" || strings.TrimSpace(m.Identity.Value) == "" {
		return invalid("identity needs a kind and a value")
	}
	if !m.Identity.Kind.Valid() {
		return invalid("identity kind %q is not one of %v", m.Identity.Kind, domain.IdentityKinds)
	}
	if needContent && strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 {
		return invalid("text is empty and there are no attachments")
	}
	if len(m.Attachments) > maxAttachments {
		return invalid("%d attachments; at most %d", len(m.Attachments), maxAttachments)
	}
	if m.SentAt != nil && m.SentAt.IsZero() {
		return invalid("sentAt is the zero time")
	}
	return nil
}

// checkMessageID accepts 1 to 128 printable characters without spaces.
func checkMessageID(id string) error {
	if id == "" || len(id) > maxMessageIDLen {
		return invalid("messageId must be 1 to %d characters", maxMessageIDLen)
	}
	for _, r := range id {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return invalid("messageId %q contains %q", id, r)
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, format, args...)
}
