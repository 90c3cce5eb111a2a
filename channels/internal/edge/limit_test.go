package edge

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

func TestLimitsAreAnswered429WithRetryAfter(t *testing.T) {
	cases := []struct {
		err        error
		retryAfter string
	}{
		{&limit.Error{What: "requests from this address", RetryAfter: 1500 * time.Millisecond}, "2"},
		{fmt.Errorf("wrapped: %w", &domain.InteractionLimitError{Limit: domain.LimitBytesPerHour, Max: 10, RetryAfter: time.Minute}), "60"},
		{&domain.InteractionLimitError{Limit: domain.LimitMessages, Max: 10}, ""},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		WriteJSON(rec, httptest.NewRequest(http.MethodPost, "/channels/app", nil), slog.New(slog.DiscardHandler), tc.err)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != tc.retryAfter {
			t.Errorf("%v: %d Retry-After %q; want 429 and %q", tc.err, rec.Code, rec.Header().Get("Retry-After"), tc.retryAfter)
		}
		if domain.ErrorCode(tc.err) != domain.ELIMITED {
			t.Errorf("%v: code %q", tc.err, domain.ErrorCode(tc.err))
		}
	}
}
