package commands

import (
	"context"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/interactionledger/ledger/domain"
)

// DefaultTicketRules classify tickets by keywords in Chinese and English
// when no rules file is given.
func DefaultTicketRules() []domain.TicketRule {
	return []domain.TicketRule{
		{Name: "complaint", Category: domain.CategoryComplaint,
			Keywords: []string{"投诉", "不满", "差评", "太差", "骗", "complain", "complaint", "unacceptable", "disappointed", "rip-off"}},
		{Name: "fault", Category: domain.CategoryFaultReport,
			Keywords: []string{"故障", "无法", "不能用", "坏了", "打不开", "报错", "断网", "not working", "broken", "error", "outage", "crash", "cannot", "can't", "doesn't work"}},
		{Name: "suggestion", Category: domain.CategorySuggestion,
			Keywords: []string{"建议", "希望增加", "改进", "suggest", "suggestion", "feature request", "would be nice"}},
		{Name: "urgent", Priority: domain.PriorityUrgent,
			Keywords: []string{"紧急", "尽快", "马上", "urgent", "asap", "immediately"}},
		{Name: "critical", Priority: domain.PriorityCritical,
			Keywords: []string{"全部中断", "大面积", "停机", "安全事故", "数据丢失", "法律", "起诉", "lawsuit", "data loss", "security breach", "all down"}},
	}
}

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

// SetTicketRules sets the keyword rules that fill in a new ticket's
// category and priority (nil: none; a ticket then needs its category).
// Call it before serving.
func (h *Handler) SetTicketRules(rules []domain.TicketRule) {
	if rules == nil {
		h.ticketRules.Store(nil)
		return
	}
	h.ticketRules.Store(&rules)
}

// classify applies the ticket rules to a ticket about to be opened.
func (h *Handler) classify(cmd domain.OpenTicket) domain.OpenTicket {
	rules := h.ticketRules.Load()
	if rules == nil {
		return cmd
	}
	cmd, _ = domain.ApplyTicketRules(*rules, cmd)
	return cmd
}

// OpenTicketFromInteraction opens a ticket for the customer of an
// interaction on any channel, keeping the link to it (the ticket shows the
// conversation; the interaction's customer sees the ticket). Category and
// priority left empty are filled in by the ticket rules.
func (h *Handler) OpenTicketFromInteraction(ctx context.Context, interactionID string, cmd domain.OpenTicket, meta Meta) (Result, domain.Ticket, error) {
	it, err := h.LoadInteraction(ctx, interactionID)
	if err != nil {
		return Result{}, domain.Ticket{}, err
	}
	if cmd.CustomerID != "" && cmd.CustomerID != it.CustomerID {
		return Result{}, domain.Ticket{}, domain.Errorf(domain.EINVALID, "interaction %s belongs to another customer", interactionID)
	}
	cmd.CustomerID, cmd.InteractionID = it.CustomerID, interactionID
	return h.OpenTicket(ctx, cmd, meta)
}
