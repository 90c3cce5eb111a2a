package document

import (
	"fmt"
	"strings"
)

// The lexer: tokens of the GraphQL grammar, as far as the parser needs them.

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
	return token{}, &syntaxError{msg: fmt.Sprintf("unexpected character %q", c), pos: start}
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
		return token{}, &syntaxError{msg: "a number needs digits", pos: start}
	}
	kind := tokInt
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		if !l.digits() {
			return token{}, &syntaxError{msg: "a fraction needs digits", pos: start}
		}
		kind = tokFloat
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		if !l.digits() {
			return token{}, &syntaxError{msg: "an exponent needs digits", pos: start}
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
		return token{}, &syntaxError{msg: "unterminated block string", pos: start}
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
			return token{}, &syntaxError{msg: "line break in a string", pos: start}
		default:
			l.pos++
		}
	}
	return token{}, &syntaxError{msg: "unterminated string", pos: start}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
