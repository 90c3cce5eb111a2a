// Package flatjson scans the plain, shallow JSON objects encoding/json
// writes for the ledger's most frequent events and metadata, without
// reflection or allocation. It gives up (reports false) on anything beyond
// that shape, an escaped string for one, so callers fall back to
// encoding/json and never get a different answer.
package flatjson

import "unicode/utf8"

// ScanStrings calls field for each key and string value of a JSON object
// whose values are all strings without escapes or control characters. It
// reports false as soon as it meets anything else, or field does.
func ScanStrings(data []byte, field func(key, val []byte) bool) bool {
	return ScanObject(data, func(key, val []byte, str bool) bool {
		return str && field(key, val)
	})
}

// ScanObject calls field for every key of a JSON object with its value: a
// string's content (str true; a string with an escape makes ScanObject give
// up), or the raw text of a number, literal, object or array (str false;
// nested strings may hold escapes, they are only skipped). It reports
// false when the input is not such an object, or field does.
func ScanObject(data []byte, field func(key, val []byte, str bool) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return skipSpace(data, i+1) == len(data)
	}
	for {
		key, next, ok := plainString(data, i)
		if !ok {
			return false
		}
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		i = skipSpace(data, i+1)
		var val []byte
		str := i < len(data) && data[i] == '"'
		if str {
			val, next, ok = plainString(data, i)
		} else {
			val, next, ok = rawValue(data, i)
		}
		if !ok || !field(key, val, str) {
			return false
		}
		i = skipSpace(data, next)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return skipSpace(data, i+1) == len(data)
		default:
			return false
		}
	}
}

// rawValue returns the non-string value at data[i]: a nested object or
// array (brackets balanced, strings skipped), or a literal up to the next
// delimiter.
func rawValue(data []byte, i int) ([]byte, int, bool) {
	start := i
	if i < len(data) && (data[i] == '{' || data[i] == '[') {
		depth, inStr := 0, false
		for ; i < len(data); i++ {
			c := data[i]
			switch {
			case inStr && c == '\\':
				i++
			case inStr && c == '"':
				inStr = false
			case inStr:
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					return data[start : i+1], i + 1, true
				}
			}
		}
		return nil, 0, false
	}
	for i < len(data) && data[i] != ',' && data[i] != '}' && data[i] != ' ' && data[i] != '\n' && data[i] != '\t' && data[i] != '\r' {
		i++
	}
	if i == start {
		return nil, 0, false
	}
	return data[start:i], i, true
}

// plainString reads the JSON string at data[i], which must contain no
// escape, no control character and no invalid UTF-8, and returns its content and the index
// after its closing quote.
func plainString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			// encoding/json replaces invalid UTF-8 with U+FFFD; leave
			// that to it.
			return data[i+1 : j], j + 1, utf8.Valid(data[i+1 : j])
		case c == '\\' || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}
