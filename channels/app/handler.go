package app

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/interactionledger/ledger/channels/internal/edge"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// KeyHeader carries the app's API key.
const KeyHeader = "X-Api-Key"

// DefaultMaxBodyBytes bounds a request: a message of the ledger's largest
// size (64 KiB) with room for JSON escapes.
const DefaultMaxBodyBytes = 256 << 10

// Config configures the endpoint.
type Config struct {
	Receiver edge.Receiver
	// Key is the API key the app sends; while it is "" every request is
	// refused.
	Key          string
	Logger       *slog.Logger
	MaxBodyBytes int64
	// Limits bound requests per source address and messages per
	// customer identity; nil: no limits.
	Limits *limit.Guard
}

// Handler is the /channels/app endpoint.
type Handler struct {
	cfg     Config
	keyHash [32]byte
}

// NewHandler returns the endpoint.
func NewHandler(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return &Handler{cfg: cfg, keyHash: sha256.Sum256([]byte(cfg.Key))}
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
	if h.cfg.Key == "" {
		return commands.InboundResult{}, edge.Errorf(http.StatusServiceUnavailable, "the app channel is disabled: no app key is configured")
	}
	if err := h.cfg.Limits.Source(r.RemoteAddr); err != nil {
		return commands.InboundResult{}, err
	}
	if !h.authorised(r) {
		w.Header().Set("WWW-Authenticate", `ApiKey header="`+KeyHeader+`"`)
		return commands.InboundResult{}, edge.Errorf(http.StatusUnauthorized, "%s is missing or wrong", KeyHeader)
	}
	if r.Method != http.MethodPost {
		return commands.InboundResult{}, edge.Errorf(http.StatusMethodNotAllowed, "the app endpoint takes POST")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return commands.InboundResult{}, edge.Errorf(http.StatusUnsupportedMediaType, "the app endpoint takes application/json, not %q", mt)
	}
	body, err := edge.ReadBody(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return commands.InboundResult{}, err
	}
	m, err := ParseMessage(body)
	if err != nil {
		return commands.InboundResult{}, err
	}
	var sentAt time.Time
	if m.SentAt != nil {
		sentAt = *m.SentAt
	}
	return edge.ReceiveWithin(r.Context(), h.cfg.Receiver, h.cfg.Limits, r.RemoteAddr, commands.InboundMessage{
		Channel: domain.ChannelApp, From: m.Identity, DisplayName: m.DisplayName, ProviderMessageID: m.MessageID,
		Text: m.Text, Attachments: m.Attachments, SentAt: sentAt,
	})
}

// authorised compares the key in constant time (hashed first, so not even
// its length leaks).
func (h *Handler) authorised(r *http.Request) bool {
	got := sha256.Sum256([]byte(r.Header.Get(KeyHeader)))
	return subtle.ConstantTimeCompare(got[:], h.keyHash[:]) == 1
}
