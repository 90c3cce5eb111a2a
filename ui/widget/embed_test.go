package widget

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestServesWidgetAndDemo(t *testing.T) {
	mux := http.NewServeMux()
	Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path, etag string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/widget.js", "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("/widget.js: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if body != string(Script()) {
		t.Fatal("/widget.js is not the embedded script")
	}
	if Built() == (body == Placeholder) {
		t.Errorf("Built() = %v but the script served is the placeholder: %v", Built(), body == Placeholder)
	}
	if !Built() && !strings.Contains(body, "make ui-widget") {
		t.Errorf("the placeholder does not say how to build the widget: %s", body)
	}
	if again, _ := get("/widget.js", resp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("a revalidation with the ETag got %d", again.StatusCode)
	}

	resp, body = get("/widget-demo.html", "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/widget-demo.html: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`<script src="/widget.js"`, "Chat with yourself as the agent", "自己扮演客服", `href="/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the demo page lacks %q", want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("demo page CSP %q", csp)
	}
	if resp, _ := get("/widget.jsx", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/widget.jsx: %d", resp.StatusCode)
	}
}
