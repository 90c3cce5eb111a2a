// Package commandstest holds the helpers the tests of the command layer's
// users (the policies) share: a handler on a fresh SQLite ledger, the
// ledger's events decoded, an inbound message.
package commandstest

import (
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/eventstore/unseal"
)

// T0 is the time NewHandler's handler decides at.
var T0 = time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)

// NewStore opens a SQLite ledger in a temporary directory, closed when
// the test ends.
func NewStore(t testing.TB) eventstore.Store {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// NewHandler returns a handler on a fresh ledger whose clock stands at T0,
// logging nothing, and the ledger.
func NewHandler(t testing.TB) (*commands.Handler, eventstore.Store) {
	t.Helper()
	store := NewStore(t)
	return commands.NewHandler(store, commands.WithClock(func() time.Time { return T0 }), commands.WithLogger(slog.New(slog.DiscardHandler))), store
}

// NewEncryptedHandler is NewHandler on an encrypted ledger: it returns the
// handler, the store it reads through (fields opened) and the store
// underneath (fields as stored, sealed).
func NewEncryptedHandler(t testing.TB) (*commands.Handler, eventstore.Store, eventstore.Store) {
	t.Helper()
	raw := NewStore(t)
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	master, err := datakeys.NewLocalMaster(secret)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := datakeys.Open(t.Context(), filepath.Join(t.TempDir(), "datakeys.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	nameKey, _ := master.StreamNameKey()
	store := unseal.New(raw, keys, nameKey)
	h := commands.NewHandler(store, commands.WithClock(func() time.Time { return T0 }), commands.WithLogger(slog.New(slog.DiscardHandler)))
	return h, store, raw
}

// AllEvents returns every event of the store, decoded, in $all order.
func AllEvents(t testing.TB, store eventstore.Store) ([]eventstore.RecordedEvent, []domain.Event) {
	t.Helper()
	var recs []eventstore.RecordedEvent
	var events []domain.Event
	for after := uint64(0); ; {
		page, err := store.ReadAll(t.Context(), after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return recs, events
		}
		for _, r := range page {
			e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
			if err != nil {
				t.Fatal(err)
			}
			recs, events = append(recs, r), append(events, e)
			after = r.Position
		}
	}
}

// Head returns the store's head position.
func Head(t testing.TB, store eventstore.Store) uint64 {
	t.Helper()
	pos, err := store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// Inbound returns an inbound message from the identity (kind, value) with
// the provider message id msgID.
func Inbound(channel domain.Channel, kind domain.IdentityKind, value, msgID string) commands.InboundMessage {
	return commands.InboundMessage{
		Channel: channel, From: domain.Identity{Kind: kind, Value: value},
		ProviderMessageID: msgID, Text: "hello " + msgID, DisplayName: "Li Wei",
	}
}

// CountType counts the events of type E.
func CountType[E domain.Event](events []domain.Event) int {
	n := 0
	for _, e := range events {
		if _, ok := e.(E); ok {
			n++
		}
	}
	return n
}

// Eventually waits (up to 20 s, for slow race-detector runs) until cond
// holds, failing the test with what otherwise. It asserts an outcome, not
// how fast it came.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
