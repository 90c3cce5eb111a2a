package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/ui/app"
)

// TestDesktopScreenPopInBrowser: the screen pop, end to end. A real
// `ledger serve --sip` (with the router and the GraphQL API); the agent
// signs in in Chromium and goes available; their phone (sipp, a UAS that
// rings twenty seconds before it answers) registers with digest auth; a
// caller never seen before (sipp) dials the service number. While the
// agent's phone still rings, the agent's page shows the incoming call and
// the caller's customer 360 with the number (a new, empty profile); then
// the phone answers, the page says so, and the ledger holds the call.
func TestDesktopScreenPopInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	requireTool(t, "sipp")
	page := browsertest.Start(t)
	t.Setenv("LEDGER_JWT_SECRET", "") // the generated secret
	dir := t.TempDir()
	const agentID, sipPassword = "a-007", "pw-007-secret"
	if err := sip.WriteCredentialsFile(filepath.Join(dir, sip.CredentialsFileName),
		[]sip.Credential{{AgentID: agentID, Realm: "ledger", HA1: sip.HA1(agentID, "ledger", sipPassword)}}); err != nil {
		t.Fatal(err)
	}
	p := newProviders(t, testAppPushSecret)
	phone := &sIPComponent{addr: "127.0.0.1:0", trunks: "127.0.0.0/8", realm: "ledger", ringTimeout: 40 * time.Second, queueTimeout: time.Minute}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"},
		channelsComponent(p), newOutboundComponent(), &routingComponent{enabled: true}, phone, newGraphQLComponent())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(10 * time.Second) })
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
	base := "http://" + srv.addr
	cmds := commands.NewHandler(srv.store)
	if _, err := cmds.Agent(t.Context(), agentID, domain.RegisterAgent{AgentID: agentID, Name: "Wang Fang"},
		commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	addUser(t, dir, agentID, "agent", testPassword)

	// The agent signs in and goes available through the page.
	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-subject"), agentID),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
	)
	clickJS(t, page, `form button[type="submit"]`)
	page.WaitJS("the agent workspace", `!!document.querySelector("#inbox-title") && location.pathname === "/agent"`, 10*time.Second)
	page.WaitJS("the live connection", `document.querySelector(".conn.live") !== null`, 10*time.Second)
	page.WaitJS("the presence", `document.querySelector(".presence-now").dataset.presence === "OFFLINE"`, 10*time.Second)
	clickJS(t, page, `.presence .row button`) // Available
	page.WaitJS("presence available", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)
	eventually(t, "the agent available in the ledger", func() bool {
		a, err := srv.readDB.Agent(t.Context(), agentID)
		return err == nil && a.Presence == domain.PresenceAvailable
	})
	page.Do(chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`))

	// The agent's phone registers; a new caller dials the service number.
	sipAddr := phone.srv.Addr()
	phonePort := freeUDPPort(t)
	answer := startSippRun(t, "agent phone", "agent_answer_slow.xml", "-p", strconv.Itoa(phonePort), "-m", "1")
	register := startSippRun(t, "register", "agent_register.xml", sipAddr, "-inf", writeAgentsCSV(t, agentID+";"+sipPassword),
		"-key", "contact_port", strconv.Itoa(phonePort), "-m", "1")
	register.wait(t)
	const number = "13900139077"
	caller := startSippRun(t, "caller", "caller_answered.xml", sipAddr, "-s", "4008001234", "-key", "caller", number, "-m", "1")

	// The screen pop, while the phone rings: the call and the caller's 360.
	page.WaitJS("the screen pop", fmt.Sprintf(`(() => { const s = document.querySelector(".screen-pop");
		return !!s && s.dataset.state === "ringing" && s.textContent.includes(%q); })()`, number), 10*time.Second)
	page.WaitJS("the caller's customer 360", fmt.Sprintf(`(() => { const c = document.querySelector(".c360");
		return !!c && !!c.querySelector("#c360-title") && c.textContent.includes(%q); })()`, number), 10*time.Second)
	callID := browsertest.Eval[string](page, `document.querySelector(".screen-pop").dataset.call`)
	call, err := srv.readDB.Interaction(t.Context(), callID)
	if err != nil {
		t.Fatalf("the popped call %q: %v", callID, err)
	}
	if !call.AnsweredAt.IsZero() || call.AgentID != agentID || call.Channel != domain.ChannelPhone {
		t.Fatalf("when the 360 popped the call was %+v, want a phone call offered to %s and not yet answered", call, agentID)
	}
	if n := countEvents(t, srv, "CallAnswered"); n != 0 {
		t.Fatalf("%d CallAnswered before the phone answered", n)
	}
	c360 := browsertest.Eval[string](page, `document.querySelector(".c360").textContent`)
	if !strings.Contains(c360, "Phone: ") || !strings.Contains(c360, number) || !strings.Contains(c360, "No open tickets") {
		t.Errorf("the customer 360 reads %q, want the new caller's phone identity (labelled Phone) and no tickets", c360)
	}
	if !browsertest.Eval[bool](page, fmt.Sprintf(`[...document.querySelectorAll('.c360 [data-identity^="PHONE:"]')].some(e => e.dataset.identity.endsWith(%q))`, number)) {
		t.Errorf("the customer 360 lists no PHONE identity ending %s", number)
	}
	if got := browsertest.Eval[string](page, `document.querySelector(".screen-pop").textContent`); !strings.Contains(got, "Ringing") {
		t.Errorf("the screen pop reads %q, want it ringing", got)
	}
	// The caller's number came in From only (no trunk asserted it): the
	// agent is told before sharing account details.
	if got := browsertest.Eval[string](page, `(document.querySelector(".screen-pop [data-identity-check]") || {}).textContent || ""`); !strings.Contains(got, "Number not verified") {
		t.Errorf("the screen pop's identity note reads %q, want the number marked not verified", got)
	}
	page.AssertAccessible("agent workspace with a screen pop")
	page.Screenshot("docs/screenshots/desktop-screen-pop.png")

	// The phone answers: the pop says so; the call is recorded answered
	// by the agent, then ended when the caller hangs up.
	page.WaitJS("the call answered", `document.querySelector(".screen-pop").dataset.state !== "ringing"`, 40*time.Second)
	caller.wait(t)
	answer.wait(t)
	eventually(t, "the call answered and ended in the ledger", func() bool {
		it, err := srv.readDB.Interaction(t.Context(), callID)
		return err == nil && !it.AnsweredAt.IsZero() && !it.CallEndedAt.IsZero()
	})
	page.WaitJS("the call ended on the page", `document.querySelector(".screen-pop").dataset.state === "ended"`, 20*time.Second)
	if browsertest.Eval[int](page, `window.__noReload || 0`) != 1 {
		t.Error("the page reloaded during the call")
	}
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}

// TestDesktopCustomerLinksInBrowser: in the customer 360 the agent links
// an email to the customer and sees it listed, finds a duplicate customer
// (the same person writing from a second phone) and merges it in, then
// unlinks the email; each step is in the ledger (IdentityLinked,
// CustomerMerged, IdentityUnlinked) and on the page without a reload.
func TestDesktopCustomerLinksInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	srv, base := startDesktopServer(t)

	signInAgentEnglish(t, page, base)
	page.WaitJS("the agent workspace", `!!document.querySelector("#inbox-title") && location.pathname === "/agent"`, 10*time.Second)
	page.WaitJS("the presence", `document.querySelector(".presence-now").dataset.presence === "OFFLINE"`, 10*time.Second)
	clickJS(t, page, `.presence .row button`) // Available
	page.WaitJS("presence available", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)
	eventually(t, "the agent available in the ledger", func() bool {
		a, err := srv.readDB.Agent(t.Context(), "a-001")
		return err == nil && a.Presence == domain.PresenceAvailable
	})
	page.Do(chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`))

	in := appMessage(t, base, "links-1", "+8613800138031", "Please update my contact details")
	dup := appMessage(t, base, "links-2", "+8613800138032", "It is me again, from my other phone")
	if in.CustomerID == dup.CustomerID {
		t.Fatal("two phones made one customer")
	}
	page.WaitJS("the interaction in the inbox", fmt.Sprintf(`!!document.querySelector('[data-interaction=%q]')`, in.InteractionID), 30*time.Second)
	clickJS(t, page, fmt.Sprintf(`[data-interaction=%q]`, in.InteractionID))
	hasIdentity := func(id string) string {
		return fmt.Sprintf(`!!document.querySelector('.links [data-identity=%q]')`, id)
	}
	page.WaitJS("the customer's identities", hasIdentity("PHONE:+8613800138031"), 10*time.Second)

	// Link an email: listed, and in the ledger.
	const email = "li.lei@example.com"
	page.Do(
		chromedp.SetValue(chromedp.CSS("#link-kind"), "EMAIL"),
		chromedp.SendKeys(chromedp.CSS("#link-value"), "Li.Lei@Example.com"),
	)
	clickJS(t, page, `.links form button[type="submit"]`)
	page.WaitJS("the linked email listed", hasIdentity("EMAIL:"+email), 10*time.Second)
	eventually(t, "the email linked in the ledger", func() bool {
		c, err := srv.readDB.Customer(t.Context(), in.CustomerID)
		return err == nil && slices.Contains(c.Identities, domain.Identity{Kind: domain.IdentityEmail, Value: email})
	})
	page.AssertAccessible("customer 360 with identity links")
	page.Screenshot("docs/screenshots/desktop-customer-links.png")

	// The duplicate: found by its phone and merged in; its phone is now
	// this customer's.
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#merge-search"), "+8613800138032"),
	)
	clickJS(t, page, `.links form[aria-labelledby="merge-title"] button[type="submit"]`)
	page.WaitJS("the duplicate found", fmt.Sprintf(`!!document.querySelector('.candidates [data-customer=%q] button')`, dup.CustomerID), 10*time.Second)
	clickJS(t, page, fmt.Sprintf(`.candidates [data-customer=%q] button`, dup.CustomerID))
	page.WaitJS("the duplicate's phone listed", hasIdentity("PHONE:+8613800138032"), 10*time.Second)
	if n := countEvents(t, srv, "CustomerMerged"); n != 1 {
		t.Errorf("%d CustomerMerged events, want 1", n)
	}
	if got := browsertest.Eval[string](page, `document.querySelector('.links [role="status"]').textContent`); !strings.Contains(got, "Merged") {
		t.Errorf("after the merge the panel says %q", got)
	}

	// Unlink the email: gone from the list and from the customer.
	clickJS(t, page, fmt.Sprintf(`.links [data-identity=%q] button`, "EMAIL:"+email))
	page.WaitJS("the email unlisted", "!"+hasIdentity("EMAIL:"+email), 10*time.Second)
	if n := countEvents(t, srv, "IdentityUnlinked"); n != 1 {
		t.Errorf("%d IdentityUnlinked events, want 1", n)
	}
	if browsertest.Eval[int](page, `window.__noReload || 0`) != 1 {
		t.Error("the page reloaded")
	}
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}
