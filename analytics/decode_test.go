package analytics

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func encode(t testing.TB, e domain.Event) []byte {
	t.Helper()
	_, _, data, err := domain.EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzScanMessage: whenever the fast scanner reads a message event, it
// reads what encoding/json reads; the sink's facts never depend on which
// path decoded an event.
func FuzzScanMessage(f *testing.F) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	for _, e := range []domain.Event{
		domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "您好，宽带断了", At: at},
		domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "with \"quotes\"", SentAt: at, At: at},
		domain.MessageReceived{InteractionID: "i1", Text: "x", Attachments: []domain.Attachment{{Name: "a.png", Size: 3}}, At: at},
		domain.MessageSent{InteractionID: "i2", MessageID: "r1", AgentID: "a1", Text: "Hello", At: at},
	} {
		f.Add(e.EventType(), encode(f, e))
	}
	f.Add("MessageSent", []byte(`{"interactionId":"i","agentId":"a","at":"2026-03-01T10:00:00Z","at":"2027-01-01T00:00:00Z"}`))
	f.Add("MessageReceived", []byte(`{"interactionId":"i","agentId":"a","at":"2026-03-01T10:00:00Z"}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		if typ != "MessageReceived" && typ != "MessageSent" {
			return
		}
		m, ok := scanMessage(typ, domain.CurrentSchema, data)
		if !ok {
			return
		}
		e, err := domain.DecodeEvent(typ, domain.CurrentSchema, data)
		if err != nil {
			t.Fatalf("scanner read %q, encoding/json refuses it: %v", data, err)
		}
		var id string
		var when time.Time
		switch e := e.(type) {
		case domain.MessageReceived:
			id, when = e.InteractionID, e.At
		case domain.MessageSent:
			id, when = e.InteractionID, e.At
		}
		if id != m.interactionID || !when.Equal(m.at) {
			t.Fatalf("scanner read %q/%s, encoding/json %q/%s from %q", m.interactionID, m.at, id, when, data)
		}
	})
}

func TestScanAtReadsEveryEventsTime(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 5, time.UTC)
	for _, e := range []domain.Event{
		domain.AgentPresenceChanged{AgentID: "a", From: domain.PresenceOffline, To: domain.PresenceAvailable, At: at},
		domain.TicketCollaboratorAdded{TicketID: "t", Collaborator: domain.Collaborator{Department: "d", DueAt: at.Add(time.Hour)}, At: at},
		domain.QaScored{InteractionID: "i", ScorecardID: "s", ClosedAt: at.Add(-time.Hour), At: at},
		domain.CustomerRegistered{CustomerID: "c", DisplayName: `"at":"2020-01-01T00:00:00Z"`, At: at},
	} {
		got, ok := scanAt(encode(t, e))
		if !ok || !got.Equal(at) {
			t.Errorf("%s: scanAt = %s, %v; want %s", e.EventType(), got, ok, at)
		}
	}
}

// TestFastDecodeReadsSummaryFlags: the fast path reads a closing's
// drafted-summary flags as encoding/json does, and gives up on anything
// but a JSON boolean.
func TestFastDecodeReadsSummaryFlags(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, flags := range [][2]bool{{false, false}, {true, false}, {true, true}} {
		e := domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, AgentID: "a1", Summary: "Refund sent.",
			SummaryDrafted: flags[0], SummaryEdited: flags[1], At: at}
		got, ok := fastDecode(e.EventType(), domain.CurrentSchema, encode(t, e))
		if !ok {
			t.Fatalf("%+v: the fast path gave up", flags)
		}
		c := got.(domain.InteractionClosed)
		if c.SummaryDrafted != flags[0] || c.SummaryEdited != flags[1] || c.Disposition != e.Disposition || !c.At.Equal(at) {
			t.Errorf("fast path read %+v from %+v", c, e)
		}
	}
	for _, data := range []string{
		`{"interactionId":"i1","disposition":"RESOLVED","summaryDrafted":"true","at":"2026-03-01T10:00:00Z"}`,
		`{"interactionId":"i1","disposition":"RESOLVED","summaryEdited":null,"at":"2026-03-01T10:00:00Z"}`,
		`{"interactionId":"i1","disposition":"RESOLVED","SummaryDrafted":true,"at":"2026-03-01T10:00:00Z"}`,
	} {
		if _, ok := fastDecode("InteractionClosed", domain.CurrentSchema, []byte(data)); ok {
			t.Errorf("the fast path read %s, which encoding/json should decide", data)
		}
	}
}
