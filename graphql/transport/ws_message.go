package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/interactionledger/ledger/graphql/auth"
)

// Message types of graphql-transport-ws
// (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md).
const (
	msgConnectionInit = "connection_init"
	msgConnectionAck  = "connection_ack"
	msgPing           = "ping"
	msgPong           = "pong"
	msgSubscribe      = "subscribe"
	msgNext           = "next"
	msgError          = "error"
	msgComplete       = "complete"
)

// wsMessage is the envelope of every message, both ways.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// clientMessage is a decoded message from the client.
type clientMessage struct {
	typ string
	id  string
	// token is connection_init's bearer token, "" if it carried none.
	token string
	// req is subscribe's operation.
	req Request
	// payload is ping's payload, echoed in the pong.
	payload json.RawMessage
}

// maxOperationIDLength bounds a subscribe's id.
const maxOperationIDLength = 128

// decodeClientMessage parses and checks one message from the client.
// Anything malformed is an error, which closes the socket with 4400.
func decodeClientMessage(data []byte) (clientMessage, error) {
	var env wsMessage
	if err := json.Unmarshal(data, &env); err != nil {
		return clientMessage{}, fmt.Errorf("invalid message: %w", err)
	}
	m := clientMessage{typ: env.Type, id: env.ID}
	switch env.Type {
	case msgConnectionInit:
		token, err := initToken(env.Payload)
		m.token = token
		return m, err
	case msgPing, msgPong:
		m.payload = env.Payload
		return m, nil
	case msgSubscribe:
		if err := checkID(env.ID); err != nil {
			return m, err
		}
		if isNull(env.Payload) {
			return m, errors.New("invalid message: subscribe needs a payload")
		}
		if err := json.Unmarshal(env.Payload, &m.req); err != nil {
			return m, fmt.Errorf("invalid subscribe payload: %w", err)
		}
		if m.req.Query == "" {
			return m, errors.New("invalid message: subscribe needs a query")
		}
		return m, nil
	case msgComplete:
		return m, checkID(env.ID)
	case "":
		return m, errors.New("invalid message: no type")
	default:
		return m, fmt.Errorf("invalid message: unexpected type %q", env.Type)
	}
}

func checkID(id string) error {
	if id == "" || len(id) > maxOperationIDLength || !utf8.ValidString(id) {
		return fmt.Errorf("invalid message: an operation id must be 1 to %d bytes of text", maxOperationIDLength)
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// initToken finds the bearer token in connection_init's payload:
// {"Authorization": "Bearer <jwt>"} as the graphql-ws client's
// connectionParams usually send it, or {"token": "<jwt>"}.
func initToken(payload json.RawMessage) (string, error) {
	if isNull(payload) {
		return "", nil
	}
	var p map[string]any
	if err := json.Unmarshal(payload, &p); err != nil {
		return "", fmt.Errorf("invalid connection_init payload: %w", err)
	}
	for _, key := range []string{"Authorization", "authorization"} {
		if v, ok := p[key].(string); ok {
			token, _ := auth.BearerToken(v)
			return token, nil
		}
	}
	if v, ok := p["token"].(string); ok {
		return v, nil
	}
	return "", nil
}
