package webchat

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

// Client frame types.
const (
	frameHello   = "hello"
	frameMessage = "message"
	framePing    = "ping"
)

// ClientFrame is a frame from the customer's browser.
type ClientFrame struct {
	Type string `json:"type"`
	// hello
	VisitorID string `json:"visitorId,omitempty"`
	Identity  string `json:"identity,omitempty"`
	Name      string `json:"name,omitempty"`
	// message
	ID     string     `json:"id,omitempty"`
	Text   string     `json:"text,omitempty"`
	SentAt *time.Time `json:"sentAt,omitempty"`
}

const (
	minVisitorIDLen = 16
	maxVisitorIDLen = 128
	maxClientIDLen  = 128
	maxAssertionLen = 4096
)

// ParseClientFrame validates one frame. Every error is a domain EINVALID
// error naming what is wrong.
func ParseClientFrame(data []byte) (ClientFrame, error) {
	if !utf8.Valid(data) {
		return ClientFrame{}, invalid("the frame is not valid UTF-8")
	}
	var f ClientFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return ClientFrame{}, invalid("the frame is not a JSON object: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return ClientFrame{}, invalid("the frame holds more than one JSON value")
	}
	switch f.Type {
	case frameHello:
		return f, f.validateHello()
	case frameMessage:
		return f, f.validateMessage()
	case framePing:
		return f, nil
	case "":
		return ClientFrame{}, invalid("the frame has no type")
	default:
		return ClientFrame{}, invalid("unknown frame type %q (want hello, message or ping)", f.Type)
	}
}

func (f ClientFrame) validateHello() error {
	if n := len(f.VisitorID); n < minVisitorIDLen || n > maxVisitorIDLen {
		return invalid("visitorId must be %d to %d characters", minVisitorIDLen, maxVisitorIDLen)
	}
	for _, r := range f.VisitorID {
		if !(r == '-' || r == '_' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return invalid("visitorId may hold only letters, digits, '-' and '_'")
		}
	}
	if len(f.Identity) > maxAssertionLen {
		return invalid("identity assertion is longer than %d bytes", maxAssertionLen)
	}
	return nil
}

func (f ClientFrame) validateMessage() error {
	if err := checkFrameID(f.ID); err != nil {
		return err
	}
	if strings.TrimSpace(f.Text) == "" {
		return invalid("the message is empty")
	}
	if len(f.Text) > domain.MaxMessageBytes {
		return invalid("the message is %d bytes, more than the %d allowed", len(f.Text), domain.MaxMessageBytes)
	}
	return nil
}

// checkFrameID checks the id a client gives a message.
func checkFrameID(id string) error {
	if id == "" || len(id) > maxClientIDLen {
		return invalid("a message needs an id of 1 to %d characters", maxClientIDLen)
	}
	for _, r := range id {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return invalid("message id %q contains %q", id, r)
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, format, args...)
}

// Server frames.

// MessageFrame is one message of the conversation, either way.
type MessageFrame struct {
	Type      string `json:"type"` // "message"
	ID        string `json:"id"`
	Direction string `json:"direction"` // IN (customer) or OUT (agent)
	AgentID   string `json:"agentId,omitempty"`
	Text      string `json:"text"`
	// Attachments are the message's files; the widget downloads kept
	// ones from /channels/webchat/files/{sha256}.
	Attachments []FileAttachment `json:"attachments,omitempty"`
	At          time.Time        `json:"at"`
	Position    uint64           `json:"position,omitempty"`
}

// Directions of a MessageFrame.
const (
	DirectionIn  = "IN"
	DirectionOut = "OUT"
)

// WelcomeFrame answers the hello with the conversation so far.
type WelcomeFrame struct {
	Type          string                   `json:"type"` // "welcome"
	InteractionID string                   `json:"interactionId,omitempty"`
	Status        domain.InteractionStatus `json:"status,omitempty"`
	History       []MessageFrame           `json:"history"`
}

// AckFrame confirms a customer's message is in the ledger.
type AckFrame struct {
	Type          string `json:"type"` // "ack"
	ID            string `json:"id"`
	InteractionID string `json:"interactionId"`
	Position      uint64 `json:"position"`
}

// CodeUnavailable is the error frame code of a message the ledger cannot
// record now (its disk is full): like "limited", the widget sends the same
// message again after RetryAfter seconds, where other codes are final.
const CodeUnavailable = "unavailable"

// ErrorFrame refuses a frame.
type ErrorFrame struct {
	Type    string `json:"type"` // "error"
	ID      string `json:"id,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// RetryAfter, in seconds, says when a refusal over a limit (code
	// "limited") or of a ledger that cannot write now (code
	// "unavailable") may be retried; absent when it may not be.
	RetryAfter int64 `json:"retryAfter,omitempty"`
}

// encode marshals a server frame; they hold nothing that fails to encode.
func encode(frame any) []byte {
	b, err := json.Marshal(frame)
	if err != nil {
		panic("webchat: encode frame: " + err.Error())
	}
	return b
}
