package graphql

import (
	"fmt"
	"strconv"
	"strings"
)

// graphql-go keeps its query parser internal, so the API parses requests
// a second time, into this small outline, for what graphql-go does not do:
// the complexity limit and telling queries from mutations before running
// them. Only what those need is kept; graphql-go still validates the
// document in full. Anything that does not parse here is refused (fail
// closed), after graphql-go had its say on the syntax.

// document is the outline of a GraphQL executable document.
type document struct {
	operations []*operation
	fragments  map[string]*fragment
}

// operation is one operation definition.
type operation struct {
	kind       string // "query", "mutation" or "subscription"
	name       string
	selections []selection
	// defaults are the variables' literal integer default values.
	defaults map[string]int
}

// fragment is one fragment definition.
type fragment struct {
	typeCond   string
	selections []selection
}

// selection is a field, a fragment spread or an inline fragment.
type selection struct {
	field    string // field name; "" for a spread or an inline fragment
	spread   string // fragment name of a spread
	typeCond string // type condition of an inline fragment, if any
	// first is the field's `first` argument: an integer literal (firstSet)
	// or a variable (firstVar).
	first    int
	firstSet bool
	firstVar string
	children []selection
}

// maxNesting bounds how deeply selections and values may nest, so a hostile
// document cannot make the parser recurse without end.
const maxNesting = 64

// operationFor returns the operation a request runs: the one named, or
// the only one.
func (d *document) operationFor(name string) (*operation, error) {
	if name == "" {
		if len(d.operations) != 1 {
			return nil, fmt.Errorf("the document holds %d operations: name the one to run (operationName)", len(d.operations))
		}
		return d.operations[0], nil
	}
	for _, op := range d.operations {
		if op.name == name {
			return op, nil
		}
	}
	return nil, fmt.Errorf("no operation named %q in the document", name)
}

// parseDocument parses a GraphQL executable document into its outline.
func parseDocument(src string) (doc *document, err error) {
	p := &parser{lex: lexer{src: src}}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			doc, err = nil, pe
		}
	}()
	p.next()
	doc = &document{fragments: map[string]*fragment{}}
	for p.tok.kind != tokEOF {
		p.definition(doc)
	}
	if len(doc.operations) == 0 {
		p.fail("the document holds no operation")
	}
	return doc, nil
}

// parseError is a syntax error, raised by panic inside the parser and
// returned by parseDocument.
type parseError struct {
	msg string
	pos int
}

func (e parseError) Error() string { return fmt.Sprintf("syntax error at byte %d: %s", e.pos, e.msg) }

type parser struct {
	lex   lexer
	tok   token
	depth int
}

func (p *parser) fail(format string, args ...any) {
	panic(parseError{msg: fmt.Sprintf(format, args...), pos: p.tok.pos})
}

func (p *parser) next() {
	tok, err := p.lex.next()
	if err != nil {
		panic(err)
	}
	p.tok = tok
}

func (p *parser) isPunct(s string) bool { return p.tok.kind == tokPunct && p.tok.text == s }

func (p *parser) expectPunct(s string) {
	if !p.isPunct(s) {
		p.fail("expected %q, found %q", s, p.tok.text)
	}
	p.next()
}

func (p *parser) name() string {
	if p.tok.kind != tokName {
		p.fail("expected a name, found %q", p.tok.text)
	}
	n := p.tok.text
	p.next()
	return n
}

// enter guards recursion depth.
func (p *parser) enter() {
	if p.depth++; p.depth > maxNesting {
		p.fail("nested more than %d levels deep", maxNesting)
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) definition(doc *document) {
	if p.isPunct("{") {
		doc.operations = append(doc.operations, &operation{kind: "query", selections: p.selectionSet()})
		return
	}
	switch kw := p.name(); kw {
	case "query", "mutation", "subscription":
		doc.operations = append(doc.operations, p.operation(kw))
	case "fragment":
		name := p.name()
		if name == "on" {
			p.fail("a fragment cannot be named \"on\"")
		}
		if p.name() != "on" {
			p.fail("expected \"on\" after the fragment name")
		}
		f := &fragment{typeCond: p.name()}
		p.directives()
		f.selections = p.selectionSet()
		doc.fragments[name] = f
	default:
		p.fail("unexpected %q, expecting an operation or a fragment", kw)
	}
}

func (p *parser) operation(kind string) *operation {
	op := &operation{kind: kind, defaults: map[string]int{}}
	if p.tok.kind == tokName {
		op.name = p.name()
	}
	if p.isPunct("(") {
		p.variableDefinitions(op)
	}
	p.directives()
	op.selections = p.selectionSet()
	return op
}

func (p *parser) variableDefinitions(op *operation) {
	p.expectPunct("(")
	for !p.isPunct(")") {
		p.expectPunct("$")
		name := p.name()
		p.expectPunct(":")
		p.typeRef()
		if p.isPunct("=") {
			p.next()
			if n, ok := p.value(); ok {
				op.defaults[name] = n
			}
		}
		p.directives()
	}
	p.next()
}

func (p *parser) typeRef() {
	p.enter()
	defer p.leave()
	if p.isPunct("[") {
		p.next()
		p.typeRef()
		p.expectPunct("]")
	} else {
		p.name()
	}
	if p.isPunct("!") {
		p.next()
	}
}

func (p *parser) selectionSet() []selection {
	p.enter()
	defer p.leave()
	p.expectPunct("{")
	var out []selection
	for !p.isPunct("}") {
		out = append(out, p.selection())
	}
	if len(out) == 0 {
		p.fail("empty selection set")
	}
	p.next()
	return out
}

func (p *parser) selection() selection {
	if p.isPunct("...") {
		p.next()
		if p.tok.kind == tokName && p.tok.text != "on" {
			s := selection{spread: p.name()}
			p.directives()
			return s
		}
		var s selection
		if p.tok.kind == tokName { // "on"
			p.next()
			s.typeCond = p.name()
		}
		p.directives()
		s.children = p.selectionSet()
		return s
	}
	s := selection{field: p.name()}
	if p.isPunct(":") { // the name was an alias
		p.next()
		s.field = p.name()
	}
	if p.isPunct("(") {
		p.arguments(&s)
	}
	p.directives()
	if p.isPunct("{") {
		s.children = p.selectionSet()
	}
	return s
}

// arguments parses a field's arguments, keeping `first`.
func (p *parser) arguments(s *selection) {
	p.expectPunct("(")
	for !p.isPunct(")") {
		name := p.name()
		p.expectPunct(":")
		if name == "first" && p.isPunct("$") {
			p.next()
			s.firstVar = p.name()
			continue
		}
		n, isInt := p.value()
		if name == "first" && isInt {
			s.first, s.firstSet = n, true
		}
	}
	p.next()
}

func (p *parser) directives() {
	for p.isPunct("@") {
		p.next()
		p.name()
		if p.isPunct("(") {
			var ignored selection
			p.arguments(&ignored)
		}
	}
}

// value parses a value and returns it when it is an integer literal.
func (p *parser) value() (int, bool) {
	p.enter()
	defer p.leave()
	switch {
	case p.isPunct("$"):
		p.next()
		p.name()
	case p.isPunct("["):
		p.next()
		for !p.isPunct("]") {
			p.value()
		}
		p.next()
	case p.isPunct("{"):
		p.next()
		for !p.isPunct("}") {
			p.name()
			p.expectPunct(":")
			p.value()
		}
		p.next()
	case p.tok.kind == tokInt:
		n, err := strconv.Atoi(p.tok.text)
		p.next()
		if err != nil {
			return 0, false // out of range: a count no request can be granted
		}
		return n, true
	case p.tok.kind == tokFloat, p.tok.kind == tokString, p.tok.kind == tokName:
		p.next()
	default:
		p.fail("expected a value, found %q", p.tok.text)
	}
	return 0, false
}

// Lexer.

type tokKind int

const (
	tokEOF tokKind = iota
	tokPunct
	tokName
	tokInt
	tokFloat
	tokString
)

type token struct {
	kind tokKind
	text string
	pos  int
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	l.skipIgnored()
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case strings.HasPrefix(l.src[l.pos:], "..."):
		l.pos += 3
		return token{kind: tokPunct, text: "...", pos: start}, nil
	case strings.IndexByte("!$&():=@[]{}|", c) >= 0:
		l.pos++
		return token{kind: tokPunct, text: string(c), pos: start}, nil
	case c == '_' || isLetter(c):
		for l.pos < len(l.src) && (l.src[l.pos] == '_' || isLetter(l.src[l.pos]) || isDigit(l.src[l.pos])) {
			l.pos++
		}
		return token{kind: tokName, text: l.src[start:l.pos], pos: start}, nil
	case c == '-' || isDigit(c):
		return l.number(start)
	case c == '"':
		return l.string(start)
	}
	return token{}, parseError{msg: fmt.Sprintf("unexpected character %q", c), pos: start}
}

// skipIgnored skips white space, commas, comments and a byte order mark.
func (l *lexer) skipIgnored() {
	for l.pos < len(l.src) {
		switch c := l.src[l.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			l.pos++
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '\r' {
				l.pos++
			}
		case strings.HasPrefix(l.src[l.pos:], "\uFEFF"):
			l.pos += len("\uFEFF")
		default:
			return
		}
	}
}

func (l *lexer) number(start int) (token, error) {
	if l.src[l.pos] == '-' {
		l.pos++
	}
	if !l.digits() {
		return token{}, parseError{msg: "a number needs digits", pos: start}
	}
	kind := tokInt
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		if !l.digits() {
			return token{}, parseError{msg: "a fraction needs digits", pos: start}
		}
		kind = tokFloat
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		if !l.digits() {
			return token{}, parseError{msg: "an exponent needs digits", pos: start}
		}
		kind = tokFloat
	}
	return token{kind: kind, text: l.src[start:l.pos], pos: start}, nil
}

func (l *lexer) digits() bool {
	from := l.pos
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	return l.pos > from
}

// string skips a string or block string; its value is never needed.
func (l *lexer) string(start int) (token, error) {
	if strings.HasPrefix(l.src[l.pos:], `"""`) {
		l.pos += 3
		for l.pos < len(l.src) {
			switch {
			case strings.HasPrefix(l.src[l.pos:], `\"""`):
				l.pos += 4
			case strings.HasPrefix(l.src[l.pos:], `"""`):
				l.pos += 3
				return token{kind: tokString, pos: start}, nil
			default:
				l.pos++
			}
		}
		return token{}, parseError{msg: "unterminated block string", pos: start}
	}
	l.pos++
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '\\':
			l.pos += 2
		case '"':
			l.pos++
			return token{kind: tokString, pos: start}, nil
		case '\n', '\r':
			return token{}, parseError{msg: "line break in a string", pos: start}
		default:
			l.pos++
		}
	}
	return token{}, parseError{msg: "unterminated string", pos: start}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
