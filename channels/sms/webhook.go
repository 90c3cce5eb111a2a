package sms

import (
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"

	"github.com/interactionledger/ledger/channels/internal/edge"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// DefaultMaxBodyBytes bounds an inbound webhook's body: 1,600 characters of
// text and ten media URLs fit many times over.
const DefaultMaxBodyBytes = 64 << 10

// Config configures the inbound webhook.
type Config struct {
	Receiver edge.Receiver
	// AuthToken checks X-Twilio-Signature. Without one the endpoint is
	// disabled (503): anyone who could reach it could otherwise write into
	// any customer's history by giving their number.
	AuthToken string
	// Insecure accepts unsigned requests when there is no AuthToken: for
	// local trials, or a provider that cannot sign on a trusted network.
	Insecure     bool
	Logger       *slog.Logger
	MaxBodyBytes int64
	// Limits bound requests per source address (the provider's, shared
	// by every customer) and messages per sender; nil: no limits.
	Limits *limit.Guard
}

// Webhook is the inbound SMS endpoint.
type Webhook struct{ cfg Config }

// NewWebhook returns the inbound endpoint.
func NewWebhook(cfg Config) *Webhook {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return &Webhook{cfg: cfg}
}

// emptyTwiML tells the provider not to answer the customer itself.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// ServeHTTP records one inbound message.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.serve(r, w); err != nil {
		edge.WriteText(w, r, h.cfg.Logger, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = io.WriteString(w, emptyTwiML)
}

func (h *Webhook) serve(r *http.Request, w http.ResponseWriter) error {
	if h.cfg.AuthToken == "" && !h.cfg.Insecure {
		return edge.Errorf(http.StatusServiceUnavailable, "the SMS channel is disabled: no SMS auth token is configured")
	}
	if err := h.cfg.Limits.Source(r.RemoteAddr); err != nil {
		return err
	}
	if r.Method != http.MethodPost {
		return edge.Errorf(http.StatusMethodNotAllowed, "the SMS webhook takes POST")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return edge.Errorf(http.StatusUnsupportedMediaType, "the SMS webhook takes application/x-www-form-urlencoded, not %q", mt)
	}
	body, err := edge.ReadBody(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return &edge.Error{Status: http.StatusBadRequest, Message: "the body is not a valid form encoding", Err: err}
	}
	if h.cfg.AuthToken != "" && !ValidSignature(h.cfg.AuthToken, r.Header.Get(SignatureHeader), requestURL(r), form) {
		return edge.Errorf(http.StatusForbidden, "%s is missing or does not match the request", SignatureHeader)
	}
	in, err := ParseInbound(form)
	if err != nil {
		return err
	}
	res, err := edge.ReceiveWithin(r.Context(), h.cfg.Receiver, h.cfg.Limits, r.RemoteAddr, commands.InboundMessage{
		Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: in.From},
		ProviderMessageID: in.MessageSid, Text: in.Body, Attachments: in.Media,
	})
	if err != nil {
		return err
	}
	h.cfg.Logger.Debug("sms received", "sid", in.MessageSid, "interaction", res.InteractionID, "position", res.Position)
	return nil
}
