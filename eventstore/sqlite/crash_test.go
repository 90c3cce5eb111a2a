package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// crashWriterEnv switches the test binary into the crash test's child
// writer: it appends to the store at the path in the variable until it is
// killed.
const crashWriterEnv = "LEDGER_EVENTSTORE_CRASH_WRITER"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashWriterEnv); path != "" {
		if err := runCrashWriter(path); err != nil {
			fmt.Fprintln(os.Stderr, "crash writer:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runCrashWriter appends from 16 goroutines and prints "ack <id>
// <position>" for each event only after its Append returned.
func runCrashWriter(path string) error {
	s, err := sqlite.Open(context.Background(), path, sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	var mu sync.Mutex
	out := os.Stdout
	fmt.Fprintln(out, "ready")
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for {
				evs := make([]eventstore.EventData, 1+rng.IntN(3))
				for i := range evs {
					evs[i] = eventstore.EventData{ID: uuid.New(), Type: "CrashTested", Schema: 1,
						Data: fmt.Appendf(nil, `{"writer":%d,"n":%d}`, w, rng.IntN(1_000_000))}
				}
				res, err := s.Append(context.Background(), fmt.Sprintf("crash-%d", rng.IntN(50)), eventstore.Any, evs)
				if err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(3)
				}
				var b strings.Builder
				for i, e := range evs {
					fmt.Fprintf(&b, "ack %s %d\n", e.ID, res.FirstPosition+uint64(i))
				}
				mu.Lock()
				_, _ = io.WriteString(out, b.String()) // one write(2) per append
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return nil
}

// TestCrashDurability kills a writing child process with SIGKILL, three
// times over the same file, and checks after each kill that every
// acknowledged event survived, positions are gap-free and the hash chains
// verify.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns writer processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	acked := make(map[uuid.UUID]uint64)
	for round := range 3 {
		got := runAndKill(t, path, 1500+round*500)
		for id, pos := range got {
			acked[id] = pos
		}
		checkAfterCrash(t, path, acked)
		t.Logf("round %d: %d events acknowledged before SIGKILL, %d in total", round, len(got), len(acked))
	}
}

// runAndKill starts the child writer, lets it acknowledge at least
// minAcks events, kills it with SIGKILL and returns what it acknowledged.
func runAndKill(t *testing.T, path string, minAcks int) map[uuid.UUID]uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashWriterEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := make(map[uuid.UUID]uint64)
	sc := bufio.NewScanner(stdout)
	killed := false
	deadline := time.Now().Add(time.Minute)
	for sc.Scan() {
		line := sc.Text()
		if id, pos, ok := parseAck(line); ok {
			acked[id] = pos
		}
		if !killed && (len(acked) >= minAcks || time.Now().After(deadline)) {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true // keep reading what was acknowledged before the kill
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("writer exited before it was killed: %v", err)
	}
	if len(acked) < minAcks {
		t.Fatalf("writer acknowledged only %d events within a minute", len(acked))
	}
	return acked
}

// parseAck parses "ack <id> <position>"; a line cut short by the kill does
// not parse and is ignored (its append was acknowledged only if the whole
// line was written).
func parseAck(line string) (uuid.UUID, uint64, bool) {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "ack" {
		return uuid.Nil, 0, false
	}
	id, err := uuid.Parse(f[1])
	if err != nil {
		return uuid.Nil, 0, false
	}
	pos, err := strconv.ParseUint(f[2], 10, 64)
	if err != nil {
		return uuid.Nil, 0, false
	}
	return id, pos, true
}

func checkAfterCrash(t *testing.T, path string, acked map[uuid.UUID]uint64) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	stored := make(map[uuid.UUID]uint64)
	var after uint64
	for {
		page, err := s.ReadAll(ctx, after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.Position != after+1 {
				t.Fatalf("position gap after crash: %d follows %d", e.Position, after)
			}
			stored[e.ID] = e.Position
			after = e.Position
		}
	}
	for id, pos := range acked {
		got, ok := stored[id]
		if !ok {
			t.Fatalf("acknowledged event %s (position %d) lost in the crash", id, pos)
		}
		if got != pos {
			t.Fatalf("acknowledged event %s at position %d, stored at %d", id, pos, got)
		}
	}
	rep, err := eventstore.Verify(ctx, s, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify after crash: %+v, %v", rep, err)
	}
	// The store still takes appends where the dead writer left off.
	res, err := s.Append(ctx, "after-crash", eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: "Recovered", Data: []byte(`{}`)}})
	if err != nil || res.FirstPosition != after+1 {
		t.Fatalf("append after crash = %+v, %v; want position %d", res, err, after+1)
	}
}
