package domain_test

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestSelectSlaPolicy(t *testing.T) {
	policies := []domain.SlaPolicy{
		{Name: "default"},
		{Name: "urgent", Priority: domain.PriorityUrgent},
		{Name: "critical", Priority: domain.PriorityCritical},
		{Name: "complaints", Category: domain.CategoryComplaint},
		{Name: "urgent-complaints", Priority: domain.PriorityUrgent, Category: domain.CategoryComplaint},
		{Name: "urgent-complaints-by-phone", Priority: domain.PriorityUrgent, Category: domain.CategoryComplaint, Channel: domain.ChannelPhone},
		{Name: "urgent-again", Priority: domain.PriorityUrgent},
	}
	cases := []struct {
		name     string
		priority domain.Priority
		category domain.TicketCategory
		channel  domain.Channel
		want     string
	}{
		{"nothing specific: the catch-all", domain.PriorityNormal, domain.CategoryInquiry, domain.ChannelEmail, "default"},
		{"by priority", domain.PriorityCritical, domain.CategoryInquiry, domain.ChannelEmail, "critical"},
		{"by category", domain.PriorityNormal, domain.CategoryComplaint, domain.ChannelSMS, "complaints"},
		{"two criteria beat one", domain.PriorityUrgent, domain.CategoryComplaint, domain.ChannelSMS, "urgent-complaints"},
		{"three criteria beat two", domain.PriorityUrgent, domain.CategoryComplaint, domain.ChannelPhone, "urgent-complaints-by-phone"},
		{"equally specific: the first listed", domain.PriorityUrgent, domain.CategoryInquiry, domain.ChannelPhone, "urgent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := domain.SelectSlaPolicy(policies, tc.priority, tc.category, tc.channel)
			if !ok || got.Name != tc.want {
				t.Fatalf("SelectSlaPolicy = %q (found %t), want %q", got.Name, ok, tc.want)
			}
		})
	}
	if _, ok := domain.SelectSlaPolicy(policies[1:3], domain.PriorityNormal, domain.CategoryInquiry, domain.ChannelEmail); ok {
		t.Fatal("a ticket no policy covers got a policy")
	}
}

func TestSlaTargetsOf(t *testing.T) {
	targets := domain.SlaTargets{FirstResponse: time.Hour, NextResponse: 2 * time.Hour, Resolution: 8 * time.Hour}
	for m, want := range map[domain.SlaMetric]time.Duration{domain.SlaFirstResponse: time.Hour, domain.SlaNextResponse: 2 * time.Hour, domain.SlaResolution: 8 * time.Hour, "OTHER": 0} {
		if got := targets.Of(m); got != want {
			t.Errorf("Of(%s) = %v, want %v", m, got, want)
		}
	}
}

// TestSlaClockAcrossPauseAndHoliday follows one resolution clock through a
// pause that spans a holiday, in the calendar's own time zone, and checks
// the deadline after resuming counts only the business time left.
func TestSlaClockAcrossPauseAndHoliday(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	day := []domain.OpeningHours{{Open: 9 * 60, Close: 18 * 60}}
	cal := domain.Calendar{Location: shanghai, Hours: map[time.Weekday][]domain.OpeningHours{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
	}, Holidays: map[string]bool{"2026-10-01": true, "2026-10-02": true}}
	local := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC() // the ledger records UTC; the calendar converts
	}
	var s domain.SlaClocks
	step := func(cmd domain.SlaCommand, at string) []domain.Event {
		t.Helper()
		events, err := domain.DecideSla(s, cmd, local(at))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			s = domain.EvolveSla(s, e)
		}
		return events
	}
	// Opened on Tuesday 29 September at 16:00 with a 4-hour target: 2 h on
	// Tuesday, so the deadline would be Wednesday 11:00.
	started := step(domain.StartSla{TicketID: "t1", Metric: domain.SlaResolution, Target: 4 * time.Hour, WarnShare: 0.5, Calendar: cal}, "2026-09-29 16:00")
	if got := started[0].(domain.SlaStarted).Deadline; !got.Equal(local("2026-09-30 11:00")) {
		t.Fatalf("deadline %v, want Wednesday 11:00", got.In(shanghai))
	}
	// Paused on Wednesday 10:00 (3 business hours used), resumed on the
	// evening of Thursday 1 October (a holiday): 1 hour left, counted from
	// Monday 5 October 09:00 as Friday 2 October is a holiday too.
	paused := step(domain.PauseSla{Calendar: cal}, "2026-09-30 10:00")
	if got := paused[0].(domain.SlaPaused).Consumed; got != 3*time.Hour {
		t.Fatalf("consumed %v, want 3h", got)
	}
	if events := step(domain.CheckSla{}, "2026-10-01 12:00"); len(events) != 0 {
		t.Fatalf("a paused clock fired %v", events)
	}
	resumed := step(domain.ResumeSla{WarnShare: 0.5, Calendar: cal}, "2026-10-01 20:00")
	r := resumed[0].(domain.SlaResumed)
	if !r.Deadline.Equal(local("2026-10-05 10:00")) {
		t.Fatalf("deadline after resume %v, want Monday 5 October 10:00", r.Deadline.In(shanghai))
	}
	if !r.WarningAt.IsZero() {
		t.Fatalf("the warning share was used before the pause; warning at %v", r.WarningAt)
	}
	if next, ok := s.NextDue(); !ok || !next.Equal(r.Deadline) {
		t.Fatalf("NextDue = %v %t, want the deadline", next, ok)
	}
	if events := step(domain.CheckSla{}, "2026-10-05 09:59"); len(events) != 0 {
		t.Fatalf("fired early: %v", events)
	}
	// The warning (at 2 h) was due before the pause and no check ran then;
	// after the resume it is past, so only the breach is left to fire.
	fired := step(domain.CheckSla{}, "2026-10-05 10:00")
	if len(fired) != 1 {
		t.Fatalf("fired %#v, want the breach", fired)
	}
	if _, ok := fired[0].(domain.SlaBreached); !ok {
		t.Fatalf("fired %T, want SlaBreached", fired[0])
	}
}
