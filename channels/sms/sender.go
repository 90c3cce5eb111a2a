package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/domain"
)

// MaxReplyChars is the longest reply the provider sends (it splits it into
// segments itself).
const MaxReplyChars = 1600

// SenderConfig configures outbound SMS.
type SenderConfig struct {
	// BaseURL is the provider account's API base, e.g.
	// https://api.twilio.com/2010-04-01/Accounts/AC0123; replies are POSTed
	// to BaseURL + "/Messages.json".
	BaseURL string
	// AuthToken is the basic-auth password; the user is the account id
	// (the path segment after /Accounts/). Credentials in BaseURL's
	// user-info take precedence.
	AuthToken string
	// From is the sending number, or a messaging service id ("MG...").
	From   string
	Client *http.Client
}

// Sender delivers replies through the provider's REST API.
type Sender struct {
	endpoint   string
	user, pass string
	from       string
	client     *http.Client
}

// NewSender checks cfg and returns a Sender.
func NewSender(cfg SenderConfig) (*Sender, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sms api %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.From == "" {
		return nil, errors.New("sms: outbound SMS needs the number (or messaging service id) to send from")
	}
	s := &Sender{from: cfg.From, client: cfg.Client, user: accountSid(u.Path), pass: cfg.AuthToken}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		u.User = nil
	}
	s.endpoint = u.String() + "/Messages.json"
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	return s, nil
}

// accountSid is the path segment after "/Accounts/", or "".
func accountSid(path string) string {
	_, rest, ok := strings.Cut(path, "/Accounts/")
	if !ok {
		return ""
	}
	sid, _, _ := strings.Cut(rest, "/")
	return sid
}

// Send implements outbound.Sender.
func (s *Sender) Send(ctx context.Context, d outbound.Delivery) (outbound.Receipt, error) {
	if d.To.Kind != domain.IdentityPhone {
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("an SMS goes to a phone number, not a %s identity", d.To.Kind))
	}
	if n := utf8.RuneCountInString(d.Text); n > MaxReplyChars {
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("the reply is %d characters; an SMS takes at most %d", n, MaxReplyChars))
	}
	form := url.Values{"To": {d.To.Value}, "Body": {d.Text}}
	if strings.HasPrefix(s.from, "MG") {
		form.Set("MessagingServiceSid", s.from)
	} else {
		form.Set("From", s.from)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("build SMS request: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// Providers that honour an idempotency key drop a resend of the same
	// reply (a crash between their answer and our record of it).
	req.Header.Set("Idempotency-Key", d.SourceEventID)
	if s.user != "" {
		req.SetBasicAuth(s.user, s.pass)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return outbound.Receipt{}, fmt.Errorf("SMS provider unreachable: %w", redactURL(err))
	}
	defer resp.Body.Close()
	return readReceipt(resp)
}

// providerAnswer is the part of the provider's JSON answer we keep.
type providerAnswer struct {
	Sid     string `json:"sid"`
	Status  string `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// readReceipt turns the answer into a receipt or an error: rate limits and
// server errors are retried, other refusals are permanent.
func readReceipt(resp *http.Response) (outbound.Receipt, error) {
	var ans providerAnswer
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(body, &ans) // a non-JSON answer leaves it empty
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return outbound.Receipt{ProviderMessageID: ans.Sid, Detail: ans.Status}, nil
	}
	err := fmt.Errorf("SMS provider answered %s", resp.Status)
	if ans.Code != 0 || ans.Message != "" {
		err = fmt.Errorf("SMS provider answered %s: error %d: %s", resp.Status, ans.Code, ans.Message)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return outbound.Receipt{}, &outbound.RetryAfterError{After: retryAfter(resp), Err: err}
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		return outbound.Receipt{}, err
	default:
		return outbound.Receipt{}, outbound.Permanent(err)
	}
}

func retryAfter(resp *http.Response) time.Duration {
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < 1 {
		return time.Second
	}
	return min(time.Duration(secs)*time.Second, 10*time.Minute)
}

// redactURL drops the URL from a transport error: it may carry
// credentials, and it goes into the ledger.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
