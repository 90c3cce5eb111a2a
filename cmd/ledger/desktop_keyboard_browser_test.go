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

	const reply = "Yes: tell me the new address, please."
	tabTo(t, page, "#reply-text")
	page.Do(chromedp.KeyEvent(reply), chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	page.WaitJS("the reply in the pane", fmt.Sprintf(`[...document.querySelectorAll(".msg-OUT")].some(m => m.textContent.includes(%q))`, reply), 20*time.Second)

	tabTo(t, page, "details.close > summary")
	page.Do(chromedp.KeyEvent(kb.Enter))
	page.WaitJS("the closing form", `document.querySelector("details.close").open`, 5*time.Second)
	tabTo(t, page, "#close-summary")
	page.Do(chromedp.KeyEvent("address changed"))
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
