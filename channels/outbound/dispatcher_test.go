package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

var (
	smsCustomer    = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000001"}
	wechatCustomer = domain.Identity{Kind: domain.IdentityWeChat, Value: "oWeChat1"}
)

// fakeSender records what it is asked to send and answers with outcome.
type fakeSender struct {
	mu      sync.Mutex
	sent    []outbound.Delivery
	outcome func(d outbound.Delivery) error
}

func (f *fakeSender) Send(ctx context.Context, d outbound.Delivery) (outbound.Receipt, error) {
	f.mu.Lock()
	f.sent = append(f.sent, d)
	outcome := f.outcome
	f.mu.Unlock()
	if outcome != nil {
		if err := outcome(d); err != nil {
			return outbound.Receipt{}, err
		}
	}
	return outbound.Receipt{ProviderMessageID: "P-" + d.MessageID, Detail: "ok"}, nil
}

func (f *fakeSender) calls() []outbound.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]outbound.Delivery(nil), f.sent...)
}

// running is a dispatcher running in the background.
type running struct {
	stop func() error
}

func start(t *testing.T, l *chantest.Ledger, cp follow.Checkpoint, senders map[domain.Channel]outbound.Sender, tune ...func(*outbound.Config)) running {
	t.Helper()
	cfg := outbound.Config{
		Store: l.Store, Ledger: l.Handler, Checkpoints: cp, Senders: senders, Logger: slog.New(slog.DiscardHandler),
		InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, CheckpointEvery: 5 * time.Millisecond,
	}
	for _, f := range tune {
		f(&cfg)
	}
	d, err := outbound.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return running{stop: stop}
}

// atHead is a checkpoint already saved at the ledger's head, as a
// dispatcher that ran before would have left it.
func atHead(t *testing.T, l *chantest.Ledger) *follow.MemoryCheckpoint {
	cp := &follow.MemoryCheckpoint{}
	if err := cp.Save(context.Background(), l.Head(t)); err != nil {
		t.Fatal(err)
	}
	return cp
}

func TestDeliversRepliesAndRecordsThem(t *testing.T) {
	l := chantest.NewLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	sms := &fakeSender{}
	start(t, l, atHead(t, l), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms})
	l.Reply(t, it.InteractionID, "a1", "first")
	l.Reply(t, it.InteractionID, "a1", "second")
	chantest.Eventually(t, "two deliveries recorded", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 2 })

	calls := sms.calls()
	if len(calls) != 2 || calls[0].Text != "first" || calls[1].Text != "second" {
		t.Fatalf("sent %+v, want first then second", calls)
	}
	for _, c := range calls {
		if c.To != smsCustomer || c.Channel != domain.ChannelSMS || c.Attempt != 1 || c.AgentID != "a1" || c.InteractionID != it.InteractionID {
			t.Errorf("delivery %+v: wrong address or attempt", c)
		}
	}
	got := chantest.Of[domain.MessageDelivered](t, l)
	if got[0].SourceEventID != calls[0].SourceEventID || got[0].ProviderMessageID != "P-"+calls[0].MessageID || got[0].Attempt != 1 {
		t.Errorf("record %+v does not match delivery %+v", got[0], calls[0])
	}
}

func TestFirstStartBeginsAtTheHead(t *testing.T) {
	l := chantest.NewLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	l.Reply(t, it.InteractionID, "a1", "written before delivery was configured")
	sms := &fakeSender{}
	cp := &follow.MemoryCheckpoint{}
	start(t, l, cp, map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms})
	chantest.Eventually(t, "checkpoint saved at the head", func() bool { _, ok, _ := cp.Load(context.Background()); return ok })
	l.Reply(t, it.InteractionID, "a1", "after")
	chantest.Eventually(t, "the new reply delivered", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 1 })
	if calls := sms.calls(); len(calls) != 1 || calls[0].Text != "after" {
		t.Fatalf("sent %+v, want only the reply written after the start", calls)
	}
}

func TestRetriesUntilDelivered(t *testing.T) {
	l := chantest.NewLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	sms := &fakeSender{outcome: func(d outbound.Delivery) error {
		if d.Attempt < 3 {
			return fmt.Errorf("provider answered 503 on attempt %d", d.Attempt)
		}
		return nil
	}}
	start(t, l, atHead(t, l), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms})
	l.Reply(t, it.InteractionID, "a1", "hi")
	chantest.Eventually(t, "delivered on the third attempt", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 1 })

	failed := chantest.Of[domain.MessageDeliveryFailed](t, l)
	if len(failed) != 2 || failed[0].Attempt != 1 || failed[1].Attempt != 2 || failed[0].GaveUp || failed[0].Reason != "provider answered 503 on attempt 1" {
		t.Fatalf("failures %+v, want attempts 1 and 2, not given up", failed)
	}
	if d := chantest.Of[domain.MessageDelivered](t, l)[0]; d.Attempt != 3 {
		t.Errorf("delivered on attempt %d, want 3", d.Attempt)
	}
}

func TestGivesUp(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		wantTries int
		permanent bool
	}{
		{"permanent failure is not retried", outbound.Permanent(errors.New("unknown recipient")), 1, true},
		{"a reply that reaches the customer later is not retried", outbound.ReachesLater(errors.New("no live session")), 1, true},
		{"transient failures up to the attempt limit", errors.New("timeout"), 3, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := chantest.NewLedger(t)
			it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
			sms := &fakeSender{outcome: func(outbound.Delivery) error { return tc.err }}
			start(t, l, atHead(t, l), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms}, func(c *outbound.Config) { c.MaxAttempts = 3 })
			l.Reply(t, it.InteractionID, "a1", "hi")
			chantest.Eventually(t, "given up", func() bool {
				f := chantest.Of[domain.MessageDeliveryFailed](t, l)
				return len(f) > 0 && f[len(f)-1].GaveUp
			})
			// A later reply still goes through the same lane.
			sms.mu.Lock()
			sms.outcome = nil
			sms.mu.Unlock()
			l.Reply(t, it.InteractionID, "a1", "next")
			chantest.Eventually(t, "the next reply delivered", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 1 })

			failed := chantest.Of[domain.MessageDeliveryFailed](t, l)
			if len(failed) != tc.wantTries {
				t.Fatalf("%d failed attempts, want %d: %+v", len(failed), tc.wantTries, failed)
			}
			last := failed[len(failed)-1]
			if last.Permanent != tc.permanent || !last.GaveUp || last.Attempt != tc.wantTries {
				t.Errorf("last failure %+v", last)
			}
			if n := len(sms.calls()); n != tc.wantTries+1 {
				t.Errorf("%d sends, want %d", n, tc.wantTries+1)
			}
		})
	}
}

func TestNeverDeliversTwiceAfterARestart(t *testing.T) {
	l := chantest.NewLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	from := l.Head(t)
	cp := filepath.Join(t.TempDir(), "outbound.db")
	sms := &fakeSender{}
	first := start(t, l, openCheckpoints(t, cp, from), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms})
	l.Reply(t, it.InteractionID, "a1", "once")
	chantest.Eventually(t, "delivered", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 1 })
	if err := first.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	saved := loadCheckpoint(t, cp)
	if saved <= from {
		t.Errorf("checkpoint %d did not move past %d", saved, from)
	}

	// Even a dispatcher that lost its checkpoint and reads the reply again
	// finds the recorded success and does not send it.
	lost := &follow.MemoryCheckpoint{}
	if err := lost.Save(context.Background(), from); err != nil {
		t.Fatal(err)
	}
	again := &fakeSender{}
	second := start(t, l, lost, map[domain.Channel]outbound.Sender{domain.ChannelSMS: again})
	l.Reply(t, it.InteractionID, "a1", "twice?")
	chantest.Eventually(t, "the new reply delivered", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 2 })
	if err := second.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if calls := again.calls(); len(calls) != 1 || calls[0].Text != "twice?" {
		t.Fatalf("after the restart sent %+v, want only the new reply", calls)
	}
}

func TestResumesUnfinishedRepliesAfterARestart(t *testing.T) {
	l := chantest.NewLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	cp := atHead(t, l)
	down := &fakeSender{outcome: func(outbound.Delivery) error { return errors.New("provider down") }}
	first := start(t, l, cp, map[domain.Channel]outbound.Sender{domain.ChannelSMS: down}, func(c *outbound.Config) {
		c.InitialBackoff, c.MaxBackoff = time.Hour, time.Hour // the retry would come long after the stop
	})
	replyAt := l.Reply(t, it.InteractionID, "a1", "hi")
	chantest.Eventually(t, "first attempt failed", func() bool { return len(chantest.Of[domain.MessageDeliveryFailed](t, l)) == 1 })
	if err := first.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if pos, _, _ := cp.Load(context.Background()); pos >= replyAt {
		t.Fatalf("checkpoint %d passed the unsettled reply at %d", pos, replyAt)
	}

	up := &fakeSender{}
	start(t, l, cp, map[domain.Channel]outbound.Sender{domain.ChannelSMS: up})
	chantest.Eventually(t, "delivered after the restart", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 1 })
	if calls := up.calls(); len(calls) != 1 || calls[0].Attempt != 2 {
		t.Fatalf("after the restart sent %+v, want attempt 2", calls)
	}
}

func TestASlowRecipientHoldsUpNobodyElse(t *testing.T) {
	l := chantest.NewLedger(t)
	slow := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	other := l.Inbound(t, domain.ChannelWeChat, wechatCustomer, "W-in-1", "你好")
	release := make(chan struct{})
	sms := &fakeSender{outcome: func(outbound.Delivery) error { <-release; return nil }}
	wechat := &fakeSender{}
	cp := atHead(t, l)
	start(t, l, cp, map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms, domain.ChannelWeChat: wechat})
	stuckAt := l.Reply(t, slow.InteractionID, "a1", "stuck")
	l.Reply(t, slow.InteractionID, "a1", "behind it")
	l.Reply(t, other.InteractionID, "a2", "goes through")
	chantest.Eventually(t, "the other customer's reply delivered", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 1 })
	if pos, _, _ := cp.Load(context.Background()); pos >= stuckAt {
		t.Errorf("checkpoint %d passed the reply still being sent at %d", pos, stuckAt)
	}
	if n := len(sms.calls()); n != 1 {
		t.Errorf("%d SMS sends while the first hangs, want 1 (replies of one interaction go in order)", n)
	}
	close(release)
	chantest.Eventually(t, "all delivered", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 3 })
	if calls := sms.calls(); calls[0].Text != "stuck" || calls[1].Text != "behind it" {
		t.Errorf("SMS order %q, %q", calls[0].Text, calls[1].Text)
	}
	chantest.Eventually(t, "checkpoint at the head", func() bool { pos, _, _ := cp.Load(context.Background()); return pos == l.Head(t) })
}

func TestChannelsWithoutSenderAreLeftAlone(t *testing.T) {
	l := chantest.NewLedger(t)
	email := l.Inbound(t, domain.ChannelEmail, domain.Identity{Kind: domain.IdentityEmail, Value: "a@example.com"}, "<m1@example.com>", "hello")
	sms := &fakeSender{}
	cp := atHead(t, l)
	start(t, l, cp, map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms})
	l.Reply(t, email.InteractionID, "a1", "by email")
	head := l.Head(t)
	chantest.Eventually(t, "checkpoint past the email reply", func() bool { pos, _, _ := cp.Load(context.Background()); return pos == head })
	if len(sms.calls()) != 0 || len(chantest.Of[domain.MessageDeliveryFailed](t, l))+len(chantest.Of[domain.MessageDelivered](t, l)) != 0 {
		t.Fatal("a reply on a channel without a sender was handled")
	}
}

func openCheckpoints(t *testing.T, path string, initial uint64) follow.FileCheckpoint {
	t.Helper()
	cp := follow.FileCheckpoint(path)
	if _, ok, err := cp.Load(context.Background()); err != nil || !ok {
		if err := cp.Save(context.Background(), initial); err != nil {
			t.Fatal(err)
		}
	}
	return cp
}

func loadCheckpoint(t *testing.T, path string) uint64 {
	t.Helper()
	pos, ok, err := follow.FileCheckpoint(path).Load(context.Background())
	if err != nil || !ok {
		t.Fatalf("Load = %d, %t, %v", pos, ok, err)
	}
	return pos
}

// failingHead is a store whose head cannot be read: a first start cannot
// learn where to begin.
type failingHead struct{ eventstore.Store }

func (failingHead) HeadPosition(context.Context) (uint64, error) {
	return 0, errors.New("head unreadable")
}

// TestFailedFirstStartSavesNoCheckpoint: a first start that fails before
// it knows the ledger's head (the store failing, or the server stopping
// at that moment) saves nothing, so the next start still begins at the
// head instead of at 0, which would send every earlier reply.
func TestFailedFirstStartSavesNoCheckpoint(t *testing.T) {
	l := chantest.NewLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	l.Reply(t, it.InteractionID, "a1", "written before delivery was configured")
	cp := &follow.MemoryCheckpoint{}
	d, err := outbound.New(outbound.Config{Store: failingHead{l.Store}, Checkpoints: cp,
		Senders: map[domain.Channel]outbound.Sender{domain.ChannelSMS: &fakeSender{}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.RunOnce(context.Background()); err == nil {
		t.Fatal("a first start without the head succeeded")
	}
	if pos, found, _ := cp.Load(context.Background()); found {
		t.Fatalf("a failed first start saved checkpoint %d", pos)
	}
}

// TestGivesUpRepliesToAnErasedCustomer: a reply retrying when its
// customer is erased is given up, never sent to the erased address again,
// and so is a reply read after the erasure.
func TestGivesUpRepliesToAnErasedCustomer(t *testing.T) {
	l := chantest.NewEncryptedLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	down := errors.New("provider answered 503")
	sms := &fakeSender{outcome: func(outbound.Delivery) error { return down }}
	start(t, l, atHead(t, l), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms}, func(c *outbound.Config) { c.MaxAttempts = 1000 })
	l.Reply(t, it.InteractionID, "a1", "your parcel is at the depot")
	chantest.Eventually(t, "a failed attempt", func() bool { return len(chantest.Of[domain.MessageDeliveryFailed](t, l)) > 0 })

	if _, err := l.Handler.EraseCustomer(t.Context(), it.CustomerID, "request 9", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	chantest.Eventually(t, "given up", func() bool {
		f := chantest.Of[domain.MessageDeliveryFailed](t, l)
		return f[len(f)-1].GaveUp
	})
	sends := len(sms.calls())
	failed := chantest.Of[domain.MessageDeliveryFailed](t, l)
	last := failed[len(failed)-1]
	if !last.Permanent || !strings.Contains(last.Reason, "erased") {
		t.Fatalf("last failure %+v, want a permanent one saying the customer was erased", last)
	}
	time.Sleep(50 * time.Millisecond) // ten backoffs' worth: no attempt may follow
	if n := len(sms.calls()); n != sends {
		t.Fatalf("%d sends after the reply was given up", n-sends)
	}
	for _, c := range sms.calls() {
		if c.To != smsCustomer {
			t.Fatalf("sent to %+v", c.To)
		}
	}
}

// TestProviderErrorsAreRecordedWithoutTheAddress: a provider's error may
// quote the recipient; the ledger keeps failure reasons for good, outside
// any customer's key, so the number is blanked before it is recorded.
func TestProviderErrorsAreRecordedWithoutTheAddress(t *testing.T) {
	l := chantest.NewLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	sms := &fakeSender{outcome: func(outbound.Delivery) error {
		return outbound.Permanent(errors.New("The 'To' number +8613800000001 is not a valid mobile number"))
	}}
	start(t, l, atHead(t, l), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms})
	l.Reply(t, it.InteractionID, "a1", "hi")
	chantest.Eventually(t, "given up", func() bool { return len(chantest.Of[domain.MessageDeliveryFailed](t, l)) == 1 })
	reason := chantest.Of[domain.MessageDeliveryFailed](t, l)[0].Reason
	if strings.Contains(reason, "13800000001") || !strings.Contains(reason, "is not a valid mobile number") {
		t.Fatalf("recorded reason %q: want the provider's words without the number", reason)
	}
}

// TestGivingUpIsLoggedByWhatItMeans: retries exhausted is a warning (the
// provider is failing), a permanent refusal is information, and a reply
// the customer gets later anyway (web chat without a socket: the common
// case) is only a debug line, so it does not flood the log.
func TestGivingUpIsLoggedByWhatItMeans(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want slog.Level
	}{
		{"retries exhausted", errors.New("timeout"), slog.LevelWarn},
		{"refused for good", outbound.Permanent(errors.New("unknown recipient")), slog.LevelInfo},
		{"reaches the customer later", outbound.ReachesLater(errors.New("no live session")), slog.LevelDebug},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logged levelRecorder
			l := chantest.NewLedger(t)
			it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
			sms := &fakeSender{outcome: func(outbound.Delivery) error { return tc.err }}
			start(t, l, atHead(t, l), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms}, func(c *outbound.Config) {
				c.MaxAttempts, c.Logger = 2, slog.New(&logged)
			})
			l.Reply(t, it.InteractionID, "a1", "hi")
			chantest.Eventually(t, "given up", func() bool { return logged.levelOf("reply not delivered; giving up") != nil })
			if got := *logged.levelOf("reply not delivered; giving up"); got != tc.want {
				t.Fatalf("giving up logged at %s, want %s", got, tc.want)
			}
		})
	}
}

// levelRecorder is a slog handler that keeps each message's level.
type levelRecorder struct {
	mu     sync.Mutex
	levels map[string]slog.Level
}

func (r *levelRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *levelRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.levels == nil {
		r.levels = map[string]slog.Level{}
	}
	r.levels[rec.Message] = rec.Level
	return nil
}
func (r *levelRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *levelRecorder) WithGroup(string) slog.Handler      { return r }

func (r *levelRecorder) levelOf(msg string) *slog.Level {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.levels[msg]; ok {
		return &l
	}
	return nil
}

// A provider that hangs on as many replies as a channel has slots holds
// up only its own channel: the slots are per channel.
func TestAHungProviderHoldsUpNoOtherChannel(t *testing.T) {
	l := chantest.NewLedger(t)
	var hung []string
	for i := range 2 {
		it := l.Inbound(t, domain.ChannelSMS, domain.Identity{Kind: domain.IdentityPhone, Value: fmt.Sprintf("+861380000010%d", i)}, fmt.Sprintf("SM-in-%d", i), "hello")
		hung = append(hung, it.InteractionID)
	}
	other := l.Inbound(t, domain.ChannelWeChat, wechatCustomer, "W-in-1", "你好")
	release := make(chan struct{})
	defer close(release)
	sms := &fakeSender{outcome: func(outbound.Delivery) error { <-release; return nil }}
	wechat := &fakeSender{}
	start(t, l, atHead(t, l), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms, domain.ChannelWeChat: wechat}, func(c *outbound.Config) {
		c.Concurrency = 2
	})
	for _, it := range hung {
		l.Reply(t, it, "a1", "stuck")
	}
	chantest.Eventually(t, "both SMS slots taken", func() bool { return len(sms.calls()) == 2 })
	l.Reply(t, other.InteractionID, "a2", "goes through")
	chantest.Eventually(t, "the WeChat reply delivered while SMS hangs", func() bool { return len(chantest.Of[domain.MessageDelivered](t, l)) == 1 })
}

// A stop does not cut off a provider that is taking a reply: the attempt
// finishes within the grace and is recorded, so it is not sent again.
func TestAStopLetsAnAttemptInFlightFinish(t *testing.T) {
	l := chantest.NewLedger(t)
	it := l.Inbound(t, domain.ChannelSMS, smsCustomer, "SM-in-1", "hello")
	sending := make(chan struct{})
	var once sync.Once
	// A provider that takes 100 ms to answer, and drops the reply if the
	// caller hangs up first.
	sms := outbound.SenderFunc(func(ctx context.Context, d outbound.Delivery) (outbound.Receipt, error) {
		once.Do(func() { close(sending) })
		select {
		case <-ctx.Done():
			return outbound.Receipt{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
			return outbound.Receipt{ProviderMessageID: "P-" + d.MessageID}, nil
		}
	})
	r := start(t, l, atHead(t, l), map[domain.Channel]outbound.Sender{domain.ChannelSMS: sms}, func(c *outbound.Config) {
		c.StopGrace = 10 * time.Second
	})
	l.Reply(t, it.InteractionID, "a1", "in flight at the stop")
	<-sending
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := chantest.Of[domain.MessageDelivered](t, l); len(got) != 1 {
		t.Fatalf("%d deliveries recorded after a stop during the attempt, want 1", len(got))
	}
}
