package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/interactionledger/ledger/channels/internal/edge"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
	"github.com/interactionledger/ledger/internal/pii"
)

// DefaultMaxBodyBytes bounds a push's body (a text message is at most a
// few KiB).
const DefaultMaxBodyBytes = 64 << 10

// DefaultMaxClockSkew is how far a push's timestamp may be from our clock.
const DefaultMaxClockSkew = 5 * time.Minute

// Ledger is what the channel needs of the command side;
// *commands.Handler implements it.
type Ledger interface {
	edge.Receiver
	ResolveCustomer(ctx context.Context, identity domain.Identity, displayName string, meta commands.Meta) (commands.Resolution, error)
	ChangeSubscription(ctx context.Context, cmd domain.ChangeSubscription, meta commands.Meta) (commands.Result, error)
}

// Config configures the endpoint.
type Config struct {
	Ledger Ledger
	// Token is the server token configured in the official account; while
	// it is "" every request is refused.
	Token        string
	Logger       *slog.Logger
	MaxBodyBytes int64
	MaxClockSkew time.Duration
	Now          func() time.Time
	// Limits bound requests per source address (WeChat's servers, shared
	// by every follower) and messages per follower; nil: no limits.
	Limits *limit.Guard
	// Media fetches images, voice and videos (a *Sender with the
	// account's credentials), kept when the ledger keeps files; nil: they
	// are recorded by MediaId only.
	Media MediaFetcher
}

// MediaFetcher fetches a customer's media by MediaId.
type MediaFetcher interface {
	Media(ctx context.Context, mediaID string) (io.ReadCloser, error)
}

// Handler is the /channels/wechat endpoint.
type Handler struct {
	cfg    Config
	replay *replayGuard
}

// NewHandler returns the endpoint.
func NewHandler(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxClockSkew <= 0 {
		cfg.MaxClockSkew = DefaultMaxClockSkew
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, replay: newReplayGuard(2*cfg.MaxClockSkew, 200_000)}
}

// ServeHTTP answers the server verification (GET) and records pushes (POST).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	answer, err := h.serve(w, r)
	if err != nil {
		edge.WriteText(w, r, h.cfg.Logger, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, answer)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (string, error) {
	if h.cfg.Token == "" {
		return "", edge.Errorf(http.StatusServiceUnavailable, "the WeChat channel is disabled: no WeChat token is configured")
	}
	if err := h.cfg.Limits.Source(r.RemoteAddr); err != nil {
		return "", err
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return "", edge.Errorf(http.StatusMethodNotAllowed, "the WeChat endpoint takes GET (verification) and POST (messages)")
	}
	q := r.URL.Query()
	timestamp, nonce := q.Get("timestamp"), q.Get("nonce")
	if !ValidSignature(h.cfg.Token, q.Get("signature"), timestamp, nonce) {
		return "", edge.Errorf(http.StatusForbidden, "signature is missing or does not match")
	}
	if err := h.fresh(timestamp); err != nil {
		return "", err
	}
	if r.Method == http.MethodGet {
		return q.Get("echostr"), nil
	}
	if q.Get("encrypt_type") == "aes" {
		return "", edge.Errorf(http.StatusBadRequest, "encrypted (safe mode) messages are not supported; configure the official account in plaintext mode")
	}
	body, err := edge.ReadBody(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return "", err
	}
	if !h.replay.admit(timestamp, nonce, body, h.cfg.Now()) {
		return "", edge.Errorf(http.StatusForbidden, "this signature was already used for another message")
	}
	in, err := ParseMessage(body)
	if err != nil {
		return "", err
	}
	return "success", h.record(r.Context(), in, r.RemoteAddr)
}

// fresh refuses a timestamp too far from our clock: a captured signature
// is only good for that long.
func (h *Handler) fresh(timestamp string) error {
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return edge.Errorf(http.StatusBadRequest, "timestamp %q is not a Unix time", timestamp)
	}
	skew := h.cfg.Now().Sub(time.Unix(secs, 0))
	if skew > h.cfg.MaxClockSkew || skew < -h.cfg.MaxClockSkew {
		return edge.Errorf(http.StatusForbidden, "timestamp is %v away from the server's clock (more than %v)", skew.Round(time.Second), h.cfg.MaxClockSkew)
	}
	return nil
}

// record turns a validated push from the client address remote into the
// ledger's events.
func (h *Handler) record(ctx context.Context, in Inbound, remote string) error {
	from := domain.Identity{Kind: domain.IdentityWeChat, Value: in.OpenID}
	switch in.Kind {
	case KindMessage:
		res, err := edge.ReceiveWithin(ctx, h.cfg.Ledger, h.cfg.Limits, remote, commands.InboundMessage{
			Channel: domain.ChannelWeChat, From: from, ProviderMessageID: in.ID,
			Text: in.Text, Attachments: in.Attachments, SentAt: in.CreateTime,
			Files: h.mediaFiles(ctx, in), MaxFileBytes: MaxMediaBytes,
		})
		if err == nil {
			h.cfg.Logger.Debug("wechat message received", "msgid", in.ID, "interaction", res.InteractionID)
		}
		return err
	case KindSubscribe, KindUnsubscribe:
		return recordSubscription(ctx, h.cfg.Ledger, from, in)
	default:
		h.cfg.Logger.Debug("wechat push ignored", "openid_digest", pii.Digest(in.OpenID))
		return nil
	}
}

// mediaFiles fetches the message's media as its file, when there is one
// and a fetcher. A media id WeChat no longer knows records the message
// with its description (commands.ErrFileGone); any other failure refuses
// it, and WeChat pushes it again.
func (h *Handler) mediaFiles(ctx context.Context, in Inbound) commands.InboundFiles {
	if h.cfg.Media == nil || in.MediaID == "" {
		return nil
	}
	return func(each func(string, io.Reader) error) error { return h.fetchMedia(ctx, in, each) }
}

func (h *Handler) fetchMedia(ctx context.Context, in Inbound, each func(string, io.Reader) error) error {
	ctx, cancel := context.WithTimeout(ctx, mediaTimeout)
	defer cancel()
	body, err := h.cfg.Media.Media(ctx, in.MediaID)
	if errors.Is(err, ErrMediaGone) {
		return fmt.Errorf("%w: %w", commands.ErrFileGone, err)
	}
	if err != nil {
		return fmt.Errorf("fetch the media of message %s: %w", in.ID, err)
	}
	defer body.Close()
	return each(in.MediaName, body)
}

// mediaTimeout bounds fetching one media file.
const mediaTimeout = 30 * time.Second
