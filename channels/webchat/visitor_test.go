package webchat_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/webchat"
	"github.com/interactionledger/ledger/domain"
)

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestVisitorIDIsStoredNowhere: the visitor id is the conversation's only
// credential, so neither the ledger (streams, data, metadata) nor the logs
// hold it, for an anonymous visitor and for a verified one whose device is
// linked; the conversation is still resumed with it, and a resent message
// is still recorded once.
func TestVisitorIDIsStoredNowhere(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnv(t, func(c *webchat.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	const anon, verified = "v-anon-secret-0123456789", "v-verified-secret-012345"
	var frames []map[string]any
	keep := func(f map[string]any) map[string]any { frames = append(frames, f); return f }

	a, _, _ := e.dial(t, nil)
	a.send(hello(anon))
	keep(a.next("welcome"))
	a.send(message("c-1", "first"))
	interaction := keep(a.next("ack"))["interactionId"]
	a.send(message("c-1", "first")) // resent: recorded once
	keep(a.next("ack"))
	a.send(message("c-2", "second"))
	keep(a.next("ack"))
	a.conn.Close()

	back, _, _ := e.dial(t, nil)
	back.send(hello(anon))
	w := keep(back.next("welcome"))
	if w["interactionId"] != interaction || len(w["history"].([]any)) != 2 {
		t.Fatalf("the visitor did not resume their conversation: %v", w)
	}

	token, err := webchat.SignAssertion([]byte(secret), domain.Identity{Kind: domain.IdentityAccount, Value: "u-7"}, verified, "Li Lei", time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	v, _, _ := e.dial(t, nil)
	v.send(map[string]any{"type": "hello", "visitorId": verified, "identity": token})
	keep(v.next("welcome"))
	v.send(message("c-1", "logged in"))
	keep(v.next("ack"))
	chantest.Eventually(t, "the device linked", func() bool {
		for _, l := range chantest.Of[domain.IdentityLinked](t, e.l) {
			if l.Identity == e.srv.Device(verified) {
				return true
			}
		}
		return false
	})
	bad, _, _ := e.dial(t, nil)
	bad.send(map[string]any{"type": "hello", "visitorId": anon, "identity": "not.a.jwt"})
	bad.next("error")
	bad.closeFrame()

	if msgs := chantest.Of[domain.MessageReceived](t, e.l); len(msgs) != 3 {
		t.Fatalf("messages %+v, want 3", msgs)
	}
	for _, ev := range e.l.Events(t) {
		for what, b := range map[string]string{"stream": ev.Stream, "data": string(ev.RecordedEvent.Data), "metadata": string(ev.Metadata)} {
			for _, id := range []string{anon, verified} {
				if strings.Contains(b, id) {
					t.Errorf("%s %s at %d holds the visitor id: %s", ev.Type, what, ev.Position, b)
				}
			}
		}
	}
	for _, id := range []string{anon, verified} {
		if strings.Contains(logs.String(), id) {
			t.Errorf("the logs hold the visitor id %s:\n%s", id, logs.String())
		}
		for _, f := range frames {
			if strings.Contains(strings.Join(flatten(f), " "), id) {
				t.Errorf("frame %v holds the visitor id", f)
			}
		}
	}
}

func flatten(v any) []string {
	switch v := v.(type) {
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(out, k)
			out = append(out, flatten(x)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, flatten(x)...)
		}
		return out
	case string:
		return []string{v}
	}
	return nil
}

// TestADigestIsNoVisitorID: whoever read a digest (a message id shown to
// an analyst) and sends it as their visitor id gets a conversation of
// their own, not the visitor's.
func TestADigestIsNoVisitorID(t *testing.T) {
	e := newEnv(t)
	c, _, _ := e.dial(t, nil)
	c.send(hello(visitor))
	c.next("welcome")
	c.send(message("c-1", "my address is ..."))
	c.next("ack")
	thief, _, _ := e.dial(t, nil)
	thief.send(hello(e.srv.Device(visitor).Value))
	if w := thief.next("welcome"); len(w["history"].([]any)) != 0 || w["interactionId"] != nil {
		t.Fatalf("the digest resumed the visitor's conversation: %v", w)
	}
}

func TestVisitorDigest(t *testing.T) {
	d := webchat.VisitorDigest(visitorKey, visitor)
	if d != webchat.VisitorDigest(visitorKey, visitor) || !strings.HasPrefix(d, "vd-") || len(d) != 3+32 {
		t.Fatalf("digest %q", d)
	}
	if d == webchat.VisitorDigest([]byte("another-key-0123456789abcdef012345"), visitor) || d == webchat.VisitorDigest(visitorKey, visitor+"x") {
		t.Fatal("the digest ignores its key or its input")
	}
	if _, err := webchat.NewServer(webchat.Config{VisitorKey: []byte("short")}); err == nil {
		t.Fatal("a server with a short visitor key was built")
	}
}

func TestLoadOrCreateVisitorKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "webchat-visitor.key")
	key, err := webchat.LoadOrCreateVisitorKey(path)
	if err != nil || len(key) < webchat.MinVisitorKeyBytes {
		t.Fatalf("key %x, %v", key, err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v; want mode 0600", info, err)
	}
	again, err := webchat.LoadOrCreateVisitorKey(path)
	if err != nil || !bytes.Equal(again, key) {
		t.Fatalf("reloaded %x, %v; want %x", again, err, key)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := webchat.LoadOrCreateVisitorKey(path); err == nil {
		t.Error("a key file others may read was used")
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	if err := os.WriteFile(bad, []byte("abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := webchat.LoadOrCreateVisitorKey(bad); err == nil {
		t.Error("a short key file was used")
	}
}
