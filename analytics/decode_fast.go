package analytics

import (
	"strings"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/flatjson"
)

// fastFields are the values the sink's folds read from the common event
// types; scanned from the top level of the event's JSON object.
type fastFields struct {
	interactionID, customerID, channel, queue, priority, agentID string
	toQueue, toAgentID, disposition, ticketID, category          string
	businessDomain, to, tier, targetID                           string
	at                                                           time.Time
	score                                                        int
	summaryDrafted, summaryEdited                                bool
}

// fastKeys are the keys fastFields reads. A key that matches one of them
// only without regard to case makes the scanner give up: encoding/json
// would match it, the scanner would not.
var fastKeys = []string{"interactionId", "customerId", "channel", "queue", "priority", "agentId", "toQueue", "toAgentId",
	"disposition", "ticketId", "category", "businessDomain", "to", "tier", "targetId", "at", "score",
	"summaryDrafted", "summaryEdited"}

func (f *fastFields) set(key, val []byte, str bool) bool {
	k := string(key)
	switch k {
	case "score":
		n, ok := plainInt(val)
		f.score = n
		return ok && !str
	case "summaryDrafted":
		return plainBool(val, str, &f.summaryDrafted)
	case "summaryEdited":
		return plainBool(val, str, &f.summaryEdited)
	}
	var dst *string
	switch k {
	case "interactionId":
		dst = &f.interactionID
	case "customerId":
		dst = &f.customerID
	case "channel":
		dst = &f.channel
	case "queue":
		dst = &f.queue
	case "priority":
		dst = &f.priority
	case "agentId":
		dst = &f.agentID
	case "toQueue":
		dst = &f.toQueue
	case "toAgentId":
		dst = &f.toAgentID
	case "disposition":
		dst = &f.disposition
	case "ticketId":
		dst = &f.ticketID
	case "category":
		dst = &f.category
	case "businessDomain":
		dst = &f.businessDomain
	case "to":
		dst = &f.to
	case "tier":
		dst = &f.tier
	case "targetId":
		dst = &f.targetID
	case "at":
		return str && f.at.UnmarshalText(val) == nil
	default:
		for _, known := range fastKeys {
			if strings.EqualFold(k, known) {
				return false
			}
		}
		return true
	}
	if !str {
		return false
	}
	*dst = string(val)
	return true
}

// fastDecode decodes the event types the sink folds most, filling only the
// fields the folds read. It reports false for any other type, or when the
// data is anything but a plain object (then domain.DecodeEvent decides).
// It reads schema 1 of each type, and stands aside once a type's shape
// has changed (domain.IsCurrentShape) until it is rewritten for it.
func fastDecode(eventType string, schema int, data []byte) (domain.Event, bool) {
	if !domain.IsCurrentShape(eventType, schema, 1) {
		return nil, false
	}
	build, ok := fastTypes[eventType]
	if !ok {
		return nil, false
	}
	var f fastFields
	if !flatjson.ScanObject(data, f.set) {
		return nil, false
	}
	return build(&f), true
}

var fastTypes = map[string]func(*fastFields) domain.Event{
	"InteractionStarted": func(f *fastFields) domain.Event {
		return domain.InteractionStarted{InteractionID: f.interactionID, CustomerID: f.customerID, Channel: domain.Channel(f.channel), At: f.at}
	},
	"InteractionQueued": func(f *fastFields) domain.Event {
		return domain.InteractionQueued{InteractionID: f.interactionID, Queue: f.queue, Priority: domain.Priority(f.priority), At: f.at}
	},
	"InteractionAssigned": func(f *fastFields) domain.Event {
		return domain.InteractionAssigned{InteractionID: f.interactionID, AgentID: f.agentID, Queue: f.queue, At: f.at}
	},
	"InteractionTransferred": func(f *fastFields) domain.Event {
		return domain.InteractionTransferred{InteractionID: f.interactionID, ToAgentID: f.toAgentID, ToQueue: f.toQueue, At: f.at}
	},
	"CallAnswered": func(f *fastFields) domain.Event {
		return domain.CallAnswered{InteractionID: f.interactionID, AgentID: f.agentID, At: f.at}
	},
	"CallEnded": func(f *fastFields) domain.Event { return domain.CallEnded{InteractionID: f.interactionID, At: f.at} },
	"InteractionAbandoned": func(f *fastFields) domain.Event {
		return domain.InteractionAbandoned{InteractionID: f.interactionID, At: f.at}
	},
	"InteractionClosed": func(f *fastFields) domain.Event {
		return domain.InteractionClosed{InteractionID: f.interactionID, Disposition: domain.Disposition(f.disposition), AgentID: f.agentID,
			SummaryDrafted: f.summaryDrafted, SummaryEdited: f.summaryEdited, At: f.at}
	},
	"CsatRecorded": func(f *fastFields) domain.Event {
		return domain.CsatRecorded{InteractionID: f.interactionID, Score: f.score, At: f.at}
	},
	"TicketOpened": func(f *fastFields) domain.Event {
		return domain.TicketOpened{TicketID: f.ticketID, CustomerID: f.customerID, Category: domain.TicketCategory(f.category),
			Priority: domain.Priority(f.priority), BusinessDomain: f.businessDomain, InteractionID: f.interactionID, At: f.at}
	},
	"TicketAssigned": func(f *fastFields) domain.Event {
		return domain.TicketAssigned{TicketID: f.ticketID, AgentID: f.agentID, At: f.at}
	},
	"TicketStatusChanged": func(f *fastFields) domain.Event {
		return domain.TicketStatusChanged{TicketID: f.ticketID, To: domain.TicketStatus(f.to), At: f.at}
	},
	"TicketPriorityChanged": func(f *fastFields) domain.Event {
		return domain.TicketPriorityChanged{TicketID: f.ticketID, To: domain.Priority(f.to), At: f.at}
	},
	"TicketResolved":  func(f *fastFields) domain.Event { return domain.TicketResolved{TicketID: f.ticketID, At: f.at} },
	"TicketReopened":  func(f *fastFields) domain.Event { return domain.TicketReopened{TicketID: f.ticketID, At: f.at} },
	"TicketClosed":    func(f *fastFields) domain.Event { return domain.TicketClosed{TicketID: f.ticketID, At: f.at} },
	"TicketNoteAdded": func(f *fastFields) domain.Event { return domain.TicketNoteAdded{TicketID: f.ticketID, At: f.at} },
	"TicketCollaboratorAdded": func(f *fastFields) domain.Event {
		return domain.TicketCollaboratorAdded{TicketID: f.ticketID, At: f.at}
	},
	"TicketInteractionLinked": func(f *fastFields) domain.Event {
		return domain.TicketInteractionLinked{TicketID: f.ticketID, InteractionID: f.interactionID, At: f.at}
	},
	"CustomerRegistered": func(f *fastFields) domain.Event {
		return domain.CustomerRegistered{CustomerID: f.customerID, Tier: domain.Tier(f.tier), At: f.at}
	},
	"CustomerTierChanged": func(f *fastFields) domain.Event {
		return domain.CustomerTierChanged{CustomerID: f.customerID, To: domain.Tier(f.to), At: f.at}
	},
	"IdentityLinked":   func(f *fastFields) domain.Event { return domain.IdentityLinked{CustomerID: f.customerID, At: f.at} },
	"IdentityUnlinked": func(f *fastFields) domain.Event { return domain.IdentityUnlinked{CustomerID: f.customerID, At: f.at} },
}

// plainInt parses a JSON integer (an optional minus and digits, no
// leading zeros) that fits an int32.
func plainInt(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 9 || b[0] == '0' && len(b) > 1 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// plainBool reads a JSON true or false into dst; anything else (null, a
// string) it leaves to encoding/json.
func plainBool(val []byte, str bool, dst *bool) bool {
	switch {
	case str:
		return false
	case string(val) == "true":
		*dst = true
	case string(val) == "false":
		*dst = false
	default:
		return false
	}
	return true
}
