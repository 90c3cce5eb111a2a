package sip

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// envInt reads a positive integer setting of the load test.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// TestSippLoad is the phone channel's load test, run on demand:
//
//	LEDGER_SIP_LOAD=1 go test -run TestSippLoad -v -timeout 30m ./channels/sip/
//
// sipp places LEDGER_SIP_LOAD_CALLS calls (default 30,000) at
// LEDGER_SIP_LOAD_RATE calls per second (default 1,000) from
// LEDGER_SIP_LOAD_CALLERS distinct numbers (default 10,000: customers call
// again) to the service number; LEDGER_SIP_LOAD_AGENTS agents (default
// 300), all AVAILABLE, have registered their phones with digest auth, and
// one sipp process answers for all of them at once. Every call goes the
// whole way: INVITE, queue, offer to an agent, 180, 200, ACK, BYE, and
// every step recorded in the ledger (a durable SQLite file in a temporary
// directory). The test fails if sipp counts a single failed call or the
// ledger misses a call's end; it reports the rate sipp achieved and how
// long the ledger took to catch up after the last call.
func TestSippLoad(t *testing.T) {
	if os.Getenv("LEDGER_SIP_LOAD") == "" {
		t.Skip("load test: set LEDGER_SIP_LOAD=1")
	}
	requireSipp(t)
	rate := envInt(t, "LEDGER_SIP_LOAD_RATE", 1000)
	calls := envInt(t, "LEDGER_SIP_LOAD_CALLS", 30000)
	callers := envInt(t, "LEDGER_SIP_LOAD_CALLERS", 10000)
	agents := envInt(t, "LEDGER_SIP_LOAD_AGENTS", 300)

	l := newTestLedger(t)
	ctx := context.Background()
	var creds []Credential
	ids := make([]string, agents)
	csv := make([]string, agents)
	for i := range agents {
		ids[i] = fmt.Sprintf("agent-%04d", i+1)
		csv[i] = ids[i] + ";pw-" + ids[i]
		if _, err := l.h.Agent(ctx, ids[i], domain.RegisterAgent{AgentID: ids[i], Name: ids[i]}, commands.Meta{}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.h.Agent(ctx, ids[i], domain.ChangePresence{Presence: domain.PresenceAvailable}, commands.Meta{}); err != nil {
			t.Fatal(err)
		}
		creds = append(creds, Credential{AgentID: ids[i], Realm: "ledger", HA1: HA1(ids[i], "ledger", "pw-"+ids[i])})
	}
	// Production reads presence from the agents projection, cached for a
	// second; here the same facts come from the agents' streams.
	s := startServer(t, l, creds, CachedDirectory(l.storeDirectory(ids...), time.Second), func(c *Config) {
		c.Logger = quietLogger()
	})

	phonePort := freePort(t)
	_ = startSipp(t, "agent phones", "agent_load.xml", "-p", strconv.Itoa(phonePort), "-buff_size", "4194304", "-max_recv_loops", "10000", "-max_sched_loops", "10000")
	reg := startSipp(t, "register", "agent_register.xml", "127.0.0.1:"+s.testPort(), "-inf", agentsCSV(t, csv...),
		"-key", "contact_port", strconv.Itoa(phonePort), "-m", strconv.Itoa(agents), "-r", "200", "-timeout", "60s", "-timeout_error")
	reg.wait(t)
	if n := len(s.registrar.registeredAgents()); n != agents {
		t.Fatalf("%d phones registered, want %d", n, agents)
	}

	numbers := make([]string, callers)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+86139%08d", i)
	}
	callersCSV := filepath.Join(t.TempDir(), "callers.csv")
	if err := os.WriteFile(callersCSV, []byte("RANDOM\n"+strings.Join(numbers, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("LEDGER_SIP_LOAD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	before := len(l.allEvents(t))
	start := time.Now()
	caller := startSipp(t, "callers", "caller_load.xml", "127.0.0.1:"+s.testPort(), "-s", serviceNumber, "-inf", callersCSV,
		"-r", strconv.Itoa(rate), "-m", strconv.Itoa(calls), "-l", "20000", "-timeout", "20m", "-timeout_error",
		"-buff_size", "4194304", "-max_recv_loops", "10000", "-max_sched_loops", "10000", "-trace_stat", "-fd", "1")
	caller.wait(t) // fails on any failed call
	sent := time.Since(start)
	waitIdle(t, s)
	caughtUp := time.Since(start)

	stats := caller.finalStats(t)
	t.Logf("sipp: %d calls at %d/s requested: %s successful, %s failed, sipp's cumulative rate %s; %s from first INVITE to last BYE",
		calls, rate, stats["Successful call"], stats["Failed call"], stats["Call Rate"], sent.Round(time.Millisecond))
	evs := l.allEvents(t)[before:]
	counts := map[string]int{}
	for _, e := range evs {
		counts[e.Type]++
	}
	t.Logf("ledger: %d events (%.0f events/s), caught up %s after the last call; %v",
		len(evs), float64(len(evs))/caughtUp.Seconds(), (caughtUp - sent).Round(time.Millisecond), counts)
	if counts["CallEnded"] != calls || counts["InteractionStarted"] != calls {
		t.Fatalf("%d calls started and %d ended in the ledger, want %d", counts["InteractionStarted"], counts["CallEnded"], calls)
	}
}

var statLine = regexp.MustCompile(`(?m)^\s+(Successful call|Failed call|Call Rate)\s+\|\s*([^|]+)\|\s*([^|\n]+)`)

// finalStats reads the cumulative counters of sipp's last statistics
// screen.
func (p *sipp) finalStats(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range statLine.FindAllStringSubmatch(p.out.String(), -1) {
		out[m[1]] = strings.TrimSpace(m[3])
	}
	return out
}
