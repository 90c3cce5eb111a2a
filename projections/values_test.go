package projections

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

func TestExcerpt(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 140, "hello"},
		{"", 140, ""},
		{"  line one\n\n line\ttwo  ", 140, "line one line two"},
		{"abcdef", 3, "abc"},
		{"ab cd", 3, "ab "}, // the folded space counts
		{"您好，我的订单还没有到", 4, "您好，我"},
		{"a\u00a0\u3000b", 140, "a b"}, // Unicode spaces fold too
		{strings.Repeat("x", 200), 140, strings.Repeat("x", 140)},
	}
	for _, tt := range tests {
		got := excerpt(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if utf8.RuneCountInString(got) > tt.n {
			t.Errorf("excerpt(%q, %d) has %d runes", tt.in, tt.n, utf8.RuneCountInString(got))
		}
	}
}

func TestNanosRoundTrip(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for _, tm := range []time.Time{{}, at(0), time.Date(2026, 1, 2, 3, 4, 5, 6, shanghai)} {
		got := fromNanos(nanos(tm))
		if !got.Equal(tm) || (!tm.IsZero() && got.Location() != time.UTC) {
			t.Errorf("fromNanos(nanos(%v)) = %v", tm, got)
		}
	}
}

func TestCursor(t *testing.T) {
	c := cursor{Kind: "tickets:OPENED_AT:ASC", Num: -5, ID: "t1"}
	got, ok, err := decodeCursor(c.encode(), c.Kind)
	if err != nil || !ok || got != c {
		t.Fatalf("round trip: %+v, %v, %v", got, ok, err)
	}
	if _, ok, err := decodeCursor("", c.Kind); ok || err != nil {
		t.Errorf("empty cursor: %v, %v", ok, err)
	}
	for _, bad := range []string{"%%%", c.encode()[:5], cursor{Kind: "timeline"}.encode()} {
		if _, _, err := decodeCursor(bad, c.Kind); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("decodeCursor(%q) = %v, want invalid", bad, err)
		}
	}
	for in, want := range map[int]int{0: DefaultPageSize, -1: DefaultPageSize, 7: 7, 10_000: MaxPageSize} {
		if got := pageSize(in); got != want {
			t.Errorf("pageSize(%d) = %d, want %d", in, got, want)
		}
	}
}
