package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	uiapp "github.com/interactionledger/ledger/ui/app"
)

// TestDesktopDeliveryInBrowser: the agent's replies show, live, how they
// reached the customer. A real `ledger serve` delivers replies to the
// app's push webhook: the first reply is accepted and reads "Delivered";
// then the webhook refuses for good (410 Gone) and the second reply reads
// "Not delivered" with the reason as a sentence. The ledger holds a
// MessageDelivered and a MessageDeliveryFailed on delivery-<interaction>.
func TestDesktopDeliveryInBrowser(t *testing.T) {
	if !uiapp.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	t.Setenv("LEDGER_JWT_SECRET", "")
	dir := t.TempDir()

	// The app's push webhook: accepts pushes until refuse is set.
	var refuse atomic.Bool
	var pushes atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /push", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var push app.Push
		if r.Header.Get(app.SignatureHeader) != app.Sign([]byte(testAppPushSecret), body) || json.Unmarshal(body, &push) != nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if refuse.Load() {
			w.WriteHeader(http.StatusGone)
			return
		}
		pushes.Add(1)
	})
	p := &providers{srv: httptest.NewServer(mux)}
	t.Cleanup(p.srv.Close)

	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"},
		channelsComponent(p), newOutboundComponent(), &routingComponent{enabled: true}, newGraphQLComponent())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(10 * time.Second) })
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
	base := "http://" + srv.addr
	cmds := commands.NewHandler(srv.store)
	if _, err := cmds.Agent(t.Context(), "a-001", domain.RegisterAgent{AgentID: "a-001", Name: "Li Lei", Skills: map[string]int{"billing": 5}},
		commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	addUser(t, dir, "a-001", "agent", testPassword)

	signInAgentEnglish(t, page, base)
	page.WaitJS("the agent workspace", `!!document.querySelector("#inbox-title") && location.pathname === "/agent"`, 10*time.Second)
	page.WaitJS("the live connection", `document.querySelector(".conn.live") !== null`, 10*time.Second)
	page.WaitJS("the presence", `!!document.querySelector(".presence-now")`, 10*time.Second)
	clickJS(t, page, `.presence .row button`) // Available
	page.WaitJS("presence available", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)

	in := appMessage(t, base, "deliv-1", "+8613800138021", "Did my refund go through?")
	page.WaitJS("the interaction in the inbox", fmt.Sprintf(`!!document.querySelector('[data-interaction=%q]')`, in.InteractionID), 30*time.Second)
	clickJS(t, page, fmt.Sprintf(`[data-interaction=%q]`, in.InteractionID))
	page.WaitJS("the customer's message", `[...document.querySelectorAll(".msg-IN")].some(m => m.textContent.includes("refund"))`, 10*time.Second)
	if n := browsertest.Eval[int](page, `document.querySelectorAll(".msg-IN [data-delivery]").length`); n != 0 {
		t.Errorf("%d delivery states on the customer's messages, want none", n)
	}

	// replyState is the delivery state and text shown beside the reply.
	send := func(text string) {
		t.Helper()
		page.Do(
			chromedp.SendKeys(chromedp.CSS("#reply-text"), text),
		)
		clickJS(t, page, `.reply button[type="submit"]`)
		page.WaitJS("the reply in the pane", fmt.Sprintf(`[...document.querySelectorAll(".msg-OUT")].some(m => m.textContent.includes(%q))`, text), 20*time.Second)
	}
	stateOf := func(text string) string {
		return fmt.Sprintf(`([...document.querySelectorAll(".msg-OUT")].find(m => m.textContent.includes(%q))?.querySelector("[data-delivery]") ?? {dataset: {}})`, text)
	}

	const first = "Yes, it left us this morning."
	send(first)
	page.WaitJS("the first reply delivered, live", stateOf(first)+`.dataset.delivery === "DELIVERED"`, 30*time.Second)
	if got := browsertest.Eval[string](page, stateOf(first)+`.textContent`); got != "✓ Delivered" {
		t.Errorf("the delivered reply reads %q, want ✓ Delivered", got)
	}
	if pushes.Load() != 1 {
		t.Errorf("%d pushes accepted, want the first reply", pushes.Load())
	}

	refuse.Store(true)
	const second = "You will see it within three days."
	send(second)
	page.WaitJS("the second reply failed, live", stateOf(second)+`.dataset.delivery === "FAILED"`, 30*time.Second)
	got := browsertest.Eval[string](page, stateOf(second)+`.textContent`)
	const want = "⚠ Not delivered — Reason: App push webhook answered 410 Gone."
	if got != want {
		t.Errorf("the failed reply reads %q, want %q", got, want)
	}
	if s := browsertest.Eval[string](page, stateOf(first)+`.dataset.delivery`); s != "DELIVERED" {
		t.Errorf("the first reply now reads %s, want DELIVERED still", s)
	}
	page.AssertAccessible("conversation with delivery states")
	page.Screenshot("docs/screenshots/desktop-delivery.png")

	// The ledger: one delivered, one failed for good, on the delivery stream.
	delivered, failed := 0, 0
	recs, err := srv.store.ReadStream(t.Context(), domain.DeliveryStream(in.InteractionID), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		switch e := e.(type) {
		case domain.MessageDelivered:
			delivered++
		case domain.MessageDeliveryFailed:
			failed++
			if !e.GaveUp || !e.Permanent {
				t.Errorf("the failure %+v: want permanent, given up", e)
			}
		}
	}
	if delivered != 1 || failed != 1 {
		t.Errorf("delivery stream: %d delivered, %d failed; want 1 and 1", delivered, failed)
	}
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}
