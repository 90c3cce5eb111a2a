package sip

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestFirstAvailable(t *testing.T) {
	available := AgentStatus{Presence: domain.PresenceAvailable, PhoneCapacity: 1}
	statuses := map[string]AgentStatus{
		"a-break":  {Presence: domain.PresenceBreak, PhoneCapacity: 1},
		"a-acw":    {Presence: domain.PresenceAfterCallWork, PhoneCapacity: 1},
		"a-nocall": {Presence: domain.PresenceAvailable, PhoneCapacity: 0},
		"a-1":      available,
		"a-2":      available,
	}
	cands := func(ids ...string) []Candidate {
		out := make([]Candidate, len(ids))
		for i, id := range ids {
			out[i] = Candidate{AgentID: id}
		}
		return out
	}
	cases := []struct {
		name       string
		candidates []Candidate
		want       string
	}{
		{name: "first available in longest-idle order", candidates: cands("a-2", "a-1"), want: "a-2"},
		{name: "skips break and after-call work", candidates: cands("a-break", "a-acw", "a-1"), want: "a-1"},
		{name: "skips agents who take no calls", candidates: cands("a-nocall", "a-2"), want: "a-2"},
		{name: "skips agents the read side does not know yet", candidates: cands("a-new", "a-1"), want: "a-1"},
		{name: "nobody available", candidates: cands("a-break", "a-acw"), want: ""},
		{name: "no candidates", candidates: nil, want: ""},
	}
	chooser := FirstAvailable{Directory: DirectoryFunc(func(context.Context) (map[string]AgentStatus, error) { return statuses, nil })}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chooser.Choose(context.Background(), WaitingCall{CallID: "c"}, tc.candidates)
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	failing := FirstAvailable{Directory: DirectoryFunc(func(context.Context) (map[string]AgentStatus, error) { return nil, errors.New("read models down") })}
	if _, err := failing.Choose(context.Background(), WaitingCall{}, cands("a-1")); err == nil {
		t.Fatal("a failing directory gave no error")
	}
}

func TestCachedDirectory(t *testing.T) {
	reads := 0
	fail := false
	inner := DirectoryFunc(func(context.Context) (map[string]AgentStatus, error) {
		reads++
		if fail {
			return nil, errors.New("down")
		}
		return map[string]AgentStatus{"a": {Presence: domain.PresenceAvailable}}, nil
	})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := CachedDirectory(inner, time.Second).(*cachedDirectory)
	d.now = func() time.Time { return now }
	steps := []struct {
		advance   time.Duration
		fail      bool
		wantReads int
		wantErr   bool
	}{
		{wantReads: 1},
		{advance: 500 * time.Millisecond, wantReads: 1},
		{advance: 600 * time.Millisecond, wantReads: 2},
		{advance: 2 * time.Second, fail: true, wantReads: 3, wantErr: true},
		{fail: false, wantReads: 4}, // a failure is not cached
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		fail = s.fail
		_, err := d.AgentStatuses(context.Background())
		if (err != nil) != s.wantErr || reads != s.wantReads {
			t.Fatalf("step %d: err %v reads %d; want error %v, %d reads", i, err, reads, s.wantErr, s.wantReads)
		}
	}
}
