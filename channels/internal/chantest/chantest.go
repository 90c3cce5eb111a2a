// Package chantest holds the fixtures the channel packages' tests share: a
// real SQLite ledger in a temporary directory with a command handler, a
// way to play an agent replying, and readers of what was appended.
package chantest

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// Ledger is a real event store and the command handler on it.
type Ledger struct {
	Store   eventstore.Store
	Handler *commands.Handler
}

// NewLedger opens a fresh ledger, closed when the test ends; opts
// configure its command handler.
func NewLedger(t testing.TB, opts ...commands.Option) *Ledger {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return &Ledger{Store: store, Handler: commands.NewHandler(store, append([]commands.Option{commands.WithLogger(quiet)}, opts...)...)}
}

// NewEncryptedLedger is NewLedger on an encrypted ledger: personal fields
// are sealed with customers' data keys, which EraseCustomer destroys.
func NewEncryptedLedger(t testing.TB) *Ledger {
	t.Helper()
	h, store, _ := commandstest.NewEncryptedHandler(t)
	return &Ledger{Store: store, Handler: h}
}

// Event is a stored event with its decoded data.
type Event struct {
	eventstore.RecordedEvent
	Data domain.Event
}

// Events returns every event of the ledger, decoded, in $all order.
func (l *Ledger) Events(t testing.TB) []Event {
	t.Helper()
	var out []Event
	for after := uint64(0); ; {
		page, err := l.Store.ReadAll(context.Background(), after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		for _, r := range page {
			e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, Event{RecordedEvent: r, Data: e})
			after = r.Position
		}
	}
}

// Head returns the ledger's last position.
func (l *Ledger) Head(t testing.TB) uint64 {
	t.Helper()
	head, err := l.Store.HeadPosition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// Of returns the events of type E, in $all order.
func Of[E domain.Event](t testing.TB, l *Ledger) []E {
	t.Helper()
	var out []E
	for _, e := range l.Events(t) {
		if d, ok := e.Data.(E); ok {
			out = append(out, d)
		}
	}
	return out
}

// Inbound records a customer's message as a channel would and returns
// where it landed.
func (l *Ledger) Inbound(t testing.TB, channel domain.Channel, from domain.Identity, msgID, text string) commands.InboundResult {
	t.Helper()
	res, err := l.Handler.ReceiveInbound(context.Background(), commands.InboundMessage{
		Channel: channel, From: from, ProviderMessageID: msgID, Text: text,
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Reply records an agent's reply on an interaction and returns its
// position.
func (l *Ledger) Reply(t testing.TB, interactionID, agentID, text string) uint64 {
	t.Helper()
	res, err := l.Handler.Interaction(context.Background(), interactionID, commands.Meta{Actor: "agent:" + agentID},
		domain.SendMessage{MessageID: commands.NewID(), AgentID: agentID, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return res.Position
}

// Eventually is commandstest.Eventually.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	commandstest.Eventually(t, what, cond)
}

// ClientFrom returns an HTTP client whose connections come from the local
// address ip (any address of 127.0.0.0/8 is this host's), so tests can
// play more than one client address.
func ClientFrom(ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}, Timeout: 30 * time.Second}
}
