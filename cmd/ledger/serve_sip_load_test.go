package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// loadSetting reads a positive integer setting of the load test.
func loadSetting(t *testing.T, name string, def int) int {
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

// TestSippLoadServe is the phone channel's load test against a real
// `ledger serve --sip` process with the router on and a short wrap-up
// (after-call work) timeout. `make test` runs a short version of it (a
// few seconds: LEDGER_SIP_LOAD unset); the full-length run is on demand
// (under the benchmark lock):
//
//	flock /tmp/bench.lock env LEDGER_SIP_LOAD=1 go test -run TestSippLoadServe -v -timeout 30m ./cmd/ledger/
//
// It builds the ledger binary (or runs LEDGER_BIN), prepares a data directory with
// LEDGER_SIP_LOAD_AGENTS agents (default 300, with the router at least
// 3 × rate × wrap-up timeout; short 8), AVAILABLE, each with SIP
// credentials, starts `ledger serve --sip` on it with the router
// (LEDGER_SIP_LOAD_ROUTER=0: --router=false, the phone channel's own
// choice) and --wrap-up-timeout LEDGER_SIP_LOAD_WRAP_UP (default 1s),
// registers every agent's phone with digest auth (sipp), lets one sipp
// process answer for all the phones, and has sipp place
// LEDGER_SIP_LOAD_CALLS calls (default 30,000; short 48) at
// LEDGER_SIP_LOAD_RATE call attempts per second (default 1,000; short 12)
// from LEDGER_SIP_LOAD_CALLERS numbers (default 10,000; short 24). Every
// call goes the whole way (INVITE, queue, offer, 180, 200, ACK, BYE) and
// every step is appended to the durable SQLite ledger. sipp's phones never
// close an interaction, so with the router on an agent takes their next
// call only once the wrap-up of the last one expired: the short run gives
// each agent six calls. The test fails if sipp counts one failed call, the
// ledger lacks a call's start or end after the server stopped, or (router
// on) a wrap-up that should have expired did not; it logs the rate sipp
// achieved, the server's CPU time and peak RSS.
func TestSippLoadServe(t *testing.T) {
	full := os.Getenv("LEDGER_SIP_LOAD") != ""
	sippBin := requireTool(t, "sipp")
	pick := func(fullDef, shortDef int) int {
		if full {
			return fullDef
		}
		return shortDef
	}
	rate := loadSetting(t, "LEDGER_SIP_LOAD_RATE", pick(1000, 12))
	calls := loadSetting(t, "LEDGER_SIP_LOAD_CALLS", pick(30000, 48))
	callers := loadSetting(t, "LEDGER_SIP_LOAD_CALLERS", pick(10000, 24))
	router := os.Getenv("LEDGER_SIP_LOAD_ROUTER") != "0"
	wrapUp := time.Second
	if v := os.Getenv("LEDGER_SIP_LOAD_WRAP_UP"); v != "" {
		var err error
		if wrapUp, err = time.ParseDuration(v); err != nil || wrapUp <= 0 {
			t.Fatalf("LEDGER_SIP_LOAD_WRAP_UP=%q: want a positive duration", v)
		}
	}
	agentsDef := pick(300, 8)
	if full && router {
		// An agent takes a call about every wrap-up timeout plus the phone
		// channel's next look (up to a second): three times rate × timeout
		// agents keep up.
		agentsDef = max(agentsDef, int(3*float64(rate)*wrapUp.Seconds()))
	}
	agents := loadSetting(t, "LEDGER_SIP_LOAD_AGENTS", agentsDef)

	bin := os.Getenv("LEDGER_BIN") // a ledger binary built beforehand, or build one now
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "ledger")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			t.Fatalf("build ledger: %v\n%s", err, out)
		}
	}
	data := t.TempDir()
	agentsCSV := prepareLoadLedger(t, data, agents)

	sipPort, httpPort, adminPort := freeBothPort(t), freeBothPort(t), freeBothPort(t)
	sipAddr := "127.0.0.1:" + strconv.Itoa(sipPort)
	logPath := filepath.Join(t.TempDir(), "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	// The router keeps an agent's voice capacity taken after the call until
	// they close the interaction, which sipp phones never do, or until the
	// wrap-up timeout releases it: each agent takes a call every
	// wrap-up timeout or so.
	// --limit-exempt: sipp is one source sending every call; the abuse
	// limits would (rightly) cut it off.
	serve := exec.Command(bin, "serve", "--data", data, "--http", "127.0.0.1:"+strconv.Itoa(httpPort), "--admin-http", "127.0.0.1:"+strconv.Itoa(adminPort), "--sip", sipAddr, "--sip-trunks", "127.0.0.0/8",
		"--router="+strconv.FormatBool(router), "--wrap-up-timeout", wrapUp.String(), "--limit-exempt", "127.0.0.0/8,::1")
	serve.Stdout, serve.Stderr = logFile, logFile
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	t.Cleanup(func() {
		if serve.ProcessState != nil {
			return
		}
		// Stopped as an operator would (it writes its CPU profile, with
		// LEDGER_CPUPROFILE set), killed if it hangs.
		_ = serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = serve.Process.Kill()
			<-exited
		}
	})
	waitReady(t, "http://127.0.0.1:"+strconv.Itoa(adminPort)+"/readyz", exited, logPath)

	startSippPhones(t, sippBin, sipAddr, agentsCSV, agents, 200)
	numbers, callersCSV := sippCallers(t, "+86139", callers)
	cpuBefore := processCPU(t, serve.Process.Pid)
	start := time.Now()
	caller := exec.Command(sippBin, sippArgs(t, "caller_load.xml", sipAddr, "-p", strconv.Itoa(freeUDPPort(t)),
		"-s", "4008001234", "-inf", callersCSV, "-r", strconv.Itoa(rate), "-m", strconv.Itoa(calls), "-l", "20000",
		"-timeout", strconv.Itoa(calls/rate+120)+"s", "-timeout_error", "-trace_stat", "-fd", "1")...)
	caller.Dir = t.TempDir()
	out, err := caller.CombinedOutput()
	sent := time.Since(start)
	stats := sippStats(string(out))
	if err != nil || stats["Failed call"] != "0" || stats["Successful call"] != strconv.Itoa(calls) {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("sipp callers: %v (successful %s, failed %s; want %d successful, 0 failed)\n%s\n--- ledger serve log\n%s", err, stats["Successful call"], stats["Failed call"],
			calls, tail(string(out), 4000), tail(string(log), 6000))
	}
	cpu := processCPU(t, serve.Process.Pid) - cpuBefore
	peakRSS := processPeakRSS(t, serve.Process.Pid)

	if router {
		// Every call's wrap-up expires one timeout after its end (sipp's
		// phones close nothing); wait for the last before stopping.
		waitMetric(t, "http://127.0.0.1:"+strconv.Itoa(adminPort), "ledger_wrap_up_expired_total", float64(calls))
	}
	stopping := time.Now()
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("ledger serve exited with %v; log %s", err, logPath)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("ledger serve did not stop; log %s", logPath)
	}
	// The callers' numbers, E.164 and national, appear nowhere in the log.
	national := make([]string, len(numbers))
	for i, n := range numbers {
		national[i] = n[3:]
	}
	assertLogHoldsNone(t, logPath, append(numbers, national...)...)
	t.Logf("sipp: %d calls requested at %d/s to %d agents (router %t, wrap-up timeout %s): %s successful, %s failed; %s from the first INVITE to the last BYE (%.0f calls/s); sipp's cumulative rate %s",
		calls, rate, agents, router, wrapUp, stats["Successful call"], stats["Failed call"], sent.Round(time.Millisecond), float64(calls)/sent.Seconds(), stats["Call Rate"])
	t.Logf("ledger serve: %.1f s CPU during the calls (%.0f%% of one core), peak RSS %d MiB, stopped %s after the last call",
		cpu.Seconds(), 100*cpu.Seconds()/sent.Seconds(), peakRSS>>20, time.Since(stopping).Round(time.Millisecond))

	counts := countLedgerTypes(t, data)
	t.Logf("ledger: %v", counts)
	// The phones send 180 Ringing before every 200 OK: each ring is in the
	// ledger, however close behind it the answer came.
	for _, typ := range []string{"InteractionStarted", "InteractionQueued", "InteractionAssigned", "CallOffered", "CallRingingStarted", "CallAnswered", "CallEnded"} {
		if counts[typ] != calls {
			t.Errorf("%d %s events, want %d (one per call)", counts[typ], typ, calls)
		}
	}
	if counts["InteractionAbandoned"] != 0 {
		t.Errorf("%d calls abandoned, want none", counts["InteractionAbandoned"])
	}
	// With the router every call's wrap-up expired, once, and every call
	// went to an agent whose stream took its voice hold: no agent got a
	// call while their capacity was taken (the router's choice and the
	// agent's stream agreed).
	if router {
		for _, typ := range []string{"WrapUpExpired", "AgentWorkAssigned"} {
			if counts[typ] != calls {
				t.Errorf("%d %s events, want %d (one per call)", counts[typ], typ, calls)
			}
		}
	}
}

// prepareLoadLedger registers n AVAILABLE agents in a new ledger in dir,
// writes their SIP credentials there and returns a sipp injection file of
// agent;password lines.
func prepareLoadLedger(t *testing.T, dir string, n int) string {
	t.Helper()
	ctx := context.Background()
	store, err := openStore(ctx, dir, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	h := commands.NewHandler(store)
	creds := make([]sip.Credential, n)
	lines := make([]string, n)
	for i := range n {
		id := fmt.Sprintf("agent-%04d", i+1)
		password := "pw-" + id
		meta := commands.Meta{Actor: "system:load-test"}
		if _, err := h.Agent(ctx, id, domain.RegisterAgent{AgentID: id, Name: id}, meta); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Agent(ctx, id, domain.ChangePresence{Presence: domain.PresenceAvailable}, meta); err != nil {
			t.Fatal(err)
		}
		creds[i] = sip.Credential{AgentID: id, Realm: "ledger", HA1: sip.HA1(id, "ledger", password)}
		lines[i] = id + ";" + password
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sip.WriteCredentialsFile(filepath.Join(dir, sip.CredentialsFileName), creds); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "agents.csv")
	if err := os.WriteFile(path, []byte("SEQUENTIAL\n"+strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startSippPhones starts one sipp process answering for every agent's
// phone and registers the n agents of agentsCSV (agent;password lines) to
// it with digest auth, at rate registrations a second.
func startSippPhones(t *testing.T, sippBin, sipAddr, agentsCSV string, n, rate int) {
	t.Helper()
	phonePort := freeUDPPort(t)
	phones := exec.Command(sippBin, sippArgs(t, "agent_load.xml", "-p", strconv.Itoa(phonePort))...)
	phones.Dir = t.TempDir()
	if err := phones.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = phones.Process.Kill(); _ = phones.Wait() })
	register := exec.Command(sippBin, sippArgs(t, "agent_register.xml", sipAddr, "-p", strconv.Itoa(freeUDPPort(t)),
		"-inf", agentsCSV, "-key", "contact_port", strconv.Itoa(phonePort), "-m", strconv.Itoa(n), "-r", strconv.Itoa(rate),
		"-timeout", "60s", "-timeout_error")...)
	register.Dir = t.TempDir()
	if out, err := register.CombinedOutput(); err != nil {
		t.Fatalf("registering %d phones: %v\n%s", n, err, tail(string(out), 3000))
	}
}

// sippCallers makes n callers' numbers (prefix and eight digits) and a
// sipp injection file that picks among them at random.
func sippCallers(t *testing.T, prefix string, n int) (numbers []string, csvPath string) {
	t.Helper()
	numbers = make([]string, n)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("%s%08d", prefix, i)
	}
	csvPath = filepath.Join(t.TempDir(), "callers.csv")
	if err := os.WriteFile(csvPath, []byte("RANDOM\n"+strings.Join(numbers, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return numbers, csvPath
}

// sippArgs are the arguments of a sipp process playing scenario (a file
// of channels/sip/testdata) on loopback, with buffers for load, then args.
func sippArgs(t *testing.T, scenario string, args ...string) []string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("..", "..", "channels", "sip", "testdata", scenario))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"-sf", abs, "-nostdin", "-trace_err", "-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-buff_size", "4194304", "-max_recv_loops", "10000", "-max_sched_loops", "10000"}, args...)
}

// waitReady waits until the server answers url with 200 (its projections
// caught up, so agents' presence is known), failing if it exits first.
func waitReady(t *testing.T, url string, exited <-chan error, logPath string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("ledger serve exited: %v\n%s", err, tail(string(log), 3000))
		default:
		}
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not ready", url)
}

// countLedgerTypes counts the events of the ledger in dir by type.
func countLedgerTypes(t *testing.T, dir string) map[string]int {
	t.Helper()
	ctx := context.Background()
	store, err := openExistingStore(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	counts := map[string]int{}
	var after uint64
	for {
		page, err := store.ReadAll(ctx, after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			counts[e.Type]++
		}
		if len(page) < 5000 {
			return counts
		}
		after = page[len(page)-1].Position
	}
}

var sippStatLine = regexp.MustCompile(`(?m)^\s+(Successful call|Failed call|Call Rate)\s+\|\s*([^|]+)\|\s*([^|\n]+)`)

// sippStats reads the cumulative counters of sipp's last statistics
// screen.
func sippStats(out string) map[string]string {
	stats := map[string]string{}
	for _, m := range sippStatLine.FindAllStringSubmatch(out, -1) {
		stats[m[1]] = strings.TrimSpace(m[3])
	}
	return stats
}

// processCPU returns the user and system CPU time process pid used.
func processCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the parenthesised command name; utime and stime are
	// the 14th and 15th fields of the whole line.
	rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
	f := strings.Fields(rest)
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// processPeakRSS returns the peak resident set size of process pid.
func processPeakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	return procStatusBytes(t, pid, "VmHWM")
}

// procStatusBytes reads one of the memory fields of /proc/PID/status
// ("VmHWM", "RssAnon", ...), in bytes.
func procStatusBytes(t *testing.T, pid int, field string) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// freeBothPort returns a loopback port free on both UDP and TCP.
func freeBothPort(t *testing.T) int {
	t.Helper()
	for range 20 {
		port := freeUDPPort(t)
		if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no port free on both UDP and TCP")
	return 0
}

// tail keeps the end of a long output.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
