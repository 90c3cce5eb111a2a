// Package pii keeps customers' personal data (phone numbers, email
// addresses, SIP URIs, display names, message text) out of the server's
// logs, which crypto-shredding cannot erase. Log lines should carry
// references (interaction, customer and message ids) in the first place;
// this package is for what the ledger does not write itself: error texts
// of libraries and providers, and raw protocol data.
package pii

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

var (
	// quoted values: Go's %q, sipgo's '%s', SIP display names.
	quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\\n]|\\.)*'`)
	// anything@anything: email addresses, the user@host of SIP URIs.
	address = regexp.MustCompile(`[^\s<>"'(),;:\[\]]+@[^\s<>"'(),;:\[\]]+`)
	// seven or more digits, with the separators phone numbers are written
	// with; not dots, so IP addresses stay readable.
	number = regexp.MustCompile(`\+?\d(?:[ \-()]*\d){6,}`)
)

// Redact returns s with quoted values, addresses and phone numbers replaced.
// A text holding a SIP or MIME message (CRLF line ends) is cut at its
// first line: the rest is headers and body.
func Redact(s string) string {
	if i := strings.Index(s, "\r\n"); i >= 0 {
		s = s[:i] + " […]"
	}
	s = quoted.ReplaceAllString(s, `"…"`)
	s = address.ReplaceAllString(s, "[address]")
	return number.ReplaceAllString(s, "[number]")
}

// RedactErr is Redact of err's message; nil stays nil, so it can stand in for an
// "err" attribute.
func RedactErr(err error) any {
	if err == nil {
		return nil
	}
	return Redact(err.Error())
}

// digestKey makes digests unlinkable outside this process: a digest
// correlates log lines of one run and cannot be looked up from a guessed
// phone number.
var digestKey = func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}()

// Digest returns a short keyed digest of a personal value, for log lines
// that must tell two values apart without showing them. The key is new in
// every process.
func Digest(value string) string {
	m := hmac.New(sha256.New, digestKey)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// Logger returns l with Handler around its handler.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.New(Handler(l.Handler()))
}

// Handler wraps h so that the attributes that carry free text from outside
// (errors, reasons, raw messages) pass through Redact, and raw protocol data
// ("data") is logged as its size. It is for loggers handed to third-party
// libraries (sipgo) and channels whose errors quote what a peer sent.
func Handler(h slog.Handler) slog.Handler {
	if r, ok := h.(*handler); ok {
		return r
	}
	return &handler{next: h}
}

type handler struct{ next slog.Handler }

func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = attr(a)
	}
	return &handler{next: h.next.WithAttrs(clean)}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name)}
}

// attr redacts one attribute by its key.
func attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch a.Key {
	case "data", "body", "raw":
		return slog.String(a.Key, fmt.Sprintf("[%d bytes]", len(v.String())))
	case "err", "error", "reason", "msg", "req", "res", "panic", "cause":
		if v.Kind() == slog.KindGroup {
			return a
		}
		return slog.String(a.Key, Redact(v.String()))
	}
	if v.Kind() == slog.KindGroup {
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = attr(ga)
		}
		return slog.Group(a.Key, clean...)
	}
	return a
}
