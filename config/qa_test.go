package config

import (
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

const yamlCards = `
scorecards:
  - id: chat
    appliesTo: {channels: [WEBCHAT], queues: [billing]}
    criteria:
      - {id: hello, kind: greeting, weight: 10, phrases: [hello, 您好]}
      - {id: fast, kind: first_response_time, weight: 5, maxSeconds: 60}
`

const jsonCards = `{"scorecards": [{"id": "chat", "appliesTo": {"channels": ["WEBCHAT"], "queues": ["billing"]},
  "criteria": [{"id": "hello", "kind": "greeting", "weight": 10, "phrases": ["hello", "您好"]},
               {"id": "fast", "kind": "first_response_time", "weight": 5, "maxSeconds": 60}]}]}`

func TestParseScorecards(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // error substring; "" for success
	}{
		{"yaml", yamlCards, ""},
		{"json", jsonCards, ""},
		{"misspelt key is an error", strings.Replace(yamlCards, "maxSeconds", "maxSecs", 1), "unknown field"},
		{"json misspelt key", strings.Replace(jsonCards, `"weight": 5`, `"wieght": 5`, 1), "unknown field"},
		{"invalid rule", strings.Replace(yamlCards, "kind: greeting", "kind: vibes", 1), "unknown rule"},
		{"duplicate scorecard", "scorecards: [{id: a, criteria: [{id: r, kind: resolution, weight: 1}]}, {id: a, criteria: [{id: r, kind: resolution, weight: 1}]}]", "used twice"},
		{"empty", "", "no scorecards"},
		{"not a list", "scorecards: 3", "cannot unmarshal"},
		{"broken yaml", "scorecards: [", "scorecard file"},
		{"trailing json", jsonCards + "{}", "after the top-level"},
		{"non-string keys", "scorecards:\n  - {1: a}", "keys must be strings"},
		{"template criterion misspelt key", "scorecards: [{id: a, criteria: [{id: t, kind: template_used, weight: 1, category: [delivery]}]}]", "unknown field"},
		{"template criterion with phrases", "scorecards: [{id: a, criteria: [{id: t, kind: template_used, weight: 1, phrases: [快递]}]}]", "not phrases"},
		{"categories on another rule", "scorecards: [{id: a, criteria: [{id: r, kind: resolution, weight: 1, categories: [delivery]}]}]", "belong to rule template_used"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cards, err := ParseScorecards([]byte(tc.input))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				want := domain.Scorecard{ID: "chat", AppliesTo: domain.QaScope{Channels: []domain.Channel{"WEBCHAT"}, Queues: []string{"billing"}}}
				if len(cards) != 1 || cards[0].ID != want.ID || cards[0].AppliesTo.Queues[0] != "billing" || cards[0].Criteria[1].MaxSeconds != 60 || cards[0].Criteria[0].Phrases[1] != "您好" {
					t.Fatalf("parsed %+v", cards)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error code %q, want %q", domain.ErrorCode(err), domain.EINVALID)
			}
		})
	}
}

func TestDefaultScorecardsParse(t *testing.T) {
	cards := DefaultScorecards()
	if len(cards) < 2 {
		t.Fatalf("%d default scorecards", len(cards))
	}
	for _, ch := range domain.Channels {
		n := 0
		for _, c := range cards {
			if c.Applies(ch, "general") {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no default scorecard scores %s interactions", ch)
		}
	}
}

// FuzzParseScorecards: any input is parsed or refused with an EINVALID
// error, never a panic, and whatever parses is valid.
func FuzzParseScorecards(f *testing.F) {
	for _, seed := range []string{yamlCards, jsonCards, string(defaultScorecards), "", "{}", "scorecards: []", "- a\n- b", "scorecards: [{id: x}]", "&a [*a]", "{\"scorecards\": null}"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cards, err := ParseScorecards(data)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v has code %q", err, domain.ErrorCode(err))
			}
			return
		}
		for _, c := range cards {
			if err := c.Validate(); err != nil {
				t.Fatalf("parsed an invalid scorecard: %v", err)
			}
		}
	})
}

// TestDefaultScorecardsTemplateExample: the commented template_used
// example at the end of the default scorecards file parses once
// uncommented beside the defaults, while the defaults themselves hold no
// template_used criterion (it is optional: existing scores do not move).
func TestDefaultScorecardsTemplateExample(t *testing.T) {
	for _, c := range DefaultScorecards() {
		for _, cr := range c.Criteria {
			if cr.Kind == domain.QaTemplateUsed {
				t.Fatalf("default scorecard %s scores %s: the criterion is meant to be optional", c.ID, cr.ID)
			}
		}
	}
	src := string(defaultScorecards)
	start := strings.Index(src, "#  - id: delivery_templates")
	if start < 0 {
		t.Fatal("the example is missing from default_scorecards.yaml")
	}
	var example []string
	for _, line := range strings.Split(src[start:], "\n") {
		if line == "" {
			continue
		}
		example = append(example, strings.TrimPrefix(line, "#"))
	}
	cards, err := ParseScorecards([]byte(src + strings.Join(example, "\n") + "\n"))
	if err != nil {
		t.Fatalf("the uncommented example does not parse: %v", err)
	}
	last := cards[len(cards)-1]
	if len(cards) != len(DefaultScorecards())+1 || last.ID != "delivery_templates" || last.Criteria[0].Kind != domain.QaTemplateUsed ||
		last.Criteria[0].Categories[0] != "delivery" || len(last.Criteria[0].CustomerPhrases) == 0 {
		t.Fatalf("parsed %+v", last)
	}
}
