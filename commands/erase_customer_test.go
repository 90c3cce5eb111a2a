package commands_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

func TestEraseCustomer(t *testing.T) {
	h, store, raw := commandstest.NewEncryptedHandler(t)
	ctx := t.Context()
	const (
		name  = "韩梅梅 Meimei"
		phone = "+8613912345678"
		mail  = "meimei@example.com"
		text  = "my parcel 4471 never arrived"
	)
	in, err := h.ReceiveInbound(ctx, commands.InboundMessage{
		Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		DisplayName: name, ProviderMessageID: "m1", Text: text,
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.LinkIdentity(ctx, in.CustomerID, domain.Identity{Kind: domain.IdentityEmail, Value: mail}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.OpenTicket(ctx, domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryComplaint, Priority: domain.PriorityNormal,
		Subject: "parcel lost", Description: text, InteractionID: in.InteractionID}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	secrets := []string{name, "13912345678", mail, text, "parcel lost"}
	assertNoPlaintext := func(when string) {
		t.Helper()
		recs, _ := commandstest.AllEvents(t, raw)
		for _, r := range recs {
			for _, s := range secrets {
				if strings.Contains(string(r.Data)+string(r.Metadata)+r.Stream, s) {
					t.Errorf("%s: %s@%d holds %q in clear: %s", when, r.Stream, r.Version, s, r.Data)
				}
			}
		}
	}
	assertNoPlaintext("before the erasure")
	c, err := h.LoadCustomer(ctx, in.CustomerID)
	if err != nil || c.DisplayName != name || len(c.Identities) != 2 {
		t.Fatalf("customer read back as %+v, %v", c, err)
	}

	if _, err := h.EraseCustomer(ctx, in.CustomerID, "", commands.Meta{}); !isCode(err, domain.EINVALID) {
		t.Fatalf("erasure without a reason: %v, want invalid", err)
	}
	if _, err := h.EraseCustomer(ctx, in.CustomerID, "data subject request 17", commands.Meta{Actor: "dpo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.EraseCustomer(ctx, in.CustomerID, "data subject request 17", commands.Meta{Actor: "dpo"}); err != nil {
		t.Fatalf("erasing again: %v, want nothing to do", err)
	}
	assertNoPlaintext("after the erasure")

	recs, events := commandstest.AllEvents(t, store)
	for i, e := range events {
		data := string(recs[i].Data)
		for _, s := range secrets {
			if strings.Contains(data, s) {
				t.Errorf("after the erasure %T reads %q", e, s)
			}
		}
	}
	if last, ok := events[len(events)-1].(domain.CustomerErased); !ok || last.Identities != 2 || last.ErasedBy != "dpo" {
		t.Fatalf("last event %#v, want CustomerErased of 2 identities by dpo", events[len(events)-1])
	}
	c, err = h.LoadCustomer(ctx, in.CustomerID)
	if err != nil || !c.Erased || c.DisplayName != domain.ErasedText || len(c.Identities) != 0 {
		t.Fatalf("erased customer reads %+v, %v", c, err)
	}
	if _, err := h.UpdateCustomer(ctx, in.CustomerID, domain.RenameCustomer{DisplayName: "x"}, commands.Meta{}); !isCode(err, domain.ECONFLICT) {
		t.Fatalf("renaming an erased customer: %v, want conflict", err)
	}
	_, err = h.Interaction(ctx, in.InteractionID, commands.Meta{}, domain.ReceiveMessage{MessageID: "m9", Text: "hello again"})
	if !isCode(err, domain.ECONFLICT) || !strings.Contains(err.Error(), "erased") {
		t.Fatalf("a message on an erased customer's interaction: %v, want a conflict saying they were erased", err)
	}

	// The phone number is free again: the next message from it is a new
	// customer's.
	again, err := h.ReceiveInbound(ctx, commands.InboundMessage{
		Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		ProviderMessageID: "m2", Text: "hello",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if again.CustomerID == in.CustomerID {
		t.Fatal("the erased customer's phone number still resolves to them")
	}
}

func TestEraseCustomerOnALedgerInClear(t *testing.T) {
	h, _ := commandstest.NewHandler(t)
	in, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{
		Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613912345678"}, ProviderMessageID: "m1", Text: "hi",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.EraseCustomer(t.Context(), in.CustomerID, "request", commands.Meta{})
	if !isCode(err, domain.ECONFLICT) || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("erasure on a ledger in clear: %v, want a conflict that says to migrate", err)
	}
}

func isCode(err error, code string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == code
}

// TestEraseFollowsMergesToAnyDepth: with B merged into A and A into C,
// erasing C destroys B's key and frees B's phone number too.
func TestEraseFollowsMergesToAnyDepth(t *testing.T) {
	h, store, _ := commandstest.NewEncryptedHandler(t)
	ctx := t.Context()
	b := customerFrom(t, h, "+8613900000001", "Bei")
	a := customerFrom(t, h, "+8613900000002", "An")
	c := customerFrom(t, h, "+8613900000003", "Cai")
	if _, err := h.MergeCustomers(ctx, b, a, "same person", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.MergeCustomers(ctx, a, c, "same person", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.EraseCustomer(ctx, c, "request 9", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a, b, c} {
		if got, err := h.LoadCustomer(ctx, id); err != nil || got.DisplayName != domain.ErasedText {
			t.Errorf("customer %s reads %q, %v after the erasure, want %q", id, got.DisplayName, err, domain.ErasedText)
		}
	}
	erased := lastErasure(t, store)
	if want := sorted(a, b); !slices.Equal(erased.Sources, want) || erased.Identities != 3 {
		t.Errorf("CustomerErased names sources %v and %d identities, want %v and 3", erased.Sources, erased.Identities, want)
	}
	if again := customerFrom(t, h, "+8613900000001", ""); again == b {
		t.Error("the phone number of the customer merged two levels down still resolves to them")
	}
}

// TestEraseFreezesTheCustomer: a link and a merge that reach the customer
// after its erasure started are refused, and leave nothing behind: the
// identity is free, the other customer keeps their data, and the event
// names exactly the keys that were destroyed.
func TestEraseFreezesTheCustomer(t *testing.T) {
	h0, sealed, _ := commandstest.NewEncryptedHandler(t)
	h, store := hookedHandler(sealed)
	ctx := t.Context()
	c := customerFrom(t, h, "+8613900000011", "Cai")
	d := customerFrom(t, h, "+8613900000012", "Dong")
	late := domain.Identity{Kind: domain.IdentityEmail, Value: "late@example.com"}
	var linkErr, mergeErr error
	store.before = func() {
		_, linkErr = h.LinkIdentity(ctx, c, late, commands.Meta{})
		_, mergeErr = h.MergeCustomers(ctx, d, c, "same person", commands.Meta{})
	}
	if _, err := h.EraseCustomer(ctx, c, "request 10", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if !isCode(linkErr, domain.ECONFLICT) || !isCode(mergeErr, domain.ECONFLICT) {
		t.Fatalf("link during the erasure: %v; merge during it: %v; want both refused as conflicts", linkErr, mergeErr)
	}
	if !slices.Equal(store.erased, []string{c}) {
		t.Errorf("keys destroyed: %v, want only %s's", store.erased, c)
	}
	if erased := lastErasure(t, sealed); len(erased.Sources) != 0 || erased.Identities != 1 {
		t.Errorf("CustomerErased names sources %v and %d identities, want none and 1", erased.Sources, erased.Identities)
	}
	if got, err := h0.LoadCustomer(ctx, d); err != nil || got.DisplayName != "Dong" || got.MergedInto != "" {
		t.Errorf("the customer whose merge was refused reads %+v, %v", got, err)
	}
	if _, err := h.LinkIdentity(ctx, d, late, commands.Meta{}); err != nil {
		t.Errorf("the address whose link was refused is not free: %v", err)
	}
}

// TestEraseDuringAMerge: a merge into the customer that recorded the
// absorption but had not yet marked the source merged (or moved its
// reservations) when the erasure came: the source goes with the customer,
// and its phone number is released wherever its reservation was.
func TestEraseDuringAMerge(t *testing.T) {
	_, sealed, _ := commandstest.NewEncryptedHandler(t)
	h, store := hookedHandler(sealed)
	ctx := t.Context()
	b := customerFrom(t, h, "+8613900000021", "Bei")
	c := customerFrom(t, h, "+8613900000022", "Cai")
	store.crashAt(domain.CustomerStream(c)) // the merge stops once the target recorded the absorption
	if _, err := h.MergeCustomers(ctx, b, c, "same person", commands.Meta{}); err == nil {
		t.Fatal("the merge went through a crash")
	}
	store.crashAt("")
	if source, err := h.LoadCustomer(ctx, b); err != nil || source.MergedInto != "" {
		t.Fatalf("the source after the crash: %+v, %v; want it not yet marked merged", source, err)
	}
	if _, err := h.EraseCustomer(ctx, c, "request 11", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if erased := lastErasure(t, sealed); !slices.Equal(erased.Sources, []string{b}) {
		t.Errorf("CustomerErased names sources %v, want %s", erased.Sources, b)
	}
	if got, _ := h.LoadCustomer(ctx, b); got.DisplayName != domain.ErasedText || got.MergedInto != c {
		t.Errorf("the source of the merge under way reads %q, merged into %q; want erased and merged into %s", got.DisplayName, got.MergedInto, c)
	}
	if again := customerFrom(t, h, "+8613900000021", ""); again == b || again == c {
		t.Error("the phone number still held by the merge's source was not released")
	}
}

// customerFrom is the customer an SMS from phone resolves to.
func customerFrom(t *testing.T, h *commands.Handler, phone, name string) string {
	t.Helper()
	in, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{
		Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		DisplayName: name, ProviderMessageID: commands.NewID(), Text: "hello",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return in.CustomerID
}

func lastErasure(t *testing.T, store eventstore.Store) domain.CustomerErased {
	t.Helper()
	_, events := commandstest.AllEvents(t, store)
	for i := len(events) - 1; i >= 0; i-- {
		if e, ok := events[i].(domain.CustomerErased); ok {
			return e
		}
	}
	t.Fatal("no CustomerErased")
	return domain.CustomerErased{}
}

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

type erasable interface {
	eventstore.Store
	commands.Sealer
	commands.KeyEraser
}

// hookedHandler is a handler over sealed through a keyEraseHook.
func hookedHandler(sealed eventstore.Store) (*commands.Handler, *keyEraseHook) {
	store := &keyEraseHook{erasable: sealed.(erasable)}
	return commands.NewHandler(store, commands.WithClock(func() time.Time { return commandstest.T0 }), commands.WithLogger(slog.New(slog.DiscardHandler))), store
}

// keyEraseHook runs before once, at the first key the erasure destroys,
// and notes every key destroyed. Once an append to crashAfter succeeds,
// it fails every later append, as if the process had stopped there.
type keyEraseHook struct {
	erasable
	before     func()
	erased     []string
	mu         sync.Mutex // appends run concurrently
	crashAfter string
	crashed    bool
}

func (s *keyEraseHook) EraseKey(ctx context.Context, customerID string, at time.Time) error {
	if f := s.before; f != nil {
		s.before = nil
		f()
	}
	s.erased = append(s.erased, customerID)
	return s.erasable.EraseKey(ctx, customerID, at)
}

func (s *keyEraseHook) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.crashed {
		return eventstore.AppendResult{}, errors.New("the process stopped")
	}
	res, err := s.erasable.Append(ctx, stream, expected, events)
	s.crashed = err == nil && stream == s.crashAfter
	return res, err
}

// crashAt makes the appends stop after one to stream ("" to resume).
func (s *keyEraseHook) crashAt(stream string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crashAfter, s.crashed = stream, false
}
