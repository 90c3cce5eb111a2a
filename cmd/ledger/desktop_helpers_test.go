package main

import (
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
	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-subject"), "a-001"),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
	)
}
