package qa_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/policies/qa"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time                    { return c.t }
func (c *clock) advance(d time.Duration) time.Time { c.t = c.t.Add(d); return c.t }

// chat plays one written conversation and closes it.
func chat(t *testing.T, h *commands.Handler, c *clock, key, agent string, lines []string, disp domain.Disposition) string {
	t.Helper()
	ctx := t.Context()
	in, err := h.ReceiveInbound(ctx, commands.InboundMessage{Channel: domain.ChannelWebchat, From: domain.Identity{Kind: domain.IdentityDevice, Value: "dev-" + key},
		ProviderMessageID: key + "-0", ConversationKey: key, Text: lines[0]}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	meta := commands.Meta{Actor: "agent:" + agent}
	c.advance(10 * time.Second)
	if _, err := h.Interaction(ctx, in.InteractionID, meta, domain.AssignInteraction{AgentID: agent}); err != nil {
		t.Fatal(err)
	}
	for i, line := range lines[1:] {
		c.advance(30 * time.Second)
		if i%2 == 0 {
			_, err = h.Interaction(ctx, in.InteractionID, meta, domain.SendMessage{AgentID: agent, MessageID: key + "-r" + string(rune('a'+i)), Text: line})
		} else {
			_, err = h.ReceiveInbound(ctx, commands.InboundMessage{Channel: domain.ChannelWebchat, From: domain.Identity{Kind: domain.IdentityDevice, Value: "dev-" + key},
				ProviderMessageID: key + "-" + string(rune('a'+i)), ConversationKey: key, Text: line}, commands.Meta{})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	c.advance(time.Minute)
	if _, err := h.Interaction(ctx, in.InteractionID, meta, domain.CloseInteraction{Disposition: disp, AgentID: agent}); err != nil {
		t.Fatal(err)
	}
	return in.InteractionID
}

// TestPolicyScoresClosedInteractionsOnce scores a ledger, scores it again
// from the start (a lost checkpoint), lets a supervisor override a
// criterion, and checks the QA facts the sink derives.
func TestPolicyScoresClosedInteractionsOnce(t *testing.T) {
	ctx := t.Context()
	dir := analyticstest.FastDir(t)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h := commands.NewHandler(store, commands.WithClock(c.now))
	for _, a := range []struct{ id, team string }{{"a1", "Alpha"}, {"a2", "Beta"}} {
		if _, err := h.Agent(ctx, a.id, domain.RegisterAgent{AgentID: a.id, Name: a.id, Team: a.team}, commands.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	good := chat(t, h, c, "k1", "a1", []string{"Hi, my router is broken", "Hello, thank you for contacting us.", "Still broken", "Fixed it for you, thanks!"}, domain.DispositionResolved)
	bad := chat(t, h, c, "k2", "a2", []string{"宽带断了，太差了", "自己重启", "我要投诉", "不关我的事"}, domain.DispositionFollowUp)

	head, _ := store.HeadPosition(ctx)
	checkpoint := qa.CheckpointPath(dir)
	p := qa.NewPolicy(store, h, config.DefaultScorecards(), checkpoint, nil)
	if err := p.RunUntil(ctx, head); err != nil {
		t.Fatal(err)
	}
	if p.Scored() != 2 {
		t.Fatalf("scored %d interactions, want 2", p.Scored())
	}
	again := qa.NewPolicy(store, h, config.DefaultScorecards(), "", nil)
	if err := again.RunUntil(ctx, head); err != nil {
		t.Fatal(err)
	}
	if again.Scored() != 0 {
		t.Fatalf("scoring the ledger again appended %d scores", again.Scored())
	}
	review, err := h.LoadQaReview(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	verdict := review.Scorecards["written"]
	if verdict.Team != "Beta" || verdict.Score >= 5000 {
		t.Fatalf("bad conversation scored %d for team %q: %+v", verdict.Score, verdict.Team, verdict.Results)
	}

	_, err = h.OverrideQaCriterion(ctx, bad, domain.OverrideQaCriterion{ScorecardID: "written", CriterionID: "forbidden", Result: domain.QaPass,
		Reason: "customer quoted the phrase", SupervisorID: "sup"}, commands.Meta{Actor: "agent:sup"})
	if err != nil {
		t.Fatal(err)
	}
	review, _ = h.LoadQaReview(ctx, bad)
	overridden := review.Scorecards["written"]
	if overridden.Score <= verdict.Score {
		t.Fatalf("override did not raise the score: %d -> %d", verdict.Score, overridden.Score)
	}

	b, err := embedded.Open(ctx, filepath.Join(dir, embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := analytics.NewSink(store, b, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	tab, err := analytics.NewReporter(b).Report(ctx, analytics.Request{Name: "qa_by_team", From: c.t.Add(-24 * time.Hour), To: c.t.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	goodReview, _ := h.LoadQaReview(ctx, good)
	want := map[string][2]any{"Alpha": {int64(1), float64(goodReview.Scorecards["written"].Score) / 100}, "Beta": {int64(1), float64(overridden.Score) / 100}}
	if len(tab.Rows) != 2 {
		t.Fatalf("qa_by_team rows %v", tab.Rows)
	}
	for _, r := range tab.Rows {
		w := want[r[0].(string)]
		if r[1] != w[0] || r[2] != w[1] {
			t.Errorf("team %s: scored %v average %v, want %v %v", r[0], r[1], r[2], w[0], w[1])
		}
	}
}

// TestPolicyScoresInteractionsOfUnregisteredHandlers: an interaction
// closed by someone who is not a registered agent (a supervisor on the
// desktop) is scored without a team, instead of stopping QA for everyone
// at that interaction.
func TestPolicyScoresInteractionsOfUnregisteredHandlers(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h := commands.NewHandler(store, commands.WithClock(c.now))
	id := chat(t, h, c, "k1", "sup-7", []string{"Hi, my router is broken", "Hello, thank you for contacting us."}, domain.DispositionResolved)
	head, _ := store.HeadPosition(ctx)
	p := qa.NewPolicy(store, h, config.DefaultScorecards(), "", nil)
	if err := p.RunUntil(ctx, head); err != nil {
		t.Fatalf("QA stopped at an interaction of an unregistered handler: %v", err)
	}
	review, err := h.LoadQaReview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := review.Scorecards["written"]; !ok || v.AgentID != "sup-7" || v.Team != "" {
		t.Fatalf("scored %+v, want the written scorecard for sup-7 without a team", review.Scorecards)
	}
}

// deliveryCards are the default scorecards and, beside them, an optional
// one with a template_used criterion, as a QA lead would add it.
const deliveryCards = `
scorecards:
  - id: delivery_templates
    name: Delivery conversations answered with approved wording
    appliesTo:
      channels: [WEBCHAT]
    criteria:
      - id: delivery_template
        kind: template_used
        weight: 10
        categories: [delivery]
        customerPhrases: ["parcel", "delivery", "快递", "包裹"]
`

// TestTemplateUsedCriterion: the policy folds ReplyTemplateUsed into the
// transcript, so a template_used criterion passes for the chat answered
// from a published delivery template, fails for the delivery chat
// answered without one, and does not apply to a chat about something
// else; the default scorecards score the three chats as they would have
// without the criterion.
func TestTemplateUsedCriterion(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(analyticstest.FastDir(t), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h := commands.NewHandler(store, commands.WithClock(c.now))
	supervisor := commands.Meta{Actor: "supervisor:s1"}
	content := domain.KnowledgeContent{Title: "Parcel delayed", Body: "Hello, your parcel is delayed by the weather; thank you for waiting.", Language: "en", Category: "delivery"}
	_, tpl, err := h.Knowledge(ctx, "tpl-delivery-delay-en", domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, Content: content}, supervisor)
	if err != nil {
		t.Fatal(err)
	}
	if _, tpl, err = h.Knowledge(ctx, tpl.ID, domain.PublishKnowledge{}, supervisor); err != nil {
		t.Fatal(err)
	}
	live, err := tpl.UsableTemplate(1)
	if err != nil {
		t.Fatal(err)
	}

	// fromTemplate plays a chat whose first reply is the template's.
	fromTemplate := func(key string) string {
		in, err := h.ReceiveInbound(ctx, commands.InboundMessage{Channel: domain.ChannelWebchat, From: domain.Identity{Kind: domain.IdentityDevice, Value: "dev-" + key},
			ProviderMessageID: key + "-0", ConversationKey: key, Text: "Where is my parcel? It is late."}, commands.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		meta := commands.Meta{Actor: "agent:a1"}
		c.advance(10 * time.Second)
		if _, err := h.Interaction(ctx, in.InteractionID, meta, domain.AssignInteraction{AgentID: "a1"}); err != nil {
			t.Fatal(err)
		}
		c.advance(30 * time.Second)
		reply := domain.SendMessage{AgentID: "a1", MessageID: key + "-r", Text: live.Body, Template: &domain.TemplateUse{TemplateID: tpl.ID, Version: 1}, TemplateCategory: live.Category}
		if _, err := h.Interaction(ctx, in.InteractionID, meta, reply); err != nil {
			t.Fatal(err)
		}
		c.advance(time.Minute)
		if _, err := h.Interaction(ctx, in.InteractionID, meta, domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a1"}); err != nil {
			t.Fatal(err)
		}
		return in.InteractionID
	}
	used := fromTemplate("k1")
	// The same words typed by hand: no ReplyTemplateUsed.
	typed := chat(t, h, c, "k2", "a1", []string{"Where is my parcel? It is late.", live.Body}, domain.DispositionResolved)
	unrelated := chat(t, h, c, "k3", "a1", []string{"Hi, I want to change my plan", "Hello, thank you for contacting us."}, domain.DispositionResolved)

	cards, err := config.ParseScorecards([]byte(deliveryCards))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := store.HeadPosition(ctx)
	if err := qa.NewPolicy(store, h, append(config.DefaultScorecards(), cards...), "", nil).RunUntil(ctx, head); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   string
		want domain.QaResult
	}{{used, domain.QaPass}, {typed, domain.QaFail}, {unrelated, domain.QaNA}} {
		review, err := h.LoadQaReview(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := review.Scorecards["delivery_templates"]
		if !ok || len(v.Results) != 1 || v.Results[0].Result != tc.want {
			t.Fatalf("interaction %s: delivery_templates %+v, want %s", tc.id, v, tc.want)
		}
		if tc.want == domain.QaPass && (len(v.Results[0].Evidence) == 0 || v.Results[0].Evidence[0].MessageID != "k1-r") {
			t.Errorf("evidence %+v, want the reply k1-r first", v.Results[0].Evidence)
		}
	}
	// The default scorecards give the chats from the template and typed
	// by hand the same results: the template use changes nothing there.
	withTemplate, _ := h.LoadQaReview(ctx, used)
	byHand, _ := h.LoadQaReview(ctx, typed)
	a, b := withTemplate.Scorecards["written"], byHand.Scorecards["written"]
	if a.Score != b.Score || len(a.Results) != len(b.Results) {
		t.Fatalf("written scorecard: %d from the template, %d typed by hand", a.Score, b.Score)
	}
	for i := range a.Results {
		if a.Results[i].Kind == domain.QaTemplateUsed || a.Results[i].Result != b.Results[i].Result {
			t.Errorf("written %s: %s from the template, %s by hand", a.Results[i].CriterionID, a.Results[i].Result, b.Results[i].Result)
		}
	}
}
