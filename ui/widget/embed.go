// Package widget serves the customer's web chat widget: /widget.js, built
// from the TypeScript sources beside this file (`make ui-widget`, or
// `cd ui/widget && npm ci && npm run build`) into dist/, and
// /widget-demo.html, a page that embeds it with one script tag.
//
// The build output is embedded when the binary is built. A binary built
// before it (a plain `go build ./cmd/ledger` without node) serves a
// placeholder widget.js that says, in the browser's console, how to build
// the real one.
package widget

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"time"

	"github.com/klauspost/compress/gzhttp"
)

//go:embed all:dist demo.html
var files embed.FS

// Placeholder is the widget.js served when the widget was not built.
const Placeholder = `console.warn("Interaction Ledger: the web chat widget is not built into this binary. ` +
	`Build it with \"make ui-widget\" (or: cd ui/widget && npm ci && npm run build), then rebuild ledger (make build).");` + "\n"

// asset is one file served with a strong ETag.
type asset struct {
	body, etag, contentType string
}

func newAsset(body []byte, contentType string) asset {
	sum := sha256.Sum256(body)
	return asset{body: string(body), etag: `"` + hex.EncodeToString(sum[:12]) + `"`, contentType: contentType}
}

func (a asset) serve(w http.ResponseWriter, r *http.Request, cache string) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", cache)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader([]byte(a.body)))
}

// Built reports whether the real widget is embedded (not the placeholder).
func Built() bool {
	_, err := fs.Stat(files, "dist/widget.js")
	return err == nil
}

// Script returns the widget.js this binary serves.
func Script() []byte {
	if b, err := files.ReadFile("dist/widget.js"); err == nil {
		return b
	}
	return []byte(Placeholder)
}

// Handler serves GET /widget.js, gzipped for browsers that accept it:
// every page of the embedding site loads it.
func Handler() http.Handler {
	a := newAsset(Script(), "text/javascript; charset=utf-8")
	return gzhttp.GzipHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Any site may embed the widget (its sockets are what
		// --webchat-origins restricts).
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		a.serve(w, r, "public, max-age=300, must-revalidate")
	}))
}

// DemoHandler serves GET /widget-demo.html.
func DemoHandler() http.Handler {
	page, err := files.ReadFile("demo.html")
	if err != nil {
		panic("widget: demo.html is not embedded: " + err.Error())
	}
	a := newAsset(page, "text/html; charset=utf-8")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		a.serve(w, r, "no-cache")
	})
}

// Mount adds GET /widget.js and GET /widget-demo.html to mux.
func Mount(mux *http.ServeMux) {
	mux.Handle("GET /widget.js", Handler())
	mux.Handle("GET /widget-demo.html", DemoHandler())
}
