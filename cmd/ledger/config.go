package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/interactionledger/ledger/internal/flagconfig"
)

// configEnv names the configuration file of `ledger serve` when --config
// does not.
const configEnv = "LEDGER_CONFIG"

// serveFlagEnv is the environment variable of each serve flag that reads
// one. A flag given neither on the command line nor in its variable takes
// the --config file's value; TestServeFlagEnvTable keeps this table and
// the flags' "(env X)" usage in step.
var serveFlagEnv = map[string]string{
	"admin-http":                     "LEDGER_ADMIN_HTTP",
	"app-assertion-audience":         "LEDGER_APP_ASSERTION_AUDIENCE",
	"app-assertion-issuer":           "LEDGER_APP_ASSERTION_ISSUER",
	"app-assertion-secret":           "LEDGER_APP_ASSERTION_SECRET",
	"app-key":                        "LEDGER_APP_KEY",
	"app-push":                       "LEDGER_APP_PUSH",
	"app-push-secret":                "LEDGER_APP_PUSH_SECRET",
	"app-server-key":                 "LEDGER_APP_SERVER_KEY",
	"blobs":                          blobsEnv,
	"calling-code":                   "LEDGER_CALLING_CODE",
	"clamd":                          clamdEnv,
	"clickhouse":                     "LEDGER_CLICKHOUSE",
	"config":                         configEnv,
	"data":                           "LEDGER_DATA",
	"replicate":                      replicateEnv,
	"otlp-endpoint":                  "LEDGER_OTLP_ENDPOINT",
	"email-auth":                     "LEDGER_EMAIL_AUTH",
	"encrypt":                        "LEDGER_ENCRYPT",
	"esdb-listen":                    "LEDGER_ESDB_LISTEN",
	"esdb-tls-cert":                  "LEDGER_ESDB_TLS_CERT",
	"esdb-tls-key":                   "LEDGER_ESDB_TLS_KEY",
	"http":                           "LEDGER_HTTP",
	"integration-secret-file":        "LEDGER_INTEGRATION_SECRET_FILE",
	"interaction-max-bytes-per-hour": "LEDGER_INTERACTION_MAX_BYTES_PER_HOUR",
	"interaction-max-messages":       "LEDGER_INTERACTION_MAX_MESSAGES",
	"jwt-secret":                     "LEDGER_JWT_SECRET",
	"limit-client-rate":              "LEDGER_LIMIT_CLIENT_RATE",
	"limit-exempt":                   "LEDGER_LIMIT_EXEMPT",
	"limit-identity-rate":            "LEDGER_LIMIT_IDENTITY_RATE",
	"limit-provider-rate":            "LEDGER_LIMIT_PROVIDER_RATE",
	"limit-sip-rate":                 "LEDGER_LIMIT_SIP_RATE",
	"master-key-file":                "LEDGER_MASTER_KEY_FILE",
	"plan-tiers":                     "LEDGER_PLAN_TIERS",
	"qa-scorecards":                  "LEDGER_QA_SCORECARDS",
	"routing":                        "LEDGER_ROUTING",
	"sip":                            "LEDGER_SIP",
	"sip-advertise":                  "LEDGER_SIP_ADVERTISE",
	"sip-credentials":                "LEDGER_SIP_CREDENTIALS",
	"sip-numbers":                    "LEDGER_SIP_NUMBERS",
	"sip-realm":                      "LEDGER_SIP_REALM",
	"sip-tls":                        "LEDGER_SIP_TLS",
	"sip-tls-cert":                   "LEDGER_SIP_TLS_CERT",
	"sip-tls-key":                    "LEDGER_SIP_TLS_KEY",
	"sip-trunks":                     "LEDGER_SIP_TRUNKS",
	"sla":                            "LEDGER_SLA",
	"sms-api":                        "LEDGER_SMS_API",
	"sms-auth-token":                 "LEDGER_SMS_AUTH_TOKEN",
	"sms-from":                       "LEDGER_SMS_FROM",
	"sms-insecure":                   "LEDGER_SMS_INSECURE",
	"smtp":                           "LEDGER_SMTP",
	"smtp-domain":                    "LEDGER_SMTP_DOMAIN",
	"smtp-from":                      "LEDGER_SMTP_FROM",
	"smtp-max-bytes":                 "LEDGER_SMTP_MAX_BYTES",
	"smtp-relay":                     "LEDGER_SMTP_RELAY",
	"store":                          "LEDGER_STORE",
	"ticket-rules":                   "LEDGER_TICKET_RULES",
	"webchat-connect-rate":           "LEDGER_WEBCHAT_CONNECT_RATE",
	"webchat-max-sockets":            "LEDGER_WEBCHAT_MAX_SOCKETS",
	"webchat-origins":                "LEDGER_WEBCHAT_ORIGINS",
	"webchat-secret":                 "LEDGER_WEBCHAT_SECRET",
	"webchat-visitor-key":            "LEDGER_WEBCHAT_VISITOR_KEY",
	"wechat-api":                     "LEDGER_WECHAT_API",
	"wechat-appid":                   "LEDGER_WECHAT_APPID",
	"wechat-secret":                  "LEDGER_WECHAT_SECRET",
	"wechat-token":                   "LEDGER_WECHAT_TOKEN",
	"wrap-up-timeout":                "LEDGER_WRAP_UP_TIMEOUT",
}

// serveSecretFlags are the serve flags that take a secret itself rather
// than a file holding one: never in a --config file, always redacted.
// (URLs with a password are refused and redacted whatever their flag.)
var serveSecretFlags = map[string]bool{
	"app-assertion-secret": true,
	"app-key":              true,
	"app-push-secret":      true,
	"app-server-key":       true,
	"jwt-secret":           true,
	"sms-auth-token":       true,
	"webchat-secret":       true,
	"wechat-secret":        true,
	"wechat-token":         true,
}

// serveConfigSpec is how a --config file lies under the serve flags.
func serveConfigSpec() flagconfig.Spec {
	return flagconfig.Spec{
		Command: "ledger serve",
		Env:     serveFlagEnv,
		Secrets: serveSecretFlags,
		Omit:    map[string]bool{"config": true},
	}
}

// addConfigFlag adds --config.
func addConfigFlag(fs *flag.FlagSet) {
	fs.String("config", envOr(configEnv, ""), "YAML `FILE` of serve settings keyed by flag name (see deploy/ledger.example.yaml); a flag on the command line or its environment variable overrides it; 'ledger config check' validates it (env "+configEnv+")")
}

// parseServeFlags parses the serve command line and lays the --config
// file, if any, under it. A file with any mistake is refused whole, each
// mistake named by its line.
func parseServeFlags(fs *flag.FlagSet, args []string) (flagconfig.Sources, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	spec := serveConfigSpec()
	path := fs.Lookup("config").Value.String()
	if path == "" {
		return spec.Apply(fs, nil)
	}
	file, problems := checkServeConfig(path)
	if len(problems) > 0 {
		problems.Sort()
		return nil, &exitError{code: 2, err: fmt.Errorf("--config:\n%w", problems)}
	}
	return spec.Apply(fs, file)
}

// checkServeConfig reads and checks a serve configuration file, its
// flags' combinations included. It opens nothing but the file.
func checkServeConfig(path string) (*flagconfig.File, flagconfig.Problems) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, flagconfig.Problems{{File: path, Line: 1, Msg: fmt.Sprintf("read: %v", errors.Unwrap(err))}}
	}
	file, problems := flagconfig.Parse(path, data)
	fresh, resolve := serveFlags(io.Discard)
	problems = append(problems, serveConfigSpec().Check(fresh, file)...)
	if len(problems) > 0 {
		return file, problems
	}
	// The file's values are now in fresh: serve's own checks of their
	// combinations, named by the line of the first key they mention.
	if _, _, err := resolve(); err != nil {
		problems = append(problems, flagconfig.Problem{File: path, Line: lineOfMentionedKey(file, err.Error()), Msg: err.Error()})
	}
	return file, problems
}

// lineOfMentionedKey is the line of the first key of file that msg names
// as --key, else 1.
func lineOfMentionedKey(file *flagconfig.File, msg string) int {
	best, line := -1, 1
	for _, e := range file.Entries {
		if i := strings.Index(msg, "--"+e.Key); i >= 0 && (best < 0 || i < best) {
			best, line = i, e.Line
		}
	}
	return line
}

// runConfig is `ledger config print|check`.
func runConfig(_ context.Context, args []string, out io.Writer) error {
	const usage = "usage: ledger config print [--config FILE] [serve flags...] | ledger config check --config FILE"
	if len(args) == 0 {
		return &exitError{code: 2, err: errors.New(usage)}
	}
	switch args[0] {
	case "print":
		return runConfigPrint(args[1:], out)
	case "check":
		return runConfigCheck(args[1:], out)
	case "-h", "--help", "help":
		fmt.Fprintln(out, usage)
		return nil
	}
	return &exitError{code: 2, err: fmt.Errorf("config: unknown verb %q; %s", args[0], usage)}
}

// runConfigPrint prints the effective serve configuration: what `ledger
// serve` with the same flags, environment and file would run with.
func runConfigPrint(args []string, out io.Writer) error {
	fs, _ := serveFlags(out)
	fs.Init("ledger config print", flag.ContinueOnError)
	sources, err := parseServeFlags(fs, args)
	if err != nil {
		return err
	}
	spec := serveConfigSpec()
	header := `The effective configuration of ledger serve: every flag, its value, and
where the value came from (flag, env, file or default). Secrets are redacted
and commented out: they come from the environment or from files.
Precedence: command-line flag > environment variable > --config file > default.`
	return flagconfig.Print(out, header, spec.Effective(fs, sources))
}

// runConfigCheck validates a configuration file: each mistake on its own
// line as FILE:LINE: message, and exit status 1 when there is any.
func runConfigCheck(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("ledger config check", flag.ContinueOnError)
	fs.SetOutput(out)
	path := fs.String("config", envOr(configEnv, ""), "the file to check (env "+configEnv+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" && fs.NArg() == 1 {
		*path = fs.Arg(0)
	}
	if *path == "" {
		return &exitError{code: 2, err: errors.New("config check: --config FILE is required")}
	}
	_, problems := checkServeConfig(*path)
	problems.Sort()
	for _, p := range problems {
		fmt.Fprintln(out, p)
	}
	if len(problems) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("config check: %d mistake(s) in %s", len(problems), *path)}
	}
	fmt.Fprintf(out, "%s: OK\n", *path)
	return nil
}
