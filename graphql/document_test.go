package graphql

import (
	"strings"
	"testing"
)

// documentSeeds are valid documents: the table of TestParseDocument and
// the seed corpus of FuzzParseDocument.
var documentSeeds = []string{
	`{ me { role } }`,
	`query Q($id: ID!, $n: Int = 5) @dir { customer(id: $id) { id timeline(first: $n, after: null) { nodes { at } } } }`,
	`mutation { openTicket(customerId: "c", category: COMPLAINT, subject: """multi
line "quoted" \""" end""") { position } }`,
	`subscription S { ticketUpdated(id: "t") { ...F ... on Ticket { id } ... @include(if: true) { number } } }
	 fragment F on Ticket { status }`,
	`# comment
	query { a: tickets(filter: {status: [NEW, ASSIGNED], overdue: true}, first: 10) { nodes { id } } }, `,
	"\uFEFF{ x(f: -1.5e3, s: \"\\u00e9\\\"\", l: [1, [2]], o: {a: {b: $v}}) { y } }",
}

func TestParseDocument(t *testing.T) {
	for _, src := range documentSeeds {
		if _, err := parseDocument(src); err != nil {
			t.Errorf("parseDocument(%q): %v", src, err)
		}
	}
	doc, err := parseDocument(documentSeeds[1])
	must(t, err, "parse")
	op := doc.operations[0]
	field := op.selections[0].children[1]
	if op.kind != "query" || op.name != "Q" || op.defaults["n"] != 5 || field.field != "timeline" || field.firstVar != "n" {
		t.Errorf("outline %+v / %+v", op, field)
	}
	for _, bad := range []string{
		``, `{`, `{ }`, `query`, `{ a(b: ) }`, `{ a(b: "unterminated) }`, `{ a(b: """x) }`, `{ a. }`,
		`fragment on on T { a }`, `{ a(b: 1.) }`, `{ a(b: 1e) }`, `{ a(b: -) }`, "{ a(b: \"line\nbreak\") }",
		`{ a } garbage`, strings.Repeat("{ a ", 100) + strings.Repeat("}", 100),
		`{ a(b: ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `) }`,
	} {
		if _, err := parseDocument(bad); err == nil {
			t.Errorf("parseDocument(%q) succeeded", bad)
		}
	}
}

func TestOperationFor(t *testing.T) {
	doc, err := parseDocument(`query A { a } mutation B { b }`)
	must(t, err, "parse")
	if op, err := doc.operationFor("B"); err != nil || op.kind != "mutation" {
		t.Errorf("operationFor(B) = %+v, %v", op, err)
	}
	if _, err := doc.operationFor(""); err == nil {
		t.Error("two operations and no name: no error")
	}
	if _, err := doc.operationFor("C"); err == nil {
		t.Error("an unknown name: no error")
	}
}

// FuzzParseDocument checks that no input makes the parser panic or loop,
// and that what it accepts has an operation.
func FuzzParseDocument(f *testing.F) {
	for _, s := range documentSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		doc, err := parseDocument(src)
		if err == nil && len(doc.operations) == 0 {
			t.Fatalf("accepted %q without an operation", src)
		}
	})
}
