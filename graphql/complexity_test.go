package graphql

import (
	"testing"

	"github.com/interactionledger/ledger/graphql/internal/document"
)

func TestComplexity(t *testing.T) {
	s, err := parseSchema(&resolver{}, DefaultLimits(), quietLogger)
	must(t, err, "schema")
	m := costModel{schema: s.AST(), maxFirst: 100}
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
		{"introspection is free", `{ __schema { types { name fields { name } } } }`, nil, 0},
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
