package embedded_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

func openBackend(t *testing.T) *embedded.Backend {
	t.Helper()
	b, err := embedded.Open(t.Context(), filepath.Join(t.TempDir(), embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// TestSyncCountsEveryInteractionOnce loads a generated ledger and checks
// the reports against what the generator produced: every interaction in
// channel_volume once, every QA score once.
func TestSyncCountsEveryInteractionOnce(t *testing.T) {
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 40, Interactions: 200, Seed: 3})
	b := openBackend(t)
	sink := analytics.NewSink(store, b, analyticstest.Key, analytics.WithBatchEvents(500))
	if err := sink.Sync(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	head, _ := store.HeadPosition(t.Context())
	if sink.Position() != head {
		t.Fatalf("sink at %d, ledger head %d", sink.Position(), head)
	}
	// The ledger has every event type the sink may meet, the wrap-up
	// timer's WrapUpExpired among them (recorded as an event fact).
	expired := 0
	for after := uint64(0); ; {
		page, err := store.ReadAll(t.Context(), after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if e.Type == "WrapUpExpired" {
				expired++
			}
		}
		if len(page) < 5000 {
			break
		}
		after = page[len(page)-1].Position
	}
	if expired == 0 {
		t.Fatal("the generated ledger has no WrapUpExpired event")
	}
	rep := analytics.NewReporter(b)
	vol, err := rep.Report(t.Context(), analytics.Request{Name: "channel_volume", From: analyticstest.Period[0], To: analyticstest.Period[1], GroupBy: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, r := range vol.Rows {
		total += r[len(r)-3].(int64)
	}
	if total != 200 {
		t.Fatalf("channel_volume counts %d interactions, want 200:\n%s", total, analyticstest.Canonical(vol))
	}
	for _, req := range analyticstest.Requests() {
		if _, err := rep.Report(t.Context(), req); err != nil {
			t.Fatalf("%s: %v", analyticstest.RequestLabel(req), err)
		}
	}
}

// TestInterruptedSyncSaysSo: a Sync whose context ends part-way (after the
// first of the feed's pages of 8,192 events; the ledger holds more)
// returns the context's error, not success, keeps what it wrote, and the
// next Sync finishes from the checkpoint.
func TestInterruptedSyncSaysSo(t *testing.T) {
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 60, Interactions: 900, Seed: 4})
	b := openBackend(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sink := analytics.NewSink(store, b, analyticstest.Key, analytics.WithBatchEvents(50))
	err := sink.Sync(ctx, func(done, head uint64) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sync returned %v, want context.Canceled", err)
	}
	head, _ := store.HeadPosition(t.Context())
	cp, err := b.Checkpoint(t.Context(), analytics.DefaultSinkName)
	if err != nil || cp == 0 || cp >= head {
		t.Fatalf("checkpoint %d (%v) after the interruption, want part of %d", cp, err, head)
	}
	if err := analytics.NewSink(store, b, analyticstest.Key).Sync(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if cp, _ := b.Checkpoint(t.Context(), analytics.DefaultSinkName); cp != head {
		t.Fatalf("checkpoint %d after the second sync, want %d", cp, head)
	}
}

// TestSyncTakesInteractionSlaEvents: the SLA events of an interaction
// (sla-<interaction id>, no ticket id) fold like any other event, as an
// event fact of category sla whose entity is the interaction, and touch
// no ticket.
func TestSyncTakesInteractionSlaEvents(t *testing.T) {
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 5, Interactions: 10, Seed: 4})
	ctx := t.Context()
	h := commands.NewHandler(store)
	const chat = "0193a5b0-0000-7000-8000-00000000c4a7"
	at := analyticstest.Period[0].Add(time.Hour)
	for _, cmd := range []domain.SlaCommand{
		domain.StartSla{InteractionID: chat, Metric: domain.SlaFirstResponse, Policy: "webchat", Target: time.Minute, Calendar: domain.AlwaysOpen()},
		domain.CheckSla{},
	} {
		if _, _, err := h.At(at).Sla(ctx, chat, commands.Meta{Actor: "system:sla"}, cmd); err != nil {
			t.Fatal(err)
		}
		at = at.Add(2 * time.Minute) // the check comes after the deadline: a breach
	}
	if s, err := h.LoadSla(ctx, chat); err != nil || !s.Clocks[domain.SlaFirstResponse].Breached {
		t.Fatalf("the chat's clock did not breach: %+v, %v", s, err)
	}
	b := openBackend(t)
	sink := analytics.NewSink(store, b, analyticstest.Key)
	if err := sink.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if head, _ := store.HeadPosition(ctx); sink.Position() != head {
		t.Fatalf("sink at %d, ledger head %d", sink.Position(), head)
	}
	rep := analytics.NewReporter(b)
	for _, req := range analyticstest.Requests() {
		if _, err := rep.Report(ctx, req); err != nil {
			t.Fatalf("%s: %v", analyticstest.RequestLabel(req), err)
		}
	}
}

// TestSetupResyncsTablesOfAnotherSchema: a back end whose tables were
// written by another version of the sink (here: an analytics file from
// before the schema was versioned, its fact_interactions without the link
// columns) is emptied by Setup, checkpoint included, so the sink writes
// every table again from the start; one of the current version keeps
// its rows and checkpoint.
func TestSetupResyncsTablesOfAnotherSchema(t *testing.T) {
	ctx := t.Context()
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 10, Interactions: 30, Seed: 6})
	b := openBackend(t)
	sink := analytics.NewSink(store, b, analyticstest.Key)
	if err := sink.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	head, _ := store.HeadPosition(ctx)
	if err := b.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if cp, err := b.Checkpoint(ctx, analytics.DefaultSinkName); err != nil || cp != head {
		t.Fatalf("checkpoint %d (%v) after setting up the same schema again, want %d", cp, err, head)
	}
	for _, stmt := range []string{
		"DROP TABLE analytics_schema",
		"DROP TABLE fact_interactions",
		"CREATE TABLE fact_interactions (interaction_id TEXT PRIMARY KEY, customer_key INTEGER, version INTEGER)",
	} {
		exec(t, b, stmt)
	}
	if err := b.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if cp, err := b.Checkpoint(ctx, analytics.DefaultSinkName); err != nil || cp != 0 {
		t.Fatalf("checkpoint %d (%v) after setting up over an older schema, want 0", cp, err)
	}
	if n := count(t, b, "SELECT count(*) FROM fact_events"); n != 0 {
		t.Fatalf("%d event rows kept from the older schema", n)
	}
	if err := analytics.NewSink(store, b, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatalf("resync: %v", err)
	}
	if n := count(t, b, "SELECT count(*) FROM fact_interactions WHERE next_started_at > 0"); n == 0 {
		t.Fatal("no interaction has a next contact after the resync")
	}
}

func exec(t *testing.T, b *embedded.Backend, stmt string) {
	t.Helper()
	rows, err := b.Query(t.Context(), stmt)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	_ = rows.Close()
}

func count(t *testing.T, b *embedded.Backend, query string) int64 {
	t.Helper()
	rows, err := b.Query(t.Context(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var n int64
	if !rows.Next() {
		t.Fatalf("%s: no row (%v)", query, rows.Err())
	}
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTicketOriginTheSameWhateverTheRunStart folds tickets opened from
// interactions into two back ends: one in a single run from the start of
// the ledger (where the sink knows an interaction it holds nothing of has
// no events yet, and reads nothing), one in runs that restart after the
// interactions began (where it reads them back from the ledger). A ticket
// opened from an interaction that starts only later in the ledger has no
// origin in either; one opened from an earlier interaction has its
// channel and queue in both.
func TestTicketOriginTheSameWhateverTheRunStart(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	at := analyticstest.Period[0].Add(time.Hour)
	appendEvent := func(stream string, e domain.Event) {
		t.Helper()
		typ, schema, data, err := domain.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Append(ctx, stream, eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: typ, Schema: schema, Data: data, Metadata: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}
	appendEvent(domain.CustomerStream("c1"), domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Wang", Tier: domain.TierStandard, At: at})
	appendEvent(domain.InteractionStream("early"), domain.InteractionStarted{InteractionID: "early", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone, At: at})
	appendEvent(domain.InteractionStream("early"), domain.InteractionQueued{InteractionID: "early", Queue: "billing", Priority: domain.PriorityNormal, At: at})

	restarted := openBackend(t)
	if err := analytics.NewSink(store, restarted, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	open := func(ticket, interaction string) domain.Event {
		return domain.TicketOpened{TicketID: ticket, Number: ticket, CustomerID: "c1", Category: domain.CategoryComplaint, Priority: domain.PriorityNormal, Subject: "s", InteractionID: interaction, At: at}
	}
	appendEvent(domain.TicketStream("t-early"), open("t-early", "early"))
	appendEvent(domain.TicketStream("t-later"), open("t-later", "later"))
	appendEvent(domain.InteractionStream("later"), domain.InteractionStarted{InteractionID: "later", CustomerID: "c1", Channel: domain.ChannelEmail, At: at.Add(time.Minute)})
	appendEvent(domain.InteractionStream("later"), domain.InteractionQueued{InteractionID: "later", Queue: "support", Priority: domain.PriorityNormal, At: at.Add(time.Minute)})
	if err := analytics.NewSink(store, restarted, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	oneRun := openBackend(t)
	if err := analytics.NewSink(store, oneRun, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	want := "t-early PHONE billing|t-later  |"
	for name, b := range map[string]*embedded.Backend{"one run": oneRun, "restarted": restarted} {
		if got := ticketOrigins(t, b); got != want {
			t.Errorf("%s: tickets' origins %q, want %q", name, got, want)
		}
	}
}

func ticketOrigins(t *testing.T, b *embedded.Backend) string {
	t.Helper()
	rows, err := b.Query(t.Context(), `SELECT ticket_id, channel, queue FROM fact_tickets ORDER BY ticket_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var id, channel, queue string
		if err := rows.Scan(&id, &channel, &queue); err != nil {
			t.Fatal(err)
		}
		out += id + " " + channel + " " + queue + "|"
	}
	return out
}

// TestTemplateUsageKnownAnswers loads a generated ledger, then the
// template contacts (analyticstest.TemplateContacts) in small batches
// with a small cache, so the sink reads interactions back: template_usage
// and closing_summaries give the numbers worked out by hand for the
// template day, and over the generated traffic every reply template
// (and the baseline) has its row.
func TestTemplateUsageKnownAnswers(t *testing.T) {
	ctx := t.Context()
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 20, Interactions: 80, Seed: 6})
	b := openBackend(t)
	if err := analytics.NewSink(store, b, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := analyticstest.AppendTemplateContacts(ctx, store); err != nil {
		t.Fatal(err)
	}
	if err := analytics.NewSink(store, b, analyticstest.Key, analytics.WithBatchEvents(7), analytics.WithCacheLimit(5)).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	rep := analytics.NewReporter(b)
	analyticstest.AssertTemplateUsageAnswers(t, rep)

	tab, err := rep.Report(ctx, analytics.Request{Name: "template_usage", From: analyticstest.Period[0], To: analyticstest.TemplateDay})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]any{}
	for _, r := range tab.Rows {
		rows[r[0].(string)] = r
	}
	for _, tpl := range append([]string{""}, templateIDs()...) {
		r, ok := rows[tpl]
		if !ok || r[2].(int64) == 0 || r[3].(int64) == 0 || (tpl == "") != (r[1].(int64) == 0) {
			t.Errorf("template %q: row %v, want interactions, handled ones, and uses unless the baseline:\n%s", tpl, r, analyticstest.Canonical(tab))
		}
	}
	if len(rows) != len(analyticstest.Templates)+1 {
		t.Errorf("%d rows, want one per template and the baseline:\n%s", len(rows), analyticstest.Canonical(tab))
	}
	if n := count(t, b, "SELECT count(*) FROM fact_template_uses"); n != count(t, b, "SELECT sum(template_replies) FROM fact_interactions") || n == 0 {
		t.Fatalf("%d template uses, their interactions count another number", n)
	}
}

func templateIDs() []string {
	var out []string
	for _, tpl := range analyticstest.Templates {
		out = append(out, tpl.ID)
	}
	return out
}
