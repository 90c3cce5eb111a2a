package main

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/ui/widget"
)

// widgetJS reaches into the widget's shadow root.
const widgetJS = `document.querySelector("#ledger-webchat").shadowRoot`

func widgetEl(sel string) chromedp.JSPath {
	return chromedp.JSPath(fmt.Sprintf(`%s.querySelector(%q)`, widgetJS, sel))
}

// widgetHas is a JavaScript test that the widget shows a message with
// this text in this direction ("in" or "out"), acknowledged.
func widgetHas(class, text string) string {
	return fmt.Sprintf(`!!document.querySelector("#ledger-webchat") && [...%s.querySelectorAll("li.msg.%s[data-state=sent] .text")].some(e => e.textContent === %q)`, widgetJS, class, text)
}

// TestWidgetInBrowser drives the web chat widget in real headless Chromium
// against a real `ledger serve` with the web channels: the visitor opens
// the demo page's bubble with the keyboard and writes; the message is in
// the ledger; an agent's reply appears live; after a reload the
// conversation is back (same visitor); after the server restarts the
// widget reconnects by itself and the next message is recorded too. axe-core
// finds no serious or critical violation, the console no error, and the
// screenshot of the open chat goes to docs/screenshots/widget.png.
func TestWidgetInBrowser(t *testing.T) {
	if !widget.Built() {
		browsertest.Unavailable(t, "the widget is not built into this test binary: run make ui-widget")
	}
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	srv, base := serveChannels(t, dir, p)
	defer func() { _ = srv.shutdown(10 * time.Second) }()

	page := browsertest.Start(t)
	page.Do(chromedp.Navigate(base + "/widget-demo.html"))
	page.WaitJS("the widget's bubble", `!!document.querySelector("#ledger-webchat")?.shadowRoot?.querySelector("button.bubble")`, 10*time.Second)
	page.AssertAccessible("the demo page, chat closed")

	// Keyboard only: Tab to the bubble, Enter opens the panel with the
	// focus in the message box; Escape closes it and returns to the bubble.
	page.Do(chromedp.Focus(widgetEl("button.bubble")), chromedp.KeyEvent(kb.Enter))
	page.WaitJS("the panel to open", widgetJS+`.querySelector(".panel").hidden === false && `+widgetJS+`.activeElement?.id === "ledger-webchat-input"`, 5*time.Second)
	if got := browsertest.Eval[string](page, widgetJS+`.querySelector("button.bubble").getAttribute("aria-expanded")`); got != "true" {
		t.Errorf("bubble aria-expanded %q with the panel open", got)
	}
	page.Do(chromedp.KeyEvent(kb.Escape))
	page.WaitJS("Escape to close the panel", widgetJS+`.querySelector(".panel").hidden === true && `+widgetJS+`.activeElement?.classList.contains("bubble")`, 5*time.Second)
	page.Do(chromedp.Click(widgetEl("button.bubble")))
	page.WaitJS("the connection", widgetJS+`.querySelector(".status").dataset.kind === "open"`, 15*time.Second)

	const first = "Where is my order? 我的订单到哪了？"
	page.Do(chromedp.SendKeys(widgetEl("textarea"), first), chromedp.KeyEvent(kb.Enter))
	page.WaitJS("the message acknowledged", widgetHas("in", first), 15*time.Second)
	received := messagesIn(t, srv)
	if len(received) != 1 || received[0] != first {
		t.Fatalf("ledger holds messages %q, want the widget's", received)
	}
	visitor := browsertest.Eval[string](page, `localStorage.getItem("ledger-webchat:visitor")`)
	if len(visitor) < 16 {
		t.Fatalf("visitor id %q", visitor)
	}

	// The agent replies: it arrives live, without a reload.
	agent := commands.NewHandler(srv.store)
	const reply = "It left the warehouse today. 今天已发货。"
	interaction := interactionOn(t, srv, domain.ChannelWebchat)
	if _, err := agent.Interaction(t.Context(), interaction, commands.Meta{Actor: "agent:a1"},
		domain.SendMessage{MessageID: "reply-1", AgentID: "a1", Text: reply}); err != nil {
		t.Fatal(err)
	}
	page.WaitJS("the agent's reply, live", widgetHas("out", reply), 15*time.Second)
	page.AssertAccessible("the demo page, chat open with messages")
	page.Screenshot("docs/screenshots/widget.png")

	// Reload: same visitor, the conversation comes back from the welcome.
	page.Do(chromedp.Reload())
	page.WaitJS("the conversation after a reload", widgetHas("in", first)+" && "+widgetHas("out", reply), 15*time.Second)
	if again := browsertest.Eval[string](page, `localStorage.getItem("ledger-webchat:visitor")`); again != visitor {
		t.Errorf("visitor id changed over a reload: %q then %q", visitor, again)
	}
	if n := browsertest.Eval[int](page, widgetJS+`.querySelectorAll("li.msg").length`); n != 2 {
		t.Errorf("%d messages shown after the reload, want 2", n)
	}

	// The server goes away and comes back on the same address: the widget
	// reconnects with backoff, and what is written meanwhile is sent then.
	addr := srv.addr
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	page.WaitJS("the widget to notice", widgetJS+`.querySelector(".status").dataset.kind === "waiting"`, 15*time.Second)
	const second = "Are you still there?"
	page.Do(chromedp.SendKeys(widgetEl("textarea"), second), chromedp.KeyEvent(kb.Enter))
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: addr}, channelsComponent(p), newOutboundComponent())
	if err != nil {
		t.Fatal(err)
	}
	page.WaitJS("the message sent after reconnecting", widgetHas("in", second), 45*time.Second)
	if received := messagesIn(t, srv); len(received) != 2 || received[1] != second {
		t.Fatalf("ledger holds messages %q after the reconnect", received)
	}
	if errs := page.ConsoleErrors(); len(errs) != 0 {
		// The browser logs the refused connections while the server was
		// down; nothing else may fail.
		for _, e := range errs {
			if !strings.Contains(e, "WebSocket connection to") {
				t.Errorf("console error: %s", e)
			}
		}
	}

	shot, err := os.ReadFile(filepath.Join(browsertest.RepoRoot(t), "docs/screenshots/widget.png"))
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(shot)); err != nil || img.Bounds().Dx() != browsertest.Width {
		t.Fatalf("screenshot: %v", err)
	}
}

// messagesIn returns the texts of the customers' messages in the ledger.
func messagesIn(t *testing.T, srv *server) []string {
	t.Helper()
	page, err := srv.store.ReadAll(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rec := range page {
		if rec.Type != "MessageReceived" {
			continue
		}
		e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.(domain.MessageReceived).Text)
	}
	return out
}

// TestWidgetChinese: in a browser whose language is zh-CN the widget
// speaks Chinese, and stays accessible.
func TestWidgetChinese(t *testing.T) {
	if !widget.Built() {
		browsertest.Unavailable(t, "the widget is not built into this test binary: run make ui-widget")
	}
	srv, base := serveChannels(t, t.TempDir(), newProviders(t, testAppPushSecret))
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	page := browsertest.Start(t, browsertest.Lang("zh-CN"))
	page.Do(chromedp.Navigate(base + "/widget-demo.html"))
	page.WaitJS("the widget's bubble", `!!document.querySelector("#ledger-webchat")?.shadowRoot?.querySelector("button.bubble")`, 10*time.Second)
	if label := browsertest.Eval[string](page, widgetJS+`.querySelector("button.bubble").getAttribute("aria-label")`); label != "打开在线客服" {
		t.Errorf("bubble label %q", label)
	}
	page.Do(chromedp.Click(widgetEl("button.bubble")))
	page.WaitJS("the connection", widgetJS+`.querySelector(".status").textContent === "已连接"`, 15*time.Second)
	if label := browsertest.Eval[string](page, widgetJS+`.querySelector("button.attach").getAttribute("aria-label")`); label != "添加文件" {
		t.Errorf("attach button label %q", label)
	}
	for sel, want := range map[string]string{"h2": "在线客服", "button.send": "发送", ".empty": "给我们发消息，客服会在这里回复您。"} {
		if got := browsertest.Eval[string](page, widgetJS+fmt.Sprintf(`.querySelector(%q).textContent`, sel)); got != want {
			t.Errorf("%s reads %q, want %q", sel, got, want)
		}
	}
	if lang := browsertest.Eval[string](page, widgetJS+`.querySelector(".root").lang`); lang != "zh-CN" {
		t.Errorf("widget lang %q", lang)
	}
	const text = "你好，我想退货"
	page.Do(chromedp.SendKeys(widgetEl("textarea"), text), chromedp.KeyEvent(kb.Enter))
	page.WaitJS("the message acknowledged", widgetHas("in", text), 15*time.Second)
	page.AssertAccessible("the demo page in Chinese, chat open")
	page.Screenshot("docs/screenshots/widget-zh.png")
}
