package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	// diskFullTmpfsSize is the data directory's tmpfs: room for the
	// drill's ledger, read models and analytics store with space to spare,
	// which the filler then takes.
	diskFullTmpfsSize = "96m"
	// diskFullAcksPerPhase is how many new acknowledgements the load
	// gives before the disk is filled and again after it is freed.
	diskFullAcksPerPhase = 300
	// diskFullResume bounds how long after the filler is deleted the
	// server must acknowledge the load again and be ready, without a
	// restart: the followers' backoff tops out at 30 s.
	diskFullResume = time.Minute
)

// TestFaultDiskFull is issue #17's disk-full drill. `ledger serve` runs
// with its data directory on a small tmpfs, under the crash drill's
// concurrent app, SMS and web chat load plus a GraphQL client registering
// agents. A filler file then takes every free byte of the tmpfs (and
// keeps taking what is freed) for a while: channel posts are refused 503
// with Retry-After, web chat messages with an "unavailable" error frame,
// a SIP INVITE with 503 and Retry-After, GraphQL mutations with
// UNAVAILABLE, and the process stays up. Once the filler is deleted, the
// same process acknowledges the load again and /readyz is 200 within
// diskFullResume. Afterwards every acknowledged message is in the ledger
// exactly once and `ledger verify` passes. LEDGER_FAULTS_FULL=1 runs
// three longer fill/free cycles instead of one short one.
func TestFaultDiskFull(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds the binary and runs it under load on a tmpfs")
	}
	started := time.Now()
	t.Setenv("LEDGER_JWT_SECRET", "") // the generated secret, shared with `ledger token`
	dir := mountTmpfs(t, diskFullTmpfsSize)
	bin := crashLedgerBinary(t)
	admin, err := ledger(t, "token", "--data", dir, "--role", "admin", "--subject", "fault-admin")
	if err != nil {
		t.Fatalf("token: %v\n%s", err, admin)
	}
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t))
	srv := startServeProcess(t, bin, "diskfull", "--data", dir, "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0",
		"--limit-exempt", "127.0.0.0/8,::1", "--app-server-key", testAppServerKey, "--sms-auth-token", testSMSToken,
		"--sip", sipAddr, "--sip-trunks", "127.0.0.0/8")
	waitReady(t, srv.admin+"/readyz", srv.exited, srv.log)

	load := newCrashLoad()
	load.acceptRetryLater = true
	load.up(srv.base)
	gql := &diskFullGraphQL{url: srv.base + "/graphql", token: strings.TrimSpace(admin), client: &http.Client{Timeout: 20 * time.Second}}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stop := make(chan struct{})
	var stopOnce sync.Once
	stopLoad := func() { stopOnce.Do(func() { close(stop) }) }
	var workers sync.WaitGroup
	for w := range crashWorkers {
		workers.Go(func() { load.work(ctx, stop, w) })
	}
	workers.Go(func() { gql.run(ctx, stop) })
	t.Cleanup(func() { stopLoad(); cancel(); workers.Wait() })
	load.waitAcks(t, diskFullAcksPerPhase, srv)

	cycles, fillFor := 1, faultDuration(3*time.Second, 20*time.Second)
	if faultsFull() {
		cycles = 3
	}
	var resumeWorst time.Duration
	for cycle := range cycles {
		resumed := diskFullCycle(t, cycle, dir, sipAddr, fillFor, srv, load, gql)
		resumeWorst = max(resumeWorst, resumed)
	}
	// As many acknowledgements as verifyCrashedLedger asks of the crash
	// drills.
	load.waitAcks(t, (crashKills+1)*crashAcksPerRun, srv)
	stopLoad()
	if !waitGroupWithin(&workers, time.Minute) {
		t.Fatalf("the clients could not deliver their last messages within a minute: %d in flight", load.inFlight.Load())
	}
	load.failOnRefusals(t)
	gql.failOnErrors(t)
	if load.chatRetryLater.Load() == 0 {
		t.Fatal("no web chat message was refused with an \"unavailable\" error frame while the disk was full")
	}
	log, _ := os.ReadFile(srv.log)
	episodes := strings.Count(string(log), "event store disk full")
	if episodes < cycles || strings.Count(string(log), "event store writes resumed") < cycles {
		t.Fatalf("the log does not say the disk filled and writing resumed:\n%s", readTail(srv.log))
	}
	srv.stop(t)
	verifyCrashedLedger(t, bin, dir, load)
	t.Logf("FAULT disk-full: %d cycles of %s full; %d messages acknowledged, %d retry-later refusals (%d of them web chat frames, the rest 503 with Retry-After), %d resends; "+
		"GraphQL %d mutations ok, %d UNAVAILABLE; SIP INVITE 503 with Retry-After; worst resume %s after space was freed; "+
		"%d disk-full log lines, %d log lines in all; verify OK; %s",
		cycles, fillFor, load.acks(), load.retryLater.Load(), load.chatRetryLater.Load(), load.resent.Load(), gql.ok.Load(), gql.unavailable.Load(),
		resumeWorst.Round(time.Millisecond), episodes, strings.Count(string(log), "\n"), time.Since(started).Round(time.Millisecond))
}

// diskFullCycle fills the disk for fillFor, checks every edge's refusal
// while it is full, frees it and returns how long the server took to
// acknowledge messages again.
func diskFullCycle(t *testing.T, cycle int, dir, sipAddr string, fillFor time.Duration, srv *crashServer, load *crashLoad, gql *diskFullGraphQL) time.Duration {
	t.Helper()
	laterBefore, unavailableBefore := load.retryLater.Load(), gql.unavailable.Load()
	filler := startFiller(t, dir)
	waitUntil(t, srv, 30*time.Second, "the load refused with 503/unavailable and GraphQL with UNAVAILABLE on the full disk", func() bool {
		return load.retryLater.Load() > laterBefore && gql.unavailable.Load() > unavailableBefore
	})
	status, retryAfter := sipInvite(t, sipAddr, fmt.Sprintf("diskfull-%d-%d@fault", cycle, time.Now().UnixNano()), fmt.Sprintf("+86137%08d", cycle))
	if status != 503 || retryAfter == "" {
		t.Fatalf("SIP INVITE on the full disk: %d with Retry-After %q, want 503 with Retry-After", status, retryAfter)
	}
	time.Sleep(fillFor)
	ackedFull := load.acks()
	select {
	case err := <-srv.exited:
		t.Fatalf("ledger serve exited on the full disk (%v); log:\n%s", err, readTail(srv.log))
	default:
	}
	filler.free(t)
	freed := time.Now()
	load.waitAcks(t, ackedFull+1, srv)
	resumed := time.Since(freed)
	okBefore := gql.ok.Load()
	waitUntil(t, srv, diskFullResume, "/readyz is 200 and a GraphQL mutation succeeds after space was freed", func() bool {
		return gql.ok.Load() > okBefore && readyz(srv.admin) == http.StatusOK
	})
	load.waitAcks(t, load.acks()+diskFullAcksPerPhase, srv)
	t.Logf("cycle %d: %d retry-later refusals, %d GraphQL UNAVAILABLE while full; acknowledged again %s after space was freed",
		cycle, load.retryLater.Load()-laterBefore, gql.unavailable.Load()-unavailableBefore, resumed.Round(time.Millisecond))
	return resumed
}

// waitUntil polls cond until it holds, failing after d or when the server
// exits.
func waitUntil(t *testing.T, srv *crashServer, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		select {
		case err := <-srv.exited:
			t.Fatalf("ledger serve exited (%v) waiting until %s; log:\n%s", err, what, readTail(srv.log))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s; log:\n%s", d, what, readTail(srv.log))
		}
	}
}

func readyz(admin string) int {
	res, err := http.Get(admin + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// mountTmpfs mounts a tmpfs of size on a fresh directory, unmounted at
// cleanup. Mounting needs root, which the test command has: without it
// the test fails under CI=true and skips elsewhere.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount a tmpfs (the test command runs as root): %v\n%s", err, out)
		}
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() {
		// Registered after the servers' cleanups, so it runs before them:
		// a lazy unmount lets a process still holding files finish.
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}

// filler keeps a file system full: it writes a file until ENOSPC and
// goes on taking whatever space is freed (a WAL checkpoint, a deleted
// temporary file) until free.
type filler struct {
	path    string
	f       *os.File
	stop    chan struct{}
	done    chan struct{}
	written atomic.Int64
	err     error
}

func startFiller(t *testing.T, dir string) *filler {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fl := &filler{path: path, f: f, stop: make(chan struct{}), done: make(chan struct{})}
	full := make(chan struct{})
	go fl.run(full)
	select {
	case <-full:
	case <-fl.done:
		t.Fatalf("fill %s: %v", dir, fl.err)
	case <-time.After(time.Minute):
		t.Fatal("the tmpfs did not fill within a minute")
	}
	return fl
}

func (fl *filler) run(full chan<- struct{}) {
	defer close(fl.done)
	big, small := make([]byte, 1<<20), make([]byte, 4096)
	announced := false
	for {
		select {
		case <-fl.stop:
			return
		default:
		}
		n, err := fl.f.Write(big)
		if errors.Is(err, syscall.ENOSPC) {
			n, err = fl.f.Write(small)
		}
		fl.written.Add(int64(n))
		switch {
		case errors.Is(err, syscall.ENOSPC):
			if !announced {
				announced = true
				close(full)
			}
			time.Sleep(5 * time.Millisecond)
		case err != nil:
			fl.err = err
			return
		}
	}
}

// free stops filling and deletes the filler.
func (fl *filler) free(t *testing.T) {
	t.Helper()
	close(fl.stop)
	<-fl.done
	if err := errors.Join(fl.err, fl.f.Close(), os.Remove(fl.path)); err != nil {
		t.Fatalf("free the disk: %v", err)
	}
}

// diskFullGraphQL registers agents, one after another, as a GraphQL client
// that retries a mutation refused UNAVAILABLE with the same idempotency
// key; any other error fails the drill.
type diskFullGraphQL struct {
	url, token  string
	client      *http.Client
	ok          atomic.Int64
	unavailable atomic.Int64
	mu          sync.Mutex
	errs        []string
}

func (g *diskFullGraphQL) run(ctx context.Context, stop <-chan struct{}) {
	for n := 0; !stopped(stop) && ctx.Err() == nil; {
		code, err := g.register(ctx, n)
		switch {
		case err != nil && ctx.Err() == nil:
			g.fail(fmt.Sprintf("agent %d: %v", n, err))
		case code == "":
			g.ok.Add(1)
			n++
		case code == "UNAVAILABLE":
			g.unavailable.Add(1)
		default:
			g.fail(fmt.Sprintf("agent %d: code %s", n, code))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (g *diskFullGraphQL) fail(s string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.errs = append(g.errs, s)
}

func (g *diskFullGraphQL) failOnErrors(t *testing.T) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.errs) > 0 {
		t.Fatalf("%d GraphQL mutations failed other than UNAVAILABLE, first: %s", len(g.errs), g.errs[0])
	}
	if g.ok.Load() == 0 {
		t.Fatal("no GraphQL mutation succeeded")
	}
}

// register sends registerAgent for agent n; it returns the first error's
// code, "" when the mutation succeeded.
func (g *diskFullGraphQL) register(ctx context.Context, n int) (string, error) {
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($id: ID!, $key: String) { registerAgent(id: $id, name: "Fault Agent", idempotencyKey: $key) { position } }`,
		"variables": map[string]any{"id": fmt.Sprintf("fault-agent-%d", n), "key": fmt.Sprintf("fault-agent-%d", n)},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+g.token)
	resp, err := g.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []apiError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", fmt.Errorf("status %d, response %q: %w", resp.StatusCode, raw, err)
	}
	if len(r.Errors) > 0 {
		return r.Errors[0].Extensions.Code, nil
	}
	if !bytes.Contains(r.Data, []byte(`"position"`)) {
		return "", fmt.Errorf("status %d, no position in %s", resp.StatusCode, raw)
	}
	return "", nil
}

// sipInvite sends one INVITE over UDP from a trunk address to the service
// number and returns the final response's status and Retry-After header;
// it acknowledges a final refusal, as a UAC must.
func sipInvite(t *testing.T, addr, callID, caller string) (int, string) {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	branch := fmt.Sprintf("z9hG4bK-fault-%d", time.Now().UnixNano())
	head := fmt.Sprintf("Via: SIP/2.0/UDP %s;branch=%s\r\nMax-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=fault1\r\n",
		local, branch, caller, local)
	invite := fmt.Sprintf("INVITE sip:4008001234@%s SIP/2.0\r\n%sTo: <sip:4008001234@%s>\r\nCall-ID: %s\r\nCSeq: 1 INVITE\r\n"+
		"Contact: <sip:%s@%s>\r\nContent-Length: 0\r\n\r\n", addr, head, addr, callID, caller, local)
	if _, err := conn.Write([]byte(invite)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	for deadline := time.Now().Add(15 * time.Second); ; {
		_ = conn.SetReadDeadline(deadline)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("SIP INVITE: no final response: %v", err)
		}
		status, headers := parseSIPResponse(buf[:n])
		if status < 200 {
			continue
		}
		if status >= 300 {
			ack := fmt.Sprintf("ACK sip:4008001234@%s SIP/2.0\r\n%sTo: %s\r\nCall-ID: %s\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
				addr, head, headers["to"], callID)
			_, _ = conn.Write([]byte(ack))
		}
		return status, headers["retry-after"]
	}
}

// parseSIPResponse returns a response's status and its headers by
// lower-case name (the first of each); 0 for anything else.
func parseSIPResponse(msg []byte) (int, map[string]string) {
	sc := bufio.NewScanner(bytes.NewReader(msg))
	headers := map[string]string{}
	status := 0
	if sc.Scan() {
		_, _ = fmt.Sscanf(sc.Text(), "SIP/2.0 %d", &status)
	}
	for sc.Scan() && sc.Text() != "" {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if key := strings.ToLower(strings.TrimSpace(name)); ok {
			if _, seen := headers[key]; !seen {
				headers[key] = strings.TrimSpace(value)
			}
		}
	}
	return status, headers
}
