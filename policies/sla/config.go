package sla

import (
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Config is the SLA configuration: the policies (which tickets get which
// targets on which calendar) and where breached tickets escalate to.
type Config struct {
	Policies []domain.SlaPolicy
	// SupervisorQueue receives tickets whose clock breached.
	SupervisorQueue string
}

// policy returns the policy named name, or the one that covers the ticket
// when no policy has that name any more (the configuration changed).
func (c Config) policy(name string, priority domain.Priority, category domain.TicketCategory, channel domain.Channel) (domain.SlaPolicy, bool) {
	for _, p := range c.Policies {
		if name != "" && p.Name == name {
			return p, true
		}
	}
	return domain.SelectSlaPolicy(c.Policies, priority, category, channel)
}

// DefaultConfig is used without --sla: round the clock (no calendar),
// warning at 80% of each target.
//
//	CRITICAL: first response 15 min, next response 30 min, resolution 4 h
//	URGENT:   first response 1 h,    next response 2 h,    resolution 24 h
//	others:   first response 4 h,    next response 8 h,    resolution 72 h
func DefaultConfig() Config {
	return Config{SupervisorQueue: domain.SupervisorQueue, Policies: []domain.SlaPolicy{
		{Name: "critical", Priority: domain.PriorityCritical, WarnShare: 0.8,
			Targets: domain.SlaTargets{FirstResponse: 15 * time.Minute, NextResponse: 30 * time.Minute, Resolution: 4 * time.Hour}},
		{Name: "urgent", Priority: domain.PriorityUrgent, WarnShare: 0.8,
			Targets: domain.SlaTargets{FirstResponse: time.Hour, NextResponse: 2 * time.Hour, Resolution: 24 * time.Hour}},
		{Name: "standard", WarnShare: 0.8,
			Targets: domain.SlaTargets{FirstResponse: 4 * time.Hour, NextResponse: 8 * time.Hour, Resolution: 72 * time.Hour}},
	}}
}
