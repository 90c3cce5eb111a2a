package edge

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/interactionledger/ledger/eventstore"
)

// TestFullDiskIs503WithRetryAfter: an append refused for a full disk,
// however deeply wrapped, is answered 503 with Retry-After and a message
// that tells the sender to retry, as text and as JSON (code
// "unavailable"), never as a 500.
func TestFullDiskIs503WithRetryAfter(t *testing.T) {
	err := fmt.Errorf("receive inbound: %w", fmt.Errorf("append x: %w", eventstore.StorageFull(syscall.ENOSPC)))
	log := slog.New(slog.DiscardHandler)
	r := httptest.NewRequest(http.MethodPost, "/channels/sms", nil)

	w := httptest.NewRecorder()
	WriteText(w, r, log, err)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "30" || !strings.Contains(w.Body.String(), "disk is full; try again later") {
		t.Fatalf("text: %d Retry-After %q %q", w.Code, w.Header().Get("Retry-After"), w.Body.String())
	}

	w = httptest.NewRecorder()
	WriteJSON(w, r, log, err)
	var body struct {
		Error struct{ Code, Message string }
	}
	if jerr := json.Unmarshal(w.Body.Bytes(), &body); jerr != nil {
		t.Fatal(jerr)
	}
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "30" || body.Error.Code != "unavailable" || !strings.Contains(body.Error.Message, "disk is full") {
		t.Fatalf("json: %d Retry-After %q %+v", w.Code, w.Header().Get("Retry-After"), body)
	}
}
