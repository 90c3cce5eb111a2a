package browsertest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestHarness drives a real Chromium: the console's errors, axe-core's
// violations (a critical one on a bad page, none on a good one) and a PNG
// screenshot.
func TestHarness(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/bad", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `<!doctype html><html><head><title>bad</title></head><body>
<main><h1>Bad</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<button></button></main>
<script>console.error("boom from the page"); setTimeout(() => { throw new Error("uncaught kaboom") })</script></body></html>`)
	})
	mux.HandleFunc("/good", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `<!doctype html><html lang="en"><head><title>good</title></head><body>
<main><h1>Good</h1><p>Fine.</p><button type="button" onclick="document.title='clicked'">Press</button></main></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	page := Start(t)
	page.Do(chromedp.Navigate(srv.URL + "/bad"))
	page.WaitJS("the page's errors", `true`, time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for len(page.ConsoleErrors()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	errs := strings.Join(page.ConsoleErrors(), "\n")
	if !strings.Contains(errs, "boom from the page") || !strings.Contains(errs, "uncaught kaboom") {
		t.Errorf("console errors %q: want the console.error and the exception", errs)
	}
	var ids []string
	for _, v := range page.Axe() {
		ids = append(ids, v.ID)
	}
	if !slices.Contains(ids, "image-alt") || !slices.Contains(ids, "button-name") {
		t.Errorf("axe found %v on a page with an image without alt and an empty button", ids)
	}

	// A second tab of the same browser; its console is its own.
	tab := page.NewTab()
	tab.Do(chromedp.Navigate(srv.URL+"/good"), chromedp.Click(chromedp.CSS("button")))
	if title := Run(tab, chromedp.Title()); title != "clicked" {
		t.Errorf("title %q after the click", title)
	}
	if v := tab.Axe(); len(v) != 0 {
		t.Errorf("axe violations on the good page: %v", v)
	}
	if errs := tab.ConsoleErrors(); len(errs) != 0 {
		t.Errorf("console errors on the good page: %v", errs)
	}
	shot := filepath.Join(t.TempDir(), "shots", "good.png")
	tab.Screenshot(shot)
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 1000 {
		t.Fatalf("screenshot: %d bytes, %v", len(png), err)
	}
}

func TestChromiumPathOverride(t *testing.T) {
	t.Setenv(ChromiumEnv, filepath.Join(t.TempDir(), "no-such-browser"))
	if _, err := ChromiumPath(); err == nil {
		t.Fatal("a missing override was accepted")
	}
}
