package domain

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IdentityKind is the kind of handle a customer is known by.
type IdentityKind string

// Identity kinds.
const (
	IdentityPhone   IdentityKind = "PHONE"
	IdentityEmail   IdentityKind = "EMAIL"
	IdentityWeChat  IdentityKind = "WECHAT"
	IdentityDevice  IdentityKind = "DEVICE"
	IdentityAccount IdentityKind = "ACCOUNT"
)

// IdentityKinds lists every identity kind.
var IdentityKinds = []IdentityKind{IdentityPhone, IdentityEmail, IdentityWeChat, IdentityDevice, IdentityAccount}

// Valid reports whether k is a known identity kind.
func (k IdentityKind) Valid() bool { return oneOf(k, IdentityKinds) }

// Identity is one handle of a customer: a phone number, an email address, a
// WeChat openid, a device id or an account id. Values are kept normalised
// (see NormalizeIdentity) so equal handles compare equal.
type Identity struct {
	Kind  IdentityKind `json:"kind"`
	Value string       `json:"value"`
}

// String renders the identity as KIND:value.
func (i Identity) String() string { return string(i.Kind) + ":" + i.Value }

// DefaultCallingCode is the country calling code assumed for phone numbers
// written without one, unless the caller passes another.
const DefaultCallingCode = "86"

const maxIdentityLength = 128

// NormalizeIdentity validates an identity and returns its canonical form:
// phone numbers in E.164 (national numbers get defaultCallingCode), email
// addresses lower-cased, other kinds trimmed. Invalid input is an EINVALID
// error.
func NormalizeIdentity(id Identity, defaultCallingCode string) (Identity, error) {
	if !id.Kind.Valid() {
		return Identity{}, invalid("unknown identity kind %q", id.Kind)
	}
	value := strings.TrimSpace(id.Value)
	if !utf8.ValidString(value) {
		return Identity{}, invalid("%s identity is not valid UTF-8", id.Kind)
	}
	var err error
	switch id.Kind {
	case IdentityPhone:
		value, err = NormalizePhone(value, defaultCallingCode)
	case IdentityEmail:
		value, err = normalizeEmail(value)
	case IdentityWeChat:
		value, err = normalizeToken(value, "WeChat openid", isOpenIDRune)
	default:
		value, err = normalizeToken(value, strings.ToLower(string(id.Kind))+" id", isPrintableNonSpace)
	}
	if err != nil {
		return Identity{}, err
	}
	return Identity{Kind: id.Kind, Value: value}, nil
}

// NormalizePhone returns raw in E.164 form (+<country code><number>).
// It accepts separators (spaces, dashes, dots, brackets, slashes), full-width
// digits, the international prefixes "+" and "00", and national numbers,
// for which a single leading trunk "0" is dropped and defaultCallingCode
// (1 to 3 digits; "" means DefaultCallingCode) prepended.
func NormalizePhone(raw, defaultCallingCode string) (string, error) {
	digits, international, err := phoneDigits(raw)
	if err != nil {
		return "", err
	}
	if !international && strings.HasPrefix(digits, "00") {
		digits, international = digits[2:], true
	}
	if !international {
		digits = strings.TrimPrefix(digits, "0")
		if defaultCallingCode == "" {
			defaultCallingCode = DefaultCallingCode
		}
		if !isCallingCode(defaultCallingCode) {
			return "", invalid("default calling code %q is not 1 to 3 digits", defaultCallingCode)
		}
		digits = defaultCallingCode + digits
	}
	if len(digits) < 8 || len(digits) > 15 {
		return "", invalid("phone number must have 8 to 15 digits with its country code")
	}
	if digits[0] == '0' {
		return "", invalid("phone number has no valid country code")
	}
	return "+" + digits, nil
}

// isCallingCode reports whether code is a country calling code: 1 to 3
// ASCII digits, the first not 0.
func isCallingCode(code string) bool {
	if len(code) < 1 || len(code) > 3 || code[0] == '0' {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// phoneDigits strips separators and returns the ASCII digits of raw and
// whether it started with "+".
func phoneDigits(raw string) (string, bool, error) {
	s := strings.TrimSpace(raw)
	for _, prefix := range []string{"tel:", "TEL:"} {
		s = strings.TrimPrefix(s, prefix)
	}
	international := strings.HasPrefix(s, "+") || strings.HasPrefix(s, "＋")
	s = strings.TrimLeft(s, "+＋")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case strings.ContainsRune(" -.()/\u00a0\u3000（）－", r):
		default:
			return "", false, invalid("phone number contains %q", r)
		}
	}
	if b.Len() == 0 {
		return "", false, invalid("phone number is empty")
	}
	return b.String(), international, nil
}

func normalizeEmail(raw string) (string, error) {
	if raw == "" {
		return "", invalid("email address is empty")
	}
	addr, err := mail.ParseAddress(raw)
	if err != nil {
		return "", invalid("email address is not valid: %s", mailReason(err))
	}
	value := strings.ToLower(addr.Address)
	// net/mail unquotes quoted local parts ("a b"@x.org becomes a b@x.org),
	// which is no address any more: accept only what parses back to itself,
	// so a normalised address is normalised again unchanged.
	if again, err := mail.ParseAddress(value); err != nil || again.Address != value {
		return "", invalid("email address needs quoting, which is not supported")
	}
	if len(value) > 254 {
		return "", invalid("email address is longer than 254 characters")
	}
	at := strings.LastIndexByte(value, '@')
	if at <= 0 || at == len(value)-1 {
		return "", invalid("email address has no domain")
	}
	return value, nil
}

// mailReason is net/mail's reason without the part of the address it
// quotes: identity errors reach logs, which must not hold the address.
func mailReason(err error) string {
	reason, _, _ := strings.Cut(err.Error(), ", got ")
	reason, _, _ = strings.Cut(reason, ": \"")
	return reason
}

func normalizeToken(value, what string, allowed func(rune) bool) (string, error) {
	if value == "" {
		return "", invalid("%s is empty", what)
	}
	if utf8.RuneCountInString(value) > maxIdentityLength {
		return "", invalid("%s is longer than %d characters", what, maxIdentityLength)
	}
	for _, r := range value {
		if !allowed(r) {
			return "", invalid("%s contains %q", what, r)
		}
	}
	return value, nil
}

func isOpenIDRune(r rune) bool {
	return r < utf8.RuneSelf && (r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r))
}

func isPrintableNonSpace(r rune) bool { return unicode.IsPrint(r) && !unicode.IsSpace(r) }

// IdentityStream names the reservation stream that makes an identity
// unique in a ledger without stream-name key (see StreamNames). The value
// is digested so the stream name does not carry the customer's phone
// number or email address.
func IdentityStream(id Identity) string { return StreamNames{}.Identity(id) }

// IdentityCheck says how far the channel a contact came in on vouched
// for the identity it carries: the desktop shows an unverified identity
// as such, so an agent knows before disclosing account details.
type IdentityCheck string

// Identity checks. Unchecked is a channel that cannot tell (the number an
// SMS provider gives, a web chat visitor's device).
const (
	IdentityUnchecked IdentityCheck = ""
	// IdentityAsserted: a trusted peer vouched for it (a SIP trunk's
	// P-Asserted-Identity, RFC 3325).
	IdentityAsserted IdentityCheck = "ASSERTED"
	// IdentityClaimed: only the sender says so (a SIP From header written
	// by the calling device).
	IdentityClaimed IdentityCheck = "CLAIMED"
	// IdentityVerified: the sender's domain vouched for the address (an
	// email whose From domain passed DMARC: an aligned DKIM signature or
	// SPF pass).
	IdentityVerified IdentityCheck = "VERIFIED"
	// IdentityUnverified: nothing vouched for the address, and nothing
	// contradicted it either (an email from a domain that publishes no
	// DMARC policy, or whose DNS could not be read). The message joins
	// the customer who owns the address, and the desktop says "not
	// verified".
	IdentityUnverified IdentityCheck = "UNVERIFIED"
	// IdentityFailed: the sender's domain says the message is not its own
	// (an email that fails DMARC: a forged From). It never joins the
	// customer who owns the address; see commands.ReceiveInbound.
	IdentityFailed IdentityCheck = "FAILED"
)

// Valid reports whether c is a known identity check.
func (c IdentityCheck) Valid() bool {
	switch c {
	case IdentityUnchecked, IdentityAsserted, IdentityClaimed, IdentityVerified, IdentityUnverified, IdentityFailed:
		return true
	}
	return false
}

// Weaker returns the weaker of two checks: an interaction shows the
// weakest check of any of the customer's messages in it, so an unverified
// mail arriving in a thread a verified one began is not shown as verified.
// The empty check of a message that carries none changes nothing.
func (c IdentityCheck) Weaker(other IdentityCheck) IdentityCheck {
	if other == IdentityUnchecked || other.strength() >= c.strength() {
		return c
	}
	return other
}

// strength orders checks from FAILED (0) to a vouched-for identity (3).
func (c IdentityCheck) strength() int {
	switch c {
	case IdentityFailed:
		return 0
	case IdentityClaimed, IdentityUnverified:
		return 1
	case IdentityAsserted, IdentityVerified:
		return 3
	}
	return 2
}
