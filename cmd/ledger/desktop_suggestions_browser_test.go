package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/ui/app"
)

// TestDesktopSuggestRepliesInBrowser is issue #16's desktop end to end, in
// Chromium against a real `ledger serve`: the knowledge base holds a
// published WeChat reply template in Chinese for late deliveries, using
// the customer's name and a ticket number, beside distractors (a refund
// template, the same wording for SMS, an English one, two articles, one
// of them with raw HTML and a javascript: link in its Markdown). A
// customer writes on WeChat; the agent opens the conversation and sees
// suggestions at once; types 订单延迟 in the reply box and the delivery
// template comes first, the words found highlighted in the article's
// snippet; the article opens, its Markdown rendered with none of its raw
// HTML. A template inserted (Alt+2) is forgotten when the box is emptied;
// Alt+1 inserts the delivery template with the customer's name filled and
// the missing ticket number selected, which the agent types over; the
// reply sent is a MessageSent followed by ReplyTemplateUsed naming the
// template and its version. The closing form offers the drafted summary;
// closed as offered, InteractionClosed says it was drafted and not edited.
// The panel is checked and photographed in English and in Chinese.
func TestDesktopSuggestRepliesInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	page.EmulateFocus()
	srv, base := startDesktopServer(t)
	cmds := commands.NewHandler(srv.store)
	supervisor := commands.Meta{Actor: "supervisor:s-1"}
	publish := func(kind domain.KnowledgeKind, c domain.KnowledgeContent) string {
		t.Helper()
		_, item, err := cmds.Knowledge(t.Context(), "", domain.DraftKnowledge{Kind: kind, Content: c}, supervisor)
		if err != nil {
			t.Fatalf("draft %q: %v", c.Title, err)
		}
		if _, _, err := cmds.Knowledge(t.Context(), item.ID, domain.PublishKnowledge{}, supervisor); err != nil {
			t.Fatalf("publish %q: %v", c.Title, err)
		}
		return item.ID
	}
	wechat := []domain.Channel{domain.ChannelWeChat}
	delay := publish(domain.KnowledgeTemplate, domain.KnowledgeContent{Title: "订单延迟", Language: "zh", Category: "delivery", Channels: wechat,
		Body: "{{customer.displayName}}您好，非常抱歉，您的订单因物流原因延迟，预计两天内送达。我们已登记跟进，编号 {{ticket.number}}。"})
	tracking := publish(domain.KnowledgeTemplate, domain.KnowledgeContent{Title: "订单查询", Language: "zh", Category: "delivery",
		Body: "{{customer.displayName}}您好，您的订单正在配送中，可在订单详情中查看物流进度。"})
	refund := publish(domain.KnowledgeTemplate, domain.KnowledgeContent{Title: "退款进度", Language: "zh", Category: "billing",
		Body: "{{customer.displayName}}您好，退款将在7个工作日内原路退回。"})
	smsDelay := publish(domain.KnowledgeTemplate, domain.KnowledgeContent{Title: "订单延迟（短信）", Language: "zh", Category: "delivery",
		Channels: []domain.Channel{domain.ChannelSMS}, Body: "您的订单延迟，两天内送达。"})
	english := publish(domain.KnowledgeTemplate, domain.KnowledgeContent{Title: "Order delayed", Language: "en", Category: "delivery", Channels: wechat,
		Body: "Hello {{customer.displayName}}, your order is delayed."})
	article := publish(domain.KnowledgeArticle, domain.KnowledgeContent{Title: "物流延迟处理流程", Language: "zh", Category: "delivery",
		Body: "# 处理步骤\n\n订单延迟超过三天：\n\n- 先查**物流**轨迹\n- 再联系仓库加急\n\n详见[物流查询](https://example.com/track)。\n\n" +
			"<img src=x onerror=\"window.__xss=1\"> [点我](javascript:window.__xss=2)\n"})
	publish(domain.KnowledgeArticle, domain.KnowledgeContent{Title: "发票开具说明", Language: "zh", Category: "billing",
		Body: "电子发票在订单完成后开具，可在订单详情中下载。"})

	// The agent signs in (English first) and goes available.
	signInAgentEnglish(t, page, base)
	page.WaitJS("the agent workspace", `!!document.querySelector("#inbox-title") && location.pathname === "/agent"`, 10*time.Second)
	page.WaitJS("the presence", `document.querySelector(".presence-now").dataset.presence === "OFFLINE"`, 10*time.Second)
	clickJS(t, page, `.presence .row button`) // Available
	page.WaitJS("presence available", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)

	// A customer writes on WeChat; they are known as 王芳.
	const question = "我的订单一周了还没到，是不是延迟了？"
	wechatMessage(t, base, "24000000000001601", "oWxLateOrder16", question)
	chat := interactionOn(t, srv, domain.ChannelWeChat)
	var customerID string
	eventually(t, "the WeChat interaction in the read model", func() bool {
		it, err := srv.readDB.Interaction(t.Context(), chat)
		customerID = it.CustomerID
		return err == nil && customerID != ""
	})
	if _, err := cmds.UpdateCustomer(t.Context(), customerID, domain.RenameCustomer{DisplayName: "王芳"}, commands.Meta{Actor: "agent:a-001"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the customer's name in the read model", func() bool {
		c, err := srv.readDB.Customer(t.Context(), customerID)
		return err == nil && c.DisplayName == "王芳"
	})
	entry := fmt.Sprintf(`[data-interaction=%q]`, chat)
	page.WaitJS("the WeChat interaction in the inbox", fmt.Sprintf(`!!document.querySelector('%s')`, entry), 30*time.Second)
	clickJS(t, page, entry)
	page.WaitJS("the customer's message", fmt.Sprintf(`[...document.querySelectorAll(".msg-IN")].some(m => m.textContent.includes(%q))`, question), 10*time.Second)

	// Suggestions come as the conversation opens, for the customer's words.
	templateAt := func(n int) string {
		return fmt.Sprintf(`document.querySelectorAll(".kb-templates > li")[%d]?.dataset.template`, n)
	}
	page.WaitJS("suggestions for the customer's message", templateAt(0)+` === `+fmt.Sprintf("%q", delay), 20*time.Second)

	// The agent types: the suggestions follow the draft.
	page.Do(chromedp.Focus(chromedp.CSS("#reply-text")), chromedp.KeyEvent("订单延迟"))
	page.WaitJS("the delivery template first for the draft", templateAt(0)+` === `+fmt.Sprintf("%q", delay)+
		` && document.querySelector("#reply-text").value === "订单延迟"`, 20*time.Second)
	page.WaitJS("the delivery article, the words found highlighted", fmt.Sprintf(`[...document.querySelectorAll(".kb-articles > li")].some(li =>
		li.dataset.article === %q && [...li.querySelectorAll(".kb-snippet mark")].some(m => m.textContent.includes("延迟")))`, article), 10*time.Second)
	// The snippet reads as text: the Markdown's syntax and addresses gone.
	if got := browsertest.Eval[string](page, fmt.Sprintf(`document.querySelector('.kb-articles [data-article=%q] .kb-snippet').textContent`, article)); strings.ContainsAny(got, "#*[]") || strings.Contains(got, "https://") || !strings.Contains(got, "物流查询") {
		t.Errorf("the article's snippet reads %q", got)
	}
	for _, id := range []string{smsDelay, english, refund} {
		if browsertest.Eval[bool](page, fmt.Sprintf(`!!document.querySelector('.kb-templates [data-template=%q]')`, id)) {
			t.Errorf("template %s (for SMS, in English, or about refunds) suggested for a late order on WeChat", id)
		}
	}
	first := browsertest.Eval[string](page, `document.querySelector(".kb-templates > li .kb-text").textContent`)
	if !strings.HasPrefix(first, "王芳您好") || !strings.Contains(first, "{{ticket.number}}") {
		t.Errorf("the delivery template shown as %q: want the customer's name filled and the ticket number left to fill", first)
	}
	if got := browsertest.Eval[string](page, `document.querySelector(".kb-templates > li mark.placeholder")?.textContent ?? ""`); !strings.Contains(got, "{{ticket.number}}") {
		t.Errorf("the missing variable is not marked: %q", got)
	}
	if got := browsertest.Eval[string](page, `document.querySelector(".kb-templates > li .kb-missing")?.textContent ?? ""`); got != "To fill in: the ticket number" {
		t.Errorf("the missing variables read %q", got)
	}

	// The article opens in place: Markdown rendered, its raw HTML shown as
	// text and its javascript: link refused.
	clickJS(t, page, fmt.Sprintf(`.kb-articles [data-article=%q] button.kb-open`, article))
	body := fmt.Sprintf(`document.querySelector('.kb-articles [data-article=%q] .kb-article .markdown')`, article)
	page.WaitJS("the article's body", `!!`+body, 10*time.Second)
	for what, js := range map[string]string{
		"a heading (moved under the panel's)": body + `.querySelector("h4")?.textContent === "处理步骤"`,
		"the list":                            body + `.querySelectorAll("li").length === 2 && !!` + body + `.querySelector("li strong")`,
		"the link, to a new tab":              body + `.querySelector('a[href="https://example.com/track"]')?.target === "_blank"`,
		"no image from the raw HTML":          `!` + body + `.querySelector("img, [onerror]")`,
		"the raw HTML as text":                body + `.textContent.includes('<img src=x onerror="window.__xss=1">')`,
		"no javascript: link":                 `![...` + body + `.querySelectorAll("a")].some(a => a.href.startsWith("javascript"))`,
		"nothing of the article ran":          `window.__xss === undefined`,
	} {
		if !browsertest.Eval[bool](page, js) {
			t.Errorf("the article's body: want %s; got %s", what, browsertest.Eval[string](page, body+`.innerHTML`))
		}
	}
	page.AssertAccessible("the suggestions with an article open")
	clickJS(t, page, fmt.Sprintf(`.kb-articles [data-article=%q] button.kb-open`, article)) // closed again

	// The panel, in English.
	page.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector("details.close").scrollIntoView({block: "end"})`))
	page.AssertAccessible("the reply suggestions")
	page.Screenshot("docs/screenshots/desktop-suggestions.png")

	// In Chinese: the same panel, labelled in Chinese; the draft stays.
	page.Do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#locale"); s.value = "zh-CN"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	page.WaitJS("the panel in Chinese", `document.querySelector("#kb-title")?.textContent === "推荐话术" && document.documentElement.lang === "zh-CN"`, 10*time.Second)
	if got := browsertest.Eval[string](page, `document.querySelector(".kb-templates > li button").textContent + "|" + document.querySelector(".kb-templates > li .kb-missing").textContent + "|" + document.querySelector("#kb-hint").textContent`); got != "插入|待填写：工单号|按 Alt+1 至 Alt+3 将话术插入回复框，发送前可修改。" {
		t.Errorf("the panel in Chinese reads %q", got)
	}
	page.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector("details.close").scrollIntoView({block: "end"})`))
	page.AssertAccessible("the reply suggestions in Chinese")
	page.Screenshot("docs/screenshots/desktop-suggestions-zh.png")

	// Alt+2 inserts the second suggestion in place of the draft and
	// remembers it; emptying the box forgets it.
	second := browsertest.Eval[string](page, templateAt(1)+` ?? ""`)
	if second != tracking {
		t.Fatalf("the second template suggested: %q, want the order tracking one (%s)", second, tracking)
	}
	secondText := browsertest.Eval[string](page, `document.querySelectorAll(".kb-templates > li .kb-text")[1].textContent`)
	page.Do(chromedp.Focus(chromedp.CSS("#reply-text")), chromedp.KeyEvent("2", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	page.WaitJS("the second template in the box", fmt.Sprintf(`document.querySelector("#reply-text").value === %q && document.querySelector(".from-template")?.dataset.template === %q`, secondText, second), 5*time.Second)
	page.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#reply-text").select()`), chromedp.KeyEvent(kb.Backspace))
	page.WaitJS("the template forgotten with the box emptied", `document.querySelector("#reply-text").value === "" && !document.querySelector(".from-template")`, 5*time.Second)

	// The agent types again and inserts the delivery template with Alt+1:
	// the customer's name filled, the focus in the box on the ticket
	// number to fill, which the agent types over.
	page.Do(chromedp.KeyEvent("订单延迟"))
	page.WaitJS("the delivery template first again", templateAt(0)+` === `+fmt.Sprintf("%q", delay)+` && !document.querySelector(".kb-templates[aria-busy=true]")`, 20*time.Second)
	page.Do(chromedp.KeyEvent("1", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	const filled = "王芳您好，非常抱歉，您的订单因物流原因延迟，预计两天内送达。我们已登记跟进，编号 {{ticket.number}}。"
	page.WaitJS("the delivery template in the box", fmt.Sprintf(`document.querySelector("#reply-text").value === %q`, filled), 5*time.Second)
	if got := browsertest.Eval[string](page, `(() => { const b = document.activeElement; return b.id + "|" + b.value.slice(b.selectionStart, b.selectionEnd); })()`); got != "reply-text|{{ticket.number}}" {
		t.Errorf("after inserting: focus and selection %q, want the reply box with {{ticket.number}} selected", got)
	}
	page.Do(chromedp.KeyEvent("T-2026"))
	reply := strings.Replace(filled, "{{ticket.number}}", "T-2026", 1)
	page.WaitJS("the ticket number typed over the variable", fmt.Sprintf(`document.querySelector("#reply-text").value === %q && document.querySelector(".from-template")?.dataset.template === %q`, reply, delay), 5*time.Second)
	page.Do(chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	page.WaitJS("the reply in the pane", fmt.Sprintf(`[...document.querySelectorAll(".msg-OUT")].some(m => m.textContent.includes(%q))`, reply), 20*time.Second)
	page.WaitJS("the box emptied, the template forgotten", `document.querySelector("#reply-text").value === "" && !document.querySelector(".from-template")`, 5*time.Second)

	// In the ledger: MessageSent with the text sent, then ReplyTemplateUsed
	// naming the template and the version inserted.
	// (Delivery attempts may follow them on the stream.)
	events := interactionEvents(t, srv, chat)
	at := slices.IndexFunc(events, func(e domain.Event) bool { s, ok := e.(domain.MessageSent); return ok && s.Text == reply })
	if at < 0 || at+1 >= len(events) {
		t.Fatalf("no MessageSent %q followed by an event in the interaction's stream: %#v", reply, events)
	}
	sent := events[at].(domain.MessageSent)
	if sent.AgentID != "a-001" {
		t.Errorf("the reply sent by %q, want a-001", sent.AgentID)
	}
	if used, ok := events[at+1].(domain.ReplyTemplateUsed); !ok || used.TemplateID != delay || used.Version != 1 || used.MessageID != sent.MessageID || used.Category != "delivery" {
		t.Fatalf("after the reply: %#v, want ReplyTemplateUsed of %s version 1", events[at+1], delay)
	}
	if c := countEvents(t, srv, "ReplyTemplateUsed"); c != 1 {
		t.Errorf("%d ReplyTemplateUsed in the ledger, want the one reply's", c)
	}

	// Close from the page: the summary field holds the draft, kept as it is.
	clickJS(t, page, `details.close > summary`)
	page.WaitJS("the drafted summary", `document.querySelector("#close-summary").value.startsWith("客户：") && document.querySelector("#close-summary-note").textContent.includes("摘要草稿")`, 20*time.Second)
	draft := browsertest.Eval[string](page, `document.querySelector("#close-summary").value`)
	if !strings.Contains(draft, "坐席：") {
		t.Errorf("the drafted summary %q: want the customer's and the agent's lines", draft)
	}
	page.AssertAccessible("the closing form with a drafted summary")
	clickJS(t, page, `details.close button[type="submit"]`)
	page.WaitJS("the inbox emptied", `document.querySelectorAll(".inbox li").length === 0`, 20*time.Second)
	events = interactionEvents(t, srv, chat)
	at = slices.IndexFunc(events, func(e domain.Event) bool { _, ok := e.(domain.InteractionClosed); return ok })
	if at < 0 {
		t.Fatalf("no InteractionClosed in the interaction's stream")
	}
	if closed := events[at].(domain.InteractionClosed); !closed.SummaryDrafted || closed.SummaryEdited || closed.Summary != draft {
		t.Errorf("closed: %#v, want the summary %q drafted and not edited", closed, draft)
	}
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}

// interactionEvents reads and decodes an interaction's stream.
func interactionEvents(t *testing.T, srv *server, id string) []domain.Event {
	t.Helper()
	recs, err := srv.store.ReadStream(t.Context(), domain.InteractionStream(id), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]domain.Event, len(recs))
	for i, r := range recs {
		if out[i], err = domain.DecodeEvent(r.Type, r.Schema, r.Data); err != nil {
			t.Fatalf("decode %s: %v", r.Type, err)
		}
	}
	return out
}
