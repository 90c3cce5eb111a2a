package app

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/domain"
)

// SignatureHeader signs a push: "sha256=" and the hex HMAC-SHA256 of the
// body, keyed with the push secret (never the key or secret that
// authenticates inbound posts).
const SignatureHeader = "X-Ledger-Signature"

// Push is the JSON body of a reply pushed to the app's backend.
type Push struct {
	// DeliveryID is the same for every attempt of one reply: the receiver
	// drops repeats by it.
	DeliveryID    string          `json:"deliveryId"`
	MessageID     string          `json:"messageId,omitempty"`
	InteractionID string          `json:"interactionId"`
	CustomerID    string          `json:"customerId"`
	Identity      domain.Identity `json:"identity"`
	AgentID       string          `json:"agentId"`
	Text          string          `json:"text"`
	SentAt        time.Time       `json:"sentAt"`
	Attempt       int             `json:"attempt"`
}

// Pusher delivers replies to the app's push webhook.
type Pusher struct {
	url    string
	key    []byte
	client *http.Client
}

// NewPusher returns a Pusher posting to pushURL, signing with secret (at
// least MinSecretBytes).
func NewPusher(pushURL, secret string, client *http.Client) (*Pusher, error) {
	u, err := url.Parse(pushURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("app push URL %q is not an http(s) URL", pushURL)
	}
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("app: pushes are signed with the push secret, which needs at least %d bytes (it has %d)", MinSecretBytes, len(secret))
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &Pusher{url: pushURL, key: []byte(secret), client: client}, nil
}

// Sign returns the SignatureHeader value for body.
func Sign(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Send implements outbound.Sender.
func (p *Pusher) Send(ctx context.Context, d outbound.Delivery) (outbound.Receipt, error) {
	body, err := json.Marshal(Push{
		DeliveryID: d.SourceEventID, MessageID: d.MessageID, InteractionID: d.InteractionID, CustomerID: d.CustomerID,
		Identity: d.To, AgentID: d.AgentID, Text: d.Text, SentAt: d.SentAt, Attempt: d.Attempt,
	})
	if err != nil {
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("encode push: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("build push request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(p.key, body))
	req.Header.Set("Idempotency-Key", d.SourceEventID)
	resp, err := p.client.Do(req)
	if err != nil {
		return outbound.Receipt{}, fmt.Errorf("app push webhook unreachable: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return outbound.Receipt{Detail: resp.Status}, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		return outbound.Receipt{}, fmt.Errorf("app push webhook answered %s", resp.Status)
	default:
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("app push webhook answered %s", resp.Status))
	}
}
