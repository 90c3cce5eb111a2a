package analytics

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/interactionledger/ledger/domain"
)

// The fact tables, described once for both back ends: each back end turns
// a FactTable into its own DDL (ClickHouse: ReplacingMergeTree(version) ordered
// by the key; SQLite: a primary key on the key, upserts that keep the
// highest version). Every column is a string or a 64-bit integer; times
// are milliseconds since the epoch (UTC), 0 meaning "not yet".
//
// Rows are snapshots: the sink writes an entity's whole row, stamped with
// the $all position of the last event that changed it (version): its own
// events, and for an interaction also the starts of its customer's other
// contacts that moved its links. Writing
// the same snapshot twice is harmless, and readers keep only the highest
// version of a key, so a batch written again after a crash counts once.

// ColumnKind is a column's storage type.
type ColumnKind int

// Column kinds.
const (
	KindString ColumnKind = iota
	KindInt
)

// TableColumn is one column of a fact table.
type TableColumn struct {
	Name string
	Kind ColumnKind
}

// FactTable describes a fact table.
type FactTable struct {
	Name    string
	Columns []TableColumn
	// Key identifies a row; rows with the same key are versions of one
	// fact, the highest version wins.
	Key []string
	// Indexes lists extra columns the embedded back end indexes (ClickHouse
	// scans columns instead).
	Indexes [][]string
	// Immutable tables have one version of each row: written again (a
	// batch folded again after a restart), a key carries the same row, so
	// the embedded back end keeps the first instead of replacing it, which
	// spares SQLite an update and the statement journal an upsert needs.
	Immutable bool
}

// ColumnNames returns the table's column names in order.
func (t *FactTable) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

func s(name string) TableColumn { return TableColumn{Name: name, Kind: KindString} }
func n(name string) TableColumn { return TableColumn{Name: name, Kind: KindInt} }

// The fact tables.
var (
	// EventsTable has one row per ledger event: what happened, when and
	// in which stream category, without the event's data.
	EventsTable = &FactTable{
		Name: "fact_events",
		Columns: []TableColumn{
			n("position"), n("at"), s("type"), s("stream_category"), s("entity_id"),
			s("channel"), s("actor_kind"), n("customer_key"), s("ticket_category"), n("version"),
		},
		Key:       []string{"position"},
		Indexes:   [][]string{{"type", "at"}},
		Immutable: true,
	}
	// InteractionsTable has one row per interaction (contact).
	//
	// template_replies counts the agent replies sent from a reply
	// template (ReplyTemplateUsed; see fact_template_uses for which).
	// summary_drafted is 1 when the agent was offered a drafted closing
	// summary, summary_edited when the summary it closed with was not
	// that draft (InteractionClosed).
	//
	// unresolved marks a contact that ended unresolved: abandoned, or
	// closed with a disposition other than RESOLVED.
	//
	// Its link columns place it among the same customer's other contacts
	// (see contacts.go), so that the reports relating contacts to each
	// other (fcr, repeat contacts, journeys) read one row per contact
	// instead of joining the table with itself: prev_started_at is the
	// start of the customer's latest contact that started strictly before
	// this one, next_started_at the start of the earliest that started
	// strictly after it, and next_<channel>_at the same on each channel of
	// domain.Channels (0: none).
	InteractionsTable = &FactTable{
		Name: "fact_interactions",
		Columns: append([]TableColumn{
			s("interaction_id"), n("customer_key"), s("channel"), s("queue"), s("priority"), s("agent_id"),
			s("status"), s("disposition"), n("started_at"), n("arrived_at"), n("answered_at"), n("ended_at"),
			n("abandoned"), n("handled"), n("resolved"), n("csat"), n("messages_in"), n("messages_out"), n("transfers"),
			n("template_replies"), n("summary_drafted"), n("summary_edited"),
			n("unresolved"), n("prev_started_at"), n("next_started_at"),
		}, append(nextOnColumns(), n("version"))...),
		Key:     []string{"interaction_id"},
		Indexes: [][]string{{"started_at"}},
	}
	// TemplateUsesTable has one row per agent reply sent from a reply
	// template (ReplyTemplateUsed), written once, keyed by the event's
	// position: template_version is the template's version, category that
	// version's, agent_id the agent who sent the reply and at when. Reports
	// read it with the interaction's row (USING interaction_id), so a use
	// counts in the period its interaction started in, like the
	// interaction's other facts.
	TemplateUsesTable = &FactTable{
		Name: "fact_template_uses",
		Columns: []TableColumn{
			s("interaction_id"), n("position"), s("message_id"), s("template_id"), n("template_version"), s("category"),
			s("agent_id"), n("at"), n("version"),
		},
		Key:       []string{"interaction_id", "position"},
		Immutable: true,
	}
	// TicketsTable has one row per ticket.
	TicketsTable = &FactTable{
		Name: "fact_tickets",
		Columns: []TableColumn{
			s("ticket_id"), n("customer_key"), s("category"), s("priority"), s("business_domain"), s("status"),
			s("assignee"), s("channel"), s("queue"), n("opened_at"), n("first_resolved_at"), n("resolved_at"),
			n("closed_at"), n("reopens"), n("version"),
		},
		Key:     []string{"ticket_id"},
		Indexes: [][]string{{"opened_at"}},
	}
	// QaTable has one row per (interaction, scorecard).
	QaTable = &FactTable{
		Name: "fact_qa",
		Columns: []TableColumn{
			s("interaction_id"), s("scorecard"), s("agent_id"), s("team"), s("channel"), s("queue"),
			n("closed_at"), n("scored_at"), n("score"), n("passed"), n("failed"), n("overrides"), n("version"),
		},
		Key:     []string{"interaction_id", "scorecard"},
		Indexes: [][]string{{"closed_at"}},
	}
	// QaCriteriaTable has one row per (interaction, scorecard, criterion).
	QaCriteriaTable = &FactTable{
		Name: "fact_qa_criteria",
		Columns: []TableColumn{
			s("interaction_id"), s("scorecard"), s("criterion"), s("kind"), s("agent_id"), s("team"),
			s("channel"), s("queue"), n("closed_at"), s("result"), n("overridden"), n("version"),
		},
		Key:     []string{"interaction_id", "scorecard", "criterion"},
		Indexes: [][]string{{"closed_at"}},
	}
	// ContactsTable lists each customer's contacts by start time, one
	// row per interaction, written once when it starts: the sink's memory
	// of who contacted us when, read back after a restart to link new
	// contacts to earlier ones (version is the position of the
	// InteractionStarted event).
	ContactsTable = &FactTable{
		Name: "fact_customer_contacts",
		Columns: []TableColumn{
			n("customer_key"), n("started_at"), s("interaction_id"), s("channel"), n("version"),
		},
		Key:       []string{"customer_key", "started_at", "interaction_id"},
		Immutable: true,
	}
	// TicketTransitionsTable has one row per event that opens, reopens or
	// resolves a ticket, at its business time: the backlog report sums it
	// instead of reading every event.
	TicketTransitionsTable = &FactTable{
		Name: "fact_ticket_transitions",
		Columns: []TableColumn{
			n("position"), n("at"), n("opened"), n("reopened"), n("resolved"), n("version"),
		},
		Key:       []string{"at", "position"},
		Immutable: true,
	}
	// CustomersTable is the pseudonymised customer dimension: a keyed
	// hash of the customer id and non-personal attributes only.
	CustomersTable = &FactTable{
		Name: "dim_customers",
		Columns: []TableColumn{
			n("customer_key"), s("tier"), n("first_seen"), n("merged_into_key"), n("version"),
		},
		Key: []string{"customer_key"},
	}
	// BusinessFactsTable has the current version of each business fact
	// a CRM or order system recorded (domain.BusinessFactRecorded): its
	// kind, source and a plan's tier, without its attributes (personal
	// data) or external id: fact_key is a keyed hash of kind, source and
	// external id, like customer_key of the customer id. effective_at is
	// 0 when the source gave none; fact_version is the source's version.
	BusinessFactsTable = &FactTable{
		Name: "fact_business",
		Columns: []TableColumn{
			n("fact_key"), n("customer_key"), s("kind"), s("source"), s("tier"),
			n("effective_at"), n("recorded_at"), n("fact_version"), n("version"),
		},
		Key: []string{"fact_key"},
	}
)

// FactTables lists every table the sink writes, in write order.
var FactTables = []*FactTable{
	EventsTable, InteractionsTable, ContactsTable, TemplateUsesTable, TicketsTable, TicketTransitionsTable, QaTable, QaCriteriaTable, CustomersTable,
	BusinessFactsTable,
}

// nextOnColumns are the interaction's next_<channel>_at columns, in the
// order of domain.Channels.
func nextOnColumns() []TableColumn {
	cols := make([]TableColumn, len(domain.Channels))
	for i, ch := range domain.Channels {
		cols[i] = n(NextOnColumn(ch))
	}
	return cols
}

// NextOnColumn names the interaction column holding the start of the
// customer's next contact on channel ch.
func NextOnColumn(ch domain.Channel) string { return "next_" + strings.ToLower(string(ch)) + "_at" }

// foldRevision changes when the sink folds events into different rows
// while the tables keep their shape, so that SchemaVersion changes too.
const foldRevision = 1

// SchemaVersion identifies the fact tables' shape and the fold that fills
// them. A back end holding tables of another version drops them and its
// checkpoints when it is set up, so the sink writes them again from the
// start of the ledger: rows of the old shape, or missing the rows of a new
// table, would give wrong numbers.
func SchemaVersion() string {
	h := sha256.New()
	fmt.Fprintf(h, "fold %d\n", foldRevision)
	for _, t := range FactTables {
		fmt.Fprintf(h, "%s key %v:", t.Name, t.Key)
		for _, c := range t.Columns {
			fmt.Fprintf(h, " %s/%d", c.Name, c.Kind)
		}
		fmt.Fprintln(h)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
