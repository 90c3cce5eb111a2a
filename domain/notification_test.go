package domain_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

func TestParseStatusQuery(t *testing.T) {
	cases := []struct {
		text, want string
		ok         bool
	}{
		{"STATUS T0123456789", "T0123456789", true},
		{"status t0123456789", "T0123456789", true},
		{"  Status:T0123456789 ", "T0123456789", true},
		{"查询 T0123456789", "T0123456789", true},
		{"查询T0123456789", "T0123456789", true},
		{"进度：t0123456789", "T0123456789", true},
		{"查询工单 T0123456789", "T0123456789", true},
		{"ＳＴＡＴＵＳ　Ｔ０１２３４５６７８９", "T0123456789", true}, // full width, ideographic space
		{"ticket T0123456789", "T0123456789", true},
		{"STATUS T012345678", "", false},   // nine digits
		{"STATUS T01234567890", "", false}, // eleven digits
		{"STATUS", "", false},
		{"T0123456789", "", false},
		{"what is the status of T0123456789?", "", false}, // a question for an agent
		{"我想查询 T0123456789 的进度", "", false},
		{"", "", false},
		{strings.Repeat("STATUS ", 100) + "T0123456789", "", false},
	}
	for _, tc := range cases {
		got, ok := domain.ParseStatusQuery(tc.text)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseStatusQuery(%q) = %q, %t; want %q, %t", tc.text, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseStatusQuery: any text from a provider is either not a query or
// yields a well-formed ticket number, and never panics.
func FuzzParseStatusQuery(f *testing.F) {
	for _, seed := range []string{"STATUS T0123456789", "查询 T0123456789", "ＳＴＡＴＵＳ　Ｔ０１２３４５６７８９", "\xff\xfe", "status t", strings.Repeat("查询", 200)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		number, ok := domain.ParseStatusQuery(text)
		if !ok {
			if number != "" {
				t.Fatalf("no query but number %q", number)
			}
			return
		}
		if len(number) != 11 || number[0] != 'T' || strings.Trim(number[1:], "0123456789") != "" {
			t.Fatalf("ParseStatusQuery(%q) = %q", text, number)
		}
	})
}

func TestTicketNoticeText(t *testing.T) {
	zh := domain.Ticket{Number: "T0000000001", Subject: "宽带故障", Status: domain.TicketStatusInProgress}
	en := domain.Ticket{Number: "T0000000002", Subject: "Broadband down", Status: domain.TicketStatusResolved}
	cases := []struct {
		ticket domain.Ticket
		notice domain.TicketNotice
		detail string
		want   []string
	}{
		{zh, domain.NoticeOpened, "", []string{"T0000000001", "已受理", "宽带故障", "查询 T0000000001"}},
		{zh, domain.NoticeResolved, "已更换光猫。", []string{"已解决：已更换光猫。"}},
		{zh, domain.NoticePendingCustomer, "", []string{"需要您补充信息。"}},
		{en, domain.NoticeOpened, "", []string{"received your request", "T0000000002", "Broadband down", "STATUS T0000000002"}},
		{en, domain.NoticeResolved, "Router replaced.", []string{"has been resolved: Router replaced."}},
		{en, domain.NoticeInProgress, "", []string{"working on your ticket T0000000002"}},
		{en, domain.NoticeReopened, "", []string{"reopened"}},
	}
	for _, tc := range cases {
		got := domain.TicketNoticeText(tc.ticket, tc.notice, tc.detail)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s: %q lacks %q", tc.ticket.Number, tc.notice, got, w)
			}
		}
		if !utf8.ValidString(got) {
			t.Errorf("invalid UTF-8: %q", got)
		}
	}
}

func TestTicketNoticeFor(t *testing.T) {
	cases := []struct {
		e      domain.Event
		notice domain.TicketNotice
		ok     bool
	}{
		{domain.TicketOpened{TicketID: "t"}, domain.NoticeOpened, true},
		{domain.TicketStatusChanged{TicketID: "t", To: domain.TicketStatusInProgress}, domain.NoticeInProgress, true},
		{domain.TicketStatusChanged{TicketID: "t", To: domain.TicketStatusPendingCustomer}, domain.NoticePendingCustomer, true},
		{domain.TicketResolved{TicketID: "t"}, domain.NoticeResolved, true},
		{domain.TicketReopened{TicketID: "t"}, domain.NoticeReopened, true},
		{domain.TicketAssigned{TicketID: "t"}, "", false},
		{domain.TicketNoteAdded{TicketID: "t"}, "", false},
		{domain.TicketEscalated{TicketID: "t"}, "", false},
	}
	for _, tc := range cases {
		_, notice, _, ok := domain.TicketNoticeFor(tc.e)
		if notice != tc.notice || ok != tc.ok {
			t.Errorf("%T: %q %t, want %q %t", tc.e, notice, ok, tc.notice, tc.ok)
		}
	}
}

func TestTicketStatusAnswers(t *testing.T) {
	tk := domain.Ticket{Number: "T0000000001", Status: domain.TicketStatusPendingCustomer}
	if got := domain.TicketStatusAnswer(tk, domain.LanguageEnglish); got != "Ticket T0000000001 is waiting for your reply." {
		t.Errorf("english answer %q", got)
	}
	if got := domain.TicketStatusAnswer(tk, domain.LanguageChinese); got != "工单 T0000000001 当前状态：等待您的回复。" {
		t.Errorf("chinese answer %q", got)
	}
	for _, s := range domain.TicketStatuses {
		if strings.Contains(domain.TicketStatusAnswer(domain.Ticket{Number: "T1", Status: s}, domain.LanguageEnglish), " is .") {
			t.Errorf("status %s has no English name", s)
		}
		if strings.HasSuffix(domain.TicketStatusAnswer(domain.Ticket{Number: "T1", Status: s}, domain.LanguageChinese), "：。") {
			t.Errorf("status %s has no Chinese name", s)
		}
	}
	if domain.LanguageOf("查询 T1") != domain.LanguageChinese || domain.LanguageOf("STATUS T1") != domain.LanguageEnglish {
		t.Error("LanguageOf")
	}
}
