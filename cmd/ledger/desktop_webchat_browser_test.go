package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/projections"
	"github.com/interactionledger/ledger/ui/app"
	"github.com/interactionledger/ledger/ui/widget"
)

// TestDesktopWebchatInBrowser is issue #10's first "done" item end to end,
// in one Chromium with two tabs against a real `ledger serve` (web
// channels, router, outbound delivery, GraphQL and sign-in): the agent
// signs in and goes available in one tab; in a second tab a customer
// writes through the web chat widget of the demo page, and an app
// customer writes too; both conversations appear in the agent's inbox
// without a reload; the agent opens the web chat and replies from the
// conversation pane; the reply is a MessageSent in the ledger and shows
// in the customer's widget live.
func TestDesktopWebchatInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	if !widget.Built() {
		browsertest.Unavailable(t, "the widget is not built into this binary: run make ui-widget")
	}
	agentTab := browsertest.Start(t)
	srv, base := startDesktopServer(t)

	// The agent signs in (in English) and goes available.
	signInAgentEnglish(t, agentTab, base)
	agentTab.WaitJS("the agent workspace", `!!document.querySelector("#inbox-title") && location.pathname === "/agent"`, 10*time.Second)
	agentTab.WaitJS("the live connection", `document.querySelector(".conn.live") !== null`, 10*time.Second)
	agentTab.WaitJS("the presence", `document.querySelector(".presence-now").dataset.presence === "OFFLINE"`, 10*time.Second)
	agentTab.Do(chromedp.Click(chromedp.CSS(`.presence .row button`))) // Available
	agentTab.WaitJS("presence available", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)
	eventually(t, "the agent available in the ledger", func() bool {
		a, err := srv.readDB.Agent(t.Context(), "a-001")
		return err == nil && a.Presence == domain.PresenceAvailable
	})
	// Whatever arrives from now on must show without a reload.
	agentTab.Do(chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`))

	// A second tab: the customer on the demo page writes through the widget.
	customerTab := agentTab.NewTab()
	customerTab.Do(chromedp.Navigate(base + "/widget-demo.html"))
	customerTab.WaitJS("the widget's bubble", `!!document.querySelector("#ledger-webchat")?.shadowRoot?.querySelector("button.bubble")`, 10*time.Second)
	customerTab.Do(chromedp.Click(widgetEl("button.bubble")))
	customerTab.WaitJS("the widget's connection", widgetJS+`.querySelector(".status").dataset.kind === "open"`, 15*time.Second)
	const question = "My invoice is wrong. 我的发票有误。"
	customerTab.Do(chromedp.SendKeys(widgetEl("textarea"), question), chromedp.KeyEvent(kb.Enter))
	customerTab.WaitJS("the customer's message acknowledged", widgetHas("in", question), 15*time.Second)
	// The widget shows a message as sent once the server has recorded it.
	chat := interactionOn(t, srv, domain.ChannelWebchat)

	// An app customer writes too.
	inApp := appMessage(t, base, "desk-webchat-app-1", "+8613800138022", "Can I change my delivery address?")

	// Both reach the agent's inbox, live.
	for _, id := range []string{chat, inApp.InteractionID} {
		agentTab.WaitJS("interaction "+id+" in the inbox", fmt.Sprintf(`!!document.querySelector('[data-interaction=%q]')`, id), 30*time.Second)
	}
	if browsertest.Eval[int](agentTab, `window.__noReload || 0`) != 1 {
		t.Error("the agent's page reloaded to show the inbox")
	}
	for id, channel := range map[string]string{chat: "Web chat", inApp.InteractionID: "App"} {
		entry := browsertest.Eval[string](agentTab, fmt.Sprintf(`document.querySelector('[data-interaction=%q]').textContent`, id))
		if !strings.Contains(entry, channel) || !strings.Contains(entry, "waiting") {
			t.Errorf("inbox entry %q: want the channel %q and the waiting time", entry, channel)
		}
	}

	// The agent opens the web chat and replies from the conversation pane.
	// From script: the entry grows when its SLA countdown comes, which
	// can move it (and those below it) under a click by position.
	agentTab.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('[data-interaction=%q]').click()`, chat)))
	agentTab.WaitJS("the customer's web chat message", fmt.Sprintf(`[...document.querySelectorAll(".msg-IN")].some(m => m.textContent.includes(%q))`, question), 10*time.Second)
	const reply = "Sorry about that — a corrected invoice is on its way. 已为您重开发票。"
	agentTab.Do(
		chromedp.SendKeys(chromedp.CSS("#reply-text"), reply),
		chromedp.Click(chromedp.CSS(`.reply button[type="submit"]`)),
	)
	agentTab.WaitJS("the reply in the pane", fmt.Sprintf(`[...document.querySelectorAll(".msg-OUT")].some(m => m.textContent.includes(%q))`, reply), 20*time.Second)

	// In the ledger: a MessageSent with the reply, by the agent.
	eventually(t, "a MessageSent with the reply in the ledger", func() bool {
		recs, err := srv.store.ReadAll(t.Context(), 0, 100_000)
		if err != nil {
			return false
		}
		for _, rec := range recs {
			if rec.Type != "MessageSent" {
				continue
			}
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				t.Fatal(err)
			}
			if s := e.(domain.MessageSent); s.InteractionID == chat && s.Text == reply && s.AgentID == "a-001" {
				return true
			}
		}
		return false
	})
	msgs, err := srv.readDB.Messages(t.Context(), chat)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.Direction == projections.DirectionOut {
			out = append(out, m.Text)
		}
	}
	if len(out) != 1 || out[0] != reply {
		t.Errorf("the web chat's replies in the read model: %q, want just the agent's", out)
	}

	// In the customer's widget: the reply arrives live.
	customerTab.WaitJS("the agent's reply in the widget, live", widgetHas("out", reply), 20*time.Second)

	if browsertest.Eval[int](agentTab, `window.__noReload || 0`) != 1 {
		t.Error("the agent's page reloaded during the conversation")
	}
	agentTab.AssertAccessible("agent workspace with a web chat open")
	agentTab.Screenshot("docs/screenshots/desktop-agent-webchat.png")
	for _, tab := range []*browsertest.Page{agentTab, customerTab} {
		for _, m := range tab.Console() {
			if m.IsException() {
				t.Errorf("uncaught exception in a page: %s", m.String())
			}
		}
	}
}
