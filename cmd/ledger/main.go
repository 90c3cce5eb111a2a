// Command ledger is the Interaction Ledger's single binary: it serves the
// ledger over HTTP, generates demo traffic, verifies the hash chains,
// replays streams as of a moment, rebuilds projections and benchmarks the
// event store. Every subcommand takes --data DIR (default ./data).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// subcommand is one verb of the binary.
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out io.Writer) error
}

func subcommands() []subcommand {
	return []subcommand{
		{"serve", "run the ledger: HTTP API, projections, health and metrics", runServe},
		{"demo", "append realistic synthetic traffic through the command layer", runDemo},
		{"verify", "recompute every hash chain and check the signed tree heads; exit 1 naming the first bad event", runVerify},
		{"tree-head", "sign a Merkle tree head of the ledger now and print it", runTreeHead},
		{"prove", "print the inclusion proof of an event in a signed tree head: prove --event ID", runProve},
		{"verify-proof", "check an inclusion proof offline: verify-proof [--key treehead.pub] FILE", runVerifyProof},
		{"access-log", "who read a customer's personal data: access-log --customer ID [--from T] [--to T]", runAccessLog},
		{"export-subject", "a customer's own data and who read it, as JSON, for a data-subject request: export-subject --customer ID", runExportSubject},
		{"erase", "erase a customer's personal data at their request (crypto-shredding): erase --customer ID --reason TEXT", runErase},
		{"audit", "audit bundles: audit export (--stream S | --customer ID) [--from T] [--to T] --out FILE; audit verify [--key treehead.pub] FILE", runAudit},
		{"migrate", "copy a ledger between stores (SQLite, EventStoreDB) keeping ids, order and hashes: migrate --from --to", runMigrate},
		{"backup", "copy the ledger, its keys and secrets while serve runs: backup --to PATH", runBackup},
		{"restore", "restore a backup into a new data directory, checked and with read models rebuilt: restore --from PATH", runRestore},
		{"replay", "print a stream's events and state as of a time", runReplay},
		{"projections", "manage read models: projections rebuild", runProjections},
		{"bench", "benchmarks: bench append --writers N --events M", runBench},
		{"sip-credentials", "agents' SIP digest credentials: sip-credentials set|remove|list", runSIPCredentials},
		{"report", "print an analytics report: report NAME --from --to, or report --list", runReport},
		{"analytics", "analytics sink: analytics sync [--clickhouse DSN] until caught up", runAnalytics},
		{"token", "GraphQL API bearer tokens: token --role R --subject S [--ttl 8h], token revoke --subject S", runToken},
		{"users", "desktop sign-in accounts: users add|set-password|disable|enable|list", runUsers},
		{"knowledge", "the knowledge base as Markdown files: knowledge import DIR, knowledge export DIR", runKnowledge},
		{"config", "the serve configuration file: config print [--config F] [flags...] (effective settings, secrets redacted); config check --config F", runConfig},
	}
}

// exitError carries a process exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel(os.Args[1:])})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile, err := profileCPU(os.Getenv(cpuProfileEnv))
	if err == nil {
		err = run(ctx, os.Args[1:], os.Stdout)
		stopProfile()
	}
	stop()
	if err == nil {
		return
	}
	if !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "ledger:", err)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		os.Exit(ee.code)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	os.Exit(1)
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(out)
		if len(args) == 0 {
			return &exitError{code: 2, err: errors.New("no subcommand")}
		}
		return nil
	}
	for _, sc := range subcommands() {
		if sc.name == args[0] {
			return sc.run(ctx, args[1:], out)
		}
	}
	usage(out)
	return &exitError{code: 2, err: fmt.Errorf("unknown subcommand %q", args[0])}
}

func usage(out io.Writer) {
	fmt.Fprintln(out, "usage: ledger <subcommand> [flags]   (ledger <subcommand> -h for its flags)")
	for _, sc := range subcommands() {
		fmt.Fprintf(out, "  %-12s %s\n", sc.name, sc.summary)
	}
}

// logLevel is LEDGER_LOG_LEVEL, or by default INFO for the server and WARN
// for one-shot commands, whose output is their report. DEBUG is for
// troubleshooting: sipgo then logs header parse errors that may quote a
// caller's number or name (personal data no erasure reaches).
func logLevel(args []string) slog.Level {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("LEDGER_LOG_LEVEL"))); err == nil && os.Getenv("LEDGER_LOG_LEVEL") != "" {
		return level
	}
	if len(args) > 0 && args[0] == "serve" {
		return slog.LevelInfo
	}
	return slog.LevelWarn
}

// newFlagSet returns a flag set for a subcommand with the shared --data flag.
func newFlagSet(name string, out io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("ledger "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	data := fs.String("data", envOr("LEDGER_DATA", "./data"), "data directory (env LEDGER_DATA)")
	return fs, data
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
