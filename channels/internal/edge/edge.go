// Package edge holds what the channels share where outside input meets the
// ledger: the Receiver contract they hand inbound messages to, bounded
// request bodies, and the one mapping from errors to HTTP statuses and
// messages that are safe to show a caller.
package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/internal/limit"
	"github.com/interactionledger/ledger/internal/pii"
)

// Receiver records customers' messages; *commands.Handler implements it.
type Receiver interface {
	ReceiveInbound(ctx context.Context, msg commands.InboundMessage, meta commands.Meta) (commands.InboundResult, error)
	NormalizeIdentity(id domain.Identity) (domain.Identity, error)
}

// Error is an error with the HTTP status it is answered with and a message
// safe to show the caller.
type Error struct {
	Status  int
	Message string
	Err     error // the cause, for logs; may be nil
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with status and a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// ReadBody reads r's body, at most limit bytes: a longer body is a 413
// *Error, a failed read a 400 one.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return data, nil
	case errors.As(err, &tooBig):
		return nil, Errorf(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", limit)
	default:
		return nil, &Error{Status: http.StatusBadRequest, Message: "reading the request body failed", Err: err}
	}
}

// Status returns the HTTP status and caller-safe message for err: an
// *Error as it is, a domain error by its code, an ended request as 503,
// anything else as a 500 that names no internals.
func Status(err error) (int, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Status, e.Message
	}
	var le *limit.Error
	if errors.As(err, &le) {
		return http.StatusTooManyRequests, le.Error()
	}
	if msg, ok := UnavailableMessage(err); ok {
		return http.StatusServiceUnavailable, msg
	}
	switch domain.ErrorCode(err) {
	case domain.ELIMITED:
		return http.StatusTooManyRequests, domain.ErrorMessage(err)
	case domain.EINVALID:
		return http.StatusBadRequest, domain.ErrorMessage(err)
	case domain.ECONFLICT:
		return http.StatusConflict, domain.ErrorMessage(err)
	case domain.ENOTFOUND:
		return http.StatusNotFound, domain.ErrorMessage(err)
	case domain.EFORBIDDEN:
		return http.StatusForbidden, domain.ErrorMessage(err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable, "the server is shutting down or overloaded; try again"
	}
	return http.StatusInternalServerError, "internal error"
}

// UnavailableMessage returns the caller-safe message for an error of a
// ledger that cannot take writes now (a full disk), and false for any
// other error. The sender is to retry, so the message says so.
func UnavailableMessage(err error) (string, bool) {
	if _, ok := eventstore.Unavailable(err); !ok {
		return "", false
	}
	if errors.Is(err, eventstore.ErrStorageFull) {
		return "the ledger's disk is full; try again later", true
	}
	return "the ledger cannot record messages now; try again later", true
}

// RetryAfter returns when the caller may try again after err, for a
// Retry-After header: a rate limit's wait, what is left of an interaction's
// hourly byte window, the wait a ledger that cannot write now suggests;
// false when err says nothing of it (a message cap lasts as long as the
// interaction).
func RetryAfter(err error) (time.Duration, bool) {
	var le *limit.Error
	if errors.As(err, &le) {
		return le.RetryAfter, true
	}
	if d, ok := eventstore.Unavailable(err); ok {
		return d, true
	}
	var over *domain.InteractionLimitError
	if errors.As(err, &over) && over.RetryAfter > 0 {
		return over.RetryAfter, true
	}
	return 0, false
}

// setRetryAfter sets the Retry-After header for a refusal that has one.
func setRetryAfter(w http.ResponseWriter, err error) {
	if d, ok := RetryAfter(err); ok {
		w.Header().Set("Retry-After", limit.RetryAfterSeconds(d))
	}
}

// WriteText answers err as plain text with its status; server errors are
// logged with their cause, client errors at debug level.
func WriteText(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	status, msg := Status(err)
	logFailure(r, logger, status, err)
	setRetryAfter(w, err)
	http.Error(w, msg, status)
}

// WriteJSON answers err as {"error": {"code": ..., "message": ...}} with
// its status.
func WriteJSON(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	status, msg := Status(err)
	logFailure(r, logger, status, err)
	code := domain.ErrorCode(err)
	if code == "" || code == domain.EINTERNAL {
		code = codeOf(status)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	setRetryAfter(w, err)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// codeOf names a status in the domain's error vocabulary.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusMethodNotAllowed:
		return domain.EINVALID
	case http.StatusUnauthorized, http.StatusForbidden:
		return domain.EFORBIDDEN
	case http.StatusNotFound:
		return domain.ENOTFOUND
	case http.StatusConflict:
		return domain.ECONFLICT
	case http.StatusTooManyRequests:
		return domain.ELIMITED
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return domain.EINTERNAL
}

func logFailure(r *http.Request, logger *slog.Logger, status int, err error) {
	level := slog.LevelDebug
	if _, unavailable := eventstore.Unavailable(err); status >= 500 && !unavailable {
		// A full disk is logged once per episode by the store, not once
		// per refused request.
		level = slog.LevelError
	}
	logger.Log(r.Context(), level, "channel request refused", "path", r.URL.Path, "status", status, "err", pii.RedactErr(err))
}
