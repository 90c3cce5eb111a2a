package domain

import "strings"

// Stream categories: the prefix of a stream name before the first '-'.
const (
	CategoryCustomer    = "customer"
	CategoryInteraction = "interaction"
	CategoryTicket      = "ticket"
	CategoryAgent       = "agent"
	CategoryIdentity    = "identity"
	// CategoryTicketNumber holds ticket number reservations.
	CategoryTicketNumber = "ticketnumber"
	// CategoryConversation maps a channel conversation to its interaction.
	CategoryConversation = "conversation"
	// CategorySla holds a ticket's SLA clocks.
	CategorySla = "sla"
)

// CustomerStream names a customer's stream.
func CustomerStream(id string) string { return CategoryCustomer + "-" + id }

// InteractionStream names an interaction's stream.
func InteractionStream(id string) string { return CategoryInteraction + "-" + id }

// TicketStream names a ticket's stream.
func TicketStream(id string) string { return CategoryTicket + "-" + id }

// AgentStream names an agent's stream.
func AgentStream(id string) string { return CategoryAgent + "-" + id }

// StreamCategory splits a stream name into its category and the id after
// it ("ticket-42" -> "ticket", "42").
func StreamCategory(stream string) (category, id string) {
	category, id, _ = strings.Cut(stream, "-")
	return category, id
}
