package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/projections"
	"github.com/interactionledger/ledger/ui/app"
)

// TestDesktopKnowledgeEditorInBrowser: a supervisor previews a new
// article's Markdown (rendered, its raw HTML inert), then authors a reply
// template from the supervisor workspace as a user would: a new Chinese
// template whose unknown variable {{custmer.name}} the server refuses
// (its words shown beside the form, nothing recorded); the variable
// inserted from its chip instead; saved as a draft, published, revised
// (the first version still live until the revision is published),
// published again and retired with a reason. The item's stream holds two
// KnowledgeDrafted, two KnowledgePublished and a KnowledgeRetired with
// the reason, and a search no longer finds it. The editor is checked
// and photographed in English and in Chinese.
func TestDesktopKnowledgeEditorInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	page.EmulateFocus()
	h := startAPI(t)
	addUser(t, h.dir, "sup", "supervisor", testPassword)
	base := "http://" + h.srv.addr

	signInEnglish(t, page, base, "sup")
	page.WaitJS("the knowledge editor", `location.pathname === "/supervisor" && document.querySelector("#kb-editor-title")?.textContent === "Knowledge"`, 15*time.Second)
	page.WaitJS("the empty list", `document.querySelector(".kb-editor-list [role=status]")?.textContent === "No item matches."`, 10*time.Second)

	// typeInto types text into a field at its end, as keys.
	typeInto := func(selector, text string) {
		t.Helper()
		page.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.setSelectionRange(e.value.length, e.value.length); })()`, selector)),
			chromedp.KeyEvent(text))
	}
	// replaceIn selects a field's text and types over it.
	replaceIn := func(selector, text string) {
		t.Helper()
		page.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.select(); })()`, selector)),
			chromedp.KeyEvent(text))
	}
	value := func(selector string) string {
		return browsertest.Eval[string](page, fmt.Sprintf(`document.querySelector(%q).value`, selector))
	}

	// A new article's Markdown previews safely (markdown-it, raw HTML off).
	clickJS(t, page, `.kb-new button:nth-child(1)`)
	page.WaitJS("the new article's form", `document.querySelector(".kb-form h3")?.textContent === "New article" && !document.querySelector(".kb-var")`, 10*time.Second)
	typeInto("#kb-new-body", "# 退款\n\n- 七天内可退 <img src=x onerror=\"window.__xss=1\">")
	clickJS(t, page, `.kb-form button[aria-controls="kb-new-preview"]`)
	page.WaitJS("the preview", `document.querySelector("#kb-new-preview h4")?.textContent === "退款" && !!document.querySelector("#kb-new-preview li")`, 10*time.Second)
	if !browsertest.Eval[bool](page, `!document.querySelector("#kb-new-preview img") && window.__xss === undefined && document.querySelector("#kb-new-preview li").textContent.includes("<img")`) {
		t.Errorf("the preview: %s", browsertest.Eval[string](page, `document.querySelector("#kb-new-preview").innerHTML`))
	}

	// A new template; a misspelt variable is refused by the server.
	clickJS(t, page, `.kb-new button:nth-child(2)`)
	page.WaitJS("the new template's form", `document.querySelector(".kb-form h3")?.textContent === "New reply template" && !!document.querySelector(".kb-var")`, 10*time.Second)
	typeInto("#kb-new-title", "订单延迟致歉")
	typeInto("#kb-new-cat", "delivery")
	typeInto("#kb-new-tags", "物流, 延迟")
	clickJS(t, page, `.kb-channels input[value="WECHAT"]`)
	typeInto("#kb-new-body", "{{custmer.name}}您好，您的订单因物流原因延迟。")
	if got := value("#kb-new-lang"); got != "zh" {
		t.Errorf("a new item's language: %q, want zh", got)
	}
	before, err := h.srv.store.HeadPosition(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	clickJS(t, page, `.kb-form button[type="submit"]`)
	page.WaitJS("the server's refusal", `document.querySelector(".kb-form [data-kb-error]")?.textContent.includes("unknown variable {{custmer.name}}")`, 10*time.Second)
	if got := browsertest.Eval[string](page, `document.querySelector(".kb-form [data-kb-error]").textContent`); !strings.HasPrefix(got, "The server refused it: ") {
		t.Errorf("the refusal reads %q", got)
	}
	if after, err := h.srv.store.HeadPosition(h.ctx); err != nil || after != before {
		t.Fatalf("a refused draft moved the ledger from %d to %d (%v)", before, after, err)
	}

	// The variable from its chip instead.
	replaceIn("#kb-new-body", "x")
	page.Do(chromedp.KeyEvent("\b"))
	page.WaitJS("the body emptied", `document.querySelector("#kb-new-body").value === ""`, 10*time.Second)
	clickJS(t, page, `.kb-var[data-variable="customer.displayName"]`)
	page.WaitJS("the variable inserted", `document.querySelector("#kb-new-body").value === "{{customer.displayName}}" && document.activeElement.id === "kb-new-body" && document.activeElement.selectionStart === 24`, 10*time.Second)
	page.Do(chromedp.KeyEvent("您好，您的订单因物流原因延迟，我们已加急处理。"))
	const v1 = "{{customer.displayName}}您好，您的订单因物流原因延迟，我们已加急处理。"
	if got := value("#kb-new-body"); got != v1 {
		t.Fatalf("the body reads %q", got)
	}
	clickJS(t, page, `.kb-form button[type="submit"]`)
	page.WaitJS("the draft", `document.querySelector("[data-kb-detail]")?.dataset.status === "DRAFT"`, 10*time.Second)
	id := browsertest.Eval[string](page, `document.querySelector("[data-kb-detail]").dataset.kbDetail`)
	p := "#kb-" + id
	page.WaitJS("the draft's status, in words", `document.querySelector("[data-kb-detail] .kb-summary .kb-status").textContent === "Draft"`, 10*time.Second)
	page.WaitJS("the draft in the list", fmt.Sprintf(`document.querySelector('tr[data-kb-item=%q]')?.dataset.status === "DRAFT"`, id), 10*time.Second)

	// Published.
	clickJS(t, page, `.kb-actions button:nth-child(2)`)
	page.WaitJS("published", `document.querySelector("[data-kb-detail]")?.dataset.status === "PUBLISHED" && !!document.querySelector('tr[data-kb-version="1"][data-live]')`, 10*time.Second)
	page.WaitJS("the note", `document.querySelector(".kb-item-detail > .ok").textContent === "Version 1 is live."`, 10*time.Second)

	// Revised: a new version, the first still live until it is published.
	page.WaitJS("the editor on version 1", fmt.Sprintf(`document.querySelector(%q)?.value === %q`, p+"-body", v1), 10*time.Second)
	typeInto(p+"-body", "另赠运费券一张。")
	clickJS(t, page, `.kb-form button[type="submit"]`)
	page.WaitJS("the revision saved", `!!document.querySelector('tr[data-kb-version="2"]') && !!document.querySelector("[data-kb-pending]")`, 10*time.Second)
	if !browsertest.Eval[bool](page, `document.querySelector("[data-kb-detail]").dataset.status === "PUBLISHED" && !!document.querySelector('tr[data-kb-version="1"][data-live]') && !document.querySelector('tr[data-kb-version="2"][data-live]')`) {
		t.Errorf("after saving the revision: %s", browsertest.Eval[string](page, `document.querySelector("[data-kb-detail]").innerText`))
	}
	h.settle()
	if hits := search(t, h, "加急"); len(hits) != 1 || hits[0].ID != id || hits[0].Version != 1 {
		t.Errorf("with a revision waiting, a search finds %+v, want version 1 of %s", hits, id)
	}
	page.WaitJS("the list up to date", fmt.Sprintf(`document.querySelector('tr[data-kb-item=%q]')?.dataset.status === "PUBLISHED"`, id), 10*time.Second)
	page.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector(".kb-editor").scrollIntoView({block: "start"})`))
	page.AssertAccessible("the knowledge editor with a revision waiting")
	page.Screenshot("docs/screenshots/desktop-knowledge.png")

	// In Chinese.
	page.Do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#locale"); s.value = "zh-CN"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	page.WaitJS("the editor in Chinese", `document.querySelector("#kb-editor-title")?.textContent === "知识库" && document.documentElement.lang === "zh-CN"`, 10*time.Second)
	if got := browsertest.Eval[string](page, `[...document.querySelectorAll(".kb-actions button")].map(b => b.textContent).join("|") + "|" + document.querySelector("[data-kb-detail] .kb-status").textContent`); got != "保存草稿|发布|停用…|已发布" {
		t.Errorf("the editor in Chinese reads %q", got)
	}
	page.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector(".kb-editor").scrollIntoView({block: "start"})`))
	page.AssertAccessible("the knowledge editor in Chinese")
	page.Screenshot("docs/screenshots/desktop-knowledge-zh.png")

	// The revision published.
	clickJS(t, page, `.kb-actions button:nth-child(2)`)
	page.WaitJS("the revision live", `document.querySelector("[data-kb-detail]")?.dataset.status === "REVISED" && !!document.querySelector('tr[data-kb-version="2"][data-live]')`, 10*time.Second)
	if got := browsertest.Eval[string](page, `document.querySelector("[data-kb-detail] .kb-status").textContent`); got != "已修订" {
		t.Errorf("the revised status reads %q", got)
	}

	// Retired, with a reason (asked for first).
	clickJS(t, page, `.kb-actions .kb-retire`)
	page.WaitJS("the reason asked for", fmt.Sprintf(`!!document.querySelector(%q)`, p+"-reason"), 10*time.Second)
	clickJS(t, page, `.kb-retire-form .kb-retire`)
	page.WaitJS("a reason required", `document.querySelector(".kb-form .error")?.textContent === "请填写停用原因。"`, 10*time.Second)
	const reason = "物流合作方已更换"
	typeInto(p+"-reason", reason)
	clickJS(t, page, `.kb-retire-form .kb-retire`)
	page.WaitJS("retired", `document.querySelector("[data-kb-detail]")?.dataset.status === "RETIRED" && !!document.querySelector("[data-kb-retired]")`, 10*time.Second)
	if got := browsertest.Eval[string](page, `document.querySelector("[data-kb-retired]").textContent`); !strings.Contains(got, reason) {
		t.Errorf("the retired item reads %q", got)
	}

	// The ledger.
	recs, err := h.srv.store.ReadStream(h.ctx, domain.KnowledgeStream(id), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	var retired domain.KnowledgeRetired
	var bodies []string
	for _, r := range recs {
		counts[r.Type]++
		e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
		if err != nil {
			t.Fatalf("decode %s: %v", r.Type, err)
		}
		switch e := e.(type) {
		case domain.KnowledgeRetired:
			retired = e
		case domain.KnowledgeDrafted:
			bodies = append(bodies, e.Content.Body)
			if e.Content.Language != "zh" || e.Content.Category != "delivery" || e.Kind != domain.KnowledgeTemplate ||
				len(e.Content.Channels) != 1 || e.Content.Channels[0] != domain.ChannelWeChat || len(e.Content.Tags) != 2 || e.By != "supervisor:sup" {
				t.Errorf("drafted %+v", e)
			}
		}
	}
	if counts["KnowledgeDrafted"] != 2 || counts["KnowledgePublished"] != 2 || counts["KnowledgeRetired"] != 1 || len(recs) != 5 {
		t.Errorf("the item's stream holds %v", counts)
	}
	if len(bodies) == 2 && (bodies[0] != v1 || bodies[1] != v1+"另赠运费券一张。") {
		t.Errorf("the versions read %q", bodies)
	}
	if retired.Reason != reason {
		t.Errorf("retired %+v, want the reason %q", retired, reason)
	}
	h.settle()
	if hits := search(t, h, "加急"); len(hits) != 0 {
		t.Errorf("the retired template is still found: %+v", hits)
	}
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}

// search finds live knowledge in the server's read model.
func search(t *testing.T, h *apiHarness, text string) []projections.KnowledgeHit {
	t.Helper()
	hits, err := h.srv.readDB.SearchKnowledge(h.ctx, projections.KnowledgeQuery{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}
