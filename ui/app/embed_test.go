package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/klauspost/compress/gzhttp"
)

func TestHandler(t *testing.T) {
	built := handler{files: fstest.MapFS{
		"index.html":            {Data: []byte("<!doctype html><title>app</title>")},
		"assets/index-abc.js":   {Data: []byte("console.log(1)")},
		"assets/index-abc.css":  {Data: []byte("body{}")},
		".keep":                 {Data: nil},
		"assets/nested/dir/x.s": {Data: []byte("x")},
	}}
	empty := handler{files: fstest.MapFS{".keep": {Data: nil}}}
	for _, c := range []struct {
		name, method, path string
		h                  handler
		status             int
		contentType, cache string
		body               string
	}{
		{"root", "GET", "/", built, 200, "text/html; charset=utf-8", "no-cache", "<title>app</title>"},
		{"client route", "GET", "/agent", built, 200, "text/html; charset=utf-8", "no-cache", "<title>app</title>"},
		{"client sub-route", "GET", "/auditor/streams/x", built, 200, "text/html; charset=utf-8", "no-cache", "<title>app</title>"},
		{"hashed script", "GET", "/assets/index-abc.js", built, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "console.log"},
		{"hashed style", "GET", "/assets/index-abc.css", built, 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body{}"},
		{"unknown path", "GET", "/healthz", built, 404, "", "", ""},
		{"missing asset", "GET", "/assets/gone.js", built, 404, "", "", ""},
		{"placeholder hidden", "GET", "/.keep", built, 404, "", "", ""},
		{"directory", "GET", "/assets", built, 404, "", "", ""},
		{"post", "POST", "/", built, 405, "", "", ""},
		{"not built", "GET", "/", empty, 200, "text/html; charset=utf-8", "no-cache", "make ui"},
		{"not built route", "GET", "/signin", empty, 200, "text/html; charset=utf-8", "no-cache", "make ui"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c.h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
			if rec.Code != c.status {
				t.Fatalf("%s %s: status %d, want %d", c.method, c.path, rec.Code, c.status)
			}
			if c.contentType != "" && !strings.EqualFold(rec.Header().Get("Content-Type"), c.contentType) {
				t.Errorf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), c.contentType)
			}
			if c.cache != "" && rec.Header().Get("Cache-Control") != c.cache {
				t.Errorf("Cache-Control %q, want %q", rec.Header().Get("Cache-Control"), c.cache)
			}
			if !strings.Contains(rec.Body.String(), c.body) {
				t.Errorf("body %q, want it to contain %q", rec.Body.String(), c.body)
			}
		})
	}
}

// TestEmbedded: the embedded build (or its placeholder) is served at "/".
func TestEmbedded(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	want := "make ui"
	if Built() {
		want = `<div id="app">`
	}
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
		t.Errorf("GET /: %d %q, want 200 with %q", rec.Code, rec.Body.String(), want)
	}
}

// TestGzipped: a browser that accepts gzip gets the scripts gzipped, and
// one that does not gets them as they are.
func TestGzipped(t *testing.T) {
	script := strings.Repeat("console.log('the desktop');\n", 200)
	gz := gzhttp.GzipHandler(handler{files: fstest.MapFS{"assets/index-abc.js": {Data: []byte(script)}}})
	for _, c := range []struct {
		accept, encoding string
		smaller          bool
	}{{"gzip, deflate, br", "gzip", true}, {"", "", false}} {
		req := httptest.NewRequest(http.MethodGet, "/assets/index-abc.js", nil)
		if c.accept != "" {
			req.Header.Set("Accept-Encoding", c.accept)
		}
		rec := httptest.NewRecorder()
		gz.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != c.encoding {
			t.Errorf("Accept-Encoding %q: %d, Content-Encoding %q, want 200 and %q", c.accept, rec.Code, rec.Header().Get("Content-Encoding"), c.encoding)
		}
		if got := rec.Body.Len() < len(script); got != c.smaller {
			t.Errorf("Accept-Encoding %q: %d bytes of %d", c.accept, rec.Body.Len(), len(script))
		}
	}
}

// firstScreenBudget is the most JavaScript, gzipped as served, the
// sign-in page and the first workspace may load before anything lazy
// (the analyst's charts load on their own page).
const firstScreenBudget = 250 << 10

// TestFirstScreenBudget: the scripts index.html loads at once (its entry
// and the modules it preloads) fit the budget, counted as the handler
// sends them to a browser that accepts gzip.
func TestFirstScreenBudget(t *testing.T) {
	if !Built() {
		if os.Getenv("CI") == "true" {
			t.Fatal("the desktop is not built into this test binary (CI=true: make test builds it first)")
		}
		t.Skip("the desktop is not built (make ui-app); nothing to weigh")
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	scripts := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+\.js)"`).FindAllStringSubmatch(rec.Body.String(), -1)
	if len(scripts) == 0 {
		t.Fatalf("index.html loads no script: %s", rec.Body.String())
	}
	total := 0
	for _, m := range scripts {
		req := httptest.NewRequest(http.MethodGet, m[1], nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("GET %s: %d, Content-Encoding %q, want 200 gzip", m[1], rec.Code, rec.Header().Get("Content-Encoding"))
		}
		t.Logf("%s: %d bytes gzipped", m[1], rec.Body.Len())
		total += rec.Body.Len()
	}
	if total > firstScreenBudget {
		t.Errorf("the first screen loads %d KiB of gzipped JavaScript, over the %d KiB budget", total>>10, firstScreenBudget>>10)
	}
}
