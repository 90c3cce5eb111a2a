package flagconfig

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Spec is what a command's flag definitions do not say about its flags.
type Spec struct {
	// Command names the command in messages, e.g. "ledger serve".
	Command string
	// Env is each flag's environment variable: the flag's definition reads
	// it into its default, and a variable set to a non-empty value counts
	// as set.
	Env map[string]string
	// Secrets are the flags whose value is itself a secret (a password, a
	// token, a key), as opposed to a file holding one: never in a file,
	// always redacted.
	Secrets map[string]bool
	// Omit are flags that are no keys of the file (--config itself).
	Omit map[string]bool
}

// envSet reports whether the environment variable of flag name is set.
func (s Spec) envSet(name string) bool {
	env, ok := s.Env[name]
	if !ok {
		return false
	}
	v, ok := os.LookupEnv(env)
	return ok && v != ""
}

// Check checks a parsed file against the flags of fs, a FlagSet made for
// the purpose: it sets fs's flags to the file's values, with each flag's
// own parser, so that a caller may then check their combinations. Secret
// values are never set nor quoted back.
func (s Spec) Check(fs *flag.FlagSet, f *File) Problems {
	var problems Problems
	for _, e := range f.Entries {
		fl := fs.Lookup(e.Key)
		if fl == nil || s.Omit[e.Key] {
			problems = append(problems, Problem{f.Name, e.Line, s.unknownKey(fs, e.Key)})
			continue
		}
		if msg := s.secretInClear(fs, e); msg != "" {
			problems = append(problems, Problem{f.Name, e.Line, msg})
			continue
		}
		if err := fl.Value.Set(e.Value); err != nil {
			problems = append(problems, Problem{f.Name, e.Line, fmt.Sprintf("%s: invalid value %q: %v", e.Key, e.Value, err)})
		}
	}
	return problems
}

// unknownKey says a key is no flag, suggesting the nearest flag name.
func (s Spec) unknownKey(fs *flag.FlagSet, key string) string {
	if s.Omit[key] {
		return fmt.Sprintf("%s cannot be set in the file", key)
	}
	bare := strings.ToLower(strings.TrimLeft(key, "-"))
	best, bestDist := "", 0
	fs.VisitAll(func(fl *flag.Flag) {
		if s.Omit[fl.Name] {
			return
		}
		d := levenshtein.ComputeDistance(bare, fl.Name)
		if best == "" || d < bestDist || (d == bestDist && fl.Name < best) {
			best, bestDist = fl.Name, d
		}
	})
	// A suggestion further than a third of the name away is noise.
	if best != "" && bestDist <= max(2, len(bare)/3) {
		return fmt.Sprintf("unknown key %q; did you mean %q?", key, best)
	}
	return fmt.Sprintf("unknown key %q: keys are the flag names of `%s -h`", key, s.Command)
}

// secretInClear says why an entry holds a secret in clear, or "".
func (s Spec) secretInClear(fs *flag.FlagSet, e Entry) string {
	where := "the environment"
	if env, ok := s.Env[e.Key]; ok {
		where = "the environment (" + env + ")"
	}
	if s.Secrets[e.Key] && e.Value != "" {
		if fs.Lookup(e.Key+"-file") != nil {
			where += " or a file named by " + e.Key + "-file"
		}
		return fmt.Sprintf("%s is a secret: give it in %s, not in clear in the file", e.Key, where)
	}
	if hasPassword(e.Value) {
		return fmt.Sprintf("%s holds a password in clear in its URL: give the URL in %s", e.Key, where)
	}
	return ""
}

// secretParams are the query parameters that carry a credential, as in
// clickhouse://host:9000/db?username=u&password=p.
var secretParams = []string{"pass", "secret", "token", "credential"}

// hasPassword reports whether a value is a URL (or DSN) with a password
// in its userinfo or a credential in its query.
func hasPassword(v string) bool {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.Scheme == "" {
		return false
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	for name := range u.Query() {
		if secretParam(name) {
			return true
		}
	}
	return false
}

func secretParam(name string) bool {
	name = strings.ToLower(name)
	for _, s := range secretParams {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// redactURL hides a URL's password and credential parameters.
func redactURL(v string) string {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil {
		return "<redacted>"
	}
	q := u.Query()
	changed := false
	for name := range q {
		if secretParam(name) {
			q.Set(name, "xxxxx")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// keys are the flags of fs that are keys of a file, sorted.
func (s Spec) keys(fs *flag.FlagSet) []*flag.Flag {
	var flags []*flag.Flag
	fs.VisitAll(func(fl *flag.Flag) {
		if !s.Omit[fl.Name] {
			flags = append(flags, fl)
		}
	})
	sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
	return flags
}
