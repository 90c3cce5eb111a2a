package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/projections"
	"github.com/interactionledger/ledger/ui/app"
)

// TestDesktopAgentInBrowser drives the agent desktop in headless Chromium
// against a real `ledger serve` (web channels, router, outbound delivery,
// GraphQL and sign-in): the agent signs in through the page, goes
// available, an app customer's message is routed to them and shows in
// the inbox without a reload, counting down to its first-response SLA
// clock, the agent replies from the conversation pane (a MessageSent in
// the ledger, which fulfils the clock: the countdown goes; the customer's
// next message brings a next-response countdown), switches to Chinese and
// signs out.
// Screenshots go to docs/screenshots/; axe-core checks each screen.
func TestDesktopAgentInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	srv, base := startDesktopServer(t)
	cmds := commands.NewHandler(srv.store)

	// Sign-in: a wrong password reads as a sentence, in an alert.
	page.Do(chromedp.Navigate(base + "/"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)
	// The form can render a moment before the address moves to /signin.
	page.WaitJS("the signed-out page at /signin", `location.pathname === "/signin"`, 10*time.Second)
	page.AssertAccessible("sign-in page")
	page.Screenshot("docs/screenshots/desktop-signin.png")
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-subject"), "a-001"),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), "not the password"),
	)
	clickJS(t, page, `form button[type="submit"]`)
	page.WaitJS("the refusal", `document.querySelector('[role="alert"]').textContent.includes("password is wrong")`, 10*time.Second)
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
	)
	clickJS(t, page, `form button[type="submit"]`)
	page.WaitJS("the agent workspace", `!!document.querySelector("#inbox-title") && location.pathname === "/agent"`, 10*time.Second)
	page.WaitJS("the live connection", `document.querySelector(".conn.live") !== null`, 10*time.Second)

	// Presence: AVAILABLE through the page, in the ledger too.
	page.WaitJS("the presence", `document.querySelector(".presence-now").dataset.presence === "OFFLINE"`, 10*time.Second)
	clickJS(t, page, `.presence .row button`) // Available
	page.WaitJS("presence available", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)
	eventually(t, "the agent available in the ledger", func() bool {
		a, err := srv.readDB.Agent(t.Context(), "a-001")
		return err == nil && a.Presence == domain.PresenceAvailable
	})

	// A change made elsewhere (a supervisor, another tab) shows at once.
	if _, err := cmds.Agent(t.Context(), "a-001", domain.ChangePresence{Presence: domain.PresenceBreak, Reason: "training"},
		commands.Meta{Actor: "supervisor:s-1"}); err != nil {
		t.Fatal(err)
	}
	page.WaitJS("presence changed elsewhere", `document.querySelector(".presence-now").dataset.presence === "BREAK"`, 10*time.Second)
	clickJS(t, page, `.presence .row button`) // Available again
	page.WaitJS("presence available again", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)

	// The CRM knows the customer before they write: their plan shows in
	// the 360 when the conversation opens.
	if _, err := cmds.RecordBusinessFact(t.Context(), domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138011"},
		domain.RecordBusinessFact{Kind: domain.FactPlan, Source: "crm", ExternalID: "PL-5G", Version: 1, Tier: domain.TierVIP,
			Attributes: map[string]string{"planName": "Unlimited 5G", "monthlyFee": "¥298"}}, commands.Meta{Actor: "integration:crm"}); err != nil {
		t.Fatal(err)
	}

	// A customer writes in the app: routed to the agent, in the inbox
	// without a reload.
	page.Do(chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`))
	in := appMessage(t, base, "desk-1", "+8613800138011", "Where is my parcel?")
	page.WaitJS("the interaction in the inbox", fmt.Sprintf(`!!document.querySelector('[data-interaction=%q]')`, in.InteractionID), 30*time.Second)
	if browsertest.Eval[int](page, `window.__noReload || 0`) != 1 {
		t.Error("the page reloaded to show the inbox")
	}
	entry := browsertest.Eval[string](page, fmt.Sprintf(`document.querySelector('[data-interaction=%q]').textContent`, in.InteractionID))
	if !strings.Contains(entry, "App") || !strings.Contains(entry, "waiting") {
		t.Errorf("inbox entry %q: want the channel and the waiting time", entry)
	}

	// The SLA policy started the chat's first-response clock when it was
	// queued: the entry counts down to it (2 min for the app by default),
	// in words, and the text ticks.
	countdown := fmt.Sprintf(`document.querySelector('[data-interaction=%q] .sla')`, in.InteractionID)
	page.WaitJS("the first-response countdown", countdown+`?.dataset.sla === "ok" && `+countdown+`.dataset.metric === "FIRST_RESPONSE" && /^First response due in \d/.test(`+countdown+`.textContent)`, 20*time.Second)
	first := browsertest.Eval[string](page, countdown+`.textContent`)
	page.WaitJS("the countdown ticking", countdown+`?.textContent !== `+fmt.Sprintf("%q", first), 10*time.Second)
	page.AssertAccessible("inbox with an SLA countdown")

	// The conversation pane: the customer's message, then a live one.
	clickJS(t, page, fmt.Sprintf(`[data-interaction=%q]`, in.InteractionID))
	page.WaitJS("the customer's message", `[...document.querySelectorAll(".msg-IN")].some(m => m.textContent.includes("Where is my parcel?"))`, 10*time.Second)
	appMessage(t, base, "desk-2", "+8613800138011", "It was due on Monday.")
	page.WaitJS("the customer's second message, live", `[...document.querySelectorAll(".msg-IN")].some(m => m.textContent.includes("due on Monday"))`, 20*time.Second)

	// Reply from the pane: recorded as MessageSent.
	const reply = "It leaves our warehouse today."
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#reply-text"), reply),
	)
	clickJS(t, page, `.reply button[type="submit"]`)
	page.WaitJS("the reply in the pane", fmt.Sprintf(`[...document.querySelectorAll(".msg-OUT")].some(m => m.textContent.includes(%q))`, reply), 20*time.Second)
	eventually(t, "a MessageSent with the reply in the ledger", func() bool {
		msgs, err := srv.readDB.Messages(t.Context(), in.InteractionID)
		if err != nil {
			return false
		}
		for _, m := range msgs {
			if m.Direction == projections.DirectionOut && m.Text == reply && m.AgentID == "a-001" {
				return true
			}
		}
		return false
	})
	if n := countEvents(t, srv, "MessageSent"); n < 1 {
		t.Errorf("%d MessageSent events, want the reply", n)
	}
	page.WaitJS("the customer's plan in the 360", `(() => { const p = document.querySelector('.c360-context [data-kind="PLAN"]');
		return !!p && p.textContent.includes("Current plan") && p.textContent.includes("Unlimited 5G") && p.textContent.includes("Monthly fee: ¥298"); })()`, 10*time.Second)
	// The reply fulfilled the first response: no clock runs, the
	// countdown goes, and the read model says why.
	page.WaitJS("the countdown gone after the reply", `!`+countdown, 20*time.Second)
	eventually(t, "the first-response clock fulfilled in the read model", func() bool {
		clocks, err := srv.readDB.InteractionSla(t.Context(), in.InteractionID)
		return err == nil && len(clocks) == 1 && clocks[0].Metric == domain.SlaFirstResponse && clocks[0].State == projections.SlaFulfilled && !clocks[0].Breached
	})
	// The customer writes again: the next-response clock starts, and the
	// entry counts down to it.
	appMessage(t, base, "desk-3", "+8613800138011", "And the tracking number?")
	page.WaitJS("the next-response countdown", countdown+`?.dataset.metric === "NEXT_RESPONSE" && /^Next response due in \d/.test(`+countdown+`.textContent)`, 20*time.Second)
	page.AssertAccessible("agent workspace")
	page.Screenshot("docs/screenshots/desktop-agent.png")

	// Chinese: the labels switch at once.
	page.Do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#locale"); s.value = "zh-CN"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	page.WaitJS("the Chinese inbox title", `document.querySelector("#inbox-title").textContent.includes("收件箱") && document.documentElement.lang === "zh-CN"`, 10*time.Second)
	if got := browsertest.Eval[string](page, `document.querySelector(".presence-now").textContent`); !strings.Contains(got, "空闲") {
		t.Errorf("presence in Chinese reads %q, want 空闲", got)
	}
	// Enum values in the customer 360 are labelled too: the tier and the
	// timeline's generated lines, never STANDARD or "started on APP".
	page.WaitJS("the tier in Chinese", `document.querySelector(".c360-tier")?.textContent === "标准"`, 10*time.Second)
	page.WaitJS("the plan in Chinese", `(() => { const p = document.querySelector('.c360-context [data-kind="PLAN"]');
		return !!p && p.textContent.includes("当前套餐") && p.textContent.includes("贵宾") && p.textContent.includes("月费: ¥298"); })()`, 10*time.Second)
	page.WaitJS("the timeline's start in Chinese", `[...document.querySelectorAll('.timeline li[data-kind="INTERACTION_STARTED"]')].some(e => e.textContent.includes("开始 · 应用"))`, 10*time.Second)
	if got := browsertest.Eval[string](page, `document.querySelector(".c360").innerText`); strings.Contains(got, "STANDARD") || strings.Contains(got, "started on") || strings.Contains(got, "PHONE") {
		t.Errorf("the customer 360 in Chinese shows raw values: %q", got)
	}
	if got := browsertest.Eval[string](page, countdown+`?.textContent ?? ""`); !strings.HasPrefix(got, "后续响应剩余") {
		t.Errorf("the countdown in Chinese reads %q, want 后续响应剩余 …", got)
	}
	page.AssertAccessible("agent workspace in Chinese")
	page.Screenshot("docs/screenshots/desktop-agent-zh.png")

	// Close with an outcome and a summary: the interaction leaves the inbox.
	// The form offers a summary drafted from the conversation; the agent
	// writes their own over it.
	clickJS(t, page, `details.close > summary`)
	page.WaitJS("the drafted summary", `document.querySelector("#close-summary").value !== ""`, 20*time.Second)
	page.Do(
		chromedp.Focus(chromedp.CSS("#close-summary")),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent("parcel traced"),
	)
	clickJS(t, page, `details.close button[type="submit"]`)
	page.WaitJS("the inbox emptied", `document.querySelectorAll(".inbox li").length === 0`, 20*time.Second)
	closed, err := srv.readDB.Interaction(t.Context(), in.InteractionID)
	if err != nil || closed.Status != domain.InteractionStatusClosed || closed.Disposition != domain.DispositionResolved || closed.Summary != "parcel traced" {
		t.Errorf("after closing from the page: %+v (%v), want CLOSED, RESOLVED, the summary", closed, err)
	}

	// Sign out: back to the sign-in page, and the session is gone.
	clickJS(t, page, `header.shell > button`)
	page.WaitJS("the sign-in page", `!!document.querySelector("#signin-subject") && location.pathname === "/signin"`, 10*time.Second)
	if got := browsertest.Eval[int](page, `fetch("/auth/me").then(r => r.status)`); got != http.StatusUnauthorized {
		t.Errorf("/auth/me after signing out: %d, want 401", got)
	}
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}

// TestDesktopRolesInBrowser: the auditor, the analyst and the supervisor
// each land on their own workspace and see only what their role may use;
// the auditor verifies the ledger from the page, and the analyst, on a
// server without analytics, reads UNAVAILABLE as a sentence.
func TestDesktopRolesInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	h := startAPI(t)
	h.seed("a-001")
	for subject, role := range map[string]string{"aud": "auditor", "ana": "analyst", "sup": "supervisor"} {
		addUser(t, h.dir, subject, role, testPassword)
	}
	base := "http://" + h.srv.addr
	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)
	signIn := func(subject string) {
		t.Helper()
		page.WaitJS("the sign-in form", `!!document.querySelector("#signin-subject")`, 10*time.Second)
		page.Do(
			chromedp.SendKeys(chromedp.CSS("#signin-subject"), subject),
			chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
		)
		clickJS(t, page, `form button[type="submit"]`)
		page.WaitJS("signed in", `!!document.querySelector("header.shell")`, 10*time.Second)
	}
	signOut := func() {
		t.Helper()
		clickJS(t, page, `header.shell > button`)
		page.WaitJS("signed out", `!!document.querySelector("#signin-subject")`, 10*time.Second)
	}
	has := func(sel string) bool {
		return browsertest.Eval[bool](page, fmt.Sprintf(`!!document.querySelector(%q)`, sel))
	}

	signIn("aud")
	if path := browsertest.Eval[string](page, `location.pathname`); path != "/auditor" || has("#inbox-title") || has("#wb-title") {
		t.Errorf("auditor at %s (inbox %v, wallboard %v), want /auditor with neither", path, has("#inbox-title"), has("#wb-title"))
	}
	page.Do(chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("button")].find(b => b.textContent.includes("Verify")).click()`))
	page.WaitJS("the verification", `[...document.querySelectorAll('[role="status"]')].some(e => e.textContent.includes("intact"))`, 20*time.Second)
	page.Do(chromedp.SendKeys(chromedp.CSS("#audit-stream"), "agent-a-001"))
	clickJS(t, page, `#audit-stream ~ button[type="submit"]`)
	page.WaitJS("the agent's stream", `[...document.querySelectorAll("td")].some(e => e.textContent === "AgentRegistered")`, 10*time.Second)
	page.AssertAccessible("auditor workspace")
	page.Screenshot("docs/screenshots/desktop-auditor.png")
	signOut()

	signIn("ana")
	if path := browsertest.Eval[string](page, `location.pathname`); path != "/analyst" || has("#audit-title") || has("#inbox-title") {
		t.Errorf("analyst at %s, want /analyst without the audit or the inbox", path)
	}
	page.WaitJS("UNAVAILABLE as a sentence", `[...document.querySelectorAll('[role="alert"]')].some(e => e.textContent.includes("not running"))`, 10*time.Second)
	signOut()

	signIn("sup")
	page.WaitJS("the wallboard's agents", `[...document.querySelectorAll("td")].some(e => e.textContent === "Agent a-001")`, 10*time.Second)
	if has("#audit-title") || has("#inbox-title") {
		t.Error("the supervisor sees the audit or an inbox")
	}
	signOut()
}

// waitAfterLoad waits until expression is truthy on a page that may still
// be replacing its document (a navigation or a reload in flight): a poll
// whose JavaScript context went away with the old document is retried.
func waitAfterLoad(t *testing.T, page *browsertest.Page, what, expression string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := page.DoErr(5*time.Second, chromedp.Poll[chromedp.Void](expression, chromedp.WithPollingTimeout(5*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
