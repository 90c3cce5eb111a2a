package domain

import (
	"maps"
	"time"
)

// SlaMetric names what an SLA clock measures.
type SlaMetric string

// SLA metrics.
const (
	SlaFirstResponse SlaMetric = "FIRST_RESPONSE"
	SlaNextResponse  SlaMetric = "NEXT_RESPONSE"
	SlaResolution    SlaMetric = "RESOLUTION"
)

// SlaMetrics lists every metric.
var SlaMetrics = []SlaMetric{SlaFirstResponse, SlaNextResponse, SlaResolution}

// Valid reports whether m is a known metric.
func (m SlaMetric) Valid() bool { return oneOf(m, SlaMetrics) }

// SlaStream names the stream of a ticket's or an interaction's SLA
// clocks, sla-<id> (ticket and interaction ids are both UUIDs, so they never
// collide). The clocks live beside their subject, not in its stream, so
// timers firing never contend with agents working the ticket or the
// conversation.
func SlaStream(subjectID string) string { return CategorySla + "-" + subjectID }

// SlaClock is one running (or finished) SLA clock. Target and the time
// consumed are business time, counted by the policy's calendar.
type SlaClock struct {
	Metric SlaMetric
	// Cycle counts restarts: the next-response clock starts again after
	// every customer message.
	Cycle  int
	Policy string
	Target time.Duration
	// Consumed is the business time used before the last pause; while the
	// clock runs, time since RunningSince adds to it.
	Consumed     time.Duration
	RunningSince time.Time // zero while paused or finished
	Deadline     time.Time // valid while running
	WarningAt    time.Time // valid while running
	Warned       bool
	Breached     bool
	Fulfilled    bool
}

// Running reports whether the clock is counting.
func (c SlaClock) Running() bool { return !c.RunningSince.IsZero() }

// Finished reports whether the clock was fulfilled.
func (c SlaClock) Finished() bool { return c.Fulfilled }

// SlaClocks is the state of the SLA clocks of one subject, a ticket or an
// interaction, folded from sla-<id>.
type SlaClocks struct {
	// ID is the subject's id, the stream's: known before any clock starts,
	// so a clock for another subject cannot start on the stream.
	ID string
	// TicketID or InteractionID (exactly one, once a clock started) says
	// which kind of subject the clocks measure.
	TicketID      string
	InteractionID string
	Clocks        map[SlaMetric]SlaClock
}

// SubjectID returns the id of the ticket or interaction the clocks belong
// to ("" before any clock started on a stream of unknown id).
func (s SlaClocks) SubjectID() string {
	switch {
	case s.TicketID != "":
		return s.TicketID
	case s.InteractionID != "":
		return s.InteractionID
	}
	return s.ID
}

// ForInteraction reports whether the clocks are an interaction's (its
// response times) rather than a ticket's.
func (s SlaClocks) ForInteraction() bool { return s.InteractionID != "" }

// SLA events.
type (
	// SlaStarted starts (or restarts, with a new cycle) a clock.
	SlaStarted struct {
		TicketID      string        `json:"ticketId,omitempty"`
		InteractionID string        `json:"interactionId,omitempty"`
		Metric        SlaMetric     `json:"metric"`
		Cycle         int           `json:"cycle"`
		Policy        string        `json:"policy"`
		Target        time.Duration `json:"targetNs"`
		Deadline      time.Time     `json:"deadline"`
		WarningAt     time.Time     `json:"warningAt"`
		At            time.Time     `json:"at"`
	}
	// SlaPaused stops a clock while the ticket waits on the customer.
	SlaPaused struct {
		TicketID      string        `json:"ticketId,omitempty"`
		InteractionID string        `json:"interactionId,omitempty"`
		Metric        SlaMetric     `json:"metric"`
		Cycle         int           `json:"cycle"`
		Consumed      time.Duration `json:"consumedNs"`
		At            time.Time     `json:"at"`
	}
	// SlaResumed restarts a paused clock with its moved deadline.
	SlaResumed struct {
		TicketID      string    `json:"ticketId,omitempty"`
		InteractionID string    `json:"interactionId,omitempty"`
		Metric        SlaMetric `json:"metric"`
		Cycle         int       `json:"cycle"`
		Deadline      time.Time `json:"deadline"`
		WarningAt     time.Time `json:"warningAt"`
		At            time.Time `json:"at"`
	}
	// SlaWarning says a clock has used its warning share of the target.
	SlaWarning struct {
		TicketID      string    `json:"ticketId,omitempty"`
		InteractionID string    `json:"interactionId,omitempty"`
		Metric        SlaMetric `json:"metric"`
		Cycle         int       `json:"cycle"`
		Deadline      time.Time `json:"deadline"`
		At            time.Time `json:"at"`
	}
	// SlaBreached says a clock passed its deadline unfulfilled.
	SlaBreached struct {
		TicketID      string    `json:"ticketId,omitempty"`
		InteractionID string    `json:"interactionId,omitempty"`
		Metric        SlaMetric `json:"metric"`
		Cycle         int       `json:"cycle"`
		Deadline      time.Time `json:"deadline"`
		At            time.Time `json:"at"`
	}
	// SlaFulfilled stops a clock because what it measured happened.
	SlaFulfilled struct {
		TicketID      string        `json:"ticketId,omitempty"`
		InteractionID string        `json:"interactionId,omitempty"`
		Metric        SlaMetric     `json:"metric"`
		Cycle         int           `json:"cycle"`
		Consumed      time.Duration `json:"consumedNs"`
		Breached      bool          `json:"breached"`
		At            time.Time     `json:"at"`
	}
)

func (SlaStarted) EventType() string   { return "SlaStarted" }
func (SlaPaused) EventType() string    { return "SlaPaused" }
func (SlaResumed) EventType() string   { return "SlaResumed" }
func (SlaWarning) EventType() string   { return "SlaWarning" }
func (SlaBreached) EventType() string  { return "SlaBreached" }
func (SlaFulfilled) EventType() string { return "SlaFulfilled" }

func init() {
	register[SlaStarted]()
	register[SlaPaused]()
	register[SlaResumed]()
	register[SlaWarning]()
	register[SlaBreached]()
	register[SlaFulfilled]()
}

// SlaCommand is a request to change a ticket's or an interaction's SLA
// clocks. Commands carry
// the calendar: it is configuration, not state.
type SlaCommand interface{ slaCommand() }

// SLA commands.
type (
	// StartSla starts a clock; on a clock already fulfilled it starts the
	// next cycle, on a running one it does nothing. Exactly one of
	// TicketID and InteractionID names the subject; an interaction's
	// clocks measure responses only (resolution is a ticket's).
	StartSla struct {
		TicketID      string
		InteractionID string
		Metric        SlaMetric
		Policy        string
		Target        time.Duration
		// WarnShare is the share of the target at which SlaWarning fires
		// (e.g. 0.8); 0 means no warning.
		WarnShare float64
		Calendar  Calendar
	}
	// PauseSla pauses every running clock (waiting on the customer).
	PauseSla struct{ Calendar Calendar }
	// ResumeSla resumes every paused clock.
	ResumeSla struct {
		WarnShare float64
		Calendar  Calendar
	}
	// FulfilSla stops a clock: what it measures happened.
	FulfilSla struct {
		Metric   SlaMetric
		Calendar Calendar
	}
	// CheckSla fires the warnings and breaches that are due at now, each
	// once.
	CheckSla struct{}
)

func (StartSla) slaCommand()  {}
func (PauseSla) slaCommand()  {}
func (ResumeSla) slaCommand() {}
func (FulfilSla) slaCommand() {}
func (CheckSla) slaCommand()  {}

// DecideSla decides what a command does to a ticket's or an interaction's
// SLA clocks.
func DecideSla(s SlaClocks, cmd SlaCommand, now time.Time) ([]Event, error) {
	switch cmd := cmd.(type) {
	case StartSla:
		return decideStartSla(s, cmd, now)
	case PauseSla:
		return decidePauseSla(s, cmd, now), nil
	case ResumeSla:
		return decideResumeSla(s, cmd, now)
	case FulfilSla:
		return decideFulfilSla(s, cmd, now), nil
	case CheckSla:
		return decideCheckSla(s, now), nil
	default:
		return nil, invalid("unknown SLA command %T", cmd)
	}
}

func decideStartSla(s SlaClocks, cmd StartSla, now time.Time) ([]Event, error) {
	if err := checkSlaSubject(s, cmd); err != nil {
		return nil, err
	}
	if !cmd.Metric.Valid() || cmd.Target <= 0 {
		return nil, invalid("an SLA clock needs a known metric and a positive target")
	}
	if cmd.WarnShare < 0 || cmd.WarnShare >= 1 {
		return nil, invalid("the warning share must be in [0, 1), not %v", cmd.WarnShare)
	}
	cycle := 0
	if c, ok := s.Clocks[cmd.Metric]; ok {
		if !c.Fulfilled {
			return nil, nil
		}
		cycle = c.Cycle + 1
	}
	deadline, warning, err := deadlines(cmd.Calendar, now, cmd.Target, 0, cmd.WarnShare)
	if err != nil {
		return nil, err
	}
	return []Event{SlaStarted{
		TicketID: cmd.TicketID, InteractionID: cmd.InteractionID, Metric: cmd.Metric, Cycle: cycle, Policy: cmd.Policy, Target: cmd.Target,
		Deadline: deadline, WarningAt: warning, At: now,
	}}, nil
}

// checkSlaSubject refuses a start that names no subject or two, names
// another subject than the stream's, or gives an interaction a resolution
// clock.
func checkSlaSubject(s SlaClocks, cmd StartSla) error {
	if (cmd.TicketID == "") == (cmd.InteractionID == "") {
		return invalid("an SLA clock belongs to exactly one ticket or interaction")
	}
	subject := cmd.TicketID + cmd.InteractionID
	if err := sameID("SLA subject", s.ID, subject); err != nil {
		return err
	}
	if err := sameID("ticket", s.TicketID, cmd.TicketID); err != nil {
		return err
	}
	if err := sameID("interaction", s.InteractionID, cmd.InteractionID); err != nil {
		return err
	}
	if cmd.InteractionID != "" && cmd.Metric == SlaResolution {
		return invalid("an interaction's SLA clocks measure responses; resolution is measured on tickets")
	}
	return nil
}

func decidePauseSla(s SlaClocks, cmd PauseSla, now time.Time) []Event {
	var events []Event
	for _, m := range SlaMetrics {
		c, ok := s.Clocks[m]
		if !ok || !c.Running() {
			continue
		}
		consumed := c.Consumed + cmd.Calendar.BusinessTimeBetween(c.RunningSince, now)
		events = append(events, SlaPaused{TicketID: s.TicketID, InteractionID: s.InteractionID, Metric: m, Cycle: c.Cycle, Consumed: consumed, At: now})
	}
	return events
}

func decideResumeSla(s SlaClocks, cmd ResumeSla, now time.Time) ([]Event, error) {
	var events []Event
	for _, m := range SlaMetrics {
		c, ok := s.Clocks[m]
		if !ok || c.Running() || c.Fulfilled {
			continue
		}
		deadline, warning, err := deadlines(cmd.Calendar, now, c.Target, c.Consumed, cmd.WarnShare)
		if err != nil {
			return nil, err
		}
		events = append(events, SlaResumed{TicketID: s.TicketID, InteractionID: s.InteractionID, Metric: m, Cycle: c.Cycle, Deadline: deadline, WarningAt: warning, At: now})
	}
	return events, nil
}

func decideFulfilSla(s SlaClocks, cmd FulfilSla, now time.Time) []Event {
	c, ok := s.Clocks[cmd.Metric]
	if !ok || c.Fulfilled {
		return nil
	}
	consumed := c.Consumed
	if c.Running() {
		consumed += cmd.Calendar.BusinessTimeBetween(c.RunningSince, now)
	}
	return []Event{SlaFulfilled{TicketID: s.TicketID, InteractionID: s.InteractionID, Metric: cmd.Metric, Cycle: c.Cycle, Consumed: consumed, Breached: c.Breached || consumed > c.Target, At: now}}
}

// decideCheckSla fires what is due: a warning once the warning time has
// passed, a breach once the deadline has (a breach due without its warning
// having fired fires both, warning first).
func decideCheckSla(s SlaClocks, now time.Time) []Event {
	var events []Event
	for _, m := range SlaMetrics {
		c, ok := s.Clocks[m]
		if !ok || !c.Running() {
			continue
		}
		if !c.Warned && !c.WarningAt.IsZero() && !now.Before(c.WarningAt) {
			events = append(events, SlaWarning{TicketID: s.TicketID, InteractionID: s.InteractionID, Metric: m, Cycle: c.Cycle, Deadline: c.Deadline, At: now})
		}
		if !c.Breached && !now.Before(c.Deadline) {
			events = append(events, SlaBreached{TicketID: s.TicketID, InteractionID: s.InteractionID, Metric: m, Cycle: c.Cycle, Deadline: c.Deadline, At: now})
		}
	}
	return events
}

// deadlines returns when a clock that has consumed some of its target,
// running from now on, reaches the target and its warning share (zero when
// there is no warning or it is already past).
func deadlines(cal Calendar, now time.Time, target, consumed time.Duration, warnShare float64) (time.Time, time.Time, error) {
	deadline, err := cal.AddBusinessTime(now, max(0, target-consumed))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	var warning time.Time
	if warnAfter := time.Duration(float64(target) * warnShare); warnShare > 0 && warnAfter > consumed {
		if warning, err = cal.AddBusinessTime(now, warnAfter-consumed); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	return deadline, warning, nil
}

// NextDue returns the earliest warning or deadline among the running
// clocks, and false when no clock is running: when to check the ticket
// next.
func (s SlaClocks) NextDue() (time.Time, bool) {
	var next time.Time
	found := false
	consider := func(t time.Time) {
		if !found || t.Before(next) {
			next, found = t, true
		}
	}
	for _, c := range s.Clocks {
		if !c.Running() {
			continue
		}
		if !c.Warned && !c.WarningAt.IsZero() {
			consider(c.WarningAt)
		}
		if !c.Breached {
			consider(c.Deadline)
		}
	}
	return next, found
}

// EvolveSla folds one event into a ticket's or an interaction's SLA
// clocks.
func EvolveSla(s SlaClocks, e Event) SlaClocks {
	update := func(m SlaMetric, f func(*SlaClock)) {
		s.Clocks = maps.Clone(s.Clocks)
		if s.Clocks == nil {
			s.Clocks = map[SlaMetric]SlaClock{}
		}
		c := s.Clocks[m]
		f(&c)
		s.Clocks[m] = c
	}
	switch e := e.(type) {
	case SlaStarted:
		s.TicketID, s.InteractionID = e.TicketID, e.InteractionID
		if s.ID == "" {
			s.ID = e.TicketID + e.InteractionID
		}
		update(e.Metric, func(c *SlaClock) {
			*c = SlaClock{Metric: e.Metric, Cycle: e.Cycle, Policy: e.Policy, Target: e.Target, RunningSince: e.At, Deadline: e.Deadline, WarningAt: e.WarningAt}
		})
	case SlaPaused:
		update(e.Metric, func(c *SlaClock) { c.Consumed, c.RunningSince = e.Consumed, time.Time{} })
	case SlaResumed:
		update(e.Metric, func(c *SlaClock) { c.RunningSince, c.Deadline, c.WarningAt = e.At, e.Deadline, e.WarningAt })
	case SlaWarning:
		update(e.Metric, func(c *SlaClock) { c.Warned = true })
	case SlaBreached:
		update(e.Metric, func(c *SlaClock) { c.Breached = true })
	case SlaFulfilled:
		update(e.Metric, func(c *SlaClock) { c.Fulfilled, c.Consumed, c.RunningSince = true, e.Consumed, time.Time{} })
	}
	return s
}
