package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/ui/app"
)

// TestDesktopKeyboardOnlyInBrowser: an agent does a whole conversation
// without the mouse. Every control is reached with Tab (so it is in the
// tab order, not only clickable), shows where the focus is, and works
// with Enter or the keys its kind takes: sign in, go available, open the
// routed conversation from the inbox, reply (Ctrl+Enter), close it with
// an outcome and a summary.
func TestDesktopKeyboardOnlyInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	page.EmulateFocus()
	srv, base := startDesktopServer(t)

	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)

	tabTo(t, page, "#signin-subject")
	page.Do(chromedp.KeyEvent("a-001"))
	tabTo(t, page, "#signin-password")
	page.Do(chromedp.KeyEvent(testPassword + kb.Enter))
	page.WaitJS("the agent workspace", `!!document.querySelector("#inbox-title") && location.pathname === "/agent"`, 10*time.Second)
	page.WaitJS("the presence", `document.querySelector(".presence-now").dataset.presence === "OFFLINE"`, 10*time.Second)

	tabTo(t, page, `.presence .row button[aria-pressed]:first-of-type`)
	page.Do(chromedp.KeyEvent(kb.Enter))
	page.WaitJS("presence available", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)

	in := appMessage(t, base, "kbd-1", "+8613800138077", "Can I change my delivery address?")
	entry := fmt.Sprintf(`[data-interaction=%q]`, in.InteractionID)
	page.WaitJS("the interaction in the inbox", fmt.Sprintf(`!!document.querySelector('%s')`, entry), 30*time.Second)
	tabTo(t, page, entry)
	page.Do(chromedp.KeyEvent(kb.Enter))
	page.WaitJS("the conversation", `[...document.querySelectorAll(".msg-IN")].some(m => m.textContent.includes("delivery address"))`, 10*time.Second)
	page.WaitJS("the customer 360's controls", `!!document.querySelector("#link-value") && !!document.querySelector("#merge-search")`, 10*time.Second)
	assertTabReachesEveryControl(t, page, "agent workspace with a conversation open")

	const reply = "Yes: tell me the new address, please."
	tabTo(t, page, "#reply-text")
	page.Do(chromedp.KeyEvent(reply), chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	page.WaitJS("the reply in the pane", fmt.Sprintf(`[...document.querySelectorAll(".msg-OUT")].some(m => m.textContent.includes(%q))`, reply), 20*time.Second)

	tabTo(t, page, "details.close > summary")
	page.Do(chromedp.KeyEvent(kb.Enter))
	page.WaitJS("the closing form", `document.querySelector("details.close").open`, 5*time.Second)
	// The summary drafted from the conversation fills the field; the agent
	// writes their own over it.
	page.WaitJS("the drafted summary", `document.querySelector("#close-summary").value !== ""`, 20*time.Second)
	tabTo(t, page, "#close-summary")
	page.Do(chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("address changed"))
	tabTo(t, page, `details.close button[type="submit"]`)
	page.Do(chromedp.KeyEvent(kb.Enter))
	page.WaitJS("the inbox emptied", `document.querySelectorAll(".inbox li").length === 0`, 20*time.Second)
	closed, err := srv.readDB.Interaction(t.Context(), in.InteractionID)
	if err != nil || closed.Status != domain.InteractionStatusClosed || closed.Summary != "address changed" {
		t.Errorf("after closing with the keyboard: %+v (%v), want CLOSED with the summary", closed, err)
	}
}

// tabTo presses Tab until the element matching selector has the focus,
// failing when it is not reached within a full round of the page's tab
// order; the focused element must show a visible focus indicator.
func tabTo(t *testing.T, page *browsertest.Page, selector string) {
	t.Helper()
	focused := fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, selector)
	for range 80 {
		if browsertest.Eval[bool](page, focused) {
			outline := browsertest.Eval[string](page, `(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + " " + s.outlineWidth + "|" + s.boxShadow + " hasFocus=" + document.hasFocus() + " fv=" + document.activeElement.matches(":focus-visible"); })()`)
			if !browsertest.Eval[bool](page, `(() => { const s = getComputedStyle(document.activeElement); return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"; })()`) {
				t.Errorf("%s has the focus but shows no focus indicator (outline|shadow: %s)", selector, outline)
			}
			return
		}
		page.Do(chromedp.KeyEvent(kb.Tab))
	}
	t.Fatalf("%s is not reached with Tab (the focus is on %s)", selector,
		browsertest.Eval[string](page, `document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : "nothing"`))
}

// assertTabReachesEveryControl presses Tab through the whole page and fails
// for every visible, enabled control (link, button, field, summary, or an
// element given a tabindex or a button role) that the focus never reached,
// and for every element that looks clickable (a pointer cursor) but is
// neither a control nor inside one: a mouse-only control.
func assertTabReachesEveryControl(t *testing.T, page *browsertest.Page, what string) {
	t.Helper()
	const setup = `(() => {
	  window.__controls = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"]), [role="button"]';
	  window.__shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
	    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && !el.closest("[hidden], [inert], details:not([open]) > :not(summary)"); };
	  document.querySelectorAll("[data-tab-seen]").forEach((el) => delete el.dataset.tabSeen);
	  if (!window.__tabWatch) { window.__tabWatch = 1; document.addEventListener("focusin", (e) => { e.target.dataset.tabSeen = "1"; }, true); }
	  document.activeElement && document.activeElement.blur();
	  return [...document.querySelectorAll(window.__controls)].filter((el) => window.__shown(el) && !el.disabled).length;
	})()`
	controls := browsertest.Eval[int](page, setup)
	const missedJS = `[...document.querySelectorAll(window.__controls)]
	  .filter((el) => window.__shown(el) && !el.disabled && !el.dataset.tabSeen)
	  .map((el) => el.outerHTML.slice(0, 160))`
	// Panels still arriving (the customer 360) add controls as we go:
	// keep tabbing, a few rounds of the page at most, until each was
	// reached.
	var missed []string
	for round := range 3 {
		for range controls + 10 {
			page.Do(chromedp.KeyEvent(kb.Tab))
		}
		if missed = browsertest.Eval[[]string](page, missedJS); len(missed) == 0 || round == 2 {
			break
		}
		controls = browsertest.Eval[int](page, `[...document.querySelectorAll(window.__controls)].filter((el) => window.__shown(el) && !el.disabled).length`)
	}
	for _, m := range missed {
		t.Errorf("%s: Tab never reaches %s", what, m)
	}
	mouseOnly := browsertest.Eval[[]string](page, `[...document.querySelectorAll("body *")]
	  .filter((el) => window.__shown(el) && getComputedStyle(el).cursor === "pointer" && !el.closest(window.__controls + ", label"))
	  .map((el) => el.outerHTML.slice(0, 160))`)
	for _, m := range mouseOnly {
		t.Errorf("%s: looks clickable but is no control (mouse only): %s", what, m)
	}
	if controls == 0 {
		t.Errorf("%s: no controls found to reach", what)
	}
}

// TestDesktopTabOrderInBrowser: on the supervisor's, the analyst's (a
// report run) and the auditor's (a stream open) workspaces, Tab reaches
// every control and nothing is mouse-only.
func TestDesktopTabOrderInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	page.EmulateFocus()
	h := startAPI(t, &analyticsComponent{qa: true})
	fx := h.seed("a-001")
	for subject, role := range map[string]string{"aud": "auditor", "ana": "analyst", "sup": "supervisor"} {
		addUser(t, h.dir, subject, role, testPassword)
	}
	base := "http://" + h.srv.addr
	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	for _, c := range []struct {
		subject, ready string
		use            func() // brings up the workspace's further controls, by keyboard
	}{
		{"sup", `[...document.querySelectorAll("td")].some(e => e.textContent === "Agent a-001")`, nil},
		{"ana", `!!document.querySelector("#report-name")`, func() {
			tabTo(t, page, `.report-form button[type="submit"]`)
			page.Do(chromedp.KeyEvent(kb.Enter))
			page.WaitJS("the report", `!!document.querySelector(".report-result, [role=alert]")`, 20*time.Second)
		}},
		{"aud", `!!document.querySelector("#audit-stream")`, func() {
			tabTo(t, page, "#audit-stream")
			page.Do(chromedp.KeyEvent(domain.CustomerStream(fx.customerID) + kb.Enter))
			page.WaitJS("the customer's trail", `[...document.querySelectorAll("td")].some(e => e.textContent === "CustomerRegistered")`, 20*time.Second)
		}},
	} {
		page.WaitJS("the sign-in form", `!!document.querySelector("#signin-subject")`, 10*time.Second)
		tabTo(t, page, "#signin-subject")
		page.Do(chromedp.KeyEvent(c.subject))
		tabTo(t, page, "#signin-password")
		page.Do(chromedp.KeyEvent(testPassword + kb.Enter))
		page.WaitJS(c.subject+"'s workspace", c.ready, 15*time.Second)
		if c.use != nil {
			c.use()
		}
		assertTabReachesEveryControl(t, page, c.subject+"'s workspace")
		tabTo(t, page, `header.shell > button`) // sign out
		page.Do(chromedp.KeyEvent(kb.Enter))
	}
}
