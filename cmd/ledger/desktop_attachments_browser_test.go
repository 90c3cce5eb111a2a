package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"io"
	"math/rand/v2"
	"net/http"
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
	"github.com/interactionledger/ledger/ui/app"
)

// TestDesktopAttachmentsInBrowser drives the desktop's attachments in
// headless Chromium against a real `ledger serve` that keeps files, issue
// #18 "Done means" (the browser test):
//
//   - a customer's web chat message arrives with a PDF and a text file,
//     kept; a second message carries the description of a quarantined file
//     and of one whose bytes were not kept. The agent sees each with its
//     name, size and type: download links for the kept files (an "open"
//     link only for the PDF), "Quarantined (malware: …)" and "Not kept"
//     with no link; a click on the PDF's download link saves, through the
//     browser's own download, the customer's exact bytes;
//   - in the reply box's picker, a file the server refuses shows the
//     server's reason and is removed; the agent then replies with files
//     alone: one picked, an image pasted into the reply box;
//   - the agent opens the customer's ticket, takes it, attaches an image
//     through the note form's picker (uploaded at once, shown ready) and a
//     text file dropped on the form, and adds the note with no text: the
//     note shows both with their links;
//   - a supervisor, signed in, downloads that image (200, identical
//     bytes); an analyst, signed in, is refused (403) at the same URL and
//     at the customer's PDF.
//
// The new UI passes axe, in English and in Chinese.
func TestDesktopAttachmentsInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	t.Setenv("LEDGER_JWT_SECRET", "") // the generated secret
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"},
		channelsComponent(p), newOutboundComponent(), &routingComponent{enabled: true}, &slaComponent{enabled: true}, newGraphQLComponent())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(10 * time.Second) })
	if srv.files == nil {
		t.Fatal("the server keeps no attachments' contents: a fresh ledger should")
	}
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
	base := "http://" + srv.addr
	cmds := commands.NewHandler(srv.store, commands.WithFiles(srv.files))
	meta := commands.Meta{Actor: "system:test"}
	if _, err := cmds.Agent(t.Context(), "a-001", domain.RegisterAgent{AgentID: "a-001", Name: "Li Lei", Skills: map[string]int{"billing": 5}}, meta); err != nil {
		t.Fatal(err)
	}
	addUser(t, dir, "a-001", "agent", testPassword)
	addUser(t, dir, "sup", "supervisor", testPassword)
	addUser(t, dir, "ana", "analyst", testPassword)
	files := newDesktopFiles(t)

	signInEnglish(t, page, base, "a-001")
	page.WaitJS("the agent workspace", `!!document.querySelector("#inbox-title") && document.querySelector(".conn.live") !== null`, 10*time.Second)
	page.WaitJS("the presence", `!!document.querySelector(".presence-now")`, 10*time.Second)
	clickJS(t, page, `.presence .row button`) // Available
	page.WaitJS("presence available", `document.querySelector(".presence-now").dataset.presence === "AVAILABLE"`, 10*time.Second)

	// The customer writes with two files, kept; then with the descriptions
	// of a quarantined file and of one whose bytes were not kept.
	const phone = "+8613800138031"
	from := domain.Identity{Kind: domain.IdentityPhone, Value: phone}
	in, err := cmds.ReceiveInbound(t.Context(), commands.InboundMessage{
		Channel: domain.ChannelWebchat, From: from, ProviderMessageID: "att-1", SentAt: time.Now().UTC(),
		Text: "Here is the invoice and my serial number.",
		Files: func(each func(string, io.Reader) error) error {
			if err := each(files.pdfName, bytes.NewReader(files.pdf)); err != nil {
				return err
			}
			return each(files.txtName, bytes.NewReader(files.txt))
		},
	}, meta)
	if err != nil {
		t.Fatal(err)
	}
	// A channel cannot say a file was quarantined (only the ledger's
	// scanner does), so this message goes to the interaction directly.
	if _, err := cmds.Interaction(t.Context(), in.InteractionID, meta, domain.ReceiveMessage{
		MessageID: "att-2", SentAt: time.Now().UTC(), Text: "And these two.",
		Attachments: []domain.Attachment{
			{Name: "setup.exe", ContentType: "application/x-msdownload", Size: 68, SHA256: strings.Repeat("e", 64), Quarantined: "Eicar-Test-Signature"},
			{Name: "old-scan.tif", ContentType: "image/tiff", Size: 2 << 20, SHA256: strings.Repeat("a", 64)},
		},
	}); err != nil {
		t.Fatal(err)
	}
	_, ticket, err := cmds.OpenTicket(t.Context(), domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryComplaint,
		Subject: "Invoice charged twice"}, meta)
	if err != nil {
		t.Fatal(err)
	}

	page.WaitJS("the interaction in the inbox", fmt.Sprintf(`!!document.querySelector('[data-interaction=%q]')`, in.InteractionID), 30*time.Second)
	clickJS(t, page, fmt.Sprintf(`[data-interaction=%q]`, in.InteractionID))
	pdfSHA, txtSHA := sha(files.pdf), sha(files.txt)
	att := func(sum string) string {
		return fmt.Sprintf(`document.querySelector('.attachment[data-sha256=%q]')`, sum)
	}
	if err := page.DoErr(25*time.Second, chromedp.Poll[chromedp.Void](att(pdfSHA)+` && `+att(txtSHA)+` && !!document.querySelector('.attachment[data-state="quarantined"]')`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Logf("the conversation reads: %s", browsertest.Eval[string](page, `document.querySelector(".conversation")?.innerText ?? ""`))
		t.Logf("the page's errors: %v", page.ConsoleErrors())
		t.Fatalf("waiting for the customer's files: %v", err)
	}

	// Each file: name, size and type; links where the bytes may be had.
	type shown struct {
		Direction, State, Text, Download, DownloadName, Open, Target, Rel string
		Links                                                             int
	}
	show := func(sel string) shown {
		t.Helper()
		return browsertest.Eval[shown](page, fmt.Sprintf(`(() => {
			const e = %s, d = e.querySelector(".attachment-download"), o = e.querySelector(".attachment-open");
			return {Direction: e.closest(".msg")?.dataset.direction ?? "", State: e.dataset.state, Text: e.textContent,
				Download: d?.getAttribute("href") ?? "", DownloadName: d?.getAttribute("download") ?? "",
				Open: o?.getAttribute("href") ?? "", Target: o?.target ?? "", Rel: o?.rel ?? "", Links: e.querySelectorAll("a").length};
		})()`, sel))
	}
	pdfURL := fmt.Sprintf("/files/interactions/%s/%s", in.InteractionID, pdfSHA)
	if got := show(att(pdfSHA)); got.Direction != "IN" || got.State != "kept" || !strings.Contains(got.Text, files.pdfName) ||
		!strings.Contains(got.Text, "kB") || !strings.Contains(got.Text, "application/pdf") ||
		got.Download != pdfURL || got.DownloadName != files.pdfName || got.Open != pdfURL+"?inline=1" ||
		got.Target != "_blank" || !strings.Contains(got.Rel, "noopener") || got.Links != 2 {
		t.Errorf("the PDF shows %+v, want its name, size in kB, application/pdf, download %s and open ?inline=1 in a new tab", got, pdfURL)
	}
	if got := show(att(txtSHA)); got.State != "kept" || !strings.Contains(got.Text, files.txtName) || !strings.Contains(got.Text, "text/plain") ||
		got.Download == "" || got.Open != "" || got.Links != 1 {
		t.Errorf("the text file shows %+v, want a download link and no open link", got)
	}
	if got := show(`document.querySelector('.attachment[data-state="quarantined"]')`); !strings.Contains(got.Text, "setup.exe") ||
		!strings.Contains(got.Text, "Quarantined (malware: Eicar-Test-Signature)") || got.Links != 0 {
		t.Errorf("the quarantined file shows %+v, want the signature and no link", got)
	}
	if got := show(`document.querySelector('.attachment[data-state="missing"]')`); !strings.Contains(got.Text, "old-scan.tif") ||
		!strings.Contains(got.Text, "2 MB") || !strings.Contains(got.Text, "Not kept") || got.Links != 0 {
		t.Errorf("the file not kept shows %+v, want its size, \"Not kept\" and no link", got)
	}
	// Keyboard: the links and the picker take the focus.
	for _, sel := range []string{`.attachment-download`, `.attachment-open`, `#reply-files`} {
		if !browsertest.Eval[bool](page, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); return document.activeElement === e; })()`, sel)) {
			t.Errorf("%s does not take the keyboard's focus", sel)
		}
	}

	// The PDF through the browser's own download: the customer's bytes.
	if got := browserDownload(t, page, att(pdfSHA)+`.querySelector(".attachment-download")`); !bytes.Equal(got, files.pdf) {
		t.Errorf("the downloaded PDF: %d bytes, sha256 %s; want the customer's %d bytes, %s", len(got), sha(got), len(files.pdf), pdfSHA)
	}
	page.AssertAccessible("conversation with attachments")
	page.Screenshot("docs/screenshots/desktop-attachments.png")

	// A file the server refuses (its name holds a tab) says why, and is removed.
	page.Do(chromedp.SetUploadFiles(chromedp.CSS("#reply-files"), []string{files.badPath}))
	page.WaitJS("the refused file", `document.querySelector('.reply .pending-file')?.dataset.state === "error"`, 20*time.Second)
	if got := browsertest.Eval[string](page, `document.querySelector('.reply .pending-file [role="alert"]').textContent`); got != "Not uploaded: a file name holds no control characters" {
		t.Errorf("the refused file reads %q, want the server's reason", got)
	}
	if !browsertest.Eval[bool](page, `document.querySelector('.reply button[type="submit"]').disabled`) {
		t.Error("the send button is enabled with no text and no file ready")
	}
	clickJS(t, page, `.reply .pending-file .remove-file`)
	page.WaitJS("the refused file removed", `!document.querySelector('.reply .pending-file')`, 10*time.Second)

	// A reply that is files alone: one through the reply box's picker, an
	// image pasted into the box (a screenshot on the clipboard).
	page.Do(chromedp.SetUploadFiles(chromedp.CSS("#reply-files"), []string{files.stepsPath}))
	page.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([Uint8Array.from(atob(%q), c => c.charCodeAt(0))], "pasted.png", {type: "image/png"}));
		document.querySelector("#reply-text").dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
	})()`, base64.StdEncoding.EncodeToString(files.shot))))
	page.WaitJS("the reply's files uploaded", `(() => { const l = [...document.querySelectorAll('.reply .pending-file')]; return l.length === 2 && l.every(f => f.dataset.state === "ready"); })()`, 20*time.Second)
	if got := browsertest.Eval[string](page, `document.querySelector('.reply .pending-files').textContent`); !strings.Contains(got, "steps.txt") || !strings.Contains(got, "pasted.png") || !strings.Contains(got, "Ready") {
		t.Errorf("the reply's pending files read %q, want steps.txt and pasted.png, Ready", got)
	}
	if got := browsertest.Eval[string](page, `document.querySelector("#reply-text").value`); got != "" {
		t.Errorf("the paste of an image put %q in the reply box, want nothing", got)
	}
	page.AssertAccessible("reply box with files ready")
	clickJS(t, page, `.reply button[type="submit"]`)
	stepsSHA, shotSHA := sha(files.steps), sha(files.shot)
	page.WaitJS("the reply with its files", fmt.Sprintf(`(() => {
		const m = document.querySelector('.msg-OUT .attachment[data-sha256=%q] .attachment-download')?.closest(".msg");
		return !!m && !!m.querySelector('.attachment[data-sha256=%q] .attachment-open');
	})()`, stepsSHA, shotSHA), 20*time.Second)
	page.WaitJS("the reply box emptied of files", `!document.querySelector('.reply .pending-file')`, 10*time.Second)

	// In Chinese: the same files, the markers translated.
	setLocale(page, "zh-CN")
	page.WaitJS("the files in Chinese", `(document.querySelector('.attachment[data-state="quarantined"]')?.textContent ?? "").includes("已隔离（恶意软件：Eicar-Test-Signature）") &&
		document.querySelector(".attachment-download").textContent.startsWith("下载")`, 10*time.Second)
	page.AssertAccessible("conversation with attachments in Chinese")
	page.Screenshot("docs/screenshots/desktop-attachments-zh.png")
	setLocale(page, "en")
	page.WaitJS("English again", `document.documentElement.lang === "en"`, 10*time.Second)

	// The customer's ticket, from the 360: take it and add a note that is an image alone.
	page.WaitJS("the ticket in the 360", fmt.Sprintf(`!!document.querySelector('.open-tickets [data-ticket=%q] a')`, ticket.ID), 20*time.Second)
	clickJS(t, page, fmt.Sprintf(`.open-tickets [data-ticket=%q] a`, ticket.ID))
	page.WaitJS("the ticket", fmt.Sprintf(`document.querySelector(".ticket")?.dataset.ticket === %q`, ticket.ID), 20*time.Second)
	clickJS(t, page, `.ticket button.take`)
	page.WaitJS("the ticket taken", `document.querySelector(".ticket")?.dataset.status === "ASSIGNED"`, 20*time.Second)
	page.Do(chromedp.SetUploadFiles(chromedp.CSS("#ticket-note-files"), []string{files.pngPath}))
	page.WaitJS("the note's file uploaded", `document.querySelector('.ticket-note-form .pending-file')?.dataset.state === "ready"`, 20*time.Second)
	// And one dropped on the form.
	page.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const dt = new DataTransfer(), form = document.querySelector(".ticket-note-form");
		dt.items.add(new File([%q], "dropped.txt", {type: "text/plain"}));
		form.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
		form.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
	})()`, string(files.dropped))))
	page.WaitJS("the dropped file uploaded", `(() => { const l = [...document.querySelectorAll('.ticket-note-form .pending-file')]; return l.length === 2 && l.every(f => f.dataset.state === "ready"); })()`, 20*time.Second)
	if browsertest.Eval[bool](page, `document.querySelector('.ticket-note-form button[type="submit"]').disabled`) {
		t.Error("the add-note button is disabled with a file ready and no text: a note may be files alone")
	}
	page.AssertAccessible("ticket note form with a file ready")
	clickJS(t, page, `.ticket-note-form button[type="submit"]`)
	pngSHA := sha(files.png)
	noteFile := fmt.Sprintf(`document.querySelector('.ticket-notes .attachment[data-sha256=%q]')`, pngSHA)
	page.WaitJS("the note with its image", noteFile+`?.querySelector(".attachment-download")`, 20*time.Second)
	if !browsertest.Eval[bool](page, noteFile+fmt.Sprintf(`.closest("li:not(.attachment)").querySelector('.attachment[data-sha256=%q] .attachment-download') !== null`, sha(files.dropped))) {
		t.Error("the note lacks the dropped file")
	}
	pngURL := fmt.Sprintf("/files/tickets/%s/%s", ticket.ID, pngSHA)
	if got := show(noteFile); !strings.Contains(got.Text, "refund-form.png") || !strings.Contains(got.Text, "image/png") ||
		got.Download != pngURL || got.Open != pngURL+"?inline=1" {
		t.Errorf("the note's image shows %+v, want download %s and open ?inline=1", got, pngURL)
	}
	page.WaitJS("the note form emptied of files", `!document.querySelector('.ticket-note-form .pending-file')`, 10*time.Second)
	// The agent's own download of it, in the page.
	if got := fetchInPage(t, page, pngURL); got.Status != http.StatusOK || !bytes.Equal(got.bytes(t), files.png) {
		t.Errorf("the agent's download of the note's image: %d, %d bytes; want 200 and the %d bytes attached", got.Status, len(got.bytes(t)), len(files.png))
	}
	page.AssertAccessible("ticket with a note's image")

	// A supervisor downloads the note's image: the same bytes.
	signOutAndIn := func(subject string) {
		t.Helper()
		clickJS(t, page, `header.shell > button`)
		page.WaitJS("the sign-in form", `!!document.querySelector("#signin-subject")`, 10*time.Second)
		page.Do(
			chromedp.SendKeys(chromedp.CSS("#signin-subject"), subject),
			chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
		)
		clickJS(t, page, `form button[type="submit"]`)
		page.WaitJS(subject+" signed in", `!!document.querySelector("header.shell")`, 10*time.Second)
	}
	signOutAndIn("sup")
	if got := fetchInPage(t, page, pngURL); got.Status != http.StatusOK || !bytes.Equal(got.bytes(t), files.png) ||
		!strings.HasPrefix(got.Disposition, "attachment") {
		t.Errorf("the supervisor's download: %d (%s), %d bytes; want 200, an attachment, the %d bytes attached",
			got.Status, got.Disposition, len(got.bytes(t)), len(files.png))
	}

	// An analyst is refused, at the note's image and at the customer's PDF.
	signOutAndIn("ana")
	for url, file := range map[string][]byte{pngURL: files.png, pdfURL: files.pdf} {
		if got := fetchInPage(t, page, url); got.Status != http.StatusForbidden || bytes.Contains(got.bytes(t), file[:16]) {
			t.Errorf("the analyst's download of %s: %d, %d bytes; want 403 and no file", url, got.Status, len(got.bytes(t)))
		}
	}

	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}

// desktopFiles are the files of the attachments' browser test: the
// customer's PDF and text file, and the agent's image and text file (on
// disk, for the pickers).
type desktopFiles struct {
	pdfName, txtName   string
	pdf, txt           []byte
	png, steps         []byte
	shot, dropped      []byte // pasted into the reply box, dropped on the note form
	pngPath, stepsPath string
	badPath            string // a name the server refuses
}

func newDesktopFiles(t *testing.T) desktopFiles {
	t.Helper()
	rng := rand.New(rand.NewPCG(18, 18))
	pdf := testPDF(rng, 150<<10)
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	randomPixels(rng, img.Pix)
	img.Set(0, 0, color.Black)
	shot := image.NewGray(image.Rect(0, 0, 8, 8))
	randomPixels(rng, shot.Pix)
	dir := t.TempDir()
	f := desktopFiles{shot: encodePNG(t, shot), dropped: []byte("Dropped on the note form.\n"), pdfName: "invoice-2026-11.pdf", txtName: "serial.txt",
		pdf: pdf, txt: []byte("Serial number: SN-4471-0098\n"),
		png: encodePNG(t, img), steps: []byte("1. Open Settings.\n2. Choose Billing.\n"),
		pngPath: filepath.Join(dir, "refund-form.png"), stepsPath: filepath.Join(dir, "steps.txt"),
		badPath: filepath.Join(dir, "bad\tname.txt")}
	for path, b := range map[string][]byte{f.pngPath: f.png, f.stepsPath: f.steps, f.badPath: f.steps} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// setLocale picks the locale in the shell's language menu.
func setLocale(page *browsertest.Page, locale string) {
	page.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const s = document.querySelector("#locale"); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, locale)))
}

// fetched is what a GET from the page's own script answered.
type fetched struct {
	Status      int
	Disposition string
	Body        string // base64
}

func (f fetched) bytes(t *testing.T) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(f.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fetchInPage GETs url from the page, as the signed-in user (the session
// cookie), and returns the answer.
func fetchInPage(t *testing.T, page *browsertest.Page, url string) fetched {
	t.Helper()
	return browsertest.Eval[fetched](page, fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: "same-origin"});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
		return {Status: r.status, Disposition: r.headers.get("Content-Disposition") ?? "", Body: btoa(s)};
	})()`, url))
}

// browserDownload clicks the link the expression names and returns the
// bytes the browser saved, through Chromium's own download (the link's
// download attribute, the session cookie).
func browserDownload(t *testing.T, page *browsertest.Page, link string) []byte {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(page.Ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	events := true
	page.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events})
		return err
	}))
	page.Do(chromedp.Evaluate[chromedp.Void](link + `.click()`))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the download: %v", err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("the download was cancelled: %+v", ev)
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("the download did not complete")
	return nil
}
