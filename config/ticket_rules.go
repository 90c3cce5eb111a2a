package config

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/interactionledger/ledger/domain"
)

// LoadTicketRules reads keyword rules from a YAML or JSON file: a list of
// {name, keywords, category, priority}.
func LoadTicketRules(path string) ([]domain.TicketRule, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ticket rules: %w", err)
	}
	rules, err := ParseTicketRules(raw)
	if err != nil {
		return nil, fmt.Errorf("ticket rules %s: %w", path, err)
	}
	return rules, nil
}

// ParseTicketRules parses keyword rules (YAML or JSON) and validates them.
func ParseTicketRules(raw []byte) ([]domain.TicketRule, error) {
	var f struct {
		Rules []domain.TicketRule `yaml:"rules"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "parse: %v", err)
	}
	if len(f.Rules) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "no rules")
	}
	for i := range f.Rules {
		r := &f.Rules[i]
		r.Category = domain.TicketCategory(upper(string(r.Category)))
		r.Priority = domain.Priority(upper(string(r.Priority)))
		if err := r.Validate(); err != nil {
			return nil, err
		}
	}
	return f.Rules, nil
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
