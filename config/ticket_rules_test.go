package config_test

import (
	"testing"

	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
)

func TestParseTicketRules(t *testing.T) {
	rules, err := config.ParseTicketRules([]byte(`rules:
  - {name: refund, keywords: [退款, refund], category: complaint, priority: urgent}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Category != domain.CategoryComplaint || rules[0].Priority != domain.PriorityUrgent {
		t.Fatalf("rules %+v", rules)
	}
	for _, bad := range []string{"rules: [", "rules: []", `rules: [{name: x, keywords: [a], category: nope}]`} {
		if _, err := config.ParseTicketRules([]byte(bad)); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%q: err = %v, want EINVALID", bad, err)
		}
	}
	for _, r := range domain.DefaultTicketRules() {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
	}
}
