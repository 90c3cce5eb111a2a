package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
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
