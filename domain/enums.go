package domain

// Channel is how a customer reached us. Values are SCREAMING_CASE so they
// read the same in events, SQL and GraphQL.
type Channel string

// The channels of the contact centre.
const (
	ChannelPhone   Channel = "PHONE"
	ChannelWebchat Channel = "WEBCHAT"
	ChannelEmail   Channel = "EMAIL"
	ChannelSMS     Channel = "SMS"
	ChannelWeChat  Channel = "WECHAT"
	ChannelApp     Channel = "APP"
)

// Channels lists every channel, in display order.
var Channels = []Channel{ChannelPhone, ChannelWebchat, ChannelEmail, ChannelSMS, ChannelWeChat, ChannelApp}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return oneOf(c, Channels) }

// Tier is the customer's service tier; it raises routing priority.
type Tier string

// Customer tiers, lowest first.
const (
	TierStandard Tier = "STANDARD"
	TierSilver   Tier = "SILVER"
	TierGold     Tier = "GOLD"
	TierVIP      Tier = "VIP"
)

// Tiers lists every tier, lowest first.
var Tiers = []Tier{TierStandard, TierSilver, TierGold, TierVIP}

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool { return oneOf(t, Tiers) }

// TicketCategory is what kind of request a ticket is.
type TicketCategory string

// Ticket categories.
const (
	CategoryInquiry     TicketCategory = "INQUIRY"
	CategoryComplaint   TicketCategory = "COMPLAINT"
	CategorySuggestion  TicketCategory = "SUGGESTION"
	CategoryFaultReport TicketCategory = "FAULT_REPORT"
)

// TicketCategories lists every category.
var TicketCategories = []TicketCategory{CategoryInquiry, CategoryComplaint, CategorySuggestion, CategoryFaultReport}

// Valid reports whether c is a known category.
func (c TicketCategory) Valid() bool { return oneOf(c, TicketCategories) }

// Priority orders tickets and interactions.
type Priority string

// Priorities, lowest first.
const (
	PriorityNormal   Priority = "NORMAL"
	PriorityUrgent   Priority = "URGENT"
	PriorityCritical Priority = "CRITICAL"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityNormal, PriorityUrgent, PriorityCritical}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return oneOf(p, Priorities) }

// Rank is the priority's order, 0 for the lowest.
func (p Priority) Rank() int { return indexOf(p, Priorities) }

// TicketStatus is where a ticket is in its workflow.
type TicketStatus string

// Ticket statuses.
const (
	TicketStatusNew             TicketStatus = "NEW"
	TicketStatusAssigned        TicketStatus = "ASSIGNED"
	TicketStatusInProgress      TicketStatus = "IN_PROGRESS"
	TicketStatusPendingCustomer TicketStatus = "PENDING_CUSTOMER"
	TicketStatusResolved        TicketStatus = "RESOLVED"
	TicketStatusClosed          TicketStatus = "CLOSED"
	TicketStatusReopened        TicketStatus = "REOPENED"
)

// TicketStatuses lists every status in workflow order.
var TicketStatuses = []TicketStatus{TicketStatusNew, TicketStatusAssigned, TicketStatusInProgress, TicketStatusPendingCustomer, TicketStatusResolved, TicketStatusClosed, TicketStatusReopened}

// Valid reports whether s is a known status.
func (s TicketStatus) Valid() bool { return oneOf(s, TicketStatuses) }

// Open reports whether the ticket still needs work (not resolved or closed).
func (s TicketStatus) Open() bool {
	return s != TicketStatusResolved && s != TicketStatusClosed && s != ""
}

// Presence is an agent's availability.
type Presence string

// Agent presences.
const (
	PresenceOffline       Presence = "OFFLINE"
	PresenceAvailable     Presence = "AVAILABLE"
	PresenceBusy          Presence = "BUSY"
	PresenceAfterCallWork Presence = "AFTER_CALL_WORK"
	PresenceBreak         Presence = "BREAK"
)

// Presences lists every presence.
var Presences = []Presence{PresenceOffline, PresenceAvailable, PresenceBusy, PresenceAfterCallWork, PresenceBreak}

// Valid reports whether p is a known presence.
func (p Presence) Valid() bool { return oneOf(p, Presences) }

// Disposition is how an interaction ended, as the agent recorded it.
type Disposition string

// Dispositions.
const (
	DispositionResolved    Disposition = "RESOLVED"
	DispositionFollowUp    Disposition = "FOLLOW_UP"
	DispositionEscalated   Disposition = "ESCALATED"
	DispositionNoAction    Disposition = "NO_ACTION"
	DispositionSpam        Disposition = "SPAM"
	DispositionAbandoned   Disposition = "ABANDONED"
	DispositionTransferred Disposition = "TRANSFERRED"
)

// Dispositions lists every disposition.
var Dispositions = []Disposition{DispositionResolved, DispositionFollowUp, DispositionEscalated, DispositionNoAction, DispositionSpam, DispositionAbandoned, DispositionTransferred}

// Valid reports whether d is a known disposition.
func (d Disposition) Valid() bool { return oneOf(d, Dispositions) }

func oneOf[T comparable](v T, all []T) bool { return indexOf(v, all) >= 0 }

func indexOf[T comparable](v T, all []T) int {
	for i, a := range all {
		if a == v {
			return i
		}
	}
	return -1
}
