package auth

import (
	"strings"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

// MaskedText replaces free text (message bodies, subjects, summaries,
// notes) for callers who may not see personal data: free text can hold
// anything.
const MaskedText = "[masked]"

// Masking is deterministic, so an analyst can still tell two masked
// values apart where the visible parts differ, and the same value always
// masks the same way.

// MaskName keeps the first letter of a name: "Wang Fang" -> "W***".
func MaskName(name string) string {
	r, size := utf8.DecodeRuneInString(strings.TrimSpace(name))
	if size == 0 {
		return ""
	}
	return string(r) + "***"
}

// MaskIdentity masks a handle by kind: a phone number keeps its country
// code and last four digits ("+8613800138000" -> "+86*******8000"), an
// email address the first letter of the mailbox and the top-level domain
// ("wang@example.com" -> "w***@***.com"), other handles their last four
// characters.
func MaskIdentity(kind domain.IdentityKind, value string) string {
	switch kind {
	case domain.IdentityPhone:
		return maskPhone(value)
	case domain.IdentityEmail:
		return maskEmail(value)
	default:
		return keepLast(value, 4)
	}
}

func maskPhone(v string) string {
	if len(v) < 9 || !strings.HasPrefix(v, "+") {
		return keepLast(v, 4)
	}
	// E.164: "+", a 1-3 digit country code, the number. The country code is
	// not personal; three characters keep "+86" and "+44" whole.
	return v[:3] + strings.Repeat("*", len(v)-7) + v[len(v)-4:]
}

func maskEmail(v string) string {
	local, host, ok := strings.Cut(v, "@")
	if !ok || local == "" {
		return keepLast(v, 4)
	}
	tld := ""
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		tld = host[i:]
	}
	return MaskName(local) + "@***" + tld
}

// keepLast replaces all but the last n runes with '*' (everything for
// values of n runes or fewer).
func keepLast(v string, n int) string {
	runes := []rune(v)
	if len(runes) <= n {
		return strings.Repeat("*", len(runes))
	}
	return strings.Repeat("*", len(runes)-n) + string(runes[len(runes)-n:])
}

// MaskText returns s, or MaskedText when masked and s is not empty (an
// empty text reveals nothing, and "[masked]" for it would mislead).
func MaskText(s string, masked bool) string {
	if masked && s != "" {
		return MaskedText
	}
	return s
}
