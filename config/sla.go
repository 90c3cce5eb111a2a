package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/policies/sla"
)

// slaFile is the file form of sla.Config (YAML, or JSON, which YAML reads).
type slaFile struct {
	SupervisorQueue string                  `yaml:"supervisorQueue"`
	Calendars       map[string]calendarFile `yaml:"calendars"`
	Policies        []policyFile            `yaml:"policies"`
	// InteractionPolicies are the response targets of conversations (by
	// priority and channel); absent, the defaults apply.
	InteractionPolicies []policyFile `yaml:"interactionPolicies"`
}

type calendarFile struct {
	TimeZone string `yaml:"timeZone"`
	// Hours by weekday ("mon".."sun"), each a list of "09:00-12:00".
	Hours    map[string][]string `yaml:"hours"`
	Holidays []string            `yaml:"holidays"`
}

type policyFile struct {
	Name          string `yaml:"name"`
	Priority      string `yaml:"priority"`
	Category      string `yaml:"category"`
	Channel       string `yaml:"channel"`
	FirstResponse string `yaml:"firstResponse"`
	NextResponse  string `yaml:"nextResponse"`
	Resolution    string `yaml:"resolution"`
	// WarnAt is the share of a target at which the warning fires (0.8).
	WarnAt   *float64 `yaml:"warnAt"`
	Calendar string   `yaml:"calendar"`
}

// LoadSla reads an SLA configuration file; see ParseSla.
func LoadSla(path string) (sla.Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return sla.Config{}, fmt.Errorf("sla config: %w", err)
	}
	cfg, err := ParseSla(raw)
	if err != nil {
		return sla.Config{}, fmt.Errorf("sla config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseSla parses an SLA configuration, YAML or JSON:
//
//	supervisorQueue: supervisors
//	calendars:
//	  shanghai-office:
//	    timeZone: Asia/Shanghai
//	    hours: {mon: ["09:00-12:00", "13:00-18:00"], tue: [...], ...}
//	    holidays: ["2026-10-01"]
//	policies:
//	  - {name: vip-complaints, priority: URGENT, category: COMPLAINT, channel: PHONE,
//	     firstResponse: 30m, nextResponse: 1h, resolution: 8h, warnAt: 0.75, calendar: shanghai-office}
//	interactionPolicies:
//	  - {name: chat, channel: WEBCHAT, firstResponse: 2m, nextResponse: 5m}
//
// policies cover tickets; interactionPolicies cover conversations (their
// response clocks; a category or a resolution target is refused there),
// and without them the defaults of sla.DefaultConfig apply.
//
// Durations are Go durations ("90m", "8h") or days of 24 hours ("3d"),
// counted in the calendar's business time; a policy without calendar runs round the clock. A policy with
// neither priority, category nor channel covers every other ticket.
func ParseSla(raw []byte) (sla.Config, error) {
	var f slaFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return sla.Config{}, domain.Errorf(domain.EINVALID, "parse: %v", err)
	}
	calendars := map[string]domain.Calendar{}
	for name, c := range f.Calendars {
		cal, err := c.calendar()
		if err != nil {
			return sla.Config{}, fmt.Errorf("calendar %q: %w", name, err)
		}
		calendars[name] = cal
	}
	cfg := sla.Config{SupervisorQueue: strings.TrimSpace(f.SupervisorQueue)}
	if cfg.SupervisorQueue == "" {
		cfg.SupervisorQueue = domain.SupervisorQueue
	}
	seen := map[string]bool{}
	for i, p := range f.Policies {
		policy, err := p.policy(calendars)
		if err != nil {
			return sla.Config{}, fmt.Errorf("policy %d (%q): %w", i+1, p.Name, err)
		}
		if seen[policy.Name] {
			return sla.Config{}, domain.Errorf(domain.EINVALID, "policy name %q is used twice", policy.Name)
		}
		seen[policy.Name] = true
		cfg.Policies = append(cfg.Policies, policy)
	}
	if len(cfg.Policies) == 0 {
		return sla.Config{}, domain.Errorf(domain.EINVALID, "no policies")
	}
	for i, p := range f.InteractionPolicies {
		policy, err := p.policy(calendars)
		if err == nil {
			err = interactionPolicyValid(policy)
		}
		if err != nil {
			return sla.Config{}, fmt.Errorf("interaction policy %d (%q): %w", i+1, p.Name, err)
		}
		if seen[policy.Name] {
			return sla.Config{}, domain.Errorf(domain.EINVALID, "policy name %q is used twice", policy.Name)
		}
		seen[policy.Name] = true
		cfg.InteractionPolicies = append(cfg.InteractionPolicies, policy)
	}
	if len(f.InteractionPolicies) == 0 {
		// A file written before interactions had clocks still gives them
		// the default response targets.
		cfg.InteractionPolicies = sla.DefaultInteractionPolicies()
	}
	return cfg, nil
}

// interactionPolicyValid refuses what an interaction policy cannot use:
// interactions have no category, and their clocks measure responses only.
func interactionPolicyValid(p domain.SlaPolicy) error {
	switch {
	case p.Category != "":
		return domain.Errorf(domain.EINVALID, "interactions have no category")
	case p.Targets.Resolution > 0:
		return domain.Errorf(domain.EINVALID, "interactions have no resolution target (tickets do)")
	case p.Targets.FirstResponse <= 0 && p.Targets.NextResponse <= 0:
		return domain.Errorf(domain.EINVALID, "an interaction policy needs a first- or next-response target")
	}
	return nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (c calendarFile) calendar() (domain.Calendar, error) {
	var cal domain.Calendar
	if c.TimeZone != "" {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			return cal, domain.Errorf(domain.EINVALID, "time zone %q: %v", c.TimeZone, err)
		}
		cal.Location = loc
	}
	if c.Hours != nil {
		cal.Hours = map[time.Weekday][]domain.OpeningHours{}
		for day, spans := range c.Hours {
			wd, ok := weekdays[strings.ToLower(strings.TrimSpace(day))[:min(3, len(strings.TrimSpace(day)))]]
			if !ok {
				return cal, domain.Errorf(domain.EINVALID, "unknown weekday %q (mon..sun)", day)
			}
			for _, span := range spans {
				h, err := parseSpan(span)
				if err != nil {
					return cal, err
				}
				cal.Hours[wd] = append(cal.Hours[wd], h)
			}
		}
	}
	if len(c.Holidays) > 0 {
		cal.Holidays = map[string]bool{}
		for _, d := range c.Holidays {
			cal.Holidays[strings.TrimSpace(d)] = true
		}
	}
	return cal, cal.Validate()
}

// parseSpan reads "09:00-18:00" as minutes after midnight ("24:00" ends a
// day).
func parseSpan(s string) (domain.OpeningHours, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return domain.OpeningHours{}, domain.Errorf(domain.EINVALID, "opening hours %q are not like 09:00-18:00", s)
	}
	open, err1 := parseClock(from)
	closing, err2 := parseClock(to)
	if err := errors.Join(err1, err2); err != nil {
		return domain.OpeningHours{}, domain.Errorf(domain.EINVALID, "opening hours %q: %v", s, err)
	}
	return domain.OpeningHours{Open: open, Close: closing}, nil
}

func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || h < 0 || h > 24 || m < 0 || m > 59 || h == 24 && m != 0 {
		return 0, fmt.Errorf("%q is not a time like 09:30", s)
	}
	return h*60 + m, nil
}

func (p policyFile) policy(calendars map[string]domain.Calendar) (domain.SlaPolicy, error) {
	out := domain.SlaPolicy{
		Name: strings.TrimSpace(p.Name), Priority: domain.Priority(strings.ToUpper(p.Priority)),
		Category: domain.TicketCategory(strings.ToUpper(p.Category)), Channel: domain.Channel(strings.ToUpper(p.Channel)), WarnShare: 0.8,
	}
	switch {
	case out.Name == "":
		return out, domain.Errorf(domain.EINVALID, "a policy needs a name")
	case out.Priority != "" && !out.Priority.Valid():
		return out, domain.Errorf(domain.EINVALID, "unknown priority %q", p.Priority)
	case out.Category != "" && !out.Category.Valid():
		return out, domain.Errorf(domain.EINVALID, "unknown category %q", p.Category)
	case out.Channel != "" && !out.Channel.Valid():
		return out, domain.Errorf(domain.EINVALID, "unknown channel %q", p.Channel)
	}
	if p.WarnAt != nil {
		if *p.WarnAt < 0 || *p.WarnAt >= 1 {
			return out, domain.Errorf(domain.EINVALID, "warnAt must be in [0, 1), not %v", *p.WarnAt)
		}
		out.WarnShare = *p.WarnAt
	}
	var err error
	targets := []struct {
		raw string
		dst *time.Duration
	}{{p.FirstResponse, &out.Targets.FirstResponse}, {p.NextResponse, &out.Targets.NextResponse}, {p.Resolution, &out.Targets.Resolution}}
	for _, t := range targets {
		if *t.dst, err = parseTarget(t.raw); err != nil {
			return out, err
		}
	}
	if out.Targets == (domain.SlaTargets{}) {
		return out, domain.Errorf(domain.EINVALID, "a policy needs at least one target")
	}
	if p.Calendar != "" {
		cal, ok := calendars[p.Calendar]
		if !ok {
			return out, domain.Errorf(domain.EINVALID, "unknown calendar %q", p.Calendar)
		}
		out.Calendar = cal
	}
	return out, nil
}

// parseTarget reads "90m", "8h" or "3d" ("" is no target).
func parseTarget(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n <= 0 {
			return 0, domain.Errorf(domain.EINVALID, "target %q is not a duration like 8h or 3d", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, domain.Errorf(domain.EINVALID, "target %q is not a duration like 8h or 3d", s)
	}
	return d, nil
}
