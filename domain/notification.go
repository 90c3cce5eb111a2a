package domain

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// NotifyAgent is the AgentID of messages the ledger sends on its own
// (ticket notifications, self-service answers): they are not an agent's
// response, for SLA and QA alike.
const NotifyAgent = "system:notify"

// WrittenChannel reports whether a customer can be written to on c (every
// channel but the phone).
func WrittenChannel(c Channel) bool { return c.Valid() && c != ChannelPhone }

// Language is the language a customer is written to in.
type Language string

// Languages of notifications.
const (
	LanguageEnglish Language = "en"
	LanguageChinese Language = "zh"
)

// LanguageOf guesses the language to answer text in: Chinese when it has
// any Han character, English otherwise.
func LanguageOf(text string) Language {
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return LanguageChinese
		}
	}
	return LanguageEnglish
}

// TicketNotice is what happened to a ticket that the customer is told.
type TicketNotice string

// Ticket notices.
const (
	NoticeOpened          TicketNotice = "OPENED"
	NoticeInProgress      TicketNotice = "IN_PROGRESS"
	NoticePendingCustomer TicketNotice = "PENDING_CUSTOMER"
	NoticeResolved        TicketNotice = "RESOLVED"
	NoticeReopened        TicketNotice = "REOPENED"
)

// TicketNoticeFor returns the notice a ticket event calls for, if any.
// Assignment and internal changes (notes, priority, collaborators) are not
// the customer's business.
func TicketNoticeFor(e Event) (ticketID string, notice TicketNotice, detail string, ok bool) {
	switch e := e.(type) {
	case TicketOpened:
		return e.TicketID, NoticeOpened, "", true
	case TicketStatusChanged:
		switch e.To {
		case TicketStatusInProgress:
			return e.TicketID, NoticeInProgress, "", true
		case TicketStatusPendingCustomer:
			return e.TicketID, NoticePendingCustomer, e.Reason, true
		}
	case TicketResolved:
		return e.TicketID, NoticeResolved, e.Resolution, true
	case TicketReopened:
		return e.TicketID, NoticeReopened, e.Reason, true
	}
	return "", "", "", false
}

// TicketNoticeText is the message telling the customer about a ticket, in
// the language of the ticket's subject. It names the ticket by number and
// says how to ask for its status by text message.
func TicketNoticeText(t Ticket, notice TicketNotice, detail string) string {
	detail = strings.TrimSpace(detail)
	if LanguageOf(t.Subject) == LanguageChinese {
		var s string
		switch notice {
		case NoticeOpened:
			s = fmt.Sprintf("您的工单 %s 已受理：%s。", t.Number, t.Subject)
		case NoticeInProgress:
			s = fmt.Sprintf("您的工单 %s 正在处理中。", t.Number)
		case NoticePendingCustomer:
			s = fmt.Sprintf("您的工单 %s 需要您补充信息", t.Number) + suffix("：", detail, "。")
		case NoticeResolved:
			s = fmt.Sprintf("您的工单 %s 已解决", t.Number) + suffix("：", detail, "。")
		case NoticeReopened:
			s = fmt.Sprintf("您的工单 %s 已重新打开，我们会继续处理。", t.Number)
		}
		return s + fmt.Sprintf("回复“查询 %s”可随时了解进度。", t.Number)
	}
	var s string
	switch notice {
	case NoticeOpened:
		s = fmt.Sprintf("We have received your request (ticket %s: %s).", t.Number, t.Subject)
	case NoticeInProgress:
		s = fmt.Sprintf("We are working on your ticket %s.", t.Number)
	case NoticePendingCustomer:
		s = fmt.Sprintf("Your ticket %s needs information from you", t.Number) + suffix(": ", detail, ".")
	case NoticeResolved:
		s = fmt.Sprintf("Your ticket %s has been resolved", t.Number) + suffix(": ", detail, ".")
	case NoticeReopened:
		s = fmt.Sprintf("Your ticket %s has been reopened; we are on it again.", t.Number)
	}
	return s + fmt.Sprintf(" Reply STATUS %s to check on it at any time.", t.Number)
}

// suffix renders an optional detail: sep+detail+end, or just end.
func suffix(sep, detail, end string) string {
	if detail == "" {
		return end
	}
	return sep + strings.TrimRight(detail, ".。") + end
}

// PromiseConfirmationText is the written confirmation of what an agent
// promised on a call.
func PromiseConfirmationText(promise string, lang Language) string {
	promise = strings.TrimSpace(promise)
	if lang == LanguageChinese {
		return "您好，确认我们在电话中的承诺：" + promise
	}
	return "Hello, to confirm in writing what we promised on the phone: " + promise
}

// statusQuery matches a self-service status query sent by text: a keyword
// (STATUS, 查询, 进度, 状态) and a ticket number (T and ten digits).
var statusQuery = regexp.MustCompile(`^(?i:status|ticket|查询|进度|状态|查询工单|工单)\s*[:：]?\s*(?i:(t\d{10}))$`)

// MaxStatusQueryBytes bounds the text ParseStatusQuery looks at: a status
// query is short; anything longer is a message for an agent.
const MaxStatusQueryBytes = 64

// ParseStatusQuery recognises a self-service status query ("STATUS
// T0123456789", "查询 T0123456789", full-width characters too) and returns
// the ticket number, upper case. Anything else is not a query (ok false)
// and goes to an agent as usual.
func ParseStatusQuery(text string) (number string, ok bool) {
	if len(text) > 4*MaxStatusQueryBytes {
		return "", false
	}
	folded := foldKeyword(text)
	if len(folded) > MaxStatusQueryBytes {
		return "", false
	}
	m := statusQuery.FindStringSubmatch(folded)
	if m == nil {
		return "", false
	}
	return strings.ToUpper(m[1]), true
}

// TicketStatusAnswer is the self-service answer about a ticket: its
// status and, once resolved, that it is.
func TicketStatusAnswer(t Ticket, lang Language) string {
	if lang == LanguageChinese {
		names := map[TicketStatus]string{
			TicketStatusNew: "已受理", TicketStatusAssigned: "已分派", TicketStatusInProgress: "处理中",
			TicketStatusPendingCustomer: "等待您的回复", TicketStatusResolved: "已解决", TicketStatusClosed: "已关闭",
			TicketStatusReopened: "已重新打开",
		}
		return fmt.Sprintf("工单 %s 当前状态：%s。", t.Number, names[t.Status])
	}
	names := map[TicketStatus]string{
		TicketStatusNew: "received", TicketStatusAssigned: "assigned to an agent", TicketStatusInProgress: "in progress",
		TicketStatusPendingCustomer: "waiting for your reply", TicketStatusResolved: "resolved", TicketStatusClosed: "closed",
		TicketStatusReopened: "reopened",
	}
	return fmt.Sprintf("Ticket %s is %s.", t.Number, names[t.Status])
}

// TicketStatusUnknownAnswer is the answer when the number is unknown or
// not the sender's: the same words either way, so the answer reveals
// nothing about tickets of others.
func TicketStatusUnknownAnswer(number string, lang Language) string {
	if lang == LanguageChinese {
		return fmt.Sprintf("未找到与您的号码匹配的工单 %s。", number)
	}
	return fmt.Sprintf("We found no ticket %s for your number.", number)
}
