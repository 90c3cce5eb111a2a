package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/clickhouse"
	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/policies/qa"
)

// analyticsKeyFile holds the secret that pseudonymises customer ids in the
// analytics store; it stays in the data directory, beside the ledger.
const analyticsKeyFile = "analytics.key"

// clickHouseFlag adds --clickhouse (env LEDGER_CLICKHOUSE).
func clickHouseFlag(fs *flag.FlagSet) *string {
	return fs.String("clickhouse", envOr("LEDGER_CLICKHOUSE", ""),
		"ClickHouse DSN, e.g. clickhouse://127.0.0.1:9000/default (env LEDGER_CLICKHOUSE); empty: the embedded back end in the data directory")
}

// openAnalytics opens the analytics back end: ClickHouse when dsn is set,
// else the SQLite file in dataDir.
func openAnalytics(ctx context.Context, dataDir, dsn string) (analytics.Backend, error) {
	if dsn != "" {
		return clickhouse.Open(ctx, dsn)
	}
	return embedded.Open(ctx, filepath.Join(dataDir, embedded.FileName))
}

func analyticsKey(dataDir string) ([]byte, error) {
	return analytics.LoadOrCreateKey(filepath.Join(dataDir, analyticsKeyFile))
}

// runAnalytics dispatches `ledger analytics <verb>`.
func runAnalytics(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "sync" {
		fmt.Fprintln(out, "usage: ledger analytics sync [--data DIR] [--clickhouse DSN] [--qa] [--qa-scorecards FILE] [--quiet]")
		return &exitError{code: 2, err: errors.New("analytics: unknown or missing verb")}
	}
	return runAnalyticsSync(ctx, args[1:], out)
}

// runAnalyticsSync runs the sink until it has caught up with the ledger as
// it is now, with a progress bar, then exits.
func runAnalyticsSync(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("analytics sync", out)
	dsn := clickHouseFlag(fs)
	scoreQA := fs.Bool("qa", false, "first score closed interactions not scored yet (appends QaScored events to the ledger)")
	cardsFile := fs.String("qa-scorecards", "", "with --qa: scorecard file, JSON or YAML (default: the built-in scorecards)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	cache := fs.Int("cache", analytics.DefaultCacheLimit, "entities (interactions, tickets, QA reviews, customers) kept folded in memory, those changed longest ago out first")
	masterKeyFile := addMasterKeyFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cache < 1 {
		return &exitError{code: 2, err: fmt.Errorf("analytics sync: --cache must be 1 or more, not %d", *cache)}
	}
	store, err := openExistingSealed(ctx, keySource{dir: *data, file: *masterKeyFile})
	if err != nil {
		return err
	}
	defer store.Close()
	if *scoreQA {
		if err := scoreClosedInteractions(ctx, store, *data, *cardsFile); err != nil {
			return err
		}
	}
	backend, err := openAnalytics(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	defer backend.Close()
	key, err := analyticsKey(*data)
	if err != nil {
		return err
	}
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	sink := analytics.NewSink(store, backend, key, analytics.WithCacheLimit(*cache))
	if err := backend.Setup(ctx); err != nil { // a new store has no checkpoint table yet
		return err
	}
	from, err := backend.Checkpoint(ctx, analytics.DefaultSinkName)
	if err != nil {
		return err
	}
	bar := newPositionBar(from, head, "analytics sync", *quiet)
	start := time.Now()
	err = sink.Sync(ctx, func(done, _ uint64) { bar.SetPosition(done) })
	bar.SetPosition(sink.Position())
	_ = bar.Finish()
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(out, "analytics: %s at position %d of %d (%s, %.0f events/s)\n",
		backend.Dialect().Name(), sink.Position(), head, took.Round(time.Millisecond), float64(head)/max(took.Seconds(), 1e-9))
	return nil
}

// scoreClosedInteractions runs the QA policy up to the ledger's head.
func scoreClosedInteractions(ctx context.Context, store eventstore.Store, dataDir, cardsFile string) error {
	cards, err := loadScorecards(cardsFile)
	if err != nil {
		return err
	}
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	policy := qa.NewPolicy(store, commands.NewHandler(store), cards, qa.CheckpointPath(dataDir), slog.Default())
	if err := policy.RunUntil(ctx, head); err != nil {
		return err
	}
	slog.Info("qa: interactions scored", "scored", policy.Scored())
	return nil
}

func loadScorecards(path string) ([]domain.Scorecard, error) {
	if path == "" {
		return config.DefaultScorecards(), nil
	}
	return config.LoadScorecards(path)
}
