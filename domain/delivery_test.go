package domain_test

import (
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideDelivery(t *testing.T) {
	sms := domain.ChannelSMS
	failed := func(attempt int, gaveUp bool) domain.Event {
		return domain.MessageDeliveryFailed{InteractionID: "i1", SourceEventID: "e1", MessageID: "r1", Channel: sms, Attempt: attempt, Reason: "503", GaveUp: gaveUp, At: ago(minute)}
	}
	delivered := domain.MessageDelivered{InteractionID: "i1", SourceEventID: "e1", MessageID: "r1", Channel: sms, Attempt: 2, ProviderMessageID: "SM9", At: ago(minute)}
	attempt := func(n int, err string) domain.RecordDeliveryAttempt {
		return domain.RecordDeliveryAttempt{SourceEventID: "e1", MessageID: "r1", Channel: sms, Attempt: n, ProviderMessageID: "SM9", Err: err}
	}
	state := func(attempts int, ok, gaveUp bool) func(*testing.T, domain.Deliveries) {
		return func(t *testing.T, d domain.Deliveries) {
			m := d.Of("e1")
			eq(t, "Attempts", m.Attempts, attempts)
			eq(t, "Delivered", m.Delivered, ok)
			eq(t, "GaveUp", m.GaveUp, gaveUp)
			eq(t, "Settled", m.Settled(), ok || gaveUp)
		}
	}
	cases := []decideCase[domain.Deliveries, domain.RecordDeliveryAttempt]{
		{name: "first attempt succeeds", cmd: attempt(1, ""),
			want:  events(domain.MessageDelivered{InteractionID: "i1", SourceEventID: "e1", MessageID: "r1", Channel: sms, Attempt: 1, ProviderMessageID: "SM9", At: now}),
			check: state(1, true, false)},
		{name: "first attempt fails", cmd: attempt(1, "503"),
			want:  events(domain.MessageDeliveryFailed{InteractionID: "i1", SourceEventID: "e1", MessageID: "r1", Channel: sms, Attempt: 1, Reason: "503", At: now}),
			check: state(1, false, false)},
		{name: "retry succeeds", given: events(failed(1, false)), cmd: attempt(2, ""),
			want:  events(domain.MessageDelivered{InteractionID: "i1", SourceEventID: "e1", MessageID: "r1", Channel: sms, Attempt: 2, ProviderMessageID: "SM9", At: now}),
			check: state(2, true, false)},
		{name: "permanent failure gives up", cmd: domain.RecordDeliveryAttempt{SourceEventID: "e1", Channel: sms, Attempt: 1, Err: "unknown number", Permanent: true},
			want:  events(domain.MessageDeliveryFailed{InteractionID: "i1", SourceEventID: "e1", Channel: sms, Attempt: 1, Reason: "unknown number", Permanent: true, GaveUp: true, At: now}),
			check: state(1, false, true)},
		{name: "recording an attempt again is a no-op", given: events(failed(1, false), delivered), cmd: attempt(2, ""), check: state(2, true, false)},
		{name: "an earlier attempt recorded again is a no-op", given: events(failed(1, false)), cmd: attempt(1, "503")},
		{name: "no attempt after delivery", given: events(failed(1, false), delivered), cmd: attempt(3, ""), code: domain.ECONFLICT},
		{name: "no attempt after giving up", given: events(failed(1, true)), cmd: attempt(2, ""), code: domain.ECONFLICT},
		{name: "attempts are not skipped", cmd: attempt(2, ""), code: domain.EINVALID},
		{name: "attempt zero", cmd: attempt(0, ""), code: domain.EINVALID},
		{name: "no source event", cmd: domain.RecordDeliveryAttempt{Channel: sms, Attempt: 1}, code: domain.EINVALID},
		{name: "unknown channel", cmd: domain.RecordDeliveryAttempt{SourceEventID: "e1", Channel: "FAX", Attempt: 1}, code: domain.EINVALID},
	}
	runDecide(t, domain.Deliveries{InteractionID: "i1"}, domain.EvolveDeliveries, domain.DecideDelivery, cases)
}

func TestDeliveryKeepsMessagesApart(t *testing.T) {
	d := domain.Deliveries{InteractionID: "i1"}
	first := domain.EvolveDeliveries(d, domain.MessageDelivered{InteractionID: "i1", SourceEventID: "e1", Channel: domain.ChannelSMS, Attempt: 1, At: now})
	second := domain.EvolveDeliveries(first, domain.MessageDeliveryFailed{InteractionID: "i1", SourceEventID: "e2", Channel: domain.ChannelSMS, Attempt: 1, Reason: "x", At: now})
	eq(t, "e1 delivered", second.Of("e1").Delivered, true)
	eq(t, "e2 attempts", second.Of("e2").Attempts, 1)
	eq(t, "e2 delivered", second.Of("e2").Delivered, false)
	// Folding is copy-on-write: the earlier state did not see e2.
	eq(t, "earlier state", first.Of("e2").Attempts, 0)
}

func TestDeliveryReasonIsBounded(t *testing.T) {
	cases := []struct {
		name, reason, want string
	}{
		{"trimmed", "  timeout \n", "timeout"},
		{"invalid UTF-8 replaced", "bad \xff byte", "bad \uFFFD byte"},
		{"cut at a rune boundary", strings.Repeat("界", 400), strings.Repeat("界", 341)},
	}
	for _, tc := range cases {
		got, err := domain.DecideDelivery(domain.Deliveries{InteractionID: "i1"},
			domain.RecordDeliveryAttempt{SourceEventID: "e1", Channel: domain.ChannelSMS, Attempt: 1, Err: tc.reason}, now)
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %v, %v", tc.name, got, err)
		}
		eq(t, tc.name, got[0].(domain.MessageDeliveryFailed).Reason, tc.want)
	}
}

func TestDeliveryStream(t *testing.T) {
	s := domain.DeliveryStream("i-1")
	if cat, id := domain.StreamCategory(s); cat != domain.CategoryDelivery || id != "i-1" {
		t.Errorf("StreamCategory(%s) = %s, %s", s, cat, id)
	}
	folded, err := domain.FoldStream(s, events(domain.MessageDelivered{InteractionID: "i-1", SourceEventID: "e1", Channel: domain.ChannelApp, Attempt: 1, At: now}))
	if err != nil || !folded.(domain.Deliveries).Of("e1").Delivered {
		t.Errorf("FoldStream(%s) = %#v, %v", s, folded, err)
	}
}
