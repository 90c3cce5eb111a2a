package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
)

// maxMessageIDBytes bounds one Message-ID. RFC 5322 sets no limit, but real
// ids are well under 250 bytes; a longer one is treated as missing rather
// than stored.
const maxMessageIDBytes = 512

// maxReferences bounds how many References entries are kept: the first one
// (the root) and the most recent ones, as RFC 5322 section 3.6.4 allows
// when trimming.
const maxReferences = 32

// parseMsgIDs returns the message identifiers of a Message-ID, In-Reply-To
// or References field, without angle brackets, in order. It is lenient on
// purpose: real mailers put phrases, comments and dates beside the ids
// (In-Reply-To: <id> (Bob's message of Monday)), so it takes what stands
// between '<' and '>' and skips anything that is not a plausible id. A field
// with no brackets at all but a single token is that token (some old
// mailers write ids bare).
func parseMsgIDs(field string) []string {
	var ids []string
	rest := field
	for {
		open := strings.IndexByte(rest, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open+1:], '>')
		if end < 0 {
			break
		}
		if id := strings.TrimSpace(rest[open+1 : open+1+end]); validMsgID(id) {
			ids = append(ids, id)
		}
		rest = rest[open+1+end+1:]
	}
	if len(ids) == 0 && !strings.ContainsAny(field, "<>") {
		if id := strings.TrimSpace(field); validMsgID(id) && !strings.ContainsAny(id, " \t\r\n") {
			ids = append(ids, id)
		}
	}
	return ids
}

// validMsgID reports whether id can be stored as a message identifier:
// printable, no whitespace or angle brackets, valid UTF-8, bounded.
func validMsgID(id string) bool {
	if id == "" || len(id) > maxMessageIDBytes || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' {
			return false
		}
	}
	return true
}

// trimReferences keeps the first entry and the last maxReferences-1.
func trimReferences(refs []string) []string {
	if len(refs) <= maxReferences {
		return refs
	}
	out := append([]string{refs[0]}, refs[len(refs)-(maxReferences-1):]...)
	return out
}

// derivedIDDomain is the right-hand side of Message-IDs the ledger makes
// up for messages that came without one (.invalid: never a real domain).
const derivedIDDomain = "derived.ledger.invalid"

// derivedMessageID makes up a Message-ID for a message that has none, from
// what a resend of the same message keeps: the originator fields and the
// body. Trace fields (Received, Return-Path, DKIM signatures of relays) are
// left out on purpose, since a relay retrying a delivery adds new ones, and
// line endings are normalised, so the same message always gets the same id
// and its redelivery appends nothing.
func derivedMessageID(h message.Header, body []byte) string {
	sum := sha256.New()
	for _, k := range []string{"From", "Sender", "To", "Cc", "Date", "Subject", "In-Reply-To", "References"} {
		sum.Write([]byte(k))
		sum.Write([]byte{0})
		sum.Write([]byte(strings.Join(strings.Fields(h.Get(k)), " ")))
		sum.Write([]byte{0})
	}
	sum.Write(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")))
	return hex.EncodeToString(sum.Sum(nil)[:16]) + "@" + derivedIDDomain
}
