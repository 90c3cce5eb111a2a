package follow_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// leaseHolderEnv switches the test binary into the lease test's first
// node: it follows the ledger in the data directory the variable names,
// as a singleton, until it is killed.
const leaseHolderEnv = "LEDGER_FOLLOW_LEASE_HOLDER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(leaseHolderEnv); dir != "" {
		if err := runNode(context.Background(), dir, 20*time.Millisecond, func() { fmt.Println("leader") }); err != nil {
			fmt.Fprintln(os.Stderr, "lease holder:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// effects is an ExactlyOnce consumer: each event's effect (a row) and
// the checkpoint commit in one transaction of its own database.
type effects struct {
	db   *sql.DB
	slow time.Duration
}

func openEffects(dir string, slow time.Duration) (*effects, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "effects.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	_, err = db.Exec(`CREATE TABLE IF NOT EXISTS effects (position INTEGER NOT NULL);
		CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL)`)
	return &effects{db: db, slow: slow}, err
}

func (e *effects) Handle(ctx context.Context, events []eventstore.RecordedEvent) error {
	time.Sleep(e.slow)
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, ev := range events {
		if _, err := tx.Exec(`INSERT INTO effects (position) VALUES (?)`, ev.Position); err != nil {
			return err
		}
	}
	last := events[len(events)-1].Position
	if _, err := tx.Exec(`INSERT INTO checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position`, last); err != nil {
		return err
	}
	return tx.Commit()
}

func (e *effects) Load(ctx context.Context) (uint64, bool, error) {
	var pos uint64
	err := e.db.QueryRowContext(ctx, `SELECT position FROM checkpoint WHERE id = 1`).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return pos, err == nil, err
}

func (e *effects) Save(context.Context, uint64) error { return nil } // Handle commits it

// runNode is one node: a singleton follower under the data directory's
// file lease, applying effects until ctx ends.
func runNode(ctx context.Context, dir string, slow time.Duration, leading func()) error {
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	defer store.Close()
	eff, err := openEffects(dir, slow)
	if err != nil {
		return err
	}
	defer eff.db.Close()
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "effects", Store: store, Source: follow.Recorded, Consumer: eff, Checkpoint: eff, Delivery: follow.ExactlyOnce,
		Singleton: true, Lease: leaseNotifying{FileLease: follow.FileLease{Dir: dir, Poll: 10 * time.Millisecond}, held: leading},
		PageSize: 5, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	return f.Run(ctx)
}

// leaseNotifying calls held once the lease is taken.
type leaseNotifying struct {
	follow.FileLease
	held func()
}

func (l leaseNotifying) Acquire(ctx context.Context, name string) (context.Context, func(), error) {
	c, release, err := l.FileLease.Acquire(ctx, name)
	if err == nil {
		l.held()
	}
	return c, release, err
}

// TestSingletonTakeoverAfterTheHolderIsKilled runs two nodes under one
// lease: the first (a child process) takes it and works slowly, the
// second waits; the first is killed with SIGKILL in the middle of its
// work, the second takes over from the checkpoint, and every event's
// effect is there exactly once.
func TestSingletonTakeoverAfterTheHolderIsKilled(t *testing.T) {
	dir := t.TempDir()
	const events = 400
	openStore(t, dir, events)

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), leaseHolderEnv+"="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "leader\n" {
		t.Fatalf("child: %q, %v", line, err)
	}

	second := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- runNode(ctx, dir, 0, func() { close(second) }) }()

	eff, err := openEffects(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer eff.db.Close()
	waitFor(t, "the first node's progress", func() bool { return checkpointOf(t, eff) >= 50 })
	select {
	case <-second:
		t.Fatal("the second node took the lease while the first held it")
	default:
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	killedAt := checkpointOf(t, eff)
	if killedAt >= events {
		t.Fatalf("the first node finished (%d) before it was killed; make it slower", killedAt)
	}
	select {
	case <-second:
	case <-time.After(20 * time.Second):
		t.Fatal("the second node did not take the lease after the holder died")
	}
	waitFor(t, "the second node to finish", func() bool { return checkpointOf(t, eff) == events })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var rows, distinct, lowest, highest uint64
	if err := eff.db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT position), MIN(position), MAX(position) FROM effects`).Scan(&rows, &distinct, &lowest, &highest); err != nil {
		t.Fatal(err)
	}
	if rows != events || distinct != events || lowest != 1 || highest != events {
		t.Fatalf("effects: %d rows, %d distinct, %d..%d; want each of 1..%d exactly once (first node killed at %d)", rows, distinct, lowest, highest, events, killedAt)
	}
}

func checkpointOf(t *testing.T, eff *effects) uint64 {
	t.Helper()
	pos, _, err := eff.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return pos
}
