package app

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/interactionledger/ledger/channels/internal/edge"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// KeyHeader carries the server key: only the company's backend sends it,
// to post as any customer (it must never ship in an app).
const KeyHeader = "X-Api-Key"

// AssertionHeader carries the identity assertion of an app user: a JWT the
// company's backend issued to them (see Verifier).
const AssertionHeader = "X-Identity-Assertion"

// DefaultMaxBodyBytes bounds a request: a message of the ledger's largest
// size (64 KiB) with room for JSON escapes.
const DefaultMaxBodyBytes = 256 << 10

// Config configures the endpoint. While neither Assertions nor ServerKey
// is set every request is refused.
type Config struct {
	Receiver edge.Receiver
	// Assertions verifies the assertions apps send in AssertionHeader; a
	// post is accepted only for the identity its assertion names. Nil: no
	// assertion is accepted.
	Assertions *Verifier
	// ServerKey (at least MinSecretBytes) lets the company's backend post
	// for any identity with KeyHeader; "": such posts are refused.
	ServerKey    string
	Logger       *slog.Logger
	MaxBodyBytes int64
	// MaxFileBytes bounds each file of a multipart post (default
	// DefaultMaxFileBytes); at most maxAttachments files.
	MaxFileBytes int64
	Now          func() time.Time
	// Limits bound requests per source address and messages per
	// customer identity; nil: no limits.
	Limits *limit.Guard
}

// Handler is the /channels/app endpoint.
type Handler struct {
	cfg     Config
	keyHash [32]byte
}

// NewHandler returns the endpoint, or an error for a server key shorter
// than MinSecretBytes.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.ServerKey != "" && len(cfg.ServerKey) < MinSecretBytes {
		return nil, fmt.Errorf("app: the server key is %d bytes; it needs at least %d", len(cfg.ServerKey), MinSecretBytes)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, keyHash: sha256.Sum256([]byte(cfg.ServerKey))}, nil
}

// Accepted is the answer to a recorded message.
type Accepted struct {
	CustomerID    string `json:"customerId"`
	InteractionID string `json:"interactionId"`
	// Position is the ledger position written; reads may wait for it.
	Position uint64 `json:"position"`
}

// ServeHTTP records one message.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res, err := h.serve(w, r)
	if err != nil {
		edge.WriteJSON(w, r, h.cfg.Logger, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(Accepted{CustomerID: res.CustomerID, InteractionID: res.InteractionID, Position: res.Position})
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (commands.InboundResult, error) {
	if h.cfg.Assertions == nil && h.cfg.ServerKey == "" {
		return commands.InboundResult{}, edge.Errorf(http.StatusServiceUnavailable, "the app channel is disabled: neither assertions nor a server key are configured")
	}
	if err := h.cfg.Limits.Source(r.RemoteAddr); err != nil {
		return commands.InboundResult{}, err
	}
	asserted, trusted, err := h.authenticate(w, r)
	if err != nil {
		return commands.InboundResult{}, err
	}
	if r.Method != http.MethodPost {
		return commands.InboundResult{}, edge.Errorf(http.StatusMethodNotAllowed, "the app endpoint takes POST")
	}
	m, files, err := h.readMessage(w, r)
	if err != nil {
		return commands.InboundResult{}, err
	}
	if !trusted {
		if err := h.sameIdentity(asserted, m.Identity); err != nil {
			return commands.InboundResult{}, err
		}
	}
	var sentAt time.Time
	if m.SentAt != nil {
		sentAt = *m.SentAt
	}
	return edge.ReceiveWithin(r.Context(), h.cfg.Receiver, h.cfg.Limits, r.RemoteAddr, commands.InboundMessage{
		Channel: domain.ChannelApp, From: m.Identity, DisplayName: m.DisplayName, ProviderMessageID: m.MessageID,
		Text: m.Text, Attachments: m.Attachments, SentAt: sentAt, Files: files, MaxFileBytes: h.cfg.MaxFileBytes,
	})
}

// readMessage reads the message of a JSON post, or of a multipart form
// (its "message" part first, then its files, streamed: see Files).
func (h *Handler) readMessage(w http.ResponseWriter, r *http.Request) (Message, commands.InboundFiles, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		body, err := edge.ReadBody(w, r, h.cfg.MaxBodyBytes)
		if err != nil {
			return Message{}, nil, err
		}
		m, err := ParseMessage(body)
		return m, nil, err
	case "multipart/form-data":
		return h.readForm(w, r, params["boundary"])
	}
	return Message{}, nil, edge.Errorf(http.StatusUnsupportedMediaType, "the app endpoint takes application/json or multipart/form-data, not %q", mt)
}

// authenticate works out who posts: the company's backend with the server
// key (trusted: it may name any identity), or an app user with an
// assertion, whose identity is returned.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (domain.Identity, bool, error) {
	refuse := func(format string, args ...any) (domain.Identity, bool, error) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="app", error="invalid_token"`)
		return domain.Identity{}, false, edge.Errorf(http.StatusUnauthorized, format, args...)
	}
	if r.Header.Get(KeyHeader) != "" {
		if h.cfg.ServerKey == "" || !h.serverKey(r) {
			return refuse("%s is wrong (the server key is for the company's backend only; apps send %s)", KeyHeader, AssertionHeader)
		}
		return domain.Identity{}, true, nil
	}
	token := r.Header.Get(AssertionHeader)
	if token == "" {
		return refuse("%s is missing: the app sends the identity assertion its backend issued", AssertionHeader)
	}
	if h.cfg.Assertions == nil {
		return refuse("identity assertions are not accepted: no assertion secret is configured")
	}
	id, err := h.cfg.Assertions.Verify(token, h.cfg.Now())
	if err != nil {
		return refuse("%v", err)
	}
	return id, false, nil
}

// sameIdentity refuses a message claiming another identity than the one
// asserted; both are compared normalised.
func (h *Handler) sameIdentity(asserted, claimed domain.Identity) error {
	got, err := h.cfg.Receiver.NormalizeIdentity(claimed)
	if err != nil {
		return err
	}
	want, err := h.cfg.Receiver.NormalizeIdentity(asserted)
	if err != nil || got != want {
		return edge.Errorf(http.StatusForbidden, "the identity assertion was issued for another identity than the message's")
	}
	return nil
}

// serverKey compares the server key in constant time (hashed first, so
// not even its length leaks).
func (h *Handler) serverKey(r *http.Request) bool {
	got := sha256.Sum256([]byte(r.Header.Get(KeyHeader)))
	return subtle.ConstantTimeCompare(got[:], h.keyHash[:]) == 1
}
