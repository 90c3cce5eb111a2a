package graphql

import (
	"testing"

	"github.com/interactionledger/ledger/graphql/internal/document"
)

func TestComplexity(t *testing.T) {
	s, err := parseSchema(&resolver{}, DefaultLimits(), quietLogger)
	must(t, err, "schema")
	m := costModel{schema: s.AST(), maxFirst: 100}
	schemaSize, largestType := m.schemaSize()
	if schemaSize < 500 || largestType < 50 || largestType >= schemaSize {
		t.Fatalf("schema size %d, largest type %d", schemaSize, largestType)
	}
	for _, c := range []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"scalar", `{ me { role } }`, nil, 2},
		// customerByIdentity, id, timeline, nodes, 20 x 2 fields, pageInfo, hasNextPage.
		{"connection", `{ customerByIdentity(kind: PHONE, value: "1") { id timeline(first: 20) { nodes { at kind } pageInfo { hasNextPage } } } }`, nil, 46},
		{"default page", `{ customers { nodes { id } } }`, nil, 2 + 20},
		{"variable page", `query($n: Int) { customers(first: $n) { nodes { id } } }`, map[string]any{"n": float64(5)}, 2 + 5},
		{"default variable", `query($n: Int = 7) { customers(first: $n) { nodes { id } } }`, nil, 2 + 7},
		{"clamped", `{ customers(first: 100000) { nodes { id } } }`, nil, 2 + 100},
		{"list without first", `{ queues { name } }`, nil, 1 + listGuess},
		{"the README's example", `{ tickets(first: 100) { nodes { customer { displayName } } } }`, nil, 202},
		{"nested lists", `{ tickets(first: 10) { nodes { customer { openTickets { id } } } } }`, nil, 2 + 10*(1+1+listGuess)},
		{"fragment", `{ ...Q } fragment Q on Query { me { role } }`, nil, 2},
		{"inline fragment", `{ ... on Query { me { role } } }`, nil, 2},
		{"__schema costs the schema's size", `{ __schema { types { name } } }`, nil, schemaSize},
		{"__schema aliased", `{ a: __schema { types { name } } b: __schema { queryType { name } } }`, nil, 2 * schemaSize},
		{"__type and __typename", `{ __typename __type(name: "Query") { name } }`, nil, 1 + largestType},
		{"bounded list by default", `{ queues { waiting { priority } } }`, nil, 1 + listGuess*(1+100)},
		{"bounded list with first", `query($i: ID!) { interaction(id: $i) { messages(first: 5) { text } } }`, nil, 2 + 5},
		{"bounded list, variable", `query($n: Int) { interaction(id: "1") { messages(first: $n) { text } } }`, map[string]any{"n": float64(7)}, 2 + 7},
		{"bounded list, null variable", `query($n: Int = 3) { interaction(id: "1") { messages(first: $n) { text } } }`, map[string]any{"n": nil}, 2 + 100},
		{"bounded list, default variable", `query($n: Int = 3) { interaction(id: "1") { messages(first: $n) { text } } }`, nil, 2 + 3},
		{"notes", `{ tickets(first: 10) { nodes { notes { text } } } }`, nil, 2 + 10*(1+100)},
		{"files", `{ interaction(id: "1") { messages(first: 10) { attachments { name size } } } }`, nil, 2 + 10*(1+2*2)},
		{"unknown field", `{ nothing }`, nil, 1},
	} {
		doc, err := document.Parse(c.query)
		must(t, err, "%s: parse", c.name)
		op, err := doc.Operation("")
		must(t, err, "%s: operation", c.name)
		if got := m.cost(doc, op, c.vars); got != c.want {
			t.Errorf("%s: cost %d, want %d", c.name, got, c.want)
		}
	}
}
