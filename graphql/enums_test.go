package graphql

import (
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/projections"
)

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// domainEnums lists, per schema enum, the values the domain defines.
func domainEnums() map[string][]string {
	return map[string][]string{
		"Channel":      strs(domain.Channels),
		"IdentityKind": strs(domain.IdentityKinds),
		"Tier":         strs(domain.Tiers),
		"FactKind":     strs(domain.FactKinds),
		"FactOutcome": {domain.FactRecorded.String(), domain.FactUnchanged.String(),
			domain.FactStale.String()},
		"Priority":       strs(domain.Priorities),
		"TicketCategory": strs(domain.TicketCategories),
		"TicketStatus":   strs(domain.TicketStatuses),
		"Presence":       strs(domain.Presences),
		"Disposition":    strs(domain.Dispositions),
		"InteractionStatus": {string(domain.InteractionStatusActive), string(domain.InteractionStatusQueued),
			string(domain.InteractionStatusAssigned), string(domain.InteractionStatusClosed), string(domain.InteractionStatusAbandoned)},
		"TimelineKind": strs([]projections.TimelineKind{projections.TimelineInteractionStarted, projections.TimelineMessageIn,
			projections.TimelineMessageOut, projections.TimelineCallAnswered, projections.TimelineCallEnded, projections.TimelineAbandoned,
			projections.TimelineInteractionClosed, projections.TimelineCsat, projections.TimelineTicketOpened, projections.TimelineTicketStatus,
			projections.TimelineTicketResolved, projections.TimelineTicketReopened, projections.TimelineTicketClosed}),
		"MessageDirection": {projections.DirectionIn, projections.DirectionOut},
		"DeliveryStatus":   deliveryStatuses,
		"TicketSortField":  strs([]projections.TicketSortField{projections.TicketsByOpenedAt, projections.TicketsByUpdatedAt, projections.TicketsByPriority}),
	}
}
