package outbound_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// savedPositions is a checkpoint that remembers every position saved.
type savedPositions struct {
	follow.MemoryCheckpoint
	mu    sync.Mutex
	saves []uint64
}

func (s *savedPositions) Save(ctx context.Context, pos uint64) error {
	s.mu.Lock()
	s.saves = append(s.saves, pos)
	s.mu.Unlock()
	return s.MemoryCheckpoint.Save(ctx, pos)
}

func (s *savedPositions) all() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.saves)
}

var emailCustomer = domain.Identity{Kind: domain.IdentityEmail, Value: "li.wei@example.com"}

func texts(ds []outbound.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Text
	}
	return out
}

// TestHandoverTakesOverARetiredDispatcher: a dispatcher that took over the
// email channel from a retired dispatcher (behind it) sends the email
// reply the retired one left unsent, does not send a reply on its own
// channels it had already passed, never moves its own checkpoint back, and
// retires the old checkpoint once past its own position.
func TestHandoverTakesOverARetiredDispatcher(t *testing.T) {
	l := chantest.NewLedger(t)
	mail := l.Inbound(t, domain.ChannelEmail, emailCustomer, "<m1@example.com>", "hello")
	text := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	retiredAt := l.Head(t)
	l.Reply(t, mail.InteractionID, "a1", "email left unsent by the retired dispatcher")
	l.Reply(t, text.InteractionID, "a1", "sms written while SMS had no sender")
	ownAt := l.Head(t)
	own := &savedPositions{}
	if err := own.MemoryCheckpoint.Save(context.Background(), ownAt); err != nil {
		t.Fatal(err)
	}
	var retired atomic.Int32
	h, err := outbound.NewHandover(context.Background(), own, l.Store, retiredAt, []domain.Channel{domain.ChannelEmail},
		func() error { retired.Add(1); return nil })
	if err != nil || h == nil {
		t.Fatalf("NewHandover = %v, %v", h, err)
	}

	email, sms := &fakeSender{}, &fakeSender{}
	start(t, l, h, map[domain.Channel]outbound.Sender{domain.ChannelEmail: email, domain.ChannelSMS: sms},
		func(c *outbound.Config) { c.Skip = h.Skip })
	l.Reply(t, text.InteractionID, "a1", "sms after the handover")
	l.Reply(t, mail.InteractionID, "a1", "email after the handover")
	chantest.Eventually(t, "three replies delivered", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 3 })
	chantest.Eventually(t, "the old checkpoint retired", func() bool { return retired.Load() == 1 })

	if got, want := texts(email.calls()), []string{"email left unsent by the retired dispatcher", "email after the handover"}; !slices.Equal(got, want) {
		t.Errorf("email sent %q, want %q", got, want)
	}
	if got, want := texts(sms.calls()), []string{"sms after the handover"}; !slices.Equal(got, want) {
		t.Errorf("sms sent %q, want %q", got, want)
	}
	if pos, _, _ := h.Load(context.Background()); pos < ownAt {
		t.Errorf("after the handover Load = %d, want at least %d (a rerun must not go back)", pos, ownAt)
	}
	for _, pos := range own.all() {
		if pos < ownAt {
			t.Errorf("own checkpoint saved at %d, behind its position %d before the handover", pos, ownAt)
		}
	}
}

func TestHandoverIsNotNeededWhenTheRetiredOneIsNotBehind(t *testing.T) {
	l := chantest.NewLedger(t)
	l.Inbound(t, domain.ChannelEmail, emailCustomer, "<m1@example.com>", "hello")
	own := &follow.MemoryCheckpoint{}
	if err := own.Save(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	retired := 0
	h, err := outbound.NewHandover(context.Background(), own, l.Store, l.Head(t), []domain.Channel{domain.ChannelEmail},
		func() error { retired++; return nil })
	if err != nil || h != nil || retired != 1 {
		t.Fatalf("NewHandover = %v, %v; retired %d times, want nil and once", h, err, retired)
	}
}

// TestHandoverOnAFirstStart: a dispatcher that never ran takes its own
// channels from the ledger's head (saved at once), the retired channels
// from their old position.
func TestHandoverOnAFirstStart(t *testing.T) {
	l := chantest.NewLedger(t)
	mail := l.Inbound(t, domain.ChannelEmail, emailCustomer, "<m1@example.com>", "hello")
	retiredAt := l.Head(t)
	l.Reply(t, mail.InteractionID, "a1", "unsent")
	head := l.Head(t)
	own := &follow.MemoryCheckpoint{}
	h, err := outbound.NewHandover(context.Background(), own, l.Store, retiredAt, []domain.Channel{domain.ChannelEmail}, func() error { return nil })
	if err != nil || h == nil {
		t.Fatalf("NewHandover = %v, %v", h, err)
	}
	if pos, ok, _ := own.Load(context.Background()); !ok || pos != head {
		t.Errorf("own checkpoint %d (saved %t), want the head %d saved", pos, ok, head)
	}
	if start, _, _ := h.Load(context.Background()); start != retiredAt {
		t.Errorf("starts at %d, want the retired position %d", start, retiredAt)
	}
	if h.Skip(domain.ChannelEmail, head) || !h.Skip(domain.ChannelSMS, head) || h.Skip(domain.ChannelSMS, head+1) {
		t.Error("Skip leaves alone the wrong replies")
	}
}
