package analyticstest

import (
	"context"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// EdgeContact is one contact of the edge-case ledger: who, when, on which
// channel and how it ended.
type EdgeContact struct {
	ID       string
	Customer string
	Channel  domain.Channel
	At       time.Time
	// Ending is "handled" (answered, closed with Disposition), or
	// "abandoned".
	Ending      string
	Disposition domain.Disposition
}

// EdgeStart is when the edge cases start: inside Period, after the
// interactions generated with the default Config (which start within 14
// days of 2026-03-01), so that [EdgeStart, Period[1]) holds the edge
// contacts alone.
var EdgeStart = time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)

func edgeID(n int) string { return fmt.Sprintf("0193a5b0-0000-7000-8000-0000000e%04d", n) }

// EdgeContacts are contacts at the edges of the reports that relate
// contacts to each other, in the order they are appended, which is not
// always the order they started in:
//   - customer edge-a: a handled call left to follow up, then a web chat
//     exactly 7 days later (a repeat at the window's boundary, and a
//     journey), then an email 1 ms past 7 days after the call;
//   - customer edge-b: two contacts starting at the same instant on two
//     channels (neither repeats the other), then one an hour later, and
//     at last another on the channel of the second (which is then the
//     next contact on that channel of the first, tied with the second);
//   - customer edge-c: a contact appended before an earlier one, and one
//     appended last that starts between them;
//   - customer edge-d: contacts on one channel only, many of them, then
//     one on another channel (which is the next contact on that channel
//     of all the earlier ones).
//
// The first FirstEdgeContacts are meant to be synced before the others,
// so that links to them are made after a sink restart.
func EdgeContacts() []EdgeContact {
	t := EdgeStart
	week := 7 * 24 * time.Hour
	out := []EdgeContact{
		{Customer: "edge-a", Channel: domain.ChannelPhone, At: t, Ending: "handled", Disposition: domain.DispositionFollowUp},
		{Customer: "edge-c", Channel: domain.ChannelWebchat, At: t.Add(3 * 24 * time.Hour), Ending: "abandoned"},
		{Customer: "edge-b", Channel: domain.ChannelPhone, At: t.Add(time.Hour), Ending: "abandoned"},
		{Customer: "edge-a", Channel: domain.ChannelWebchat, At: t.Add(week), Ending: "handled", Disposition: domain.DispositionEscalated},
		{Customer: "edge-b", Channel: domain.ChannelSMS, At: t.Add(time.Hour), Ending: "abandoned"},
		{Customer: "edge-c", Channel: domain.ChannelEmail, At: t.Add(24 * time.Hour), Ending: "handled", Disposition: domain.DispositionFollowUp},
		{Customer: "edge-a", Channel: domain.ChannelEmail, At: t.Add(week + time.Millisecond), Ending: "handled", Disposition: domain.DispositionResolved},
		{Customer: "edge-b", Channel: domain.ChannelApp, At: t.Add(2 * time.Hour), Ending: "handled", Disposition: domain.DispositionResolved},
		{Customer: "edge-c", Channel: domain.ChannelPhone, At: t.Add(2 * 24 * time.Hour), Ending: "abandoned"},
	}
	for i := range 12 {
		out = append(out, EdgeContact{Customer: "edge-d", Channel: domain.ChannelWeChat, At: t.Add(time.Duration(i) * 5 * time.Hour), Ending: "abandoned"})
	}
	out = append(out,
		EdgeContact{Customer: "edge-d", Channel: domain.ChannelEmail, At: t.Add(3 * 24 * time.Hour), Ending: "handled", Disposition: domain.DispositionEscalated},
		EdgeContact{Customer: "edge-b", Channel: domain.ChannelSMS, At: t.Add(4 * time.Hour), Ending: "handled", Disposition: domain.DispositionResolved},
	)
	for i := range out {
		out[i].ID = edgeID(i + 1)
	}
	return out
}

// FirstEdgeContacts is how many of EdgeContacts a test should sync before
// appending the rest.
const FirstEdgeContacts = 3

// AppendEdgeContacts appends contacts to store, each at its own time.
func AppendEdgeContacts(ctx context.Context, store eventstore.Store, contacts []EdgeContact) error {
	h := commands.NewHandler(store)
	for _, c := range contacts {
		if err := appendEdgeContact(ctx, h, c); err != nil {
			return fmt.Errorf("edge contact %s of %s: %w", c.ID, c.Customer, err)
		}
	}
	return nil
}

func appendEdgeContact(ctx context.Context, h *commands.Handler, c EdgeContact) error {
	const agent = "agent-01"
	meta := commands.Meta{Actor: "system:test", Channel: c.Channel}
	step, err := startContact(ctx, h, meta, c.ID, c.Customer, c.Channel, c.At)
	if err != nil {
		return err
	}
	if c.Ending == "abandoned" {
		return step(domain.AbandonInteraction{Reason: "left"})
	}
	if err := step(domain.AssignInteraction{AgentID: agent}); err != nil {
		return err
	}
	if c.Channel == domain.ChannelPhone {
		if err := step(domain.AnswerCall{AgentID: agent}); err != nil {
			return err
		}
		if err := step(domain.EndCall{EndedBy: "CUSTOMER"}); err != nil {
			return err
		}
	} else if err := step(domain.SendMessage{MessageID: c.ID + "-r", AgentID: agent, Text: "hello"}); err != nil {
		return err
	}
	return step(domain.CloseInteraction{Disposition: c.Disposition, AgentID: agent})
}

// startContact starts an interaction of customer's on channel at start,
// by an account identity, and returns the step that applies the contact's
// next commands a minute apart.
func startContact(ctx context.Context, h *commands.Handler, meta commands.Meta, id, customer string, channel domain.Channel, start time.Time) (func(...domain.InteractionCommand) error, error) {
	at := start
	step := func(cmds ...domain.InteractionCommand) error {
		_, err := h.At(at).Interaction(ctx, id, meta, cmds...)
		at = at.Add(time.Minute)
		return err
	}
	return step, step(domain.StartInteraction{
		InteractionID: id, CustomerID: customer, Channel: channel, Identity: domain.Identity{Kind: domain.IdentityAccount, Value: "acct-" + customer},
	})
}
