package transport

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/transport/transporttest"
)

func TestWebSocketProtocolErrors(t *testing.T) {
	e := newEnv(t, Limits{})
	good := e.token(auth.RoleAgent, "a-001")
	for _, c := range []struct {
		name string
		do   func(c *transporttest.Client)
		want int
	}{
		{"subscribe before init", func(c *transporttest.Client) { c.Subscribe("1", `{ me { role } }`, nil) }, closeUnauthorized},
		{"bad token", func(c *transporttest.Client) {
			c.Send(map[string]any{"type": transporttest.ConnectionInit, "payload": map[string]any{"Authorization": "Bearer nope"}})
		}, closeForbidden},
		{"no token", func(c *transporttest.Client) { c.Send(map[string]any{"type": transporttest.ConnectionInit}) }, closeForbidden},
		{"second init", func(c *transporttest.Client) {
			c.Init(good)
			c.Send(map[string]any{"type": transporttest.ConnectionInit, "payload": map[string]any{"token": good}})
		}, closeTooManyInitRequest},
		{"duplicate id", func(c *transporttest.Client) {
			c.Init(good)
			c.Subscribe("dup", `subscription { agentPresenceChanged { id } }`, nil)
			c.Subscribe("dup", `subscription { agentPresenceChanged { id } }`, nil)
		}, closeSubscriberExists},
		{"invalid message", func(c *transporttest.Client) {
			must(c.T, c.Conn.WriteMessage(websocket.TextMessage, []byte(`{"type":`)), "write")
		}, closeInvalidMessage},
		{"unknown type", func(c *transporttest.Client) { c.Send(map[string]any{"type": "start", "id": "1"}) }, closeInvalidMessage},
		{"binary frame", func(c *transporttest.Client) {
			must(c.T, c.Conn.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"ping"}`)), "write")
		}, closeInvalidMessage},
	} {
		t.Run(c.name, func(t *testing.T) {
			client := e.dialWS()
			client.T = t
			c.do(client)
			if code := client.Closed(); code != c.want {
				t.Errorf("close code %d, want %d", code, c.want)
			}
		})
	}
	t.Run("wrong subprotocol", func(t *testing.T) {
		client := e.dialWS("graphql-ws")
		client.T = t
		if code := client.Closed(); code != closeSubprotocol {
			t.Errorf("close code %d, want %d", code, closeSubprotocol)
		}
	})
	t.Run("init timeout", func(t *testing.T) {
		quick := newEnv(t, Limits{ConnectionInitTimeout: 50 * time.Millisecond})
		client := quick.dialWS()
		client.T = t
		if code := client.Closed(); code != closeInitTimeout {
			t.Errorf("close code %d, want %d", code, closeInitTimeout)
		}
	})
	t.Run("token in the upgrade request", func(t *testing.T) {
		client := transporttest.Dial(t, e.url, http.Header{"Authorization": {"Bearer " + good}})
		client.Send(map[string]any{"type": transporttest.ConnectionInit})
		if m := client.Read(); m.Type != transporttest.ConnectionAck {
			t.Errorf("got %+v, want connection_ack", m)
		}
	})
}

// TestWebSocketOperations runs operations over one connection: a query
// answers "next" then "complete", a subscription counts against the
// connection's limit until the client completes it, and Close ends the
// connection with "going away" and refuses new ones.
func TestWebSocketOperations(t *testing.T) {
	a, err := auth.NewAuthenticator(testSecret)
	must(t, err, "authenticator")
	h, err := New(Config{Executor: fakeExecutor{}, Auth: a, Logger: quietLogger, Limits: Limits{
		MaxBodyBytes: 1 << 20, RequestTimeout: time.Minute, MaxOperationsPerConnection: 1, ConnectionInitTimeout: time.Minute,
	}})
	must(t, err, "handler")
	srv := httptest.NewServer(h)
	defer srv.Close()
	tok, err := a.Mint("a-001", auth.RoleAgent, time.Hour)
	must(t, err, "mint")
	c := transporttest.Dial(t, srv.URL, nil)
	c.Init(tok)

	c.Subscribe("q", `{ me { subject } }`, nil)
	if m := c.Read(); m.Type != transporttest.Next || m.ID != "q" || !strings.Contains(string(m.Payload), `"a-001"`) {
		t.Errorf("got %+v, want next for q with the caller's subject", m)
	}
	if m := c.Read(); m.Type != transporttest.Complete || m.ID != "q" {
		t.Errorf("got %+v, want complete for q", m)
	}

	c.Subscribe("s", `subscription { agentPresenceChanged { id } }`, nil)
	c.Subscribe("t", `subscription { agentPresenceChanged { id } }`, nil)
	if m := c.Read(); m.Type != transporttest.Error || m.ID != "t" || !strings.Contains(string(m.Payload), apierror.CodeBadUserInput) {
		t.Errorf("got %+v, want error BAD_USER_INPUT for t (one operation at once)", m)
	}
	c.Send(map[string]any{"id": "s", "type": transporttest.Complete})
	c.Subscribe("t", `subscription { agentPresenceChanged { id } }`, nil)
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Errorf("got %+v, want pong (t accepted once s completed)", m)
	}

	h.Close()
	if code := c.Closed(); code != websocket.CloseGoingAway {
		t.Errorf("close code %d, want %d", code, websocket.CloseGoingAway)
	}
	// Once closed, new connections are refused.
	d := websocket.Dialer{Subprotocols: []string{transporttest.Subprotocol}}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err == nil {
		conn.Close()
		t.Fatal("a connection after Close was accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Close: %v, want 503", err)
	} else {
		resp.Body.Close()
	}
}

// TestWebSocketRequestTimeout: a query over a WebSocket ends with the
// request timeout, as over HTTP, and so does a subscription's setup; the
// connection keeps serving.
func TestWebSocketRequestTimeout(t *testing.T) {
	e := newEnv(t, Limits{RequestTimeout: 100 * time.Millisecond})
	c := e.dialWS()
	c.Init(e.token(auth.RoleAgent, "a-001"))

	c.Subscribe("q", `{ slow }`, nil)
	m := c.Read()
	if m.ID != "q" || (m.Type != transporttest.Error && m.Type != transporttest.Next) || !strings.Contains(string(m.Payload), apierror.CodeTimeout) {
		t.Fatalf("got %+v, want q to end with TIMEOUT", m)
	}
	if m.Type == transporttest.Next {
		if m := c.Read(); m.Type != transporttest.Complete || m.ID != "q" {
			t.Fatalf("got %+v, want complete for q", m)
		}
	}

	c.Subscribe("s", `subscription { slow }`, nil)
	if m := c.Read(); m.Type != transporttest.Error || m.ID != "s" || !strings.Contains(string(m.Payload), apierror.CodeTimeout) {
		t.Fatalf("got %+v, want error TIMEOUT for s", m)
	}

	c.Subscribe("ok", `{ me { subject } }`, nil)
	if m := c.Read(); m.Type != transporttest.Next || m.ID != "ok" {
		t.Errorf("got %+v, want next for ok: the connection still serves", m)
	}
}

// TestRevokedTokenEndsWebSocket: once a token's subject is revoked, its
// open WebSocket is closed with 4403 (subscriptions included), a new one
// is refused, and so is an HTTP request with it.
func TestRevokedTokenEndsWebSocket(t *testing.T) {
	a, err := auth.NewAuthenticator(testSecret)
	must(t, err, "authenticator")
	revoked, err := auth.OpenRevocations(filepath.Join(t.TempDir(), auth.RevocationsFile))
	must(t, err, "revocations")
	a.UseRevocations(revoked)
	h, err := New(Config{Executor: fakeExecutor{}, Auth: a, Logger: quietLogger, Limits: Limits{
		MaxBodyBytes: 1 << 20, RequestTimeout: time.Minute, MaxOperationsPerConnection: 8, ConnectionInitTimeout: time.Minute,
		RecheckEvery: 20 * time.Millisecond,
	}})
	must(t, err, "handler")
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Close()
	tok, err := a.Mint("a-001", auth.RoleAgent, time.Hour)
	must(t, err, "mint")
	c := transporttest.Dial(t, srv.URL, nil)
	c.Init(tok)
	c.Subscribe("s", `subscription { agentPresenceChanged { id } }`, nil)
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}

	must(t, a.Revoke("a-001"), "revoke")
	if code := c.Closed(); code != closeForbidden {
		t.Errorf("open connection after revocation: close code %d, want %d", code, closeForbidden)
	}
	again := transporttest.Dial(t, srv.URL, nil)
	again.Send(map[string]any{"type": transporttest.ConnectionInit, "payload": map[string]any{"token": tok}})
	if code := again.Closed(); code != closeForbidden {
		t.Errorf("new connection with a revoked token: close code %d, want %d", code, closeForbidden)
	}
	e := &env{t: t, auth: a, url: srv.URL + "/graphql"}
	if r := e.send(http.MethodPost, e.url, tok, "application/json", []byte(`{"query":"{ me { subject } }"}`)); r.Status != http.StatusUnauthorized {
		t.Errorf("HTTP with a revoked token: %d %+v, want 401", r.Status, r.Errors)
	}
}
