package flagconfig

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
)

// testSpec has a flag of each kind: one with an environment variable, one
// without, a secret, a list.
var testSpec = Spec{
	Command: "test",
	Env:     map[string]string{"http": "FLAGCONFIG_TEST_HTTP", "token": "FLAGCONFIG_TEST_TOKEN", "config": "FLAGCONFIG_TEST_CONFIG"},
	Secrets: map[string]bool{"token": true},
	Omit:    map[string]bool{"config": true},
}

// testFlags defines the flags as commands do: a flag with an environment
// variable takes it as its default when it is set and not empty.
func testFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	envOr := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.String("config", envOr("FLAGCONFIG_TEST_CONFIG", ""), "file (env FLAGCONFIG_TEST_CONFIG)")
	fs.String("http", envOr("FLAGCONFIG_TEST_HTTP", "127.0.0.1:8080"), "listen (env FLAGCONFIG_TEST_HTTP)")
	fs.String("token", envOr("FLAGCONFIG_TEST_TOKEN", ""), "a secret (env FLAGCONFIG_TEST_TOKEN)")
	fs.Duration("timeout", 0, "a duration")
	fs.Int("workers", 4, "an int")
	fs.Bool("verbose", false, "a bool")
	fs.String("origins", "", "comma-separated")
	fs.String("dsn", "", "a URL")
	return fs
}

func TestPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args, env []string
		file      string
		flag      string
		want      string
		source    Source
	}{
		{name: "default", flag: "http", want: "127.0.0.1:8080", source: Default},
		{name: "file over default", file: "http: 10.0.0.1:80\n", flag: "http", want: "10.0.0.1:80", source: FromFile},
		{name: "env over file", file: "http: 10.0.0.1:80\n", env: []string{"FLAGCONFIG_TEST_HTTP", "10.0.0.2:80"}, flag: "http", want: "10.0.0.2:80", source: FromEnv},
		{name: "flag over env and file", args: []string{"--http", "10.0.0.3:80"}, file: "http: 10.0.0.1:80\n", env: []string{"FLAGCONFIG_TEST_HTTP", "10.0.0.2:80"}, flag: "http", want: "10.0.0.3:80", source: FromFlag},
		{name: "flag over file", args: []string{"--workers=9"}, file: "workers: 2\n", flag: "workers", want: "9", source: FromFlag},
		{name: "an empty env is unset", file: "http: 10.0.0.1:80\n", env: []string{"FLAGCONFIG_TEST_HTTP", ""}, flag: "http", want: "10.0.0.1:80", source: FromFile},
		{name: "a flag without env", file: "timeout: 90s\n", env: []string{"FLAGCONFIG_TEST_HTTP", "10.0.0.2:80"}, flag: "timeout", want: "1m30s", source: FromFile},
		{name: "a bool", file: "verbose: true\n", flag: "verbose", want: "true", source: FromFile},
		{name: "a flag set to its default still wins", args: []string{"--verbose=false"}, file: "verbose: true\n", flag: "verbose", want: "false", source: FromFlag},
		{name: "a list", file: "origins: [https://a.example, https://b.example]\n", flag: "origins", want: "https://a.example,https://b.example", source: FromFile},
		{name: "the text as written, not YAML's number", file: "origins: 0x10\n", flag: "origins", want: "0x10", source: FromFile},
		{name: "the flag's own parser reads it", file: "timeout: 1h\n", flag: "timeout", want: "1h0m0s", source: FromFile},
		{name: "an empty value", file: "http: \"\"\n", flag: "http", want: "", source: FromFile},
		{name: "the secret from env", env: []string{"FLAGCONFIG_TEST_TOKEN", "s3cr3t"}, flag: "token", want: "s3cr3t", source: FromEnv},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i+1 < len(tc.env); i += 2 {
				t.Setenv(tc.env[i], tc.env[i+1])
			}
			fs := testFlags()
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			var f *File
			if tc.file != "" {
				var problems Problems
				f, problems = Parse("c.yaml", []byte(tc.file))
				if problems = append(problems, testSpec.Check(testFlags(), f)...); len(problems) > 0 {
					t.Fatalf("problems: %v", problems)
				}
			}
			sources, err := testSpec.Apply(fs, f)
			if err != nil {
				t.Fatal(err)
			}
			if got := fs.Lookup(tc.flag).Value.String(); got != tc.want || sources[tc.flag] != tc.source {
				t.Errorf("%s = %q from %s, want %q from %s", tc.flag, got, sources[tc.flag], tc.want, tc.source)
			}
		})
	}
}

// TestProblemsNameTheirLine: each kind of mistake, on the line it is on.
func TestProblemsNameTheirLine(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		line       int
		msg        string
	}{
		{"syntax", "http: 127.0.0.1:80\nworkers: [1, 2\n", 2, "YAML:"},
		{"tab indentation", "http: a\n\tworkers: 2\n", 2, "YAML:"},
		{"not a mapping", "# top\n- http\n- workers\n", 2, "must be a mapping"},
		{"a scalar document", "http\n", 1, "must be a mapping"},
		{"a second document", "http: a\n---\nworkers: 2\n", 2, "second YAML document"},
		{"an unclosed list further down", "http: a\nworkers: 2\norigins: [a, b\nverbose: true\n", 3, "YAML: did not find expected"},
		{"an unclosed quote", "http: a\norigins: 'a\nverbose: true\n", 2, "YAML:"},
		{"a colon in a plain value", "http: a\norigins: a: b\n", 2, "YAML: mapping values"},
		{"an unknown alias", "http: a\norigins: *nowhere\n", 2, "YAML:"},
		{"set twice", "http: a\nworkers: 2\nhttp: b\n", 3, "http is set again (first on line 1)"},
		{"a section", "workers: 2\nhttp:\n  listen: a\n", 2, "written flat, as http-listen: value"},
		{"a list of sections", "origins:\n  - a: 1\n", 1, "plain values"},
		{"a key that is a list", "[a]: 1\n", 1, "a key must be a flag name"},
		{"unknown key", "http: a\nworkres: 2\n", 2, `unknown key "workres"; did you mean "workers"?`},
		{"unknown key with dashes", "--http: a\n", 1, `did you mean "http"?`},
		{"unknown key in capitals", "HTTP: a\n", 1, `did you mean "http"?`},
		{"unknown key with underscores", "http: a\nworkers_: 2\n", 2, `did you mean "workers"?`},
		{"unknown key, nothing near", "\n\nfrobnicate: 2\n", 3, "keys are the flag names of `test -h`"},
		{"omitted key", "http: a\nconfig: other.yaml\n", 2, "config cannot be set in the file"},
		{"invalid duration", "timeout: soon\n", 1, `timeout: invalid value "soon"`},
		{"invalid int", "http: a\n\nworkers: many\n", 3, `workers: invalid value "many"`},
		{"invalid bool", "verbose: maybe\n", 1, "verbose: invalid value"},
		{"secret in clear", "http: a\ntoken: hunter2hunter2\n", 2, "token is a secret: give it in the environment (FLAGCONFIG_TEST_TOKEN)"},
		{"password in a URL", "dsn: clickhouse://u:p@db:9000/x\n", 1, "dsn holds a password in clear in its URL"},
		{"password in a query", "dsn: clickhouse://db:9000/x?username=u&password=p\n", 1, "dsn holds a password"},
		{"password in an esdb URL", "# a\ndsn: esdb://admin:changeit@db:2113?tls=false\n", 2, "holds a password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, problems := Parse("c.yaml", []byte(tc.file))
			problems = append(problems, testSpec.Check(testFlags(), f)...)
			if len(problems) != 1 {
				t.Fatalf("%d problems, want 1: %v", len(problems), problems)
			}
			p := problems[0]
			if p.Line != tc.line || !strings.Contains(p.Msg, tc.msg) || !strings.HasPrefix(p.String(), "c.yaml:") {
				t.Errorf("%s, want line %d with %q", p, tc.line, tc.msg)
			}
			if strings.Contains(p.Msg, "hunter2") || strings.Contains(p.Msg, "changeit") {
				t.Errorf("the problem quotes the secret: %s", p)
			}
		})
	}
}

// TestCleanFiles: what is no mistake.
func TestCleanFiles(t *testing.T) {
	for _, file := range []string{
		"",
		"# only a comment\n",
		"---\nhttp: a\n",
		"token: \"\"\n",
		"token:\n",
		"dsn: clickhouse://u@db:9000/x\n",
		"dsn: https://db.example/x?region=eu\n",
		"http: &h 127.0.0.1:80\norigins: *h\n",
	} {
		f, problems := Parse("c.yaml", []byte(file))
		if problems = append(problems, testSpec.Check(testFlags(), f)...); len(problems) > 0 {
			t.Errorf("%q: %v", file, problems)
		}
	}
}

func TestRedaction(t *testing.T) {
	t.Setenv("FLAGCONFIG_TEST_TOKEN", "tok-secret-value")
	fs := testFlags()
	if err := fs.Parse([]string{"--dsn", "clickhouse://u:pa55word@db:9000/x?password=other5ecret&region=eu"}); err != nil {
		t.Fatal(err)
	}
	sources, err := testSpec.Apply(fs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Print(&out, "header", testSpec.Effective(fs, sources)); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, secret := range []string{"tok-secret-value", "pa55word", "other5ecret"} {
		if strings.Contains(text, secret) {
			t.Errorf("print shows %q:\n%s", secret, text)
		}
	}
	for _, want := range []string{
		"# token: <redacted>  # env FLAGCONFIG_TEST_TOKEN",
		"# dsn: clickhouse://u:xxxxx@db:9000/x?password=xxxxx&region=eu  # flag",
		"http: 127.0.0.1:8080  # default",
		"workers: 4  # default",
	} {
		if !strings.Contains(text, want+"\n") && !strings.Contains(text, want+";") {
			t.Errorf("print lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "config:") {
		t.Errorf("print shows the omitted --config:\n%s", text)
	}
	// What print writes, a file takes back, secrets left out.
	f, problems := Parse("printed.yaml", []byte(text))
	if problems = append(problems, testSpec.Check(testFlags(), f)...); len(problems) > 0 {
		t.Fatalf("the printed configuration has problems: %v\n%s", problems, text)
	}
	if _, ok := f.Lookup("token"); ok {
		t.Error("the printed file sets the secret")
	}
}

// TestPrintReadsBack: a value print writes reads back as the same text,
// whatever YAML would make of it plain.
func TestPrintReadsBack(t *testing.T) {
	values := []string{"", "plain", "yes", "no", "true", "null", "~", "1e3", "0x10", "010", "1:20", "a #b", "#x", ": x", "- x", "[a]", "{a}", "'q'", `"dq"`, "a\\b", " lead", "trail ", "中文", "x: y", "*a", "&a", "!t", "%p", "@x", "`x`", "a,b", "multi\nline"}
	for _, v := range values {
		var out strings.Builder
		if err := Print(&out, "h", []Setting{{Name: "origins", Value: v, Source: FromFlag}}); err != nil {
			t.Fatal(err)
		}
		f, problems := Parse("p.yaml", []byte(out.String()))
		if len(problems) > 0 || len(f.Entries) != 1 || f.Entries[0].Value != v {
			t.Errorf("%q printed as %q reads back as %+v, %v", v, out.String(), f.Entries, problems)
		}
	}
}

// FuzzParse: any bytes give entries or problems, never a panic; problems
// name a line of the file, entries' keys are distinct.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "http: 127.0.0.1:8080\n", "a: [1, 2]\nb:\n  c: d\n", "a: b\na: c\n", "- x\n", "a: &x 1\nb: *x\n",
		"a: [\n", "---\na: 1\n---\nb: 2\n", "\t: x", "? [a]\n: b\n", "a: !!binary aGk=\n", "a: |\n  two\n  lines\n",
		"{a: 1, b: {c: 2}}", "a: *undefined\n", "\xff\xfe", "a: 'unterminated\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, problems := Parse("f.yaml", data)
		// YAML breaks lines at \r, \n, NEL, LS and PS.
		lines := 2
		for _, brk := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
			lines += strings.Count(string(data), brk)
		}
		for _, p := range problems {
			if p.Line < 1 || p.Line > lines || p.File != "f.yaml" {
				t.Fatalf("problem %s outside the file's %d lines", p, lines)
			}
		}
		seen := map[string]bool{}
		for _, e := range file.Entries {
			if seen[e.Key] || e.Line < 1 || e.Line > lines {
				t.Fatalf("entry %+v repeated or outside the file", e)
			}
			seen[e.Key] = true
		}
		_ = testSpec.Check(testFlags(), file)
	})
}
