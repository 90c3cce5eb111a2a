package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/interactionledger/ledger/channels/wechat"
)

// mediaAPI is a stand-in for WeChat's token and temporary media APIs: it
// serves known media ids with the current token, answers JSON errors
// otherwise, and revokes the first token once.
func mediaAPI(t *testing.T, media map[string][]byte) (string, *int) {
	var mu sync.Mutex
	tokens, revoked := 0, false
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		tokens++
		fmt.Fprintf(w, `{"access_token":"TOKEN-%d","expires_in":7200}`, tokens)
	})
	mux.HandleFunc("GET /cgi-bin/media/get", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		q := r.URL.Query()
		if q.Get("access_token") == "TOKEN-1" && !revoked {
			revoked = true
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
			return
		}
		if q.Get("media_id") == "m-video" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"video_url":"http://example.invalid/v.mp4"}`)
			return
		}
		b, ok := media[q.Get("media_id")]
		if !ok {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, `{"errcode":40007,"errmsg":"invalid media_id"}`)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(b)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, &tokens
}

// TestMediaFetch: a media file is fetched with the access token (fetched
// again once when WeChat revoked it), byte for byte; an unknown media id,
// and a video WeChat answers by its URL, are ErrMediaGone; an API failure
// is an error worth retrying.
func TestMediaFetch(t *testing.T) {
	photo := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3}, 100_000)
	base, tokens := mediaAPI(t, map[string][]byte{"m-photo": photo})
	s := newSender(t, base)
	body, err := s.Media(context.Background(), "m-photo")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(body)
	body.Close()
	if err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("media: %d bytes, %v; want %d identical", len(got), err, len(photo))
	}
	if *tokens != 2 {
		t.Errorf("%d tokens fetched, want 2 (the revoked one replaced once)", *tokens)
	}
	if _, err := s.Media(context.Background(), "m-expired"); !errors.Is(err, wechat.ErrMediaGone) {
		t.Errorf("unknown media id: %v, want ErrMediaGone", err)
	}
	if _, err := s.Media(context.Background(), "m-video"); !errors.Is(err, wechat.ErrMediaGone) {
		t.Errorf("a video answered by its URL: %v, want ErrMediaGone (recorded by its description)", err)
	}
	down := newSender(t, "http://127.0.0.1:1")
	if _, err := down.Media(context.Background(), "m-photo"); err == nil || errors.Is(err, wechat.ErrMediaGone) {
		t.Errorf("API unreachable: %v, want an error worth retrying", err)
	}
}
