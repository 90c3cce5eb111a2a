package domain_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// slaCal is the office calendar of the SLA tests: Asia/Shanghai, Monday to
// Friday 9-12 and 13-18, with 1 October a holiday.
func slaCal(t *testing.T) domain.Calendar {
	return officeHours(mustZone(t, "Asia/Shanghai"), "2026-10-01")
}

func TestDecideSla(t *testing.T) {
	cal := slaCal(t)
	sh := cal.Location
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	start := domain.StartSla{TicketID: "t1", Metric: domain.SlaFirstResponse, Policy: "urgent", Target: 4 * time.Hour, WarnShare: 0.75, Calendar: cal}
	resolution := domain.StartSla{TicketID: "t1", Metric: domain.SlaResolution, Policy: "urgent", Target: 16 * time.Hour, Calendar: cal}
	// Started Wednesday 16:00: 2h that day, 2h Thursday morning.
	started := []domain.Event{domain.SlaStarted{TicketID: "t1", Metric: domain.SlaFirstResponse, Policy: "urgent", Target: 4 * time.Hour,
		Deadline: at("2026-05-07 11:00"), WarningAt: at("2026-05-07 10:00"), At: at("2026-05-06 16:00")}}
	paused := append(append([]domain.Event{}, started...), domain.SlaPaused{TicketID: "t1", Metric: domain.SlaFirstResponse, Consumed: time.Hour, At: at("2026-05-06 17:00")})
	warned := append(append([]domain.Event{}, started...), domain.SlaWarning{TicketID: "t1", Metric: domain.SlaFirstResponse, Deadline: at("2026-05-07 11:00"), At: at("2026-05-07 10:00")})
	breached := append(append([]domain.Event{}, warned...), domain.SlaBreached{TicketID: "t1", Metric: domain.SlaFirstResponse, Deadline: at("2026-05-07 11:00"), At: at("2026-05-07 11:00")})
	fulfilled := append(append([]domain.Event{}, started...), domain.SlaFulfilled{TicketID: "t1", Metric: domain.SlaFirstResponse, Consumed: 30 * time.Minute, At: at("2026-05-06 16:30")})

	cases := []struct {
		name  string
		given []domain.Event
		cmd   domain.SlaCommand
		now   time.Time
		want  []domain.Event
		code  string
	}{
		{name: "start counts business time", cmd: start, now: at("2026-05-06 16:00"), want: started},
		{name: "start on a running clock does nothing", given: started, cmd: start, now: at("2026-05-06 16:30")},
		{name: "start after fulfilment begins the next cycle", given: fulfilled, cmd: start, now: at("2026-05-08 09:00"),
			want: []domain.Event{domain.SlaStarted{TicketID: "t1", Metric: domain.SlaFirstResponse, Cycle: 1, Policy: "urgent", Target: 4 * time.Hour,
				Deadline: at("2026-05-08 14:00"), WarningAt: at("2026-05-08 12:00"), At: at("2026-05-08 09:00")}}},
		// Wednesday 17-18 (1h), Thursday 1 October a holiday, Friday (8h),
		// the weekend, Monday 9-12 and 13-17 (7h).
		{name: "a deadline skips a holiday and the weekend", cmd: resolution, now: at("2026-09-30 17:00"),
			want: []domain.Event{domain.SlaStarted{TicketID: "t1", Metric: domain.SlaResolution, Policy: "urgent", Target: 16 * time.Hour,
				Deadline: at("2026-10-05 17:00"), At: at("2026-09-30 17:00")}}},
		{name: "start without a target", cmd: domain.StartSla{TicketID: "t1", Metric: domain.SlaResolution, Calendar: cal}, now: at("2026-05-06 16:00"), code: domain.EINVALID},
		{name: "start with a bad warning share", cmd: domain.StartSla{TicketID: "t1", Metric: domain.SlaResolution, Target: time.Hour, WarnShare: 1.5, Calendar: cal}, now: at("2026-05-06 16:00"), code: domain.EINVALID},
		{name: "start for another ticket", given: started, cmd: domain.StartSla{TicketID: "t2", Metric: domain.SlaResolution, Target: time.Hour, Calendar: cal}, now: at("2026-05-06 16:00"), code: domain.EINVALID},
		{name: "pause keeps the business time used", given: started, cmd: domain.PauseSla{Calendar: cal}, now: at("2026-05-06 17:00"),
			want: paused[1:]},
		{name: "pause of a paused clock does nothing", given: paused, cmd: domain.PauseSla{Calendar: cal}, now: at("2026-05-06 17:30")},
		{name: "resume moves the deadline by the pause", given: paused, cmd: domain.ResumeSla{WarnShare: 0.75, Calendar: cal}, now: at("2026-05-08 09:00"),
			// 1h used, 3h left from Friday 9:00: 9-12.
			want: []domain.Event{domain.SlaResumed{TicketID: "t1", Metric: domain.SlaFirstResponse, Deadline: at("2026-05-08 12:00"), WarningAt: at("2026-05-08 11:00"), At: at("2026-05-08 09:00")}}},
		{name: "nothing due yet", given: started, cmd: domain.CheckSla{}, now: at("2026-05-07 09:59")},
		{name: "the warning fires at its share", given: started, cmd: domain.CheckSla{}, now: at("2026-05-07 10:00"), want: warned[1:]},
		{name: "the warning fires once", given: warned, cmd: domain.CheckSla{}, now: at("2026-05-07 10:30")},
		{name: "a late check fires warning then breach", given: started, cmd: domain.CheckSla{}, now: at("2026-05-07 12:00"),
			want: []domain.Event{
				domain.SlaWarning{TicketID: "t1", Metric: domain.SlaFirstResponse, Deadline: at("2026-05-07 11:00"), At: at("2026-05-07 12:00")},
				domain.SlaBreached{TicketID: "t1", Metric: domain.SlaFirstResponse, Deadline: at("2026-05-07 11:00"), At: at("2026-05-07 12:00")},
			}},
		{name: "the breach fires once", given: breached, cmd: domain.CheckSla{}, now: at("2026-05-08 12:00")},
		{name: "a paused clock never breaches", given: paused, cmd: domain.CheckSla{}, now: at("2026-06-01 12:00")},
		{name: "fulfilled within target", given: started, cmd: domain.FulfilSla{Metric: domain.SlaFirstResponse, Calendar: cal}, now: at("2026-05-06 16:30"), want: fulfilled[1:]},
		{name: "fulfilled after the breach stays breached", given: breached, cmd: domain.FulfilSla{Metric: domain.SlaFirstResponse, Calendar: cal}, now: at("2026-05-07 14:00"),
			// Wednesday 16-18, Thursday 9-12 and 13-14: 6h of business time.
			want: []domain.Event{domain.SlaFulfilled{TicketID: "t1", Metric: domain.SlaFirstResponse, Consumed: 6 * time.Hour, Breached: true, At: at("2026-05-07 14:00")}}},
		{name: "fulfilling twice does nothing", given: fulfilled, cmd: domain.FulfilSla{Metric: domain.SlaFirstResponse, Calendar: cal}, now: at("2026-05-07 14:00")},
		{name: "fulfilling a clock never started does nothing", cmd: domain.FulfilSla{Metric: domain.SlaResolution, Calendar: cal}, now: at("2026-05-07 14:00")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			state := domain.SlaClocks{TicketID: "t1"}
			for _, e := range tc.given {
				state = domain.EvolveSla(state, e)
			}
			got, err := domain.DecideSla(state, tc.cmd, tc.now)
			if tc.code != "" {
				if domain.ErrorCode(err) != tc.code {
					t.Fatalf("err %v, want code %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("events\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestSlaNextDue(t *testing.T) {
	t0 := time.Date(2026, 5, 6, 8, 0, 0, 0, time.UTC)
	var s domain.SlaClocks
	if _, ok := s.NextDue(); ok {
		t.Fatal("no clocks, yet something is due")
	}
	s = domain.EvolveSla(s, domain.SlaStarted{TicketID: "t1", Metric: domain.SlaResolution, Target: 8 * time.Hour, Deadline: t0.Add(8 * time.Hour), WarningAt: t0.Add(6 * time.Hour), At: t0})
	s = domain.EvolveSla(s, domain.SlaStarted{TicketID: "t1", Metric: domain.SlaFirstResponse, Target: time.Hour, Deadline: t0.Add(time.Hour), At: t0})
	if next, ok := s.NextDue(); !ok || !next.Equal(t0.Add(time.Hour)) {
		t.Fatalf("NextDue = %s, %v; want the first-response deadline", next, ok)
	}
	s = domain.EvolveSla(s, domain.SlaFulfilled{TicketID: "t1", Metric: domain.SlaFirstResponse, At: t0.Add(time.Minute)})
	if next, _ := s.NextDue(); !next.Equal(t0.Add(6 * time.Hour)) {
		t.Fatalf("NextDue = %s; want the resolution warning", next)
	}
	s = domain.EvolveSla(s, domain.SlaWarning{TicketID: "t1", Metric: domain.SlaResolution, At: t0.Add(6 * time.Hour)})
	if next, _ := s.NextDue(); !next.Equal(t0.Add(8 * time.Hour)) {
		t.Fatalf("NextDue = %s; want the resolution deadline", next)
	}
	s = domain.EvolveSla(s, domain.SlaPaused{TicketID: "t1", Metric: domain.SlaResolution, At: t0.Add(7 * time.Hour)})
	if _, ok := s.NextDue(); ok {
		t.Fatal("a paused clock is due")
	}
}

// TestDecideInteractionSla covers the clocks of an interaction: the same
// stream shape as a ticket's, named by InteractionID, responses only.
func TestDecideInteractionSla(t *testing.T) {
	t0 := time.Date(2026, 5, 6, 8, 0, 0, 0, time.UTC)
	cal := domain.Calendar{} // round the clock
	start := domain.StartSla{InteractionID: "i1", Metric: domain.SlaFirstResponse, Policy: "chat", Target: 10 * time.Minute, WarnShare: 0.5, Calendar: cal}
	started := domain.SlaStarted{InteractionID: "i1", Metric: domain.SlaFirstResponse, Policy: "chat", Target: 10 * time.Minute,
		Deadline: t0.Add(10 * time.Minute), WarningAt: t0.Add(5 * time.Minute), At: t0}
	ticketStarted := domain.SlaStarted{TicketID: "t1", Metric: domain.SlaFirstResponse, Policy: "chat", Target: time.Hour, Deadline: t0.Add(time.Hour), At: t0}

	cases := []struct {
		name  string
		id    string // the stream's subject id
		given []domain.Event
		cmd   domain.SlaCommand
		now   time.Time
		want  []domain.Event
		code  string
	}{
		{name: "start names the interaction", id: "i1", cmd: start, now: t0, want: []domain.Event{started}},
		{name: "breach names the interaction", id: "i1", given: []domain.Event{started}, cmd: domain.CheckSla{}, now: t0.Add(11 * time.Minute),
			want: []domain.Event{
				domain.SlaWarning{InteractionID: "i1", Metric: domain.SlaFirstResponse, Deadline: t0.Add(10 * time.Minute), At: t0.Add(11 * time.Minute)},
				domain.SlaBreached{InteractionID: "i1", Metric: domain.SlaFirstResponse, Deadline: t0.Add(10 * time.Minute), At: t0.Add(11 * time.Minute)},
			}},
		{name: "fulfil names the interaction", id: "i1", given: []domain.Event{started}, cmd: domain.FulfilSla{Metric: domain.SlaFirstResponse, Calendar: cal},
			now:  t0.Add(3 * time.Minute),
			want: []domain.Event{domain.SlaFulfilled{InteractionID: "i1", Metric: domain.SlaFirstResponse, Consumed: 3 * time.Minute, At: t0.Add(3 * time.Minute)}}},
		{name: "pause names the interaction", id: "i1", given: []domain.Event{started}, cmd: domain.PauseSla{Calendar: cal}, now: t0.Add(time.Minute),
			want: []domain.Event{domain.SlaPaused{InteractionID: "i1", Metric: domain.SlaFirstResponse, Consumed: time.Minute, At: t0.Add(time.Minute)}}},
		{name: "no resolution clock for an interaction", id: "i1",
			cmd: domain.StartSla{InteractionID: "i1", Metric: domain.SlaResolution, Target: time.Hour, Calendar: cal}, now: t0, code: domain.EINVALID},
		{name: "a start names one subject, not two", id: "i1",
			cmd: domain.StartSla{TicketID: "t1", InteractionID: "i1", Metric: domain.SlaFirstResponse, Target: time.Hour, Calendar: cal}, now: t0, code: domain.EINVALID},
		{name: "a start names a subject", cmd: domain.StartSla{Metric: domain.SlaFirstResponse, Target: time.Hour, Calendar: cal}, now: t0, code: domain.EINVALID},
		{name: "no interaction clock on another subject's stream", id: "t1", cmd: start, now: t0, code: domain.EINVALID},
		{name: "no interaction clock among a ticket's clocks", id: "i1", given: []domain.Event{ticketStarted},
			cmd: domain.StartSla{InteractionID: "i1", Metric: domain.SlaNextResponse, Target: time.Hour, Calendar: cal}, now: t0, code: domain.EINVALID},
		{name: "no ticket clock among an interaction's clocks", id: "i1", given: []domain.Event{started},
			cmd: domain.StartSla{TicketID: "i1", Metric: domain.SlaResolution, Target: time.Hour, Calendar: cal}, now: t0, code: domain.EINVALID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			state := domain.SlaClocks{ID: tc.id}
			for _, e := range tc.given {
				state = domain.EvolveSla(state, e)
			}
			got, err := domain.DecideSla(state, tc.cmd, tc.now)
			if tc.code != "" {
				if domain.ErrorCode(err) != tc.code {
					t.Fatalf("err %v, want code %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("events\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestSlaClocksSubject(t *testing.T) {
	t0 := time.Date(2026, 5, 6, 8, 0, 0, 0, time.UTC)
	s := domain.EvolveSla(domain.SlaClocks{ID: "i1"}, domain.SlaStarted{InteractionID: "i1", Metric: domain.SlaFirstResponse, Target: time.Minute, Deadline: t0.Add(time.Minute), At: t0})
	if !s.ForInteraction() || s.SubjectID() != "i1" || s.TicketID != "" {
		t.Fatalf("interaction clocks = %+v; want interaction i1", s)
	}
	s = domain.EvolveSla(domain.SlaClocks{ID: "t1"}, domain.SlaStarted{TicketID: "t1", Metric: domain.SlaFirstResponse, Target: time.Minute, Deadline: t0.Add(time.Minute), At: t0})
	if s.ForInteraction() || s.SubjectID() != "t1" {
		t.Fatalf("ticket clocks = %+v; want ticket t1", s)
	}
}

// TestSlaEventJSON pins the JSON of ticket clocks (recorded events must
// keep decoding, and new ones keep the old shape) and of interaction ones.
func TestSlaEventJSON(t *testing.T) {
	at := time.Date(2026, 5, 6, 8, 0, 0, 0, time.UTC)
	old := `{"ticketId":"t1","metric":"FIRST_RESPONSE","cycle":0,"deadline":"2026-05-06T09:00:00Z","at":"2026-05-06T08:00:00Z"}`
	e, err := domain.DecodeEvent("SlaBreached", 1, []byte(old))
	if err != nil {
		t.Fatal(err)
	}
	want := domain.SlaBreached{TicketID: "t1", Metric: domain.SlaFirstResponse, Deadline: at.Add(time.Hour), At: at}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("old ticket breach decoded to %#v, want %#v", e, want)
	}
	for _, tc := range []struct {
		e    domain.SlaBreached
		json string
	}{
		{want, old},
		{domain.SlaBreached{InteractionID: "i1", Metric: domain.SlaNextResponse, Cycle: 2, Deadline: at.Add(time.Hour), At: at},
			`{"interactionId":"i1","metric":"NEXT_RESPONSE","cycle":2,"deadline":"2026-05-06T09:00:00Z","at":"2026-05-06T08:00:00Z"}`},
	} {
		b, err := json.Marshal(tc.e)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.json {
			t.Fatalf("JSON\n got %s\nwant %s", b, tc.json)
		}
	}
}
