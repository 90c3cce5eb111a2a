package document

import (
	"strings"
	"testing"
)

// documentSeeds are valid documents: the table of TestParse and the seed
// corpus of FuzzParse.
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

func TestParse(t *testing.T) {
	for _, src := range documentSeeds {
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
	doc, err := Parse(documentSeeds[1])
	must(t, err, "parse")
	op := doc.Operations[0]
	field := op.Selections[0].Children[1]
	if op.Kind != "query" || op.Name != "Q" || op.Defaults["n"] != 5 || field.Field != "timeline" || field.FirstVar != "n" {
		t.Errorf("outline %+v / %+v", op, field)
	}
	for _, bad := range []string{
		``, `{`, `{ }`, `query`, `{ a(b: ) }`, `{ a(b: "unterminated) }`, `{ a(b: """x) }`, `{ a. }`,
		`fragment on on T { a }`, `{ a(b: 1.) }`, `{ a(b: 1e) }`, `{ a(b: -) }`, "{ a(b: \"line\nbreak\") }",
		`{ a } garbage`, strings.Repeat("{ a ", 100) + strings.Repeat("}", 100),
		`{ a(b: ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `) }`,
	} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

// TestParseErrors checks what a syntax error says: what is wrong and at
// which byte, from the parser and from the lexer alike.
func TestParseErrors(t *testing.T) {
	for src, want := range map[string]string{
		``:                          `syntax error at byte 0: the document holds no operation`,
		`{ }`:                       `syntax error at byte 2: empty selection set`,
		`{ a(b: ) }`:                `syntax error at byte 7: expected a value, found ")"`,
		`{ a. }`:                    `syntax error at byte 3: unexpected character '.'`,
		`fragment on on T { a }`:    `syntax error at byte 12: a fragment cannot be named "on"`,
		`{ a(b: "unterminated) }`:   `syntax error at byte 7: unterminated string`,
		`{ a } garbage`:             `syntax error at byte 13: unexpected "garbage", expecting an operation or a fragment`,
		`query Q($n: Int = ) { a }`: `syntax error at byte 18: expected a value, found ")"`,
		strings.Repeat("{ a ", 100): `syntax error at byte 256: nested more than 64 levels deep`,
	} {
		_, err := Parse(src)
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%.40q) = %v, want %s", src, err, want)
		}
	}
}

func TestOperation(t *testing.T) {
	doc, err := Parse(`query A { a } mutation B { b }`)
	must(t, err, "parse")
	if op, err := doc.Operation("B"); err != nil || op.Kind != "mutation" {
		t.Errorf("Operation(B) = %+v, %v", op, err)
	}
	if _, err := doc.Operation(""); err == nil {
		t.Error("two operations and no name: no error")
	}
	if _, err := doc.Operation("C"); err == nil {
		t.Error("an unknown name: no error")
	}
}

// FuzzParse checks that no input makes the parser panic or loop, and that
// what it accepts has an operation.
func FuzzParse(f *testing.F) {
	for _, s := range documentSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		doc, err := Parse(src)
		if err == nil && len(doc.Operations) == 0 {
			t.Fatalf("accepted %q without an operation", src)
		}
	})
}

// must is a compact fatal check.
func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
