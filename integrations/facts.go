// Package integrations owns the ledger's endpoint for systems that tell it
// about customers without GraphQL: POST /integrations/facts, where a CRM or
// an order system records business facts (orders, plans, devices,
// contracts; see domain.BusinessFactRecorded) with requests signed by a
// shared secret.
//
// A request carries the Unix time it was signed at in TimestampHeader and
// "sha256=" and the hex HMAC-SHA256 of the timestamp, a '.', and the body
// in SignatureHeader (the header the app channel signs its pushes with). A
// request signed outside Window of the server's clock is refused, so a
// captured request cannot be replayed later; within the window a replay
// changes nothing, since facts are idempotent by version.
package integrations

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/internal/limit"
)

// Headers of a signed request.
const (
	SignatureHeader = "X-Ledger-Signature"
	TimestampHeader = "X-Ledger-Timestamp"
)

// Defaults of Config.
const (
	DefaultWindow  = 5 * time.Minute
	DefaultMaxBody = 64 << 10
	// MinSecretBytes is the shortest shared secret accepted.
	MinSecretBytes = 32
)

// Sign returns the SignatureHeader value of body signed at timestamp
// (Unix seconds, as sent in TimestampHeader).
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Recorder records facts: commands.Handler.
type Recorder interface {
	RecordBusinessFact(ctx context.Context, identity domain.Identity, fact domain.RecordBusinessFact, meta commands.Meta) (commands.FactResult, error)
}

// Config configures the facts endpoint.
type Config struct {
	Recorder Recorder
	// Secret is the shared secret requests are signed with (at least
	// MinSecretBytes).
	Secret []byte
	// Window is how far a request's timestamp may be from the server's
	// clock (default DefaultWindow).
	Window time.Duration
	// MaxBody bounds a request's body (default DefaultMaxBody).
	MaxBody int64
	// Limits rate-limits requests per client address (nil: none).
	Limits *limit.Guard
	Now    func() time.Time
	Logger *slog.Logger
}

// FactRequest is the JSON body of POST /integrations/facts.
type FactRequest struct {
	// Identity names the customer: a phone number, an email address, an
	// account id. An unknown identity registers a customer.
	Identity    domain.Identity   `json:"identity"`
	Kind        domain.FactKind   `json:"kind"`
	Source      string            `json:"source"`
	ExternalID  string            `json:"externalId"`
	Version     int64             `json:"version"`
	Tier        domain.Tier       `json:"tier,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	EffectiveAt time.Time         `json:"effectiveAt,omitzero"`
}

// FactResponse is the JSON answer to a recorded, repeated or stale fact.
type FactResponse struct {
	CustomerID      string `json:"customerId"`
	CustomerCreated bool   `json:"customerCreated"`
	// Outcome is RECORDED, UNCHANGED (this version was recorded before)
	// or STALE (a newer version was).
	Outcome  string `json:"outcome"`
	Version  int64  `json:"version"`
	Position uint64 `json:"position"`
}

// ErrorResponse is the JSON body of a refusal.
type ErrorResponse struct {
	Error string `json:"error"`
}

type handler struct{ cfg Config }

// NewHandler returns the handler of POST /integrations/facts.
func NewHandler(cfg Config) (http.Handler, error) {
	if cfg.Recorder == nil {
		return nil, errors.New("integrations: no recorder")
	}
	if len(cfg.Secret) < MinSecretBytes {
		return nil, fmt.Errorf("integrations: the shared secret has %d bytes, want at least %d", len(cfg.Secret), MinSecretBytes)
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &handler{cfg: cfg}, nil
}

// LoadSecret reads a shared secret from a file only its owner may read
// (surrounding white space is not part of it).
func LoadSecret(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("integration secret: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("integration secret %s has mode %s: chmod 600 it", path, info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("integration secret: %w", err)
	}
	secret := bytes.TrimSpace(b)
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("integration secret %s holds %d bytes, want at least %d", path, len(secret), MinSecretBytes)
	}
	return secret, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.cfg.Limits.Source(r.RemoteAddr); err != nil {
		var limited *limit.Error
		if errors.As(err, &limited) {
			w.Header().Set("Retry-After", limit.RetryAfterSeconds(limited.RetryAfter))
		}
		writeError(w, http.StatusTooManyRequests, "too many requests from this address")
		return
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "the body must be application/json")
		return
	}
	body, status, err := h.readBody(w, r)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	if status, err := h.verify(r, body); err != nil {
		writeError(w, status, err.Error())
		return
	}
	req, err := decode(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h.record(w, r, req)
}

// readBody reads at most MaxBody bytes of the body.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	if r.ContentLength > h.cfg.MaxBody {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the body is %d bytes, more than the %d allowed", r.ContentLength, h.cfg.MaxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the body is more than the %d bytes allowed", h.cfg.MaxBody)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("read the body: %w", err)
	}
	return body, 0, nil
}

// verify checks the timestamp's window, then the signature.
func (h *handler) verify(r *http.Request, body []byte) (int, error) {
	ts := r.Header.Get(TimestampHeader)
	sig := r.Header.Get(SignatureHeader)
	if ts == "" || sig == "" {
		return http.StatusUnauthorized, fmt.Errorf("sign the request: %s (Unix seconds) and %s (sha256=HMAC of timestamp.body)", TimestampHeader, SignatureHeader)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return http.StatusUnauthorized, fmt.Errorf("%s must be Unix seconds", TimestampHeader)
	}
	if skew := h.cfg.Now().Sub(time.Unix(secs, 0)); skew > h.cfg.Window || skew < -h.cfg.Window {
		return http.StatusUnauthorized, fmt.Errorf("%s is %s from the server's clock, more than the %s allowed: sign each request when sending it", TimestampHeader, skew.Abs().Round(time.Second), h.cfg.Window)
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(h.cfg.Secret, ts, body))) {
		return http.StatusUnauthorized, errors.New("the signature does not match the body and timestamp")
	}
	return 0, nil
}

// decode reads one fact, refusing unknown fields (a misspelt
// "external_id" must not pass as no id) and trailing data.
func decode(body []byte) (FactRequest, error) {
	var req FactRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, fmt.Errorf("the body is not a fact: %w", err)
	}
	if dec.More() {
		return req, errors.New("the body holds more than one JSON value")
	}
	return req, nil
}

func (h *handler) record(w http.ResponseWriter, r *http.Request, req FactRequest) {
	fact := domain.RecordBusinessFact{
		Kind: req.Kind, Source: req.Source, ExternalID: req.ExternalID, Version: req.Version,
		Tier: req.Tier, Attributes: req.Attributes, EffectiveAt: req.EffectiveAt,
	}
	meta := commands.Meta{Actor: "integration:" + strings.TrimSpace(req.Source)}
	res, err := h.cfg.Recorder.RecordBusinessFact(r.Context(), req.Identity, fact, meta)
	if after, ok := eventstore.Unavailable(err); ok {
		// The ledger cannot write now (a full disk): nothing was recorded,
		// and the sender tries again after the wait.
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(after.Seconds()))))
		writeError(w, http.StatusServiceUnavailable, "the ledger cannot record facts now; try again later")
		return
	}
	if err != nil {
		status := statusOf(err)
		msg := domain.ErrorMessage(err)
		if status == http.StatusInternalServerError {
			h.cfg.Logger.ErrorContext(r.Context(), "record a business fact", "source", req.Source, "err", err)
			msg = "the ledger could not record the fact; try again"
		}
		writeError(w, status, msg)
		return
	}
	writeJSON(w, http.StatusOK, FactResponse{
		CustomerID: res.CustomerID, CustomerCreated: res.CustomerCreated, Outcome: res.Outcome.String(),
		Version: res.Version, Position: res.Position,
	})
}

// statusOf maps a command's error to its HTTP status by domain code.
func statusOf(err error) int {
	switch domain.ErrorCode(err) {
	case domain.EINVALID:
		return http.StatusBadRequest
	case domain.ECONFLICT:
		return http.StatusConflict
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.ELIMITED:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, ErrorResponse{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
