package flagconfig

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Setting is one flag's effective value.
type Setting struct {
	Name string
	// Value is the flag's value, redacted when it is a secret or holds
	// a password.
	Value  string
	Source Source
	// Env is the flag's environment variable, if it has one.
	Env string
	// Redacted is set when Value was redacted; such a setting cannot go
	// into a file as it is.
	Redacted bool
}

// Effective is every flag's value, after Apply, with where it came from.
func (s Spec) Effective(fs *flag.FlagSet, sources Sources) []Setting {
	var out []Setting
	for _, fl := range s.keys(fs) {
		v := fl.Value.String()
		st := Setting{Name: fl.Name, Value: v, Source: sources[fl.Name], Env: s.Env[fl.Name]}
		if st.Source == "" {
			st.Source = Default
		}
		switch {
		case s.Secrets[fl.Name] && (v != "" || st.Source == FromEnv):
			// A secret some flags read from the environment only later
			// is redacted too: it is set, if not in the flag.
			st.Value, st.Redacted = "<redacted>", true
		case hasPassword(v):
			st.Value, st.Redacted = redactURL(v), true
		}
		out = append(out, st)
	}
	return out
}

// Print writes settings as a YAML file that --config accepts: one
// `name: value  # source` line a flag. A redacted setting is written
// commented out, since secrets come from the environment or files.
func Print(w io.Writer, header string, settings []Setting) error {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		b.WriteString("# " + strings.TrimSpace(line) + "\n")
	}
	for _, st := range settings {
		comment := string(st.Source)
		if st.Source == FromEnv && st.Env != "" {
			comment += " " + st.Env
		}
		if st.Redacted {
			fmt.Fprintf(&b, "# %s: %s  # %s; a secret: set it in the environment or a file\n", st.Name, st.Value, comment)
			continue
		}
		fmt.Fprintf(&b, "%s: %s  # %s\n", st.Name, yamlScalar(st.Value), comment)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// yamlScalar writes v as a YAML scalar that reads back as the same text:
// plain when it can be, quoted when YAML would read it otherwise.
func yamlScalar(v string) string {
	if v == "" {
		return `""`
	}
	plain := &yaml.Node{Kind: yaml.ScalarNode, Value: v}
	b, err := yaml.Marshal(plain)
	if err == nil && !strings.Contains(strings.TrimSuffix(string(b), "\n"), "\n") {
		if text := strings.TrimSuffix(string(b), "\n"); readsBack(text, v) {
			return text
		}
	}
	quoted := &yaml.Node{Kind: yaml.ScalarNode, Value: v, Style: yaml.DoubleQuotedStyle}
	b, err = yaml.Marshal(quoted)
	if err != nil {
		return fmt.Sprintf("%q", v)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// readsBack reports whether text, as a value in a file, parses to v.
func readsBack(text, v string) bool {
	f, problems := Parse("", []byte("k: "+text+"\n"))
	if len(problems) > 0 || len(f.Entries) != 1 {
		return false
	}
	return f.Entries[0].Value == v
}
