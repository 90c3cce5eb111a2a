package projections

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

// Times are stored as INTEGER Unix nanoseconds (0 for "never"): they sort
// and compare as numbers and cost no parsing.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// eventTime is when the fact happened: the domain event's own time, or the
// recording time for an event that carries none.
func eventTime(at time.Time, e Event) int64 {
	if at.IsZero() {
		return nanos(e.RecordedAt)
	}
	return nanos(at)
}

// SummaryRunes is how long a timeline summary may be.
const SummaryRunes = 140

// excerpt returns the first n runes of s with runs of white space (line
// breaks included) folded into one space, for one-line summaries.
func excerpt(s string, n int) string {
	// Fast path: short text without control white space is kept as is.
	if len(s) <= n && !hasFoldableSpace(s) {
		return s
	}
	out := make([]byte, 0, min(len(s), n*3))
	runes, space := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && len(out) > 0 {
			if runes++; runes > n {
				break
			}
			out = append(out, ' ')
		}
		space = false
		if runes++; runes > n {
			break
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

func hasFoldableSpace(s string) bool {
	prevSpace := true // leading space is foldable
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true // let the slow path judge Unicode spaces
		}
		isSpace := c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
		if isSpace && (c != ' ' || prevSpace) {
			return true
		}
		prevSpace = isSpace
	}
	return prevSpace && len(s) > 0
}

// priorityRank orders priorities numerically; unknown values rank lowest.
func priorityRank(p domain.Priority) int {
	return max(p.Rank(), 0)
}
