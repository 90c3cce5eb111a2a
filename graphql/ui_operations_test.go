package graphql

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/interactionledger/ledger/graphql/internal/document"
	"github.com/interactionledger/ledger/graphql/transport"
)

// uiSources is where the desktop's operations live, each component's
// .graphql beside it.
const uiSources = "../ui/app/src"

// TestUIOperationsWithinLimits: every operation the desktop sends, with
// the fragments it spreads (as graphql-codegen puts them into its document),
// is valid against the server's schema, within its depth limit, and within
// its cost limit by the server's own estimate (Server.admit, what every
// request passes), so that no UI query can grow past the limits unnoticed
// and fail only when someone opens that screen.
func TestUIOperationsWithinLimits(t *testing.T) {
	e := newEnv(t)
	s := e.api
	defs := uiDefinitions(t)
	fragments := map[string]graphqlDefinition{}
	for _, d := range defs {
		if d.kind == "fragment" {
			fragments[d.name] = d
		}
	}
	ops := 0
	for _, d := range defs {
		if d.kind == "fragment" {
			continue
		}
		ops++
		query := d.text + withFragments(d.text, fragments)
		where := d.file + ": " + d.kind + " " + d.name
		report, err := checkOperation(s, query, d.name)
		if err != "" {
			t.Errorf("%s: %s", where, err)
			continue
		}
		t.Logf("%s: %s", where, report)
	}
	if ops < 20 {
		t.Errorf("found %d operations under %s, want the desktop's (more than 20)", ops, uiSources)
	}

	// The checks bite: a page of tickets with a page of messages of every
	// interaction is over the cost limit, and one field too many nested is
	// over the depth limit.
	const costly = `query Costly { tickets(first: 100) { nodes { interactions { messages(first: 100) { nodes { text } } } } } }`
	if _, refused := checkOperation(s, costly, "Costly"); !strings.Contains(refused, "estimated cost") {
		t.Errorf("an operation over the cost limit passes the check (%q)", refused)
	}
	deep := "query Deep { ticket(id: \"x\") { " + strings.Repeat("customer { mergedInto { ", 6) + "id" + strings.Repeat(" } }", 6) + " } }"
	if _, refused := checkOperation(s, deep, "Deep"); !strings.Contains(refused, "exceeds max depth") {
		t.Errorf("an operation over the depth limit passes the check (%q)", refused)
	}
}

// checkOperation runs one operation through the server's checks without
// running it: what it costs and how deep it is, or why it is refused, with
// the figures and the limits.
func checkOperation(s *Server, query, name string) (report, refused string) {
	doc, err := document.Parse(query)
	if err != nil {
		return "", err.Error()
	}
	depth := selectionDepth(doc, doc.Operations[0].Selections)
	_, cost, errs := s.admit(transport.Request{Query: query, OperationName: name})
	figures := fmt.Sprintf("estimated cost %d, limit %d; depth %d, limit %d", cost, s.limits.MaxComplexity, depth, s.limits.MaxDepth)
	if errs != nil {
		return "", "refused (" + figures + "): " + messages(errs)
	}
	if errs := documentErrors(s.schema.Validate(query)); errs != nil {
		return "", "invalid against the schema or too deep (" + figures + "): " + messages(errs)
	}
	return figures, ""
}

// documentErrors drops the errors about variables the check does not
// give: a required variable is "null" without values, which says nothing
// about the document. Every other error stays.
func documentErrors(errs []*gqlerrors.QueryError) []*gqlerrors.QueryError {
	var out []*gqlerrors.QueryError
	for _, e := range errs {
		if e.Rule == "VariablesOfCorrectType" && strings.Contains(e.Message, "found null") {
			continue
		}
		out = append(out, e)
	}
	return out
}

func messages(errs []*gqlerrors.QueryError) string {
	var m []string
	for _, e := range errs {
		m = append(m, e.Message)
	}
	return strings.Join(m, "; ")
}

// selectionDepth is how deeply fields nest under sels, fragments resolved:
// the figure the depth limit bounds, for the failure messages.
func selectionDepth(doc *document.Document, sels []document.Selection) int {
	deepest := 0
	for _, s := range sels {
		d := 0
		switch {
		case s.Spread != "":
			if f := doc.Fragments[s.Spread]; f != nil {
				d = selectionDepth(doc, f.Selections)
			}
		case s.Field == "":
			d = selectionDepth(doc, s.Children)
		default:
			d = 1 + selectionDepth(doc, s.Children)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// graphqlDefinition is one top-level definition of a .graphql file.
type graphqlDefinition struct {
	file, kind, name, text string
}

// uiDefinitions reads every definition of every .graphql file of the UI.
func uiDefinitions(t *testing.T) []graphqlDefinition {
	t.Helper()
	var defs []graphqlDefinition
	err := filepath.WalkDir(uiSources, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".graphql") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, text := range splitDefinitions(string(src)) {
			kind, name := definitionHead(text)
			defs = append(defs, graphqlDefinition{file: filepath.ToSlash(path), kind: kind, name: name, text: text})
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the UI's operations: %v", err)
	}
	return defs
}

var spreadRE = regexp.MustCompile(`\.\.\.\s*([A-Za-z_][A-Za-z0-9_]*)`)

// withFragments is the text of every fragment text spreads, directly or
// through another fragment, each once.
func withFragments(text string, fragments map[string]graphqlDefinition) string {
	var names []string
	var visit func(string)
	visit = func(s string) {
		for _, m := range spreadRE.FindAllStringSubmatch(s, -1) {
			name := m[1]
			if name == "on" || slices.Contains(names, name) {
				continue // an inline fragment, or one already added
			}
			f, ok := fragments[name]
			if !ok {
				continue // the schema check names the unknown fragment
			}
			names = append(names, name)
			visit(f.text)
		}
	}
	visit(text)
	var b strings.Builder
	for _, n := range names {
		b.WriteString("\n" + fragments[n].text)
	}
	return b.String()
}

var headRE = regexp.MustCompile(`^(query|mutation|subscription|fragment)\s+([A-Za-z_][A-Za-z0-9_]*)`)

// definitionHead is a definition's keyword and name ("query", "Inbox").
func definitionHead(text string) (kind, name string) {
	m := headRE.FindStringSubmatch(text)
	if m == nil {
		return "query", ""
	}
	return m[1], m[2]
}

// splitDefinitions cuts a .graphql file into its top-level definitions:
// each ends where its outermost braces close outside parentheses (a
// variable's default object value does not end it). Comments and strings
// are skipped so their braces do not count.
func splitDefinitions(src string) []string {
	var defs []string
	start, braces, parens := -1, 0, 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case strings.HasPrefix(src[i:], `"""`):
			end := strings.Index(src[i+3:], `"""`)
			if end < 0 {
				return defs
			}
			i += end + 5
			continue
		case c == '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
			continue
		}
		if start < 0 && c > ' ' {
			start = i
		}
		switch c {
		case '(':
			parens++
		case ')':
			parens--
		case '{':
			braces++
		case '}':
			braces--
			if braces == 0 && parens == 0 && start >= 0 {
				defs = append(defs, src[start:i+1])
				start = -1
			}
		}
	}
	return defs
}
