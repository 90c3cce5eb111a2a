package sip

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	siplib "github.com/emiago/sipgo/sip"
)

// errAnonymous means the caller withheld their number (RFC 3323 / 5079):
// there is no identity to open an interaction for.
var errAnonymous = errors.New("caller is anonymous")

// maxHeaderValue bounds the header values the identity and REFER parsers
// look at; real ones are far shorter.
const maxHeaderValue = 2048

// Caller is who is calling, as the signalling says.
type Caller struct {
	// Number is the caller's number as signalled (digits with an optional
	// leading "+"), not yet normalised: the command layer turns it into
	// E.164 with the configured calling code.
	Number string
	// DisplayName is the From display name, if any and printable.
	DisplayName string
	// Asserted says the number came from a P-Asserted-Identity, not From.
	Asserted bool
}

// CallerIdentity extracts the caller from the From header value and the
// P-Asserted-Identity values (RFC 3325). An asserted identity wins over
// From because the trunk vouches for it while From is whatever the
// calling device wrote; among asserted identities a tel: URI wins, then a
// sip: URI whose user part is a number. Visual separators ("-", ".", "(",
// ")") are dropped; anything else that is not a digit makes the number
// invalid. A withheld number ("anonymous") is errAnonymous.
func CallerIdentity(from string, pai []string) (Caller, error) {
	var c Caller
	if len(from) > maxHeaderValue {
		return c, fmt.Errorf("From header is longer than %d bytes", maxHeaderValue)
	}
	fromUser, display, err := addressUser(from)
	if err != nil {
		return c, fmt.Errorf("From: %w", err)
	}
	c.DisplayName = cleanDisplayName(display)

	var asserted []string
	for _, v := range pai {
		if len(v) > maxHeaderValue {
			return c, fmt.Errorf("P-Asserted-Identity is longer than %d bytes", maxHeaderValue)
		}
		asserted = append(asserted, splitAddressList(v)...)
	}
	if number, ok, err := assertedNumber(asserted); err != nil || ok {
		c.Number, c.Asserted = number, ok
		return c, err
	}
	c.Number, err = phoneNumber(fromUser)
	if err != nil {
		return c, fmt.Errorf("From: %w", err)
	}
	return c, nil
}

// assertedNumber picks the number from P-Asserted-Identity values: the
// first tel: URI, else the first sip: URI carrying a number. ok is false
// when no value names a number.
func assertedNumber(values []string) (string, bool, error) {
	var fromSIP string
	for _, v := range values {
		var uri siplib.Uri
		if _, err := siplib.ParseAddressValue(strings.TrimSpace(v), &uri, nil); err != nil {
			return "", false, errors.New("P-Asserted-Identity: malformed address")
		}
		switch uri.Scheme {
		case "tel":
			n, err := phoneNumber(uri.Raw())
			if err != nil {
				return "", false, fmt.Errorf("P-Asserted-Identity: %w", err)
			}
			return n, true, nil
		case "sip", "sips":
			if n, err := phoneNumber(uri.User); err == nil && fromSIP == "" {
				fromSIP = n
			} else if errors.Is(err, errAnonymous) && fromSIP == "" {
				return "", false, err
			}
		}
	}
	return fromSIP, fromSIP != "", nil
}

// addressUser parses a name-addr / addr-spec and returns the user part of
// a sip(s): URI or the number of a tel: URI, and the display name.
func addressUser(value string) (string, string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", "", errors.New("empty address")
	}
	var uri siplib.Uri
	params := siplib.NewParams()
	display, err := siplib.ParseAddressValue(value, &uri, &params)
	if err != nil {
		// sipgo's parse errors quote the address: only the fact is kept.
		return "", "", errors.New("malformed address")
	}
	switch uri.Scheme {
	case "sip", "sips":
		return uri.User, display, nil
	case "tel":
		return uri.Raw(), display, nil
	default:
		return "", "", fmt.Errorf("unsupported URI scheme %q", uri.Scheme)
	}
}

// phoneNumber validates a user part or tel: number: an optional "+", then
// digits with visual separators; parameters (";phone-context=...") are
// cut off. The result keeps only "+" and digits.
func phoneNumber(user string) (string, error) {
	user, _, _ = strings.Cut(user, ";")
	user = strings.TrimSpace(user)
	if strings.EqualFold(user, "anonymous") || strings.EqualFold(user, "unknown") || strings.EqualFold(user, "restricted") {
		return "", errAnonymous
	}
	if user == "" {
		return "", errors.New("no caller number")
	}
	var b strings.Builder
	for i, r := range user {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", errors.New("caller is not a phone number")
		}
	}
	digits := strings.TrimPrefix(b.String(), "+")
	if digits == "" || len(digits) > 32 {
		return "", errors.New("caller is not a phone number")
	}
	return b.String(), nil
}

// splitAddressList splits a header value holding several comma-separated
// addresses, ignoring commas inside quotes or angle brackets.
func splitAddressList(v string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			depth++
		case c == '>' && !quoted && depth > 0:
			depth--
		case c == ',' && !quoted && depth == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	out = append(out, v[start:])
	kept := out[:0]
	for _, s := range out {
		if strings.TrimSpace(s) != "" {
			kept = append(kept, s)
		}
	}
	return kept
}

// cleanDisplayName keeps a display name usable as a customer's name:
// valid UTF-8, printable, at most 100 runes; otherwise none.
func cleanDisplayName(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 100 {
		return ""
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
