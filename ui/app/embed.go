// Package app serves the agent desktop, the single-page application built
// from this folder (npm run build, or `make ui`) into dist/, which is
// embedded into the binary. Without a build, dist/ holds only a
// placeholder and the handler answers with a page saying how to build it.
package app

import (
	"embed"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

//go:embed all:dist
var dist embed.FS

// Routes are the client-side routes of the application: each, and every
// path under it, is answered with index.html so a reload or a bookmark
// works. Other paths that are not files of the build are 404.
var Routes = []string{"/signin", "/agent", "/supervisor", "/analyst", "/auditor"}

// Handler returns the handler of the desktop: the built files of dist/,
// hashed assets (under /assets/) cached for a year, index.html never
// cached, and index.html for "/" and the client routes. Answers are
// gzipped for browsers that accept it: the scripts shrink to about a
// quarter, which is most of the first sign-in's wait on a slow link.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded: cannot happen
	}
	return gzhttp.GzipHandler(handler{files: sub})
}

type handler struct{ files fs.FS }

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if p == "/" || isRoute(p) {
		h.index(w, r)
		return
	}
	name := strings.TrimPrefix(p, "/")
	if name == "index.html" || strings.HasPrefix(path.Base(name), ".") {
		http.NotFound(w, r)
		return
	}
	f, err := h.files.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if strings.HasPrefix(name, "assets/") {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, st.ModTime(), f.(io.ReadSeeker))
}

func isRoute(p string) bool {
	for _, route := range Routes {
		if p == route || strings.HasPrefix(p, route+"/") {
			return true
		}
	}
	return false
}

// index serves index.html, or the page saying how to build the UI.
func (h handler) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	b, err := fs.ReadFile(h.files, "index.html")
	if err != nil {
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, notBuilt)
		}
		return
	}
	if r.Method == http.MethodGet {
		_, _ = w.Write(b)
	}
}

// Built reports whether the binary holds a build of the desktop.
func Built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Interaction Ledger</title></head>
<body><main><h1>Interaction Ledger</h1>
<p>This binary was built without the agent desktop. Build it with <code>make ui</code>
(which runs <code>npm ci &amp;&amp; npm run build</code> in <code>ui/app</code>), then rebuild the
binary (<code>make build</code>).</p>
<p>The GraphQL API is at <code>/graphql</code>.</p></main></body></html>
`
