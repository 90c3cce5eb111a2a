package webchat_test

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/webchat"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// dialFrom opens a socket from the local address ip (any of 127.0.0.0/8
// is this host's), so tests have more than one client address.
func (e *env) dialFrom(t *testing.T, ip string) (*client, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext}
	conn, resp, err := d.Dial(e.url, nil)
	if err != nil {
		return nil, resp, err
	}
	c := &client{t: t, conn: conn, frames: make(chan map[string]any, 1024), closed: make(chan *websocket.CloseError, 1)}
	t.Cleanup(func() { conn.Close() })
	go c.read()
	return c, resp, nil
}

func (e *env) chatFrom(t *testing.T, ip, visitor string) *client {
	t.Helper()
	c, _, err := e.dialFrom(t, ip)
	if err != nil {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	c.send(hello(visitor))
	c.next("welcome")
	return c
}

// TestMessageFloodFromOneAddressIsCutOff: one address sending faster than
// its rate gets "limited" error frames with a retry time, and nothing of
// them is appended; another address chats normally meanwhile.
func TestMessageFloodFromOneAddressIsCutOff(t *testing.T) {
	e := newEnv(t, func(c *webchat.Config) {
		c.Limits = limit.NewGuard(limit.GuardConfig{PerSource: limit.Rate{PerSecond: 0.01, Burst: 5}})
	})
	flooder := e.chatFrom(t, "127.0.0.1", "v-flooder-000000001")
	acked, limited := 0, 0
	for n := range 12 {
		flooder.send(message(fmt.Sprint("f-", n), "spam"))
	}
	for range 12 {
		f := <-flooder.frames
		switch {
		case f["type"] == "ack":
			acked++
		case f["type"] == "error" && f["code"] == domain.ELIMITED && f["retryAfter"].(float64) >= 1:
			limited++
		default:
			t.Fatalf("unexpected frame %v", f)
		}
	}
	if acked != 5 || limited != 7 {
		t.Fatalf("flood: %d acked, %d limited; want 5 and 7", acked, limited)
	}
	other := e.chatFrom(t, "127.0.0.2", "v-other-0000000001")
	other.send(message("o-1", "hello"))
	if ack := other.next("ack"); ack["id"] != "o-1" {
		t.Fatalf("the other address: %v", ack)
	}
	if n := len(chantest.Of[domain.MessageReceived](t, e.l)); n != 6 {
		t.Fatalf("%d messages appended, want 6", n)
	}
}

// TestMessageFloodFromOneVisitorIsCutOff: a visitor is limited across
// addresses (per identity), another visitor is not.
func TestMessageFloodFromOneVisitorIsCutOff(t *testing.T) {
	e := newEnv(t, func(c *webchat.Config) {
		c.Limits = limit.NewGuard(limit.GuardConfig{PerIdentity: limit.Rate{PerSecond: 0.01, Burst: 2}})
	})
	a := e.chatFrom(t, "127.0.0.1", "v-same-visitor-0001")
	b := e.chatFrom(t, "127.0.0.3", "v-same-visitor-0001")
	a.send(message("1", "one"))
	a.next("ack")
	b.send(message("2", "two"))
	b.next("ack")
	b.send(message("3", "three"))
	if f := b.next("error"); f["code"] != domain.ELIMITED || f["id"] != "3" {
		t.Fatalf("third message of the visitor: %v", f)
	}
	other := e.chatFrom(t, "127.0.0.1", "v-other-0000000001")
	other.send(message("o-1", "hello"))
	other.next("ack")
}

// TestSocketsPerAddressAreCapped: an address holding its cap of open
// sockets is refused another (429, Retry-After) until one closes; another
// address connects meanwhile.
func TestSocketsPerAddressAreCapped(t *testing.T) {
	e := newEnv(t, func(c *webchat.Config) { c.Sockets = limit.NewCounter(2, "open chats from this address") })
	first := e.chatFrom(t, "127.0.0.1", visitor)
	e.chatFrom(t, "127.0.0.1", visitor)
	_, resp, err := e.dialFrom(t, "127.0.0.1")
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third socket: err %v, response %+v; want 429 with Retry-After", err, resp)
	}
	e.chatFrom(t, "127.0.0.2", visitor)
	first.conn.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _, err := e.dialFrom(t, "127.0.0.1")
		if err == nil {
			c.send(hello(visitor))
			c.next("welcome")
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a socket closed, yet the address is still refused: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConnectFloodFromOneAddressIsCutOff: new sockets faster than the
// connect rate are refused with 429 and Retry-After; another address
// connects.
func TestConnectFloodFromOneAddressIsCutOff(t *testing.T) {
	e := newEnv(t, func(c *webchat.Config) {
		c.Connects = limit.NewLimiter(limit.Rate{PerSecond: 0.01, Burst: 3}, "new chats from this address", 0, nil)
	})
	for range 3 {
		e.chatFrom(t, "127.0.0.1", visitor)
	}
	_, resp, err := e.dialFrom(t, "127.0.0.1")
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th socket: %v %+v; want 429", err, resp)
	}
	if secs, _ := strconv.Atoi(resp.Header.Get("Retry-After")); secs < 1 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	e.chatFrom(t, "127.0.0.2", visitor)
}

// TestInteractionCapOnWebChat: the ledger's per-interaction message cap
// reaches the visitor as a "limited" error frame, and the socket stays.
func TestInteractionCapOnWebChat(t *testing.T) {
	e := newEnvOn(t, chantest.NewLedger(t, commands.WithInteractionLimits(domain.InteractionLimits{MaxMessages: 2})))
	c := e.chatFrom(t, "127.0.0.1", visitor)
	c.send(message("1", "one"))
	c.next("ack")
	c.send(message("2", "two"))
	c.next("ack")
	c.send(message("3", "three"))
	if f := c.next("error"); f["code"] != domain.ELIMITED || f["id"] != "3" {
		t.Fatalf("over the cap: %v", f)
	}
	c.send(map[string]any{"type": "ping"})
	c.next("pong")
	if n := len(chantest.Of[domain.InteractionLimitReached](t, e.l)); n != 1 {
		t.Fatalf("%d InteractionLimitReached, want 1", n)
	}
}
