package domain

import "time"

// SlaTargets are the business-time targets one SLA policy sets. A zero
// target means the policy does not measure that metric.
type SlaTargets struct {
	FirstResponse time.Duration
	NextResponse  time.Duration
	Resolution    time.Duration
}

// Of returns the target for metric m.
func (t SlaTargets) Of(m SlaMetric) time.Duration {
	switch m {
	case SlaFirstResponse:
		return t.FirstResponse
	case SlaNextResponse:
		return t.NextResponse
	case SlaResolution:
		return t.Resolution
	}
	return 0
}

// SlaPolicy is one rule of an SLA configuration: which tickets it covers
// (empty criteria match anything) and the targets, warning share and
// calendar it gives them.
type SlaPolicy struct {
	Name     string
	Priority Priority
	Category TicketCategory
	Channel  Channel
	Targets  SlaTargets
	// WarnShare is the share of a target at which SlaWarning fires.
	WarnShare float64
	Calendar  Calendar
}

// specificity counts the criteria the policy sets: a policy naming more of
// them is the more specific one.
func (p SlaPolicy) specificity() int {
	n := 0
	for _, set := range []bool{p.Priority != "", p.Category != "", p.Channel != ""} {
		if set {
			n++
		}
	}
	return n
}

// matches reports whether the policy covers a ticket of that priority,
// category and opening channel.
func (p SlaPolicy) matches(priority Priority, category TicketCategory, channel Channel) bool {
	return (p.Priority == "" || p.Priority == priority) &&
		(p.Category == "" || p.Category == category) &&
		(p.Channel == "" || p.Channel == channel)
}

// SelectSlaPolicy returns the policy covering a ticket: among the policies
// that match, the one naming the most criteria; among equally specific ones,
// the first listed. ok is false when none matches.
func SelectSlaPolicy(policies []SlaPolicy, priority Priority, category TicketCategory, channel Channel) (SlaPolicy, bool) {
	best, found := -1, false
	var chosen SlaPolicy
	for _, p := range policies {
		if !p.matches(priority, category, channel) {
			continue
		}
		if s := p.specificity(); s > best {
			best, chosen, found = s, p, true
		}
	}
	return chosen, found
}
