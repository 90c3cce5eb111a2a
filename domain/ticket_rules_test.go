package domain_test

import (
	"slices"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

var ticketRules = []domain.TicketRule{
	{Name: "complaint", Keywords: []string{"投诉", "complain", "unacceptable"}, Category: domain.CategoryComplaint},
	{Name: "fault", Keywords: []string{"故障", "无法", "not working", "outage"}, Category: domain.CategoryFaultReport},
	{Name: "suggestion", Keywords: []string{"建议", "suggest"}, Category: domain.CategorySuggestion},
	{Name: "urgent", Keywords: []string{"紧急", "urgent", "asap"}, Priority: domain.PriorityUrgent},
	{Name: "critical", Keywords: []string{"停机", "全部中断", "data loss"}, Priority: domain.PriorityCritical},
}

func TestClassifyTicket(t *testing.T) {
	cases := []struct {
		name, subject, description string
		want                       domain.TicketClassification
	}{
		{"no rule matches", "Where is my parcel", "", domain.TicketClassification{}},
		{"a Chinese complaint", "我要投诉你们的客服", "", domain.TicketClassification{Category: domain.CategoryComplaint, Matched: []string{"complaint"}}},
		{"an English complaint, any case", "I want to COMPLAIN", "", domain.TicketClassification{Category: domain.CategoryComplaint, Matched: []string{"complaint"}}},
		{"a keyword inside a longer word", "Complaints department", "", domain.TicketClassification{Category: domain.CategoryComplaint, Matched: []string{"complaint"}}},
		{"the keyword may be in the description", "宽带", "家里宽带无法上网", domain.TicketClassification{Category: domain.CategoryFaultReport, Matched: []string{"fault"}}},
		{"the first category wins, priority comes from another rule", "紧急投诉：宽带故障", "",
			domain.TicketClassification{Category: domain.CategoryComplaint, Priority: domain.PriorityUrgent, Matched: []string{"complaint", "fault", "urgent"}}},
		{"the highest priority wins", "URGENT: data loss", "", domain.TicketClassification{Priority: domain.PriorityCritical, Matched: []string{"urgent", "critical"}}},
		{"full-width letters match", "ＵＲＧＥＮＴ please", "", domain.TicketClassification{Priority: domain.PriorityUrgent, Matched: []string{"urgent"}}},
		{"spacing differences do not matter", "it is not    working", "", domain.TicketClassification{Category: domain.CategoryFaultReport, Matched: []string{"fault"}}},
		{"a line break between words still matches", "not", "working", domain.TicketClassification{Category: domain.CategoryFaultReport, Matched: []string{"fault"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := domain.ClassifyTicket(ticketRules, tc.subject, tc.description)
			if got.Category != tc.want.Category || got.Priority != tc.want.Priority || !slices.Equal(got.Matched, tc.want.Matched) {
				t.Fatalf("ClassifyTicket(%q, %q) = %+v, want %+v", tc.subject, tc.description, got, tc.want)
			}
		})
	}
}

func TestApplyTicketRules(t *testing.T) {
	cases := []struct {
		name         string
		cmd          domain.OpenTicket
		wantCategory domain.TicketCategory
		wantPriority domain.Priority
	}{
		{"rules fill an unset category and priority", domain.OpenTicket{Subject: "紧急投诉"}, domain.CategoryComplaint, domain.PriorityUrgent},
		{"the default INQUIRY gives way to a rule", domain.OpenTicket{Subject: "投诉", Category: domain.CategoryInquiry}, domain.CategoryComplaint, ""},
		{"a chosen category is kept", domain.OpenTicket{Subject: "投诉", Category: domain.CategorySuggestion}, domain.CategorySuggestion, ""},
		{"a chosen higher priority is kept", domain.OpenTicket{Subject: "urgent", Priority: domain.PriorityCritical}, domain.CategoryInquiry, domain.PriorityCritical},
		{"a rule raises a lower priority", domain.OpenTicket{Subject: "停机了", Priority: domain.PriorityNormal}, domain.CategoryInquiry, domain.PriorityCritical},
		{"nothing matches: an inquiry", domain.OpenTicket{Subject: "hello"}, domain.CategoryInquiry, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := domain.ApplyTicketRules(ticketRules, tc.cmd)
			if got.Category != tc.wantCategory || got.Priority != tc.wantPriority {
				t.Fatalf("got category %q priority %q, want %q %q", got.Category, got.Priority, tc.wantCategory, tc.wantPriority)
			}
		})
	}
}

func TestTicketRuleValidate(t *testing.T) {
	bad := []domain.TicketRule{
		{Name: "no keywords", Category: domain.CategoryComplaint},
		{Name: "blank keyword", Keywords: []string{"  "}, Category: domain.CategoryComplaint},
		{Name: "sets nothing", Keywords: []string{"x"}},
		{Name: "bad category", Keywords: []string{"x"}, Category: "ANGRY"},
		{Name: "bad priority", Keywords: []string{"x"}, Priority: "SOON"},
	}
	for _, r := range bad {
		if err := r.Validate(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: Validate() = %v, want EINVALID", r.Name, err)
		}
	}
	for _, r := range ticketRules {
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", r.Name, err)
		}
	}
}
