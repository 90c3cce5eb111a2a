// Package document parses GraphQL executable documents (the queries,
// mutations and subscriptions clients send) into a small outline, for
// what graphql-go does not do itself: estimating a document's cost before
// it runs and telling queries from mutations and subscriptions.
//
// graphql-go (v1.6.0) keeps its own query parser internal, so the API
// parses requests a second time, here. Only what those checks need is
// kept; graphql-go still validates the document in full. A caller refuses
// anything that does not parse (fail closed).
package document

import (
	"fmt"
	"strconv"
)

// Document is the outline of a GraphQL executable document.
type Document struct {
	Operations []*Operation
	// Fragments are the document's fragment definitions by name.
	Fragments map[string]*Fragment
}

// Operation is one operation definition.
type Operation struct {
	Kind       string // "query", "mutation" or "subscription"
	Name       string // "" for an anonymous operation
	Selections []Selection
	// Defaults are the variables' literal integer default values.
	Defaults map[string]int
}

// Fragment is one fragment definition.
type Fragment struct {
	TypeCond   string
	Selections []Selection
}

// Selection is a field, a fragment spread or an inline fragment.
type Selection struct {
	Field    string // field name; "" for a spread or an inline fragment
	Spread   string // fragment name of a spread
	TypeCond string // type condition of an inline fragment, if any
	// First is the field's `first` argument: an integer literal
	// (FirstSet) or a variable (FirstVar).
	First    int
	FirstSet bool
	FirstVar string
	Children []Selection
}

// MaxNesting bounds how deeply selections and values may nest, so a
// hostile document cannot make the parser recurse without end.
const MaxNesting = 64

// Operation returns the operation a request runs: the one named, or the
// only one.
func (d *Document) Operation(name string) (*Operation, error) {
	if name == "" {
		if len(d.Operations) != 1 {
			return nil, fmt.Errorf("the document holds %d operations: name the one to run (operationName)", len(d.Operations))
		}
		return d.Operations[0], nil
	}
	for _, op := range d.Operations {
		if op.Name == name {
			return op, nil
		}
	}
	return nil, fmt.Errorf("no operation named %q in the document", name)
}

// Parse parses a GraphQL executable document into its outline. A syntax
// error says at which byte it is.
func Parse(src string) (*Document, error) {
	p := &parser{lex: lexer{src: src}}
	if err := p.next(); err != nil {
		return nil, err
	}
	doc := &Document{Fragments: map[string]*Fragment{}}
	for p.tok.kind != tokEOF {
		if err := p.definition(doc); err != nil {
			return nil, err
		}
	}
	if len(doc.Operations) == 0 {
		return nil, p.errorf("the document holds no operation")
	}
	return doc, nil
}

// syntaxError is an error of Parse: what is wrong, and where.
type syntaxError struct {
	msg string
	pos int
}

func (e *syntaxError) Error() string { return fmt.Sprintf("syntax error at byte %d: %s", e.pos, e.msg) }

// parser is a recursive-descent parser over the lexer's tokens; tok is
// the current token.
type parser struct {
	lex   lexer
	tok   token
	depth int
}

// errorf returns a syntax error at the current token.
func (p *parser) errorf(format string, args ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, args...), pos: p.tok.pos}
}

// next moves to the next token.
func (p *parser) next() error {
	tok, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = tok
	return nil
}

func (p *parser) isPunct(s string) bool { return p.tok.kind == tokPunct && p.tok.text == s }

func (p *parser) expectPunct(s string) error {
	if !p.isPunct(s) {
		return p.errorf("expected %q, found %q", s, p.tok.text)
	}
	return p.next()
}

func (p *parser) name() (string, error) {
	if p.tok.kind != tokName {
		return "", p.errorf("expected a name, found %q", p.tok.text)
	}
	n := p.tok.text
	return n, p.next()
}

// enter guards recursion depth; every successful enter is paired with a
// leave.
func (p *parser) enter() error {
	if p.depth++; p.depth > MaxNesting {
		p.depth--
		return p.errorf("nested more than %d levels deep", MaxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) definition(doc *Document) error {
	if p.isPunct("{") {
		sels, err := p.selectionSet()
		if err != nil {
			return err
		}
		doc.Operations = append(doc.Operations, &Operation{Kind: "query", Selections: sels})
		return nil
	}
	kw, err := p.name()
	if err != nil {
		return err
	}
	switch kw {
	case "query", "mutation", "subscription":
		op, err := p.operation(kw)
		if err != nil {
			return err
		}
		doc.Operations = append(doc.Operations, op)
		return nil
	case "fragment":
		return p.fragment(doc)
	default:
		return p.errorf("unexpected %q, expecting an operation or a fragment", kw)
	}
}

// fragment parses a fragment definition after its keyword.
func (p *parser) fragment(doc *Document) error {
	name, err := p.name()
	if err != nil {
		return err
	}
	if name == "on" {
		return p.errorf("a fragment cannot be named \"on\"")
	}
	on, err := p.name()
	if err != nil {
		return err
	}
	if on != "on" {
		return p.errorf("expected \"on\" after the fragment name")
	}
	f := &Fragment{}
	if f.TypeCond, err = p.name(); err != nil {
		return err
	}
	if err := p.directives(); err != nil {
		return err
	}
	if f.Selections, err = p.selectionSet(); err != nil {
		return err
	}
	doc.Fragments[name] = f
	return nil
}

func (p *parser) operation(kind string) (*Operation, error) {
	op := &Operation{Kind: kind, Defaults: map[string]int{}}
	var err error
	if p.tok.kind == tokName {
		if op.Name, err = p.name(); err != nil {
			return nil, err
		}
	}
	if p.isPunct("(") {
		if err := p.variableDefinitions(op); err != nil {
			return nil, err
		}
	}
	if err := p.directives(); err != nil {
		return nil, err
	}
	if op.Selections, err = p.selectionSet(); err != nil {
		return nil, err
	}
	return op, nil
}

func (p *parser) variableDefinitions(op *Operation) error {
	if err := p.expectPunct("("); err != nil {
		return err
	}
	for !p.isPunct(")") {
		if err := p.expectPunct("$"); err != nil {
			return err
		}
		name, err := p.name()
		if err != nil {
			return err
		}
		if err := p.expectPunct(":"); err != nil {
			return err
		}
		if err := p.typeRef(); err != nil {
			return err
		}
		if p.isPunct("=") {
			if err := p.next(); err != nil {
				return err
			}
			n, isInt, err := p.value()
			if err != nil {
				return err
			}
			if isInt {
				op.Defaults[name] = n
			}
		}
		if err := p.directives(); err != nil {
			return err
		}
	}
	return p.next()
}

func (p *parser) typeRef() error {
	if err := p.enter(); err != nil {
		return err
	}
	defer p.leave()
	if p.isPunct("[") {
		if err := p.next(); err != nil {
			return err
		}
		if err := p.typeRef(); err != nil {
			return err
		}
		if err := p.expectPunct("]"); err != nil {
			return err
		}
	} else if _, err := p.name(); err != nil {
		return err
	}
	if p.isPunct("!") {
		return p.next()
	}
	return nil
}

func (p *parser) selectionSet() ([]Selection, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.expectPunct("{"); err != nil {
		return nil, err
	}
	var out []Selection
	for !p.isPunct("}") {
		s, err := p.selection()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, p.errorf("empty selection set")
	}
	return out, p.next()
}

func (p *parser) selection() (Selection, error) {
	if p.isPunct("...") {
		return p.fragmentSelection()
	}
	var s Selection
	var err error
	if s.Field, err = p.name(); err != nil {
		return s, err
	}
	if p.isPunct(":") { // the name was an alias
		if err := p.next(); err != nil {
			return s, err
		}
		if s.Field, err = p.name(); err != nil {
			return s, err
		}
	}
	if p.isPunct("(") {
		if err := p.arguments(&s); err != nil {
			return s, err
		}
	}
	if err := p.directives(); err != nil {
		return s, err
	}
	if p.isPunct("{") {
		if s.Children, err = p.selectionSet(); err != nil {
			return s, err
		}
	}
	return s, nil
}

// fragmentSelection parses a fragment spread or an inline fragment, from
// its "...".
func (p *parser) fragmentSelection() (Selection, error) {
	var s Selection
	if err := p.next(); err != nil {
		return s, err
	}
	var err error
	if p.tok.kind == tokName && p.tok.text != "on" {
		if s.Spread, err = p.name(); err != nil {
			return s, err
		}
		return s, p.directives()
	}
	if p.tok.kind == tokName { // "on"
		if err := p.next(); err != nil {
			return s, err
		}
		if s.TypeCond, err = p.name(); err != nil {
			return s, err
		}
	}
	if err := p.directives(); err != nil {
		return s, err
	}
	s.Children, err = p.selectionSet()
	return s, err
}

// arguments parses a field's arguments, keeping `first`.
func (p *parser) arguments(s *Selection) error {
	if err := p.expectPunct("("); err != nil {
		return err
	}
	for !p.isPunct(")") {
		name, err := p.name()
		if err != nil {
			return err
		}
		if err := p.expectPunct(":"); err != nil {
			return err
		}
		if name == "first" && p.isPunct("$") {
			if err := p.next(); err != nil {
				return err
			}
			if s.FirstVar, err = p.name(); err != nil {
				return err
			}
			continue
		}
		n, isInt, err := p.value()
		if err != nil {
			return err
		}
		if name == "first" && isInt {
			s.First, s.FirstSet = n, true
		}
	}
	return p.next()
}

func (p *parser) directives() error {
	for p.isPunct("@") {
		if err := p.next(); err != nil {
			return err
		}
		if _, err := p.name(); err != nil {
			return err
		}
		if p.isPunct("(") {
			var ignored Selection
			if err := p.arguments(&ignored); err != nil {
				return err
			}
		}
	}
	return nil
}

// value parses a value and returns it when it is an integer literal.
func (p *parser) value() (n int, isInt bool, err error) {
	if err := p.enter(); err != nil {
		return 0, false, err
	}
	defer p.leave()
	switch {
	case p.isPunct("$"):
		if err := p.next(); err != nil {
			return 0, false, err
		}
		_, err = p.name()
	case p.isPunct("["):
		err = p.list()
	case p.isPunct("{"):
		err = p.object()
	case p.tok.kind == tokInt:
		n, convErr := strconv.Atoi(p.tok.text)
		if err := p.next(); err != nil {
			return 0, false, err
		}
		if convErr != nil {
			return 0, false, nil // out of range: a count no request can be granted
		}
		return n, true, nil
	case p.tok.kind == tokFloat, p.tok.kind == tokString, p.tok.kind == tokName:
		err = p.next()
	default:
		err = p.errorf("expected a value, found %q", p.tok.text)
	}
	return 0, false, err
}

// list parses a list value, from its "[".
func (p *parser) list() error {
	if err := p.next(); err != nil {
		return err
	}
	for !p.isPunct("]") {
		if _, _, err := p.value(); err != nil {
			return err
		}
	}
	return p.next()
}

// object parses an object value, from its "{".
func (p *parser) object() error {
	if err := p.next(); err != nil {
		return err
	}
	for !p.isPunct("}") {
		if _, err := p.name(); err != nil {
			return err
		}
		if err := p.expectPunct(":"); err != nil {
			return err
		}
		if _, _, err := p.value(); err != nil {
			return err
		}
	}
	return p.next()
}
