// Package transporttest is a graphql-transport-ws client for tests: it
// speaks the protocol from the client's side, written from the protocol's
// description rather than from the server's code.
package transporttest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Subprotocol is the WebSocket subprotocol of graphql-transport-ws.
const Subprotocol = "graphql-transport-ws"

// Message types of graphql-transport-ws
// (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md).
const (
	ConnectionInit = "connection_init"
	ConnectionAck  = "connection_ack"
	Ping           = "ping"
	Pong           = "pong"
	Subscribe      = "subscribe"
	Next           = "next"
	Error          = "error"
	Complete       = "complete"
)

// Message is the envelope of every message, both ways.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Client is one connection to a server. T is the test it fails; a subtest
// may set its own.
type Client struct {
	T    testing.TB
	Conn *websocket.Conn
}

// Dial connects to the GraphQL endpoint url (http:// or https://) with
// header and the protocols offered (Subprotocol when none). The
// connection closes when the test ends.
func Dial(t testing.TB, url string, header http.Header, protocols ...string) *Client {
	t.Helper()
	if protocols == nil {
		protocols = []string{Subprotocol}
	}
	d := websocket.Dialer{Subprotocols: protocols, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(url, "http"), header)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	return &Client{T: t, Conn: conn}
}

// Send writes m as a JSON message.
func (c *Client) Send(m map[string]any) {
	c.T.Helper()
	if err := c.Conn.WriteJSON(m); err != nil {
		c.T.Fatal(err)
	}
}

// Read returns the next message, failing the test after 10 s.
func (c *Client) Read() Message {
	c.T.Helper()
	_ = c.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m Message
	if err := c.Conn.ReadJSON(&m); err != nil {
		c.T.Fatalf("read: %v", err)
	}
	return m
}

// Closed waits for the server to close the connection and returns the
// close code.
func (c *Client) Closed() int {
	c.T.Helper()
	_ = c.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := c.Conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			c.T.Fatalf("connection ended without a close frame: %v", err)
		}
	}
}

// Init sends connection_init with token and expects connection_ack.
func (c *Client) Init(token string) {
	c.T.Helper()
	c.Send(map[string]any{"type": ConnectionInit, "payload": map[string]any{"Authorization": "Bearer " + token}})
	if m := c.Read(); m.Type != ConnectionAck {
		c.T.Fatalf("got %+v, want connection_ack", m)
	}
}

// Subscribe starts operation id.
func (c *Client) Subscribe(id, query string, vars map[string]any) {
	c.T.Helper()
	c.Send(map[string]any{"id": id, "type": Subscribe, "payload": map[string]any{"query": query, "variables": vars}})
}
