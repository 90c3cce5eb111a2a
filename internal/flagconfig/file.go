// Package flagconfig lays a YAML configuration file under a command's flags.
// It owns the precedence (a flag given on the command line, then the flag's
// environment variable, then the file, then the built-in default), the
// file's checks, each named by its line, the rule that secrets never sit in
// the file in clear, and the printing of the effective configuration.
//
// It knows no command: the keys of a file are the names of the flags of the
// flag.FlagSet it is given, so a flag added to a command later is a key
// without any change here.
package flagconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Entry is one key of a file, with its value as written.
type Entry struct {
	Key string
	// Value is the scalar's text as written (a list's items joined with
	// commas), for the flag's own parser to read: YAML's typing (1e3 as a
	// float, 0x10 as 16) never reaches the flags.
	Value string
	// Line is where the key is, from 1.
	Line int
}

// File is a parsed configuration file.
type File struct {
	Name    string
	Entries []Entry
}

// Lookup returns the entry of key.
func (f *File) Lookup(key string) (Entry, bool) {
	if f == nil {
		return Entry{}, false
	}
	for _, e := range f.Entries {
		if e.Key == key {
			return e, true
		}
	}
	return Entry{}, false
}

// Problem is one mistake in a file.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// Problems are a file's mistakes. As an error it reads one FILE:LINE:
// message a line, so that an editor can jump to each.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// unknownAnchor finds the alias yaml.v3 names, without its line, when
// it refers to no anchor.
var unknownAnchor = regexp.MustCompile(`unknown anchor '(.*)' referenced`)

// lineOfAlias is the line of the first use of the alias an error names,
// else 1.
func lineOfAlias(data []byte, msg string) int {
	m := unknownAnchor.FindStringSubmatch(msg)
	if m == nil {
		return 1
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "*"+m[1]) {
			return i + 1
		}
	}
	return 1
}

// yamlLine finds the line yaml.v3 names in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a configuration file: one YAML mapping of flag names to
// scalars (or lists of scalars, for flags that take comma-separated
// values). It checks the shape only; Spec.Check checks the keys and
// values against the flags.
func Parse(name string, data []byte) (*File, Problems) {
	f := &File{Name: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return f, nil // an empty file sets nothing
		}
		return f, Problems{syntaxProblem(name, data, err)}
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return f, Problems{{name, max(second.Line, 1), "a second YAML document: the file holds one mapping of flag names to values"}}
	} else if !errors.Is(err, io.EOF) {
		return f, Problems{syntaxProblem(name, data, err)}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return f, nil
		}
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return f, nil // only comments
	}
	if doc.Kind != yaml.MappingNode {
		return f, Problems{{name, max(doc.Line, 1), "the file must be a mapping of flag names to values, such as `http: 127.0.0.1:8080`"}}
	}
	var problems Problems
	seen := map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			problems = append(problems, Problem{name, k.Line, "a key must be a flag name"})
			continue
		}
		if first, ok := seen[k.Value]; ok {
			problems = append(problems, Problem{name, k.Line, fmt.Sprintf("%s is set again (first on line %d)", k.Value, first)})
			continue
		}
		seen[k.Value] = k.Line
		value, msg := scalarText(k.Value, v)
		if msg != "" {
			problems = append(problems, Problem{name, k.Line, msg})
			continue
		}
		f.Entries = append(f.Entries, Entry{Key: k.Value, Value: value, Line: k.Line})
	}
	return f, problems
}

// Sort orders problems by line, as an editor lists them.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}

// scalarText is the text of a value: a scalar as written, a list of
// scalars joined with commas. Sections are refused: keys are the flag
// names, written flat, so that a key is found by searching `-h` for it.
func scalarText(key string, v *yaml.Node) (string, string) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" && v.Style == 0 {
			return "", "" // `key:` with nothing after it: empty
		}
		return v.Value, ""
	case yaml.SequenceNode:
		items := make([]string, 0, len(v.Content))
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return "", fmt.Sprintf("%s: a list's items must be plain values", key)
			}
			items = append(items, item.Value)
		}
		return strings.Join(items, ","), ""
	case yaml.MappingNode:
		example := key + "-name"
		if len(v.Content) > 0 && v.Content[0].Kind == yaml.ScalarNode {
			example = key + "-" + v.Content[0].Value
		}
		return "", fmt.Sprintf("%s is a section, but keys are flag names written flat, as %s: value", key, example)
	}
	return "", fmt.Sprintf("%s: not a value", key)
}

// parserErrors start the messages of yaml.v3's parser (as opposed to its
// scanner), which names a line counted from 0: "did not find expected ','
// or ']'" on the line after the one it names. The scanner's count from 1.
var parserErrors = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// syntaxProblem names the line of a YAML syntax error.
func syntaxProblem(name string, data []byte, err error) Problem {
	msg := err.Error()
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return Problem{name, lineOfAlias(data, msg), "YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1]) // \d+
	for _, prefix := range parserErrors {
		if strings.HasPrefix(m[2], prefix) {
			line++
			break
		}
	}
	return Problem{name, max(line, 1), "YAML: " + m[2]}
}
