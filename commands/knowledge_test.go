package commands_test

import (
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// TestKnowledgeThroughItsLifecycle drafts, publishes, revises and retires
// a reply template through the handler: the ledger holds every version
// with its author, a retried creation names the same item, and a retired
// item takes nothing more.
func TestKnowledgeThroughItsLifecycle(t *testing.T) {
	ctx := t.Context()
	h, store := newHandler(t)
	author := commands.Meta{Actor: "supervisor:s1", IdempotencyKey: "kb-delay"}
	content := domain.KnowledgeContent{Title: "订单延迟", Body: "{{customer.displayName}}您好，您的订单已延迟。", Language: "zh", Category: "delivery"}
	draft := domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, Content: content}

	_, item, err := h.Knowledge(ctx, "", draft, author)
	if err != nil {
		t.Fatal(err)
	}
	_, again, err := h.Knowledge(ctx, "", draft, author)
	if err != nil || again.ID != item.ID || len(again.Versions) != 1 {
		t.Fatalf("a retried creation: %+v, %v; want item %s with one version", again, err, item.ID)
	}
	if _, item, err = h.Knowledge(ctx, item.ID, domain.PublishKnowledge{}, commands.Meta{Actor: "supervisor:s1"}); err != nil {
		t.Fatal(err)
	}
	content.Body = "{{customer.displayName}}，您好！您的订单因天气原因延迟，预计明天送达。"
	if _, item, err = h.Knowledge(ctx, item.ID, domain.DraftKnowledge{Content: content}, commands.Meta{Actor: "admin:a1"}); err != nil {
		t.Fatal(err)
	}
	if item.Status() != domain.KnowledgeStatusPublished || item.Live != 1 || item.PendingRevision() != 2 {
		t.Fatalf("after a revision was drafted: %s, live %d, pending %d", item.Status(), item.Live, item.PendingRevision())
	}
	if _, item, err = h.Knowledge(ctx, item.ID, domain.PublishKnowledge{Version: 2}, commands.Meta{Actor: "admin:a1"}); err != nil {
		t.Fatal(err)
	}
	if _, item, err = h.Knowledge(ctx, item.ID, domain.RetireKnowledge{Reason: "the carrier changed"}, commands.Meta{Actor: "admin:a1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Knowledge(ctx, item.ID, domain.DraftKnowledge{Content: content}, commands.Meta{Actor: "admin:a1"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("drafting a retired item: %v, want CONFLICT", err)
	}
	if _, _, err := h.Knowledge(ctx, "", domain.PublishKnowledge{}, commands.Meta{}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("publishing no item: %v, want INVALID", err)
	}

	recs, err := store.ReadStream(ctx, domain.KnowledgeStream(item.ID), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var folded []domain.Event
	for _, r := range recs {
		e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		folded = append(folded, e)
		got = append(got, r.Type+" by "+authorOf(e)+" "+metaActor(t, r))
	}
	want := []string{
		"KnowledgeDrafted by supervisor:s1 supervisor:s1", "KnowledgePublished by supervisor:s1 supervisor:s1",
		"KnowledgeDrafted by admin:a1 admin:a1", "KnowledgePublished by admin:a1 admin:a1", "KnowledgeRetired by admin:a1 admin:a1",
	}
	if len(got) != len(want) {
		t.Fatalf("the stream holds %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d is %q, want %q", i, got[i], want[i])
		}
	}
	state, err := domain.FoldStream(domain.KnowledgeStream(item.ID), folded)
	if err != nil {
		t.Fatal(err)
	}
	k := state.(domain.KnowledgeItem)
	if k.Status() != domain.KnowledgeStatusRetired || len(k.Versions) != 2 || k.Versions[0].Content.Body == k.Versions[1].Content.Body {
		t.Fatalf("folded from the ledger: %s with %d versions", k.Status(), len(k.Versions))
	}
}

func authorOf(e domain.Event) string {
	switch e := e.(type) {
	case domain.KnowledgeDrafted:
		return e.By
	case domain.KnowledgePublished:
		return e.By
	case domain.KnowledgeRetired:
		return e.By
	}
	return ""
}

func metaActor(t *testing.T, r eventstore.RecordedEvent) string {
	t.Helper()
	m, err := eventstore.ParseMetadata(r.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	return m.Actor
}
