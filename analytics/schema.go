package analytics

// The fact tables, described once for both back ends: each back end turns
// a FactTable into its own DDL (ClickHouse: ReplacingMergeTree(version) ordered
// by the key; SQLite: a primary key on the key, upserts that keep the
// highest version). Every column is a string or a 64-bit integer; times
// are milliseconds since the epoch (UTC), 0 meaning "not yet".
//
// Rows are snapshots: the sink writes an entity's whole row, stamped with
// the $all position of the last event folded into it (version). Writing
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
		Key:     []string{"position"},
		Indexes: [][]string{{"type", "at"}},
	}
	// InteractionsTable has one row per interaction (contact).
	InteractionsTable = &FactTable{
		Name: "fact_interactions",
		Columns: []TableColumn{
			s("interaction_id"), n("customer_key"), s("channel"), s("queue"), s("priority"), s("agent_id"),
			s("status"), s("disposition"), n("started_at"), n("arrived_at"), n("answered_at"), n("ended_at"),
			n("abandoned"), n("handled"), n("resolved"), n("csat"), n("messages_in"), n("messages_out"), n("transfers"), n("version"),
		},
		Key:     []string{"interaction_id"},
		Indexes: [][]string{{"started_at"}, {"customer_key", "started_at"}},
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
	// CustomersTable is the pseudonymised customer dimension: a keyed
	// hash of the customer id and non-personal attributes only.
	CustomersTable = &FactTable{
		Name: "dim_customers",
		Columns: []TableColumn{
			n("customer_key"), s("tier"), n("first_seen"), n("merged_into_key"), n("version"),
		},
		Key: []string{"customer_key"},
	}
)

// FactTables lists every table the sink writes, in write order.
var FactTables = []*FactTable{EventsTable, InteractionsTable, TicketsTable, QaTable, QaCriteriaTable, CustomersTable}
