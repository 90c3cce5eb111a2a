package webchat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/channels/webchat"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
)

const secret = "site-backend-secret-of-32-bytes!"

// visitorKey keys the visitor digests of the tests' servers.
var visitorKey = []byte("webchat-test-visitor-key-0123456789")

// env is a web chat server on a real HTTP listener over a real ledger,
// with the outbound dispatcher delivering agents' replies to it.
type env struct {
	l   *chantest.Ledger
	srv *webchat.Server
	url string
}

func newEnv(t testing.TB, tune ...func(*webchat.Config)) *env {
	t.Helper()
	return newEnvOn(t, chantest.NewLedger(t), tune...)
}

// newEnvOn is newEnv on the ledger l.
func newEnvOn(t testing.TB, l *chantest.Ledger, tune ...func(*webchat.Config)) *env {
	t.Helper()
	cfg := webchat.Config{Ledger: l.Handler, Secret: secret, VisitorKey: visitorKey, AllowedOrigins: []string{"https://shop.example.com"}, Logger: slog.New(slog.DiscardHandler)}
	for _, f := range tune {
		f(&cfg)
	}
	srv, err := webchat.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /channels/webchat", srv)
	hs := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return &env{l: l, srv: srv, url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/channels/webchat"}
}

// deliverReplies runs the outbound dispatcher with the web chat server as
// its sender.
func (e *env) deliverReplies(t *testing.T) {
	t.Helper()
	cp := &follow.MemoryCheckpoint{}
	if err := cp.Save(context.Background(), e.l.Head(t)); err != nil {
		t.Fatal(err)
	}
	d, err := outbound.New(outbound.Config{Store: e.l.Store, Checkpoints: cp, Logger: slog.New(slog.DiscardHandler),
		Senders: map[domain.Channel]outbound.Sender{domain.ChannelWebchat: e.srv}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// client is a customer's browser: a real WebSocket client.
type client struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan map[string]any
	closed chan *websocket.CloseError
}

func (e *env) dial(t *testing.T, header http.Header) (*client, *http.Response, error) {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(e.url, header)
	if err != nil {
		return nil, resp, err
	}
	c := &client{t: t, conn: conn, frames: make(chan map[string]any, 1024), closed: make(chan *websocket.CloseError, 1)}
	t.Cleanup(func() { conn.Close() })
	go c.read()
	return c, resp, nil
}

func (c *client) read() {
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				ce = &websocket.CloseError{Code: websocket.CloseAbnormalClosure, Text: err.Error()}
			}
			c.closed <- ce
			close(c.frames)
			return
		}
		var f map[string]any
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Errorf("server sent a frame that is not JSON: %q", data)
		}
		c.frames <- f
	}
}

func (c *client) send(frame any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(frame); err != nil {
		c.t.Fatal(err)
	}
}

// next returns the next frame of the given type, skipping others.
func (c *client) next(typ string) map[string]any {
	c.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.t.Fatalf("socket closed while waiting for a %s frame", typ)
			}
			if f["type"] == typ {
				return f
			}
		case <-timeout:
			c.t.Fatalf("no %s frame", typ)
		}
	}
}

// closeFrame waits for the server to close the socket.
func (c *client) closeFrame() *websocket.CloseError {
	c.t.Helper()
	for range c.frames {
	}
	return <-c.closed
}

func hello(visitor string) map[string]any {
	return map[string]any{"type": "hello", "visitorId": visitor}
}

func message(id, text string) map[string]any {
	return map[string]any{"type": "message", "id": id, "text": text}
}

const visitor = "v-0123456789abcdef"

func TestAnonymousVisitorChats(t *testing.T) {
	e := newEnv(t)
	c, _, err := e.dial(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.send(hello(visitor))
	if w := c.next("welcome"); len(w["history"].([]any)) != 0 || w["interactionId"] != nil {
		t.Fatalf("a new visitor's welcome %v", w)
	}
	c.send(message("c-1", "你好，我想咨询退货"))
	ack := c.next("ack")
	if ack["id"] != "c-1" || ack["interactionId"] == "" || ack["position"].(float64) == 0 {
		t.Fatalf("ack %v", ack)
	}
	head := e.l.Head(t)
	c.send(message("c-1", "你好，我想咨询退货")) // resent after a lost ack
	if again := c.next("ack"); again["interactionId"] != ack["interactionId"] || e.l.Head(t) != head {
		t.Fatalf("resend: ack %v, head %d -> %d", again, head, e.l.Head(t))
	}
	msgs := chantest.Of[domain.MessageReceived](t, e.l)
	started := chantest.Of[domain.InteractionStarted](t, e.l)
	device := e.srv.Device(visitor)
	if len(msgs) != 1 || msgs[0].MessageID != device.Value+":c-1" || msgs[0].Text != "你好，我想咨询退货" {
		t.Fatalf("messages %+v", msgs)
	}
	if len(started) != 1 || started[0].Channel != domain.ChannelWebchat || started[0].Identity != device {
		t.Fatalf("interactions %+v", started)
	}
}

func TestRepliesArriveLiveAndReconnectGetsHistory(t *testing.T) {
	e := newEnv(t)
	e.deliverReplies(t)
	c, _, err := e.dial(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.send(hello(visitor))
	c.next("welcome")
	c.send(message("c-1", "where is my parcel?"))
	interaction := c.next("ack")["interactionId"].(string)
	e.l.Reply(t, interaction, "a7", "It left the warehouse today.")
	reply := c.next("message")
	if reply["direction"] != "OUT" || reply["agentId"] != "a7" || reply["text"] != "It left the warehouse today." {
		t.Fatalf("reply frame %v", reply)
	}
	chantest.Eventually(t, "the delivery recorded", func() bool { return len(chantest.Of[domain.MessageDelivered](t, e.l)) == 1 })
	if d := chantest.Of[domain.MessageDelivered](t, e.l)[0]; d.Channel != domain.ChannelWebchat || d.Detail != "1 live session(s)" {
		t.Errorf("delivery %+v", d)
	}
	c.conn.Close()

	// The customer comes back (new page load): the conversation so far.
	back, _, err := e.dial(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	back.send(hello(visitor))
	w := back.next("welcome")
	history := w["history"].([]any)
	if w["interactionId"] != interaction || len(history) != 2 {
		t.Fatalf("welcome %v", w)
	}
	first, second := history[0].(map[string]any), history[1].(map[string]any)
	if first["direction"] != "IN" || first["id"] != e.srv.Device(visitor).Value+":c-1" || second["direction"] != "OUT" || second["id"] != reply["id"] {
		t.Fatalf("history %v", history)
	}
}

func TestAReplyWithNobodyConnectedIsRecordedAsNotShown(t *testing.T) {
	e := newEnv(t)
	e.deliverReplies(t)
	c, _, err := e.dial(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.send(hello(visitor))
	c.next("welcome")
	c.send(message("c-1", "hi"))
	interaction := c.next("ack")["interactionId"].(string)
	c.conn.Close()
	chantest.Eventually(t, "the socket gone", func() bool { return e.srv.Sessions() == 0 })
	e.l.Reply(t, interaction, "a1", "are you still there?")
	chantest.Eventually(t, "the attempt recorded", func() bool { return len(chantest.Of[domain.MessageDeliveryFailed](t, e.l)) == 1 })
	f := chantest.Of[domain.MessageDeliveryFailed](t, e.l)[0]
	if !f.Permanent || !f.GaveUp || !strings.Contains(f.Reason, "no live web chat session") {
		t.Errorf("failure %+v", f)
	}
}

func TestOtherTabsSeeTheCustomersMessages(t *testing.T) {
	e := newEnv(t)
	a, _, _ := e.dial(t, nil)
	b, _, _ := e.dial(t, nil)
	a.send(hello(visitor))
	b.send(hello(visitor))
	a.next("welcome")
	b.next("welcome")
	a.send(message("c-1", "typed in tab A"))
	a.next("ack")
	if echo := b.next("message"); echo["direction"] != "IN" || echo["text"] != "typed in tab A" || echo["id"] != e.srv.Device(visitor).Value+":c-1" {
		t.Fatalf("tab B got %v", echo)
	}
}

func TestVerifiedIdentity(t *testing.T) {
	e := newEnv(t)
	account := domain.Identity{Kind: domain.IdentityAccount, Value: "u-42"}
	token, err := webchat.SignAssertion([]byte(secret), account, visitor, "Li Lei", time.Now().Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := e.dial(t, nil)
	c.send(map[string]any{"type": "hello", "visitorId": visitor, "identity": token})
	c.next("welcome")
	c.send(message("c-1", "logged in"))
	c.next("ack")
	started := chantest.Of[domain.InteractionStarted](t, e.l)
	if len(started) != 1 || started[0].Identity != account {
		t.Fatalf("interactions %+v, want one with the verified identity", started)
	}
	customers := chantest.Of[domain.CustomerRegistered](t, e.l)
	if len(customers) != 1 || customers[0].DisplayName != "Li Lei" {
		t.Fatalf("customers %+v", customers)
	}
	chantest.Eventually(t, "the device linked", func() bool {
		for _, l := range chantest.Of[domain.IdentityLinked](t, e.l) {
			if l.Identity == e.srv.Device(visitor) && l.CustomerID == customers[0].CustomerID {
				return true
			}
		}
		return false
	})

	// The same customer on another device continues the conversation.
	other := "v-fedcba9876543210"
	token2, _ := webchat.SignAssertion([]byte(secret), account, other, "Li Lei", time.Now().Add(5*time.Minute))
	d, _, _ := e.dial(t, nil)
	d.send(map[string]any{"type": "hello", "visitorId": other, "identity": token2})
	if w := d.next("welcome"); len(w["history"].([]any)) != 1 || w["interactionId"] != started[0].InteractionID {
		t.Fatalf("welcome on the second device %v", w)
	}
}

func TestRefusedHellosAppendNothing(t *testing.T) {
	account := domain.Identity{Kind: domain.IdentityAccount, Value: "u-42"}
	sign := func(key string, vid string, exp time.Time) string {
		tok, err := webchat.SignAssertion([]byte(key), account, vid, "", exp)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	soon := time.Now().Add(time.Minute)
	cases := []struct {
		name   string
		first  any
		code   string
		noSecr bool
	}{
		{"forged assertion", map[string]any{"type": "hello", "visitorId": visitor, "identity": sign("guessed-secret-also-of-32-bytes", visitor, soon)}, domain.EFORBIDDEN, false},
		{"expired assertion", map[string]any{"type": "hello", "visitorId": visitor, "identity": sign(secret, visitor, time.Now().Add(-time.Hour))}, domain.EFORBIDDEN, false},
		{"assertion for another visitor", map[string]any{"type": "hello", "visitorId": visitor, "identity": sign(secret, "v-someone-else-0000", soon)}, domain.EFORBIDDEN, false},
		{"assertion without a secret", map[string]any{"type": "hello", "visitorId": visitor, "identity": sign(secret, visitor, soon)}, domain.EFORBIDDEN, true},
		{"garbage assertion", map[string]any{"type": "hello", "visitorId": visitor, "identity": "not.a.jwt"}, domain.EFORBIDDEN, false},
		{"message before hello", message("c-1", "hi"), domain.EINVALID, false},
		{"guessable visitor id", hello("42"), domain.EINVALID, false},
		{"visitor id with odd characters", hello("v-0123456789abcdef/../x"), domain.EINVALID, false},
		{"not JSON", "hello there", domain.EINVALID, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *webchat.Config) {
				if tc.noSecr {
					c.Secret = ""
				}
			})
			c, _, err := e.dial(t, nil)
			if err != nil {
				t.Fatal(err)
			}
			c.send(tc.first)
			if f := c.next("error"); f["code"] != tc.code || f["message"] == "" {
				t.Errorf("error frame %v, want code %s", f, tc.code)
			}
			if ce := c.closeFrame(); ce.Code != websocket.ClosePolicyViolation {
				t.Errorf("closed with %v, want 1008", ce)
			}
			if h := e.l.Head(t); h != 0 {
				t.Errorf("appended %d events", h)
			}
		})
	}
}

func TestBadFramesAreRefusedAndTheSocketStays(t *testing.T) {
	e := newEnv(t)
	c, _, _ := e.dial(t, nil)
	c.send(hello(visitor))
	c.next("welcome")
	cases := []struct {
		frame any
		code  string
	}{
		{message("c-1", "  "), domain.EINVALID},
		{map[string]any{"type": "message", "text": "no id"}, domain.EINVALID},
		{map[string]any{"type": "typing"}, domain.EINVALID},
		{hello(visitor), domain.EINVALID},
		{message("c-2", strings.Repeat("x", domain.MaxMessageBytes+1)), domain.EINVALID},
	}
	for _, tc := range cases {
		c.send(tc.frame)
		if f := c.next("error"); f["code"] != tc.code {
			t.Errorf("frame %.60v: error %v, want %s", tc.frame, f, tc.code)
		}
	}
	if e.l.Head(t) != 0 {
		t.Fatalf("refused frames appended %d events", e.l.Head(t))
	}
	c.send(map[string]any{"type": "ping"})
	c.next("pong")
	c.send(message("c-3", "still here"))
	if ack := c.next("ack"); ack["id"] != "c-3" {
		t.Fatalf("ack %v", ack)
	}
}

func TestOversizedFrameClosesTheSocket(t *testing.T) {
	e := newEnv(t, func(c *webchat.Config) { c.MaxFrameBytes = 1024 })
	c, _, _ := e.dial(t, nil)
	c.send(hello(visitor))
	c.next("welcome")
	c.send(message("c-1", strings.Repeat("x", 2048)))
	if ce := c.closeFrame(); ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("closed with %v, want 1009", ce)
	}
	if e.l.Head(t) != 0 {
		t.Fatal("the oversized frame appended events")
	}
}

func TestHeartbeats(t *testing.T) {
	e := newEnv(t, func(c *webchat.Config) { c.PingInterval, c.PongWait = 20*time.Millisecond, 300*time.Millisecond })
	// A live client answers pings (the library does while reading) and
	// stays connected across many ping intervals.
	alive, _, _ := e.dial(t, nil)
	pings := make(chan struct{}, 100)
	alive.conn.SetPingHandler(func(data string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return alive.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	alive.send(hello(visitor))
	alive.next("welcome")
	for range 20 {
		<-pings
	}
	alive.send(message("c-1", "still connected"))
	alive.next("ack")

	// A client that went silent (a laptop lid closed: no pongs) is dropped.
	silent, _, _ := e.dial(t, nil)
	silent.conn.SetPingHandler(func(string) error { return nil })
	silent.send(hello("v-silent-000000000000"))
	silent.next("welcome")
	chantest.Eventually(t, "the silent client dropped", func() bool { return e.srv.Sessions() == 1 })
}

func TestSlowClientIsDroppedWithoutHoldingUpOthers(t *testing.T) {
	e := newEnv(t, func(c *webchat.Config) { c.SendQueue = 4 })
	// slow never reads: its socket buffers fill, then its queue.
	slowConn, _, err := websocket.DefaultDialer.Dial(e.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slowConn.Close()
	if err := slowConn.WriteJSON(hello("v-slow-00000000000000")); err != nil {
		t.Fatal(err)
	}
	fast, _, _ := e.dial(t, nil)
	fast.send(hello(visitor))
	fast.next("welcome")
	chantest.Eventually(t, "both connected", func() bool { return e.srv.Sessions() == 2 })

	slowTo := e.srv.Device("v-slow-00000000000000")
	fastTo := e.srv.Device(visitor)
	big := strings.Repeat("x", 60<<10)
	var slowErr error
	for i := 0; i < 2000 && slowErr == nil; i++ {
		_, slowErr = e.srv.Send(context.Background(), outbound.Delivery{MessageID: fmt.Sprint("r", i), To: slowTo, Text: big, Position: uint64(i + 1)})
		if i%50 == 0 {
			// The fast client keeps getting its frames meanwhile.
			if _, err := e.srv.Send(context.Background(), outbound.Delivery{MessageID: fmt.Sprint("f", i), To: fastTo, Text: "hi", Position: uint64(i + 1)}); err != nil {
				t.Fatalf("send to the fast client: %v", err)
			}
			fast.next("message")
		}
	}
	if !errors.Is(slowErr, webchat.ErrNoLiveSession) {
		t.Fatalf("the slow client was never dropped (last send: %v)", slowErr)
	}
	if _, err := e.srv.Send(context.Background(), outbound.Delivery{MessageID: "f-last", To: fastTo, Text: "hi", Position: 99999}); err != nil {
		t.Fatalf("send to the fast client after the drop: %v", err)
	}
	if f := fast.next("message"); f["id"] != "f-last" {
		t.Fatalf("fast client got %v", f)
	}
}

func TestOrigins(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"https://shop.example.com", true},
		{"https://evil.example.net", false},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		_, resp, err := e.dial(t, h)
		if (err == nil) != tc.ok {
			t.Errorf("origin %q: err %v, want ok=%t", tc.origin, err, tc.ok)
		}
		if !tc.ok && (resp == nil || resp.StatusCode != http.StatusForbidden) {
			t.Errorf("origin %q: response %v, want 403", tc.origin, resp)
		}
	}
}

func TestCloseSaysGoodbye(t *testing.T) {
	e := newEnv(t)
	var clients []*client
	for i := range 3 {
		c, _, _ := e.dial(t, nil)
		c.send(hello(fmt.Sprintf("v-close-%012d", i)))
		c.next("welcome")
		clients = append(clients, c)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.srv.Close() }()
	for _, c := range clients {
		if ce := c.closeFrame(); ce.Code != websocket.CloseGoingAway {
			t.Errorf("closed with %v, want 1001", ce)
		}
	}
	wg.Wait()
	if _, resp, err := e.dial(t, nil); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a socket opened after Close: %v", err)
	}
}

// TestLiveReplyCarriesItsFiles: an agent's reply with files is shown live
// with its attachments, as the welcome shows it later (a quarantined file
// is marked, with no owner to leak).
func TestLiveReplyCarriesItsFiles(t *testing.T) {
	e := newEnv(t)
	c, _, err := e.dial(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.send(hello(visitor))
	c.next("welcome")
	files := []domain.Attachment{
		{Name: "quote.pdf", ContentType: "application/pdf", Size: 1234, SHA256: strings.Repeat("ab", 32), Owner: "cust-1"},
		{Name: "bad.pdf", ContentType: "application/pdf", Size: 68, SHA256: strings.Repeat("cd", 32), Quarantined: "Eicar-Signature"},
	}
	if _, err := e.srv.Send(context.Background(), outbound.Delivery{MessageID: "r-files", To: e.srv.Device(visitor), Text: "the quote", Attachments: files, Position: 7}); err != nil {
		t.Fatal(err)
	}
	f := c.next("message")
	atts, _ := f["attachments"].([]any)
	if len(atts) != 2 {
		t.Fatalf("reply frame %v, want its two files", f)
	}
	first, second := atts[0].(map[string]any), atts[1].(map[string]any)
	if first["name"] != "quote.pdf" || first["sha256"] != files[0].SHA256 || first["size"] != float64(1234) || first["quarantined"] != nil || first["owner"] != nil {
		t.Errorf("first file %v", first)
	}
	if second["name"] != "bad.pdf" || second["quarantined"] != true {
		t.Errorf("quarantined file %v", second)
	}
}
