package domain

import (
	"strings"
	"testing"
	"time"
)

var qaT0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// msg builds a transcript message; tokens are given as a segmenter would
// cut them (space-separated here, so Chinese test input shows its cut).
func msg(id string, agent bool, sec int, text, tokens string) QaMessage {
	return QaMessage{ID: id, FromAgent: agent, At: qaT0.Add(time.Duration(sec) * time.Second), Text: text, Tokens: strings.Fields(tokens)}
}

func TestQaRules(t *testing.T) {
	lex := DefaultSentimentLexicon()
	english := QaTranscript{
		Channel: ChannelWebchat, StartedAt: qaT0, ArrivedAt: qaT0, ClosedAt: qaT0.Add(20 * time.Minute), Disposition: DispositionResolved,
		Messages: []QaMessage{
			msg("c1", false, 0, "My internet is broken, I am very disappointed.", "my internet is broken i am very disappointed"),
			msg("a1", true, 45, "Hello, thank you for contacting us. Let me check.", "hello thank you for contacting us let me check"),
			msg("c2", false, 100, "OK", "ok"),
			msg("a2", true, 400, "It is fixed now. Is there anything else?", "it is fixed now is there anything else"),
			msg("c3", false, 500, "Great, thanks, very helpful!", "great thanks very helpful"),
		},
	}
	chinese := QaTranscript{
		Channel: ChannelWeChat, StartedAt: qaT0, ArrivedAt: qaT0, ClosedAt: qaT0.Add(time.Hour), Disposition: DispositionFollowUp,
		Messages: []QaMessage{
			msg("c1", false, 0, "你们的服务太差了，我很生气", "你们 的 服务 太差 了 我 很 生气"),
			msg("a1", true, 300, "这不关我的事，你自己看吧", "这 不关 我 的 事 你 自己 看 吧"),
			msg("c2", false, 400, "我要投诉，不满意", "我要 投诉 不 满意"),
		},
	}
	phone := QaTranscript{Channel: ChannelPhone, StartedAt: qaT0, ArrivedAt: qaT0.Add(5 * time.Second), AnsweredAt: qaT0.Add(30 * time.Second), ClosedAt: qaT0.Add(10 * time.Minute), Disposition: DispositionResolved}
	// delivery: the agent's second reply came from a delivery template,
	// the first from a greeting template.
	delivery := QaTranscript{
		Channel: ChannelWeChat, StartedAt: qaT0, ArrivedAt: qaT0, ClosedAt: qaT0.Add(time.Hour), Disposition: DispositionResolved,
		Messages: []QaMessage{
			msg("c1", false, 0, "我的快递三天了还没到", "我 的 快递 三天 了 还 没到"),
			msg("a1", true, 30, "您好，请稍等", "您好 请 稍等"),
			msg("a2", true, 90, "非常抱歉，您的包裹因天气延误", "非常 抱歉 您 的 包裹 因 天气 延误"),
		},
		TemplateUses: []QaTemplateUse{
			{MessageID: "a1", TemplateID: "tpl-greeting-zh", Version: 1, Category: "greeting"},
			{MessageID: "a2", TemplateID: "tpl-delivery-delay-zh", Version: 3, Category: "delivery"},
		},
	}
	noTemplate := delivery
	noTemplate.TemplateUses = nil
	greetingOnly := delivery
	greetingOnly.TemplateUses = delivery.TemplateUses[:1]
	uncategorised := delivery
	uncategorised.TemplateUses = []QaTemplateUse{{MessageID: "a2", TemplateID: "tpl-x", Version: 1}}
	deliveryTopic := []string{"delivery", "parcel", "快递", "物流"}

	tests := []struct {
		name      string
		t         QaTranscript
		c         QaCriterion
		want      QaResult
		evidence  string // message id of the first evidence, if any
		evPhrase  string
		evSeconds float64
	}{
		{"english greeting in first reply", english, QaCriterion{Kind: QaGreeting, Phrases: []string{"good morning", "hello"}}, QaPass, "a1", "hello", 0},
		{"english greeting missing", english, QaCriterion{Kind: QaGreeting, Phrases: []string{"good morning"}}, QaFail, "a1", "", 0},
		{"greeting phrase is not part of a word", english, QaCriterion{Kind: QaGreeting, Phrases: []string{"hell"}}, QaFail, "a1", "", 0},
		{"chinese greeting missing", chinese, QaCriterion{Kind: QaGreeting, Phrases: []string{"您好", "你好"}}, QaFail, "a1", "", 0},
		{"compliance with alternatives", english, QaCriterion{Kind: QaCompliance, Phrases: []string{"anything else|还有什么"}}, QaPass, "a2", "anything else", 0},
		{"compliance missing in chinese", chinese, QaCriterion{Kind: QaCompliance, Phrases: []string{"anything else|还有什么"}}, QaFail, "", "anything else|还有什么", 0},
		{"chinese forbidden phrase matched as text", chinese, QaCriterion{Kind: QaForbidden, Phrases: []string{"不关我的事"}}, QaFail, "a1", "不关我的事", 0},
		{"english forbidden absent", english, QaCriterion{Kind: QaForbidden, Phrases: []string{"stupid", "shut up"}}, QaPass, "", "", 0},
		{"first response within limit", english, QaCriterion{Kind: QaFirstResponse, MaxSeconds: 60}, QaPass, "a1", "", 45},
		{"first response too slow", chinese, QaCriterion{Kind: QaFirstResponse, MaxSeconds: 120}, QaFail, "a1", "", 300},
		{"phone answer time from arrival", phone, QaCriterion{Kind: QaFirstResponse, MaxSeconds: 20}, QaFail, "", "", 25},
		{"next response worst wait", english, QaCriterion{Kind: QaNextResponse, MaxSeconds: 600}, QaPass, "a2", "", 300},
		{"next response too slow", english, QaCriterion{Kind: QaNextResponse, MaxSeconds: 200}, QaFail, "a2", "", 300},
		{"next response: last words unanswered are not measured", chinese, QaCriterion{Kind: QaNextResponse, MaxSeconds: 600}, QaNA, "", "", 0},
		{"next response n/a on a call", phone, QaCriterion{Kind: QaNextResponse, MaxSeconds: 60}, QaNA, "", "", 0},
		{"english sentiment improves", english, QaCriterion{Kind: QaSentiment}, QaPass, "c1", "", 0},
		{"chinese sentiment stays negative (negated 满意)", chinese, QaCriterion{Kind: QaSentiment}, QaFail, "c1", "", 0},
		{"sentiment n/a without text", phone, QaCriterion{Kind: QaSentiment}, QaNA, "", "", 0},
		{"resolution default", english, QaCriterion{Kind: QaResolution}, QaPass, "", "", 0},
		{"resolution follow-up fails", chinese, QaCriterion{Kind: QaResolution}, QaFail, "", "", 0},
		{"resolution configured", chinese, QaCriterion{Kind: QaResolution, Dispositions: []Disposition{DispositionFollowUp}}, QaPass, "", "", 0},
		{"greeting n/a on a call", phone, QaCriterion{Kind: QaGreeting, Phrases: []string{"hello"}}, QaNA, "", "", 0},
		{"template of a listed category", delivery, QaCriterion{Kind: QaTemplateUsed, Categories: []string{"delivery"}}, QaPass, "a2", "", 0},
		{"template category matched without regard to case", delivery, QaCriterion{Kind: QaTemplateUsed, Categories: []string{"billing", " Delivery "}}, QaPass, "a2", "", 0},
		{"any template when no category is listed", delivery, QaCriterion{Kind: QaTemplateUsed}, QaPass, "a1", "", 0},
		{"uncategorised template counts when no category is listed", uncategorised, QaCriterion{Kind: QaTemplateUsed}, QaPass, "a2", "", 0},
		{"uncategorised template is not of a listed category", uncategorised, QaCriterion{Kind: QaTemplateUsed, Categories: []string{"delivery"}}, QaFail, "", "", 0},
		{"only a template of another category", greetingOnly, QaCriterion{Kind: QaTemplateUsed, Categories: []string{"delivery"}}, QaFail, "", "", 0},
		{"no template at all", noTemplate, QaCriterion{Kind: QaTemplateUsed, Categories: []string{"delivery"}}, QaFail, "", "", 0},
		{"topic raised, template used", delivery, QaCriterion{Kind: QaTemplateUsed, Categories: []string{"delivery"}, CustomerPhrases: deliveryTopic}, QaPass, "a2", "", 0},
		{"topic raised, no template", noTemplate, QaCriterion{Kind: QaTemplateUsed, Categories: []string{"delivery"}, CustomerPhrases: deliveryTopic}, QaFail, "", "", 0},
		{"topic not raised: n/a", noTemplate, QaCriterion{Kind: QaTemplateUsed, Categories: []string{"delivery"}, CustomerPhrases: []string{"refund", "退款"}}, QaNA, "", "", 0},
		{"english topic matched as whole words", english, QaCriterion{Kind: QaTemplateUsed, CustomerPhrases: []string{"internet"}}, QaFail, "", "", 0},
		{"english topic is not part of a word", english, QaCriterion{Kind: QaTemplateUsed, CustomerPhrases: []string{"net"}}, QaNA, "", "", 0},
		{"template n/a on a call", phone, QaCriterion{Kind: QaTemplateUsed}, QaNA, "", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.ID, tc.c.Weight = "c", 1
			res := EvaluateScorecard(Scorecard{ID: "s", Criteria: []QaCriterion{tc.c}}, tc.t, lex)[0]
			if res.Result != tc.want {
				t.Fatalf("result %s, want %s (evidence %+v)", res.Result, tc.want, res.Evidence)
			}
			var ev QaEvidence
			if len(res.Evidence) > 0 {
				ev = res.Evidence[0]
			}
			if ev.MessageID != tc.evidence || tc.evPhrase != "" && ev.Phrase != tc.evPhrase || tc.evSeconds != 0 && ev.Seconds != tc.evSeconds {
				t.Fatalf("evidence %+v, want message %q phrase %q seconds %v", res.Evidence, tc.evidence, tc.evPhrase, tc.evSeconds)
			}
		})
	}
}

func TestSentimentScore(t *testing.T) {
	lex := DefaultSentimentLexicon()
	tests := []struct {
		tokens string
		want   float64
	}{
		{"thanks great", 1},
		{"not happy", -1},
		{"i don t like it it is terrible", -1},
		{"很 满意 谢谢", 1},
		{"不 满意", -1},
		{"没有 问题", 1},
		{"投诉 谢谢", 0},
		{"the weather", 0},
	}
	for _, tc := range tests {
		if got := lex.Score(strings.Fields(tc.tokens)); got != tc.want {
			t.Errorf("Score(%q) = %v, want %v", tc.tokens, got, tc.want)
		}
	}
}

func TestQaScore(t *testing.T) {
	r := func(res QaResult, w int) QaCriterionResult { return QaCriterionResult{Result: res, Weight: w} }
	tests := []struct {
		name    string
		results []QaCriterionResult
		want    int
	}{
		{"all pass", []QaCriterionResult{r(QaPass, 10), r(QaPass, 5)}, 10000},
		{"weighted", []QaCriterionResult{r(QaPass, 10), r(QaFail, 30)}, 2500},
		{"n/a excluded", []QaCriterionResult{r(QaPass, 10), r(QaNA, 30), r(QaFail, 10)}, 5000},
		{"rounds half up", []QaCriterionResult{r(QaPass, 1), r(QaFail, 2)}, 3333},
		{"two thirds", []QaCriterionResult{r(QaPass, 2), r(QaFail, 1)}, 6667},
		{"nothing applicable", []QaCriterionResult{r(QaNA, 10)}, 10000},
	}
	for _, tc := range tests {
		if got := QaScore(tc.results); got != tc.want {
			t.Errorf("%s: QaScore = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestDecideQaReview(t *testing.T) {
	scored := QaScored{InteractionID: "i1", ScorecardID: "written", Channel: ChannelWebchat, Results: []QaCriterionResult{
		{CriterionID: "greeting", Kind: QaGreeting, Weight: 10, Result: QaFail},
		{CriterionID: "resolution", Kind: QaResolution, Weight: 10, Result: QaPass},
	}}
	empty := QaReview{InteractionID: "i1"}
	events, err := DecideQaReview(empty, RecordQaScore{Scored: scored}, qaT0)
	if err != nil || len(events) != 1 || events[0].(QaScored).Score != 5000 {
		t.Fatalf("record: %v %v", events, err)
	}
	review := EvolveQaReview(empty, events[0])
	if again, err := DecideQaReview(review, RecordQaScore{Scored: scored}, qaT0); err != nil || len(again) != 0 {
		t.Fatalf("recording the same scorecard twice must be a no-op: %v %v", again, err)
	}
	override := OverrideQaCriterion{ScorecardID: "written", CriterionID: "greeting", Result: QaPass, Reason: "greeted by voice note", SupervisorID: "sup-1"}
	events, err = DecideQaReview(review, override, qaT0)
	if err != nil || len(events) != 1 {
		t.Fatalf("override: %v %v", events, err)
	}
	o := events[0].(QaOverridden)
	if o.From != QaFail || o.To != QaPass || o.Score != 10000 {
		t.Fatalf("override event %+v", o)
	}
	after := EvolveQaReview(review, o)
	if got := after.Scorecards["written"]; got.Score != 10000 || !got.Results[0].Overridden || review.Scorecards["written"].Results[0].Overridden {
		t.Fatalf("evolve override: %+v (the earlier state must not change)", got)
	}
	if same, err := DecideQaReview(after, override, qaT0); err != nil || len(same) != 0 {
		t.Fatalf("overriding to the same result must be a no-op: %v %v", same, err)
	}

	bad := []struct {
		name string
		cmd  OverrideQaCriterion
		code string
	}{
		{"unknown scorecard", OverrideQaCriterion{ScorecardID: "x", CriterionID: "greeting", Result: QaPass, Reason: "r", SupervisorID: "s"}, ENOTFOUND},
		{"unknown criterion", OverrideQaCriterion{ScorecardID: "written", CriterionID: "x", Result: QaPass, Reason: "r", SupervisorID: "s"}, ENOTFOUND},
		{"bad result", OverrideQaCriterion{ScorecardID: "written", CriterionID: "greeting", Result: "MAYBE", Reason: "r", SupervisorID: "s"}, EINVALID},
		{"no reason", OverrideQaCriterion{ScorecardID: "written", CriterionID: "greeting", Result: QaPass, Reason: "  ", SupervisorID: "s"}, EINVALID},
		{"no supervisor", OverrideQaCriterion{ScorecardID: "written", CriterionID: "greeting", Result: QaPass, Reason: "r"}, EINVALID},
	}
	for _, tc := range bad {
		if _, err := DecideQaReview(review, tc.cmd, qaT0); ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v (code %q), want code %q", tc.name, err, ErrorCode(err), tc.code)
		}
	}
}

func TestScorecardValidate(t *testing.T) {
	ok := QaCriterion{ID: "g", Kind: QaGreeting, Weight: 1, Phrases: []string{"hello"}}
	tests := []struct {
		name string
		card Scorecard
		want string // substring of the error; "" for valid
	}{
		{"valid", Scorecard{ID: "s", Criteria: []QaCriterion{ok}}, ""},
		{"no id", Scorecard{Criteria: []QaCriterion{ok}}, "needs an id"},
		{"no criteria", Scorecard{ID: "s"}, "no criteria"},
		{"unknown kind", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: "vibes", Weight: 1}}}, "unknown rule"},
		{"phrases needed", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaForbidden, Weight: 1, Phrases: []string{" "}}}}, "non-empty phrases"},
		{"max seconds needed", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaFirstResponse, Weight: 1}}}, "maxSeconds"},
		{"negative weight", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaResolution, Weight: -1}}}, "weight"},
		{"duplicate criterion", Scorecard{ID: "s", Criteria: []QaCriterion{ok, ok}}, "used twice"},
		{"unknown channel", Scorecard{ID: "s", AppliesTo: QaScope{Channels: []Channel{"FAX"}}, Criteria: []QaCriterion{ok}}, "unknown channel"},
		{"unknown disposition", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaResolution, Weight: 1, Dispositions: []Disposition{"MAYBE"}}}}, "unknown disposition"},
		{"template used, any category", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaTemplateUsed, Weight: 1}}}, ""},
		{"template used with categories and topic", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaTemplateUsed, Weight: 1, Categories: []string{"delivery", "退款"}, CustomerPhrases: []string{"快递", "parcel"}}}}, ""},
		{"template used, blank category", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaTemplateUsed, Weight: 1, Categories: []string{"delivery", " "}}}}, "categories of 1 to 80"},
		{"template used, category too long", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaTemplateUsed, Weight: 1, Categories: []string{strings.Repeat("长", 81)}}}}, "categories of 1 to 80"},
		{"template used, blank customer phrase", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaTemplateUsed, Weight: 1, CustomerPhrases: []string{"快递", "  "}}}}, "non-empty customerPhrases"},
		{"template used takes no phrases", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaTemplateUsed, Weight: 1, Phrases: []string{"快递"}}}}, "not phrases"},
		{"categories on another rule", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "x", Kind: QaResolution, Weight: 1, Categories: []string{"delivery"}}}}, "belong to rule template_used"},
		{"customer phrases on another rule", Scorecard{ID: "s", Criteria: []QaCriterion{{ID: "g", Kind: QaGreeting, Weight: 1, Phrases: []string{"hello"}, CustomerPhrases: []string{"hi"}}}}, "belong to rule template_used"},
	}
	for _, tc := range tests {
		err := tc.card.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: Validate() = %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("%s: code %q, want %q", tc.name, ErrorCode(err), EINVALID)
		}
	}
}

// TestTemplateUsedEvidence: a failed template_used criterion says what was
// missing, which customer message made it apply and which replies came
// from templates of other categories; it never copies message text.
func TestTemplateUsedEvidence(t *testing.T) {
	tr := QaTranscript{
		Channel: ChannelWebchat, StartedAt: qaT0, ArrivedAt: qaT0, ClosedAt: qaT0.Add(time.Hour), Disposition: DispositionResolved,
		Messages: []QaMessage{
			msg("c1", false, 0, "Where is my parcel?", "where is my parcel"),
			msg("a1", true, 30, "Hello, let me check.", "hello let me check"),
		},
		TemplateUses: []QaTemplateUse{{MessageID: "a1", TemplateID: "tpl-greeting-en", Version: 2, Category: "greeting"}},
	}
	c := QaCriterion{ID: "delivery_template", Kind: QaTemplateUsed, Weight: 10, Categories: []string{"delivery"}, CustomerPhrases: []string{"parcel"}}
	got := EvaluateScorecard(Scorecard{ID: "s", Criteria: []QaCriterion{c}}, tr, DefaultSentimentLexicon())[0]
	want := []QaEvidence{
		{Note: "no reply from an approved template of category delivery"},
		{MessageID: "c1", Phrase: "parcel", Note: "customer raised the topic"},
		{MessageID: "a1", Note: "template tpl-greeting-en v2 (greeting): category not listed"},
	}
	if got.Result != QaFail || len(got.Evidence) != len(want) {
		t.Fatalf("result %s, evidence %+v; want FAIL with %+v", got.Result, got.Evidence, want)
	}
	for i := range want {
		if got.Evidence[i] != want[i] {
			t.Errorf("evidence %d: %+v, want %+v", i, got.Evidence[i], want[i])
		}
	}
}
