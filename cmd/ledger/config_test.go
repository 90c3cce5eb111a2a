package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/internal/flagconfig"
)

// usageEnv is the environment variable a flag's usage names first.
var usageEnv = regexp.MustCompile(`\benv (LEDGER_[A-Z0-9_]+)`)

// TestServeFlagEnvTable keeps serveFlagEnv honest: every serve flag whose
// usage names an environment variable is in it with that variable, and
// every entry is a serve flag that names it. A new flag with "(env X)"
// fails here until the table has it, so that its variable wins over the
// --config file.
func TestServeFlagEnvTable(t *testing.T) {
	fs, _ := serveFlags(io.Discard)
	named := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		if m := usageEnv.FindStringSubmatch(f.Usage); m != nil {
			named[f.Name] = m[1]
		}
	})
	for name, env := range named {
		if serveFlagEnv[name] != env {
			t.Errorf("--%s reads %s (its usage says) but serveFlagEnv has %q", name, env, serveFlagEnv[name])
		}
	}
	for name, env := range serveFlagEnv {
		if fs.Lookup(name) == nil {
			t.Errorf("serveFlagEnv has %s, no serve flag", name)
		} else if named[name] != env {
			t.Errorf("serveFlagEnv says --%s reads %s; its usage does not say so", name, env)
		}
	}
}

// TestServeSecretFlags: every flag named like a secret is either in
// serveSecretFlags or, by its usage, takes a file or an address; and every
// secret flag has an environment variable to give it in.
func TestServeSecretFlags(t *testing.T) {
	fs, _ := serveFlags(io.Discard)
	secretName := regexp.MustCompile(`secret|token|password|key$`)
	// Flags named so that take a file's name or another non-secret.
	notSecret := map[string]bool{
		"integration-secret-file": true, "master-key-file": true, "sip-tls-key": true,
		"esdb-tls-key": true, "webchat-visitor-key": true,
	}
	fs.VisitAll(func(f *flag.Flag) {
		if secretName.MatchString(f.Name) && !serveSecretFlags[f.Name] && !notSecret[f.Name] {
			t.Errorf("--%s is named like a secret: add it to serveSecretFlags, or here if it takes a file", f.Name)
		}
	})
	for name := range serveSecretFlags {
		if fs.Lookup(name) == nil || serveFlagEnv[name] == "" {
			t.Errorf("secret --%s: no such flag, or no environment variable to give it in", name)
		}
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeConfigPrecedence: serve's flags, through the one path runServe
// takes, with a file, the environment and the command line.
func TestServeConfigPrecedence(t *testing.T) {
	path := writeConfig(t, "http: 127.0.0.1:7001\nadmin-http: 127.0.0.1:7002\ncalling-code: \"44\"\nsip-realm: file-realm\ndemo-pace: 5s\nencrypt: false\n")
	t.Setenv("LEDGER_ADMIN_HTTP", "127.0.0.1:7102")
	t.Setenv("LEDGER_SIP_REALM", "env-realm")
	t.Setenv("LEDGER_CALLING_CODE", "") // empty: unset
	fs, resolve := serveFlags(io.Discard)
	sources, err := parseServeFlags(fs, []string{"--config", path, "--sip-realm", "flag-realm", "--data", t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := resolve()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flag, want string
		source     flagconfig.Source
	}{
		{"http", "127.0.0.1:7001", flagconfig.FromFile},
		{"admin-http", "127.0.0.1:7102", flagconfig.FromEnv},
		{"sip-realm", "flag-realm", flagconfig.FromFlag},
		{"calling-code", "44", flagconfig.FromFile},
		{"demo-pace", "5s", flagconfig.FromFile},
		{"encrypt", "false", flagconfig.FromFile},
		{"shutdown-timeout", "30s", flagconfig.Default},
	} {
		if got := fs.Lookup(tc.flag).Value.String(); got != tc.want || sources[tc.flag] != tc.source {
			t.Errorf("--%s = %q from %s, want %q from %s", tc.flag, got, sources[tc.flag], tc.want, tc.source)
		}
	}
	if cfg.addr != "127.0.0.1:7001" || cfg.adminAddr != "127.0.0.1:7102" || cfg.callingCode != "44" || !cfg.keys.keepClear {
		t.Errorf("serveConfig %+v does not hold the file's and the environment's values", cfg)
	}
	// LEDGER_CONFIG names the file when --config does not.
	t.Setenv(configEnv, path)
	fs, _ = serveFlags(io.Discard)
	if _, err := parseServeFlags(fs, nil); err != nil || fs.Lookup("http").Value.String() != "127.0.0.1:7001" {
		t.Errorf("with LEDGER_CONFIG: http %q, %v", fs.Lookup("http").Value.String(), err)
	}
}

// TestConfigCheckNamesLines: `ledger config check` names each mistake's
// line, exits 1, and passes a good file; serve refuses the same file.
func TestConfigCheckNamesLines(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"syntax", "http: 127.0.0.1:80\nwebchat-origins: [a, b\n", []string{":2: YAML: did not find expected"}},
		{"unknown key", "# c\nhtpp: 127.0.0.1:80\nadmin-htp: x\n", []string{`:2: unknown key "htpp"; did you mean "http"?`, `:3: unknown key "admin-htp"; did you mean "admin-http"?`}},
		{"bad value", "http: a\ndemo-customers: many\nencrypt: perhaps\n", []string{`:2: demo-customers: invalid value "many"`, `:3: encrypt: invalid value "perhaps"`}},
		{"secret", "http: a\nwebchat-secret: 0123456789abcdef0123456789abcdef\n", []string{":2: webchat-secret is a secret: give it in the environment (LEDGER_WEBCHAT_SECRET)"}},
		{"password in a DSN", "clickhouse: clickhouse://ledger:s3cret@db:9000/ledger\n", []string{":1: clickhouse holds a password in clear in its URL: give the URL in the environment (LEDGER_CLICKHOUSE)"}},
		{"password in an esdb URL", "data: /d\nstore: esdb://admin:changeit@db:2113?tls=false\n", []string{":2: store holds a password"}},
		{"password in a relay", "smtp-relay: smtps://u:pw@mail.example:465\n", []string{":1: smtp-relay holds a password"}},
		{"section", "sip:\n  realm: x\n", []string{":1: sip is a section, but keys are flag names written flat, as sip-realm: value"}},
		{"serve's own check of a value", "http: a\n\naggregate-cache: -3\n", []string{":3: --aggregate-cache must be 0 (off) or more"}},
		{"serve's own check of a limit", "http: a\nlimit-sip-rate: fast\n", []string{":2: --limit-sip-rate"}},
		{"serve's own check of plan tiers", "plan-tiers: nonsense\n", []string{":1: --plan-tiers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.file)
			out, err := ledger(t, "config", "check", "--config", path)
			if exitCode(err) != 1 {
				t.Fatalf("check exited %d (%v), want 1\n%s", exitCode(err), err, out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tc.want), out)
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(lines[i], path+":") || !strings.Contains(lines[i], want) {
					t.Errorf("line %d: %q, want %s%s...", i+1, lines[i], path, want)
				}
			}
			if strings.Contains(out, "s3cret") || strings.Contains(out, "changeit") || strings.Contains(out, "0123456789abcdef") {
				t.Errorf("check quotes the secret:\n%s", out)
			}
			err = runServe(t.Context(), []string{"--data", t.TempDir(), "--config", path, "--http", "127.0.0.1:0"}, io.Discard)
			if exitCode(err) != 2 || !strings.Contains(err.Error(), path+":") {
				t.Errorf("serve with the file: exit %d (%v), want 2 naming the file's line", exitCode(err), err)
			}
		})
	}
	if out, err := ledger(t, "config", "check", "--config", filepath.Join(t.TempDir(), "missing.yaml")); exitCode(err) != 1 || !strings.Contains(out, "missing.yaml:1: read:") {
		t.Errorf("a missing file: exit %d, %q", exitCode(err), out)
	}
}

// TestConfigExampleChecks: the example in deploy/ passes check, and serve
// takes it.
func TestConfigExampleChecks(t *testing.T) {
	const example = "../../deploy/ledger.example.yaml"
	out, err := ledger(t, "config", "check", "--config", example)
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), ": OK") {
		t.Fatalf("config check of the example: %v\n%s", err, out)
	}
	out, err = ledger(t, "config", "print", "--config", example)
	if err != nil || !strings.Contains(out, "admin-http: 127.0.0.1:9090  # file\n") || !strings.Contains(out, "webchat-origins: https://www.example.com,https://support.example.com  # file\n") {
		t.Errorf("config print of the example: %v\n%s", err, out)
	}
}

// TestConfigPrintCoversEveryServeFlag: print shows every serve flag with
// its source, secrets redacted, and what it prints passes check and
// reads back as the same settings.
func TestConfigPrintCoversEveryServeFlag(t *testing.T) {
	path := writeConfig(t, "http: 127.0.0.1:7001\nsip-realm: file-realm\n")
	t.Setenv("LEDGER_WEBCHAT_SECRET", "webchat-secret-value-0123456789abcdef")
	t.Setenv("LEDGER_CLICKHOUSE", "clickhouse://ledger:ch-pass@db:9000/ledger")
	t.Setenv("LEDGER_SMTP_FROM", "support@example.com")
	out, err := ledger(t, "config", "print", "--config", path, "--demo-pace", "3s")
	if err != nil {
		t.Fatalf("config print: %v\n%s", err, out)
	}
	for _, secret := range []string{"webchat-secret-value", "ch-pass"} {
		if strings.Contains(out, secret) {
			t.Errorf("print shows %q:\n%s", secret, out)
		}
	}
	fs, _ := serveFlags(io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "config" {
			return
		}
		key := regexp.MustCompile(`(?m)^(# )?` + regexp.QuoteMeta(f.Name) + `: .*# (default|file|env|flag)\b`)
		if !key.MatchString(out) {
			t.Errorf("print lacks --%s with its source", f.Name)
		}
	})
	for _, want := range []string{
		"http: 127.0.0.1:7001  # file\n",
		"sip-realm: file-realm  # file\n",
		"demo-pace: 3s  # flag\n",
		"smtp-from: support@example.com  # env LEDGER_SMTP_FROM\n",
		"shutdown-timeout: 30s  # default\n",
		"# webchat-secret: <redacted>  # env LEDGER_WEBCHAT_SECRET",
		"# clickhouse: clickhouse://ledger:xxxxx@db:9000/ledger  # env LEDGER_CLICKHOUSE",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("print lacks %q:\n%s", want, out)
		}
	}
	printed := writeConfig(t, out)
	if check, err := ledger(t, "config", "check", "--config", printed); err != nil {
		t.Fatalf("check of the printed configuration: %v\n%s", err, check)
	}
	// The printed file alone gives serve the same settings (the secrets
	// still come from the environment).
	again, err := ledger(t, "config", "print", "--config", printed)
	if err != nil {
		t.Fatal(err)
	}
	strip := regexp.MustCompile(`  # (file|flag|default)\n`)
	if a, b := strip.ReplaceAllString(out, "\n"), strip.ReplaceAllString(again, "\n"); a != b {
		t.Errorf("the printed configuration read back differs:\n%s\n---\n%s", a, b)
	}
}

// TestServeBinaryTakesConfigFile runs the built binary: the file's listen
// address takes effect, while an environment variable overrides the
// file's admin address.
func TestServeBinaryTakesConfigFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := crashLedgerBinary(t)
	httpPort, fileAdmin, envAdmin := freeTCPPort(t), freeTCPPort(t), freeTCPPort(t)
	path := writeConfig(t, fmt.Sprintf("data: %s\nhttp: 127.0.0.1:%d\nadmin-http: 127.0.0.1:%d\n", t.TempDir(), httpPort, fileAdmin))
	srv := startServeProcessEnv(t, bin, "serve-config", []string{"LEDGER_LOG_LEVEL=warn", configEnv + "=" + path, fmt.Sprintf("LEDGER_ADMIN_HTTP=127.0.0.1:%d", envAdmin)})
	if want := fmt.Sprintf("http://127.0.0.1:%d", httpPort); srv.base != want {
		t.Errorf("serving on %s, want the file's %s", srv.base, want)
	}
	if want := fmt.Sprintf("http://127.0.0.1:%d", envAdmin); srv.admin != want {
		t.Errorf("admin on %s, want the environment's %s", srv.admin, want)
	}
	waitFor(t, srv.admin+"/readyz", 200)
	srv.stop(t)
}

// freeTCPPort is a loopback TCP port free a moment ago.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
