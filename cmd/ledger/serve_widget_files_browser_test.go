package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/ui/widget"
)

// shopPage is the company's own page, on another origin than the ledger,
// embedding the widget with its one script tag. It notes the widget's
// uploads as window.uploads ({status, at}) for the tests to see.
const shopPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Shop</title>
<script>
window.uploads = [];
const plainFetch = window.fetch;
window.fetch = async (url, init) => {
  const resp = await plainFetch(url, init);
  if (init?.method === "POST") window.uploads.push({url: String(url), status: resp.status, at: performance.now()});
  return resp;
};
</script></head>
<body><main><h1>Shop</h1><p>Our products.</p></main>
<script src="%s/widget.js" data-open="true" async></script></body></html>`

// widgetFile is JavaScript for the elements inner (a selector; "" for the
// file itself) of the files with this hash the widget shows in sent
// messages in this direction (class "in" or "out").
func widgetFile(class, sha, inner string) string {
	return fmt.Sprintf(`!!document.querySelector("#ledger-webchat") && [...%s.querySelectorAll('li.msg.%s[data-state=sent] .file[data-sha256="%s"] %s')]`, widgetJS, class, sha, inner)
}

// TestWidgetFilesInBrowser drives the widget's files in headless Chromium
// against `ledger serve`, from a shop's page on another origin (so every
// request is a CORS one, with the visitor's headers): the visitor attaches
// a picture with the file picker; it is shown sending, then sent, as a
// thumbnail fetched with the visitor's headers; an agent downloads the
// same bytes. The agent replies with a PDF: it appears live as a link that
// downloads the same bytes. A file over 10 MiB is refused in the page and
// one of a type that may not be sent by the server, with its message, and
// neither is recorded. On the ledger's own demo page (its CSP allows blob:
// pictures) a picture pasted into the message box is sent and shown. No
// console errors, and axe finds no serious violation with files shown.
func TestWidgetFilesInBrowser(t *testing.T) {
	if !widget.Built() {
		browsertest.Unavailable(t, "the widget is not built into this test binary: run make ui-widget")
	}
	var ledgerBase string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, shopPage, ledgerBase)
	}))
	defer shop.Close()
	h := startAPI(t, &webChannelsComponent{webchatOrigins: shop.URL}, newOutboundComponent())
	ledgerBase = "http://" + h.srv.addr
	if _, err := h.cmds.Agent(h.ctx, "a-agent", domain.RegisterAgent{AgentID: "a-agent", Name: "Agent A"}, commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	photo := newAttachmentFiles(t).png // 64×48
	photoPath := filepath.Join(dir, "screen.png")
	if err := os.WriteFile(photoPath, photo, 0o600); err != nil {
		t.Fatal(err)
	}
	photoSHA := sha256hex(photo)

	page := browsertest.Start(t)
	downloads := filepath.Join(dir, "downloads")
	page.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return err
	}))
	page.Do(chromedp.Navigate(shop.URL))
	page.WaitJS("the connection", `!!document.querySelector("#ledger-webchat") && `+widgetJS+`.querySelector(".status").dataset.kind === "open"`, 15*time.Second)
	if label := browsertest.Eval[string](page, widgetJS+`.querySelector("button.attach").getAttribute("aria-label")`); label != "Attach a file" {
		t.Errorf("attach button label %q", label)
	}

	// The picker: sending…, then sent with its thumbnail, fetched with the
	// visitor's headers into a blob: URL.
	page.Do(chromedp.SetUploadFiles(widgetEl("input.picker"), []string{photoPath}))
	page.WaitJS("the picture sent and shown", widgetFile("in", photoSHA, "img.thumb")+`.some(i => i.complete && i.naturalWidth === 64 && i.src.startsWith("blob:"))`, 20*time.Second)
	if alt := browsertest.Eval[string](page, widgetJS+`.querySelector("img.thumb").alt`); alt != "screen.png" {
		t.Errorf("thumbnail alt %q", alt)
	}
	h.settle()
	interaction := interactionOn(t, h.srv, domain.ChannelWebchat)
	agent := h.token("agent", "a-agent")
	if resp, b := download(t, h, agent, "/files/interactions/"+interaction+"/"+photoSHA); resp.StatusCode != 200 || !bytes.Equal(b, photo) {
		t.Fatalf("agent's download of the visitor's picture: %d, %d bytes, identical %v", resp.StatusCode, len(b), bytes.Equal(b, photo))
	}

	// The agent replies with a file: a link in the widget, live, that
	// downloads the same bytes.
	quote := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("报价 quote line\n"), 5_000)...)
	up := upload(t, h, agent, "?interaction="+interaction+"&name="+neturl.QueryEscape("报价单.pdf"), quote)
	if up.status != 200 {
		t.Fatalf("agent's upload: %+v", up)
	}
	h.post(agent, `mutation($i: ID!, $f: [String!]) { replyToInteraction(interactionId: $i, text: "Here is the quote. 这是报价。", files: $f) { position } }`,
		map[string]any{"i": interaction, "f": []string{up.Token}}).ok(t)
	quoteSHA := sha256hex(quote)
	page.WaitJS("the agent's file, live", widgetFile("out", quoteSHA, "a.download")+`.some(a => a.textContent === "报价单.pdf")`, 20*time.Second)
	page.AssertAccessible("the shop's page, chat open with files")
	page.Do(chromedp.Click(widgetEl(fmt.Sprintf(`.file[data-sha256=%q] a.download`, quoteSHA))))
	saved := filepath.Join(downloads, "报价单.pdf")
	eventually(t, "the agent's file downloaded", func() bool {
		b, err := os.ReadFile(saved)
		return err == nil && bytes.Equal(b, quote)
	}, func() string {
		entries, _ := os.ReadDir(downloads)
		return fmt.Sprintf("downloads: %v", entries)
	})

	// A file that matched a malware signature is named, blocked, with
	// nothing to download.
	blocked := domain.Attachment{Name: "invoice.pdf", ContentType: "application/pdf", Size: 68, SHA256: strings.Repeat("e1", 32), Quarantined: "Eicar-Test-Signature"}
	if _, err := h.cmds.Interaction(h.ctx, interaction, commands.Meta{Actor: "agent:a-agent"},
		domain.SendMessage{MessageID: "reply-blocked", AgentID: "a-agent", Text: "forwarded", Attachments: []domain.Attachment{blocked}}); err != nil {
		t.Fatal(err)
	}
	page.WaitJS("the blocked file", widgetFile("out", blocked.SHA256, "")+`.some(f => f.classList.contains("blocked") && f.textContent === "invoice.pdf · blocked (malware)" && !f.querySelector("a"))`, 15*time.Second)
	page.Screenshot("docs/screenshots/widget-files.png")

	// Refusals: over 10 MiB in the page, an executable by the server (its
	// message); nothing recorded.
	head, err := h.srv.store.HeadPosition(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.png")
	exe := filepath.Join(dir, "setup.pdf")
	if err := os.WriteFile(big, append(photo[:8:8], make([]byte, 10<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("MZ\x90\x00\x03\x00\x00\x00 a program"), 0o600); err != nil {
		t.Fatal(err)
	}
	failed := func(name, says string) string {
		return fmt.Sprintf(`[...%s.querySelectorAll("li.msg.in.failed[data-state=failed]")].some(li => li.querySelector(".file .name")?.textContent === %q && li.querySelector(".meta").textContent.includes(%q))`, widgetJS, name, says)
	}
	page.Do(chromedp.SetUploadFiles(widgetEl("input.picker"), []string{big}))
	page.WaitJS("the big file refused in the page", failed("big.png", "This file is too large: a file is at most 10 MB."), 10*time.Second)
	page.Do(chromedp.SetUploadFiles(widgetEl("input.picker"), []string{exe}))
	page.WaitJS("the program refused with the server's message", failed("setup.pdf", "cannot be sent here: send a picture, a PDF or a text file"), 15*time.Second)
	if after, _ := h.srv.store.HeadPosition(h.ctx); after != head {
		t.Errorf("refused files appended %d events", after-head)
	}
	if errs := page.ConsoleErrors(); len(errs) != 0 {
		// The server's 415 answer is logged as a failed load; nothing else
		// may fail.
		for _, e := range errs {
			if !strings.Contains(e, "415") {
				t.Errorf("console error on the shop's page: %s", e)
			}
		}
	}

	// The ledger's demo page (same origin, its own CSP): a pasted
	// picture is sent and shown.
	demo := page.NewTab()
	demo.Do(chromedp.Navigate(ledgerBase + "/widget-demo.html"))
	demo.WaitJS("the widget's bubble", `!!document.querySelector("#ledger-webchat")?.shadowRoot?.querySelector("button.bubble")`, 10*time.Second)
	demo.Do(chromedp.Click(widgetEl("button.bubble")))
	demo.WaitJS("the connection", widgetJS+`.querySelector(".status").dataset.kind === "open"`, 15*time.Second)
	browsertest.Eval[bool](demo, fmt.Sprintf(`(() => {
		const png = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([png], "image.png", {type: "image/png"}));
		const ev = new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true});
		%s.querySelector("textarea").dispatchEvent(ev);
		return ev.defaultPrevented;
	})()`, base64.StdEncoding.EncodeToString(photo), widgetJS))
	demo.WaitJS("the pasted picture sent and shown", widgetFile("in", photoSHA, "img.thumb")+`.some(i => i.complete && i.naturalWidth === 64)`, 20*time.Second)
	if text := browsertest.Eval[string](demo, widgetJS+`.querySelector("textarea").value`); text != "" {
		t.Errorf("the paste left %q in the message box", text)
	}
	if errs := demo.ConsoleErrors(); len(errs) != 0 {
		t.Errorf("console errors on the demo page: %q", errs)
	}
	if n := countEvents(t, h.srv, "MessageReceived"); n != 2 {
		t.Errorf("%d messages received, want the two pictures", n)
	}
}

// TestWidgetFileRetriedAfterRetryAfter: over the client rate (an upload
// per 5 s, no burst), the second of two pictures chosen together is
// refused with 429 and Retry-After; the widget, on a shop's page of
// another origin (the header is exposed to it), shows it sending, waits as
// told, and sends it again under the same id: exactly one refusal, the
// retry no sooner than the wait, both pictures recorded once and shown.
func TestWidgetFileRetriedAfterRetryAfter(t *testing.T) {
	if !widget.Built() {
		browsertest.Unavailable(t, "the widget is not built into this test binary: run make ui-widget")
	}
	var ledgerBase string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, shopPage, ledgerBase)
	}))
	defer shop.Close()
	var lf limitFlags
	fs := flag.NewFlagSet("limits", flag.ContinueOnError)
	lf.addFlags(fs)
	if err := fs.Parse([]string{"--limit-client-rate", "12/m:1"}); err != nil {
		t.Fatal(err)
	}
	limits, err := lf.parse()
	if err != nil {
		t.Fatal(err)
	}
	h := startAPIWith(t, serveConfig{limits: limits}, &webChannelsComponent{webchatOrigins: shop.URL})
	ledgerBase = "http://" + h.srv.addr

	dir := t.TempDir()
	files := newAttachmentFiles(t)
	second := append(bytes.Clone(files.png), "-another"...) // another hash, still a PNG
	paths := []string{filepath.Join(dir, "one.png"), filepath.Join(dir, "two.png")}
	for i, b := range [][]byte{files.png, second} {
		if err := os.WriteFile(paths[i], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	page := browsertest.Start(t)
	page.Do(chromedp.Navigate(shop.URL))
	page.WaitJS("the connection", `!!document.querySelector("#ledger-webchat") && `+widgetJS+`.querySelector(".status").dataset.kind === "open"`, 15*time.Second)
	page.Do(chromedp.SetUploadFiles(widgetEl("input.picker"), paths))
	page.WaitJS("a refusal", `window.uploads.some(u => u.status === 429)`, 15*time.Second)
	page.WaitJS("one picture sent, the other sending until the wait is over", widgetJS+`.querySelectorAll("li.msg.in[data-state=sent]").length === 1 && `+
		`[...`+widgetJS+`.querySelectorAll("li.msg.in[data-state=sending] .meta")].map(m => m.textContent.replace(/^.*?· /, "")).join() === "Sending… · trying again in 5 s"`, 4*time.Second)
	page.WaitJS("both pictures sent and shown", widgetFile("in", sha256hex(files.png), "img.thumb")+`.length === 1 && `+
		widgetFile("in", sha256hex(second), "img.thumb")+`.some(i => i.complete && i.naturalWidth === 64)`, 20*time.Second)
	type try struct {
		URL    string
		Status int
		At     float64
	}
	// The two go up together, in either order: one is refused, and only
	// it is sent again, under its id, once the wait is over.
	tries := browsertest.Eval[[]try](page, `window.uploads`)
	id := func(u string) string { v, _ := neturl.Parse(u); return v.Query().Get("id") }
	var refused *try
	for i := range tries {
		if tries[i].Status == 429 {
			refused = &tries[i]
		}
	}
	if len(tries) != 3 || refused == nil || tries[2].Status != 200 || id(tries[2].URL) != id(refused.URL) {
		t.Fatalf("uploads %+v, want two, one refused (429), then its retry under the same id", tries)
	}
	if wait := time.Duration(tries[2].At-refused.At) * time.Millisecond; wait < 4*time.Second {
		t.Errorf("retried %s after the 429, want the Retry-After wait (about 5 s)", wait)
	}
	if n := countEvents(t, h.srv, "MessageReceived"); n != 2 {
		t.Errorf("%d messages received, want the two pictures once each", n)
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
