package domain_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// now is the fixed clock every decision in these tests is made with.
var now = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// Durations the given events lie before now.
const (
	second  = time.Second
	minute  = time.Minute
	hour    = time.Hour
	time24h = 24 * time.Hour
)

// ago returns a moment d before now, for the events a case is given.
func ago(d time.Duration) time.Time { return now.Add(-d) }

// decideCase is one row of an aggregate table: the events the aggregate was
// folded from, the command, and either the events it must produce (nil for
// an idempotent no-op) or the error code it must fail with. check, when
// set, looks at the state after the produced events were folded in.
type decideCase[S, C any] struct {
	name  string
	given []domain.Event
	cmd   C
	want  []domain.Event
	code  string
	check func(t *testing.T, s S)
}

// runDecide runs a table of decideCase against one aggregate's Decide and
// Evolve functions.
func runDecide[S, C any](
	t *testing.T,
	initial S,
	evolve func(S, domain.Event) S,
	decide func(S, C, time.Time) ([]domain.Event, error),
	cases []decideCase[S, C],
) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			state := foldAll(initial, evolve, tc.given)
			got, err := decide(state, tc.cmd, now)
			if tc.code != "" {
				if code := domain.ErrorCode(err); code != tc.code {
					t.Fatalf("error code = %q (err %v), want %q", code, err, tc.code)
				}
				if len(got) != 0 {
					t.Fatalf("a refused command produced events: %#v", got)
				}
				if domain.ErrorMessage(err) == "" {
					t.Fatalf("error %v has no message", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error (code %q): %v", domain.ErrorCode(err), err)
			}
			if len(tc.want) == 0 {
				if len(got) != 0 {
					t.Fatalf("want no events (idempotent no-op), got %#v", got)
				}
			} else if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("events differ\n got: %#v\nwant: %#v", got, tc.want)
			}
			// Deciding is pure: the same state and command give the same events.
			again, err := decide(state, tc.cmd, now)
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("second decision differs: %#v, %v", again, err)
			}
			for _, e := range got {
				assertRoundTrip(t, e)
			}
			if tc.check != nil {
				tc.check(t, foldAll(state, evolve, got))
			}
		})
	}
}

func foldAll[S any](s S, evolve func(S, domain.Event) S, events []domain.Event) S {
	for _, e := range events {
		s = evolve(s, e)
	}
	return s
}

// assertRoundTrip checks that e survives EncodeEvent and DecodeEvent.
func assertRoundTrip(t *testing.T, e domain.Event) {
	t.Helper()
	typ, schema, data, err := domain.EncodeEvent(e)
	if err != nil {
		t.Fatalf("encode %T: %v", e, err)
	}
	if typ != e.EventType() || schema != domain.SchemaOf(typ) {
		t.Fatalf("encode %T: type %q schema %d", e, typ, schema)
	}
	back, err := domain.DecodeEvent(typ, schema, data)
	if err != nil {
		t.Fatalf("decode %s %s: %v", typ, data, err)
	}
	if !reflect.DeepEqual(back, e) {
		t.Fatalf("round trip of %s changed it\n got: %#v\nwant: %#v", typ, back, e)
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func deepEq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func events(es ...domain.Event) []domain.Event { return es }

func concat(parts ...[]domain.Event) []domain.Event {
	var out []domain.Event
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
