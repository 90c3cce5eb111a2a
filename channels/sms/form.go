package sms

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

// Inbound is one inbound message as the provider's webhook describes it.
type Inbound struct {
	MessageSid string
	AccountSid string
	From       string // the customer's number
	To         string // the contact centre's number
	Body       string
	Media      []domain.Attachment
}

// maxMedia is the most media items one message may carry (MMS allows 10).
const maxMedia = 10

// ParseInbound validates the webhook's form parameters. Every error is a
// domain EINVALID error naming what is wrong.
func ParseInbound(form url.Values) (Inbound, error) {
	for name, values := range form {
		for _, v := range values {
			if !utf8.ValidString(name) || !utf8.ValidString(v) {
				return Inbound{}, domain.Errorf(domain.EINVALID, "parameter %q is not valid UTF-8", strings.ToValidUTF8(name, "?"))
			}
		}
	}
	var in Inbound
	var err error
	fields := []struct {
		name     string
		dst      *string
		required bool
	}{
		{"MessageSid", &in.MessageSid, true}, {"From", &in.From, true},
		{"AccountSid", &in.AccountSid, false}, {"To", &in.To, false}, {"Body", &in.Body, false},
	}
	for _, f := range fields {
		if *f.dst, err = single(form, f.name, f.required); err != nil {
			return Inbound{}, err
		}
	}
	if err := checkSid(in.MessageSid); err != nil {
		return Inbound{}, err
	}
	if in.Media, err = parseMedia(form); err != nil {
		return Inbound{}, err
	}
	if strings.TrimSpace(in.Body) == "" && len(in.Media) == 0 {
		return Inbound{}, domain.Errorf(domain.EINVALID, "the message has neither a Body nor media")
	}
	return in, nil
}

// single returns the one value of a parameter; a repeated parameter is
// refused, since which copy the signature and the ledger meant is unclear.
func single(form url.Values, name string, required bool) (string, error) {
	values := form[name]
	switch {
	case len(values) > 1:
		return "", domain.Errorf(domain.EINVALID, "parameter %s is given %d times", name, len(values))
	case len(values) == 0 || values[0] == "":
		if required {
			return "", domain.Errorf(domain.EINVALID, "parameter %s is required", name)
		}
		return "", nil
	}
	return values[0], nil
}

// checkSid accepts the provider's message ids: 2 to 64 ASCII letters and
// digits (Twilio's are "SM" or "MM" and 32 hex digits).
func checkSid(sid string) error {
	if len(sid) < 2 || len(sid) > 64 {
		return domain.Errorf(domain.EINVALID, "MessageSid must be 2 to 64 characters")
	}
	for i := 0; i < len(sid); i++ {
		c := sid[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return domain.Errorf(domain.EINVALID, "MessageSid %q may hold only letters and digits", sid)
		}
	}
	return nil
}

// parseMedia turns NumMedia, MediaUrlN and MediaContentTypeN into
// attachments; the ledger keeps the provider's URL, not the bytes.
func parseMedia(form url.Values) ([]domain.Attachment, error) {
	raw, err := single(form, "NumMedia", false)
	if err != nil || raw == "" {
		return nil, err
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > maxMedia {
		return nil, domain.Errorf(domain.EINVALID, "NumMedia %q is not a number from 0 to %d", raw, maxMedia)
	}
	out := make([]domain.Attachment, 0, n)
	for i := range n {
		u, err := single(form, fmt.Sprintf("MediaUrl%d", i), true)
		if err != nil {
			return nil, err
		}
		if parsed, err := url.Parse(u); err != nil || parsed.Scheme != "https" && parsed.Scheme != "http" || len(u) > 2048 {
			return nil, domain.Errorf(domain.EINVALID, "MediaUrl%d is not an http(s) URL of at most 2048 bytes", i)
		}
		ct, err := single(form, fmt.Sprintf("MediaContentType%d", i), false)
		if err != nil {
			return nil, err
		}
		out = append(out, domain.Attachment{Name: u, ContentType: ct})
	}
	return out, nil
}
