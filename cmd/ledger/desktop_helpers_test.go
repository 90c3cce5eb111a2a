package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
)

// startDesktopServer starts the `ledger serve` the desktop's browser tests
// drive: web channels, outbound delivery, the router, the SLA policy (on
// by default in `ledger serve` too: the inbox counts down to each
// interaction's response clock) and GraphQL with sign-in, on a fresh data
// directory with agent a-001 (Li Lei, billing)
// registered and able to sign in with testPassword. It returns the server
// and its base URL.
func startDesktopServer(t *testing.T) (*server, string) {
	t.Helper()
	t.Setenv("LEDGER_JWT_SECRET", "") // the generated secret
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"},
		channelsComponent(p), newOutboundComponent(), &routingComponent{enabled: true}, &slaComponent{enabled: true}, newGraphQLComponent())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(10 * time.Second) })
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
	if _, err := commands.NewHandler(srv.store).Agent(t.Context(), "a-001",
		domain.RegisterAgent{AgentID: "a-001", Name: "Li Lei", Skills: map[string]int{"billing": 5}},
		commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	addUser(t, dir, "a-001", "agent", testPassword)
	return srv, "http://" + srv.addr
}

// signInAgentEnglish opens the sign-in page with the English catalogue and
// submits agent a-001's credentials.
func signInAgentEnglish(t *testing.T, page *browsertest.Page, base string) {
	t.Helper()
	signInEnglish(t, page, base, "a-001")
}

// signInEnglish opens the sign-in page with the English catalogue and
// submits subject's credentials (testPassword).
func signInEnglish(t *testing.T, page *browsertest.Page, base, subject string) {
	t.Helper()
	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-subject"), subject),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
	)
	clickJS(t, page, `form button[type="submit"]`)
}

// clickJS clicks the element selector names from the page's own script,
// once it exists and is enabled. A chromedp.Click clicks where the element
// was when chromedp measured it: in a pane that is still loading and
// growing (the customer 360, a live inbox) the element may have moved by
// then and the click lands on something else or nothing, which flaked in
// CI. The click is the same DOM click a user's makes (a submit button
// still submits its form, with the browser's own checks).
func clickJS(t *testing.T, page *browsertest.Page, selector string) {
	t.Helper()
	page.WaitJS("the element to click, present and enabled: "+selector, fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e || e.disabled || e.closest("fieldset:disabled")) return false;
		e.click();
		return true;
	})()`, selector), 10*time.Second)
}
