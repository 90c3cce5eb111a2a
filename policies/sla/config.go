package sla

import (
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Config is the SLA configuration: the policies (which tickets get which
// targets on which calendar), the interaction policies (which
// conversations get which response targets) and where breached tickets
// escalate to.
type Config struct {
	Policies []domain.SlaPolicy
	// InteractionPolicies cover interactions by priority and channel
	// (never category; resolution targets unused); none: interactions run
	// without clocks. They are a list of
	// their own so that response targets fit for a live chat (minutes) do
	// not become the targets of every ticket opened from a chat, as a
	// channel policy among Policies would (it is more specific than the
	// priority ones).
	InteractionPolicies []domain.SlaPolicy
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

// interactionPolicy returns the interaction policy named name, or the one
// that covers an interaction of that priority and channel.
func (c Config) interactionPolicy(name string, priority domain.Priority, channel domain.Channel) (domain.SlaPolicy, bool) {
	for _, p := range c.InteractionPolicies {
		if name != "" && p.Name == name {
			return p, true
		}
	}
	return domain.SelectSlaPolicy(c.InteractionPolicies, priority, "", channel)
}

// DefaultConfig is used without --sla: round the clock (no calendar),
// warning at 80% of each target.
//
//	CRITICAL: first response 15 min, next response 30 min, resolution 4 h
//	URGENT:   first response 1 h,    next response 2 h,    resolution 24 h
//	others:   first response 4 h,    next response 8 h,    resolution 72 h
//
// and interactions, by channel (DefaultInteractionPolicies).
func DefaultConfig() Config {
	return Config{SupervisorQueue: domain.SupervisorQueue, InteractionPolicies: DefaultInteractionPolicies(), Policies: []domain.SlaPolicy{
		{Name: "critical", Priority: domain.PriorityCritical, WarnShare: 0.8,
			Targets: domain.SlaTargets{FirstResponse: 15 * time.Minute, NextResponse: 30 * time.Minute, Resolution: 4 * time.Hour}},
		{Name: "urgent", Priority: domain.PriorityUrgent, WarnShare: 0.8,
			Targets: domain.SlaTargets{FirstResponse: time.Hour, NextResponse: 2 * time.Hour, Resolution: 24 * time.Hour}},
		{Name: "standard", WarnShare: 0.8,
			Targets: domain.SlaTargets{FirstResponse: 4 * time.Hour, NextResponse: 8 * time.Hour, Resolution: 72 * time.Hour}},
	}}
}

// DefaultInteractionPolicies are the response targets of conversations
// without --sla (or with a file that sets none), round the clock, warning
// at 80%: what a customer waiting on each channel expects. A call's first
// response is its answer; a call has no next response.
//
//	PHONE:              answered within 1 min
//	WEBCHAT, APP:       first response 2 min,  next response 5 min
//	WECHAT:             first response 5 min,  next response 10 min
//	SMS:                first response 15 min, next response 30 min
//	EMAIL:              first response 4 h,    next response 8 h
//	CRITICAL, any channel but email: first response 1 min, next 2 min
func DefaultInteractionPolicies() []domain.SlaPolicy {
	policy := func(name string, channel domain.Channel, first, next time.Duration) domain.SlaPolicy {
		return domain.SlaPolicy{Name: name, Channel: channel, WarnShare: 0.8, Targets: domain.SlaTargets{FirstResponse: first, NextResponse: next}}
	}
	critical := policy("interaction-critical", "", time.Minute, 2*time.Minute)
	critical.Priority = domain.PriorityCritical
	criticalEmail := policy("email-critical", domain.ChannelEmail, time.Hour, 2*time.Hour)
	criticalEmail.Priority = domain.PriorityCritical
	return []domain.SlaPolicy{
		criticalEmail,
		critical,
		policy("phone", domain.ChannelPhone, time.Minute, 0),
		policy("webchat", domain.ChannelWebchat, 2*time.Minute, 5*time.Minute),
		policy("app", domain.ChannelApp, 2*time.Minute, 5*time.Minute),
		policy("wechat", domain.ChannelWeChat, 5*time.Minute, 10*time.Minute),
		policy("sms", domain.ChannelSMS, 15*time.Minute, 30*time.Minute),
		policy("email", domain.ChannelEmail, 4*time.Hour, 8*time.Hour),
	}
}
