package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/domain"
)

// MaxReplyBytes is the longest text the customer-service API takes.
const MaxReplyBytes = 2048

// SenderConfig configures outbound WeChat messages.
type SenderConfig struct {
	// BaseURL is the API's base, e.g. https://api.weixin.qq.com.
	BaseURL string
	// AppID and AppSecret fetch the access token from /cgi-bin/token.
	// Leave both empty when BaseURL is a gateway that adds the token
	// itself (WeChat invalidates a token when another one is fetched, so
	// many accounts have one service own it).
	AppID, AppSecret string
	Client           *http.Client
	Now              func() time.Time
}

// Sender delivers replies through the customer-service message API.
type Sender struct {
	base   string
	client *http.Client
	tokens *tokenSource // nil: the gateway adds the token
}

// NewSender checks cfg and returns a Sender.
func NewSender(cfg SenderConfig) (*Sender, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("wechat api %q is not an http(s) URL", cfg.BaseURL)
	}
	if (cfg.AppID == "") != (cfg.AppSecret == "") {
		return nil, errors.New("wechat: the app id and the app secret go together")
	}
	s := &Sender{base: u.String(), client: cfg.Client}
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AppID != "" {
		s.tokens = &tokenSource{base: s.base, appID: cfg.AppID, secret: cfg.AppSecret, client: s.client, now: cfg.Now}
	}
	return s, nil
}

// apiAnswer is the error envelope of every API answer.
type apiAnswer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
	MsgID   int64  `json:"msgid"`
}

// APIError is an error answer of the WeChat API.
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("WeChat API error %d: %s", e.Code, e.Message) }

// Error codes the sender acts on.
const (
	errInvalidCredential = 40001
	errInvalidToken      = 40014
	errTokenExpired      = 42001
)

// permanentCodes are refusals a retry cannot fix: an unknown or
// unfollowed recipient, the 48-hour reply window closed, content refused.
var permanentCodes = map[int]bool{
	40003: true, // invalid openid
	40008: true, // invalid message type
	43004: true, // the customer does not follow the account
	43019: true, // the customer blocked the account
	45002: true, // content too long
	45015: true, // reply window (48 h after the customer's last message) closed
	45047: true, // too many messages without a reply from the customer
	61007: true, // the account has no customer-service permission
}

// Send implements outbound.Sender.
func (s *Sender) Send(ctx context.Context, d outbound.Delivery) (outbound.Receipt, error) {
	if d.To.Kind != domain.IdentityWeChat {
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("a WeChat message goes to an openid, not a %s identity", d.To.Kind))
	}
	if len(d.Text) > MaxReplyBytes {
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("the reply is %d bytes; WeChat takes at most %d", len(d.Text), MaxReplyBytes))
	}
	ans, err := s.post(ctx, d)
	if isTokenError(err) && s.tokens != nil {
		// The token was revoked early (fetched elsewhere): fetch a new one
		// and try once more.
		s.tokens.invalidate()
		ans, err = s.post(ctx, d)
	}
	if err != nil {
		return outbound.Receipt{}, classify(err)
	}
	receipt := outbound.Receipt{Detail: ans.ErrMsg}
	if ans.MsgID != 0 {
		receipt.ProviderMessageID = fmt.Sprint(ans.MsgID)
	}
	return receipt, nil
}

func (s *Sender) post(ctx context.Context, d outbound.Delivery) (apiAnswer, error) {
	endpoint := s.base + "/cgi-bin/message/custom/send"
	if s.tokens != nil {
		token, err := s.tokens.get(ctx)
		if err != nil {
			return apiAnswer{}, err
		}
		endpoint += "?access_token=" + url.QueryEscape(token)
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	msg := map[string]any{"touser": d.To.Value, "msgtype": "text", "text": map[string]string{"content": d.Text}}
	if err := enc.Encode(msg); err != nil {
		return apiAnswer{}, outbound.Permanent(fmt.Errorf("encode WeChat message: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, &body)
	if err != nil {
		return apiAnswer{}, outbound.Permanent(fmt.Errorf("build WeChat request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	// The same key on every attempt of one reply, as the other channels
	// send: WeChat ignores it, but a gateway in front of the API (or a
	// test's stand-in) can drop a resend after a crash between WeChat's
	// answer and our record of it.
	req.Header.Set("Idempotency-Key", d.SourceEventID)
	return call(s.client, req)
}

// call does one API request and decodes its error envelope.
func call(client *http.Client, req *http.Request) (apiAnswer, error) {
	resp, err := client.Do(req)
	if err != nil {
		return apiAnswer{}, fmt.Errorf("WeChat API unreachable: %w", redactURL(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("WeChat API answered %s", resp.Status)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			return apiAnswer{}, outbound.Permanent(err)
		}
		return apiAnswer{}, err
	}
	var ans apiAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return apiAnswer{}, fmt.Errorf("WeChat API answered something that is not JSON: %w", err)
	}
	if ans.ErrCode != 0 {
		return ans, &APIError{Code: ans.ErrCode, Message: ans.ErrMsg}
	}
	return ans, nil
}

func isTokenError(err error) bool {
	var api *APIError
	return errors.As(err, &api) && (api.Code == errInvalidCredential || api.Code == errInvalidToken || api.Code == errTokenExpired)
}

// classify marks the refusals a retry cannot fix as permanent.
func classify(err error) error {
	var api *APIError
	if errors.As(err, &api) && permanentCodes[api.Code] {
		return outbound.Permanent(err)
	}
	return err
}

// redactURL drops the URL from a transport error: it carries the access
// token, and it goes into the ledger.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// tokenSource fetches the access token and keeps it until shortly before
// it expires.
type tokenSource struct {
	base, appID, secret string
	client              *http.Client
	now                 func() time.Time

	mu      sync.Mutex // held while fetching, so concurrent sends fetch once
	token   string
	expires time.Time
}

// tokenMargin renews a token this long before WeChat says it expires.
const tokenMargin = 5 * time.Minute

func (t *tokenSource) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.now().Before(t.expires) {
		return t.token, nil
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {t.appID}, "secret": {t.secret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/cgi-bin/token?"+q.Encode(), nil)
	if err != nil {
		return "", outbound.Permanent(fmt.Errorf("build WeChat token request: %w", err))
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("WeChat token endpoint unreachable: %w", redactURL(err))
	}
	defer resp.Body.Close()
	var ans struct {
		apiAnswer
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("WeChat token endpoint answered %s", resp.Status)
	}
	if ans.ErrCode != 0 || ans.AccessToken == "" {
		return "", fmt.Errorf("fetch WeChat access token: %w", &APIError{Code: ans.ErrCode, Message: ans.ErrMsg})
	}
	t.token = ans.AccessToken
	t.expires = t.now().Add(time.Duration(ans.ExpiresIn)*time.Second - tokenMargin)
	return t.token, nil
}

func (t *tokenSource) invalidate() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token = ""
}
