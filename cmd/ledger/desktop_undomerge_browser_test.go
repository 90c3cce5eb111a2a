package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/ui/app"
)

// TestDesktopSupervisorUndoMergeInBrowser: a supervisor finds a customer
// from the supervisor workspace, opens their 360, merges a duplicate into
// them and undoes the merge, all from the page; the ledger's read model
// shows the duplicate merged, then on its own again.
func TestDesktopSupervisorUndoMergeInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	h := startAPI(t)
	target := h.inbound("um-1", "+8613900000001", "Zhao Min", "My bill is wrong")
	source := h.inbound("um-2", "+8613900000002", "Zhao Min (work)", "Same problem, other phone")
	h.settle()
	addUser(t, h.dir, "sup", "supervisor", testPassword)
	base := "http://" + h.srv.addr

	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-subject"), "sup"),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
	)
	clickJS(t, page, `form button[type="submit"]`)
	page.WaitJS("the supervisor's customer search", `!!document.querySelector("#supc-search")`, 10*time.Second)

	// Find the customer and open their 360.
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#supc-search"), "+8613900000001"),
	)
	clickJS(t, page, `.sup-customers form button[type="submit"]`)
	page.WaitJS("the customer found", fmt.Sprintf(`!!document.querySelector('.supc-results [data-customer=%q] button')`, target.CustomerID), 10*time.Second)
	clickJS(t, page, fmt.Sprintf(`.supc-results [data-customer=%q] button`, target.CustomerID))
	page.WaitJS("the customer 360", `document.querySelector("#c360-title")?.textContent.includes("Zhao Min")`, 10*time.Second)

	// Merge the duplicate into them.
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#merge-search"), "+8613900000002"),
	)
	clickJS(t, page, `form[aria-labelledby="merge-title"] button[type="submit"]`)
	page.WaitJS("the duplicate found", fmt.Sprintf(`!!document.querySelector('.candidates [data-customer=%q] button')`, source.CustomerID), 10*time.Second)
	clickJS(t, page, fmt.Sprintf(`.candidates [data-customer=%q] button`, source.CustomerID))
	page.WaitJS("the merge confirmed", `document.querySelector('.links [role="status"]').textContent.startsWith("Merged")`, 20*time.Second)
	if c, err := h.srv.readDB.Customer(t.Context(), source.CustomerID); err != nil || c.MergedInto != target.CustomerID {
		t.Fatalf("after merging from the page, the duplicate: %+v (%v), want merged into %s", c, err, target.CustomerID)
	}
	undo := fmt.Sprintf(`button[aria-label="Undo the merge of %s"]`, source.CustomerID)
	page.WaitJS("the undo button", fmt.Sprintf(`!!document.querySelector(%q)`, undo), 10*time.Second)
	page.AssertAccessible("supervisor's customer 360 with a merge to undo")
	page.Screenshot("docs/screenshots/desktop-supervisor-undo-merge.png")

	// Undo it.
	clickJS(t, page, undo)
	page.WaitJS("the undo confirmed", fmt.Sprintf(`document.querySelector('.links [role="status"]').textContent === "The merge of %s is undone."`, source.CustomerID), 20*time.Second)
	page.WaitJS("the undo button gone", fmt.Sprintf(`!document.querySelector(%q)`, undo), 10*time.Second)
	if c, err := h.srv.readDB.Customer(t.Context(), source.CustomerID); err != nil || c.MergedInto != "" {
		t.Errorf("after undoing from the page, the duplicate: %+v (%v), want on its own", c, err)
	}
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}
