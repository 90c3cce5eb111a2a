package clamav

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSignature bounds a signature name: ClamAV's are short dotted names
// (Win.Test.EICAR_HDB-1), and the name goes into events and logs.
const maxSignature = 256

// ParseReply reads clamd's answer to a stream scan, without its NUL:
// "stream: OK" is clean (""), "stream: NAME FOUND" is infected (NAME),
// "... ERROR" is ErrSizeLimit or a *ServerError, and anything else is
// ErrMalformedReply. The reply comes from the network: it is checked, not
// trusted, and a signature name is never empty nor holds control
// characters.
func ParseReply(reply string) (string, error) {
	s := strings.TrimRight(reply, "\r\n")
	if msg, ok := strings.CutSuffix(s, " ERROR"); ok {
		if strings.Contains(msg, "size limit exceeded") {
			return "", ErrSizeLimit
		}
		if msg = strings.TrimPrefix(msg, "stream: "); printable(msg) {
			return "", &ServerError{Message: msg}
		}
		return "", malformed(reply)
	}
	switch s {
	case "UNKNOWN COMMAND", "COMMAND READ TIMED OUT":
		return "", &ServerError{Message: s}
	}
	rest, ok := strings.CutPrefix(s, "stream: ")
	if !ok {
		return "", malformed(reply)
	}
	if rest == "OK" {
		return "", nil
	}
	name, ok := strings.CutSuffix(rest, " FOUND")
	if !ok || name == "" || len(name) > maxSignature || !printable(name) || strings.TrimSpace(name) != name {
		return "", malformed(reply)
	}
	return name, nil
}

// printable: valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return strings.IndexFunc(s, unicode.IsControl) < 0
}

func malformed(reply string) error {
	if len(reply) > 80 {
		reply = reply[:80] + "…"
	}
	return fmt.Errorf("%w: %q", ErrMalformedReply, reply)
}
