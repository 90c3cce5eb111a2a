package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/sms"
	"github.com/interactionledger/ledger/channels/webchat"
	"github.com/interactionledger/ledger/domain"
)

const (
	// crashKills is how often the server is killed; each kill is followed
	// by a restart on the same data directory.
	crashKills = 3
	// crashWorkers post concurrently; crashChatWorkers of them chat over
	// WebSocket, the others post the app's and the SMS provider's webhooks.
	crashWorkers     = 32
	crashChatWorkers = 8
	// crashAcksPerRun is how many new acknowledgements each run of the
	// server gives before it is killed (or, the last run, stopped).
	crashAcksPerRun = 300
	// crashNewIdentity is the chance that a message comes from a customer
	// never seen before; the rest come from returning ones.
	crashNewIdentity = 0.3
	// crashResendAcked is the chance that a webhook worker redelivers a
	// message the server already acknowledged, as providers do.
	crashResendAcked = 0.05
	// crashResendWindow is how many of a worker's latest acknowledged
	// messages a redelivery is picked from: a provider whose
	// acknowledgement got lost retries within seconds, while the
	// conversation is still where the message went (a retry is recognised
	// up to four interactions on; the soak's agents close one a second).
	crashResendWindow = 3
)

// TestServeKilledUnderChannelLoadLosesNoAckedMessage is issue #12's "done
// means": the real `ledger serve` binary, under concurrent load on the
// app, SMS and web chat channels from new and returning customers, is
// killed with SIGKILL three times and restarted on the same data
// directory. Clients resend what was in flight at the kill (and sometimes
// what was already acknowledged), as providers and the chat widget do.
// Afterwards every acknowledged message is in the ledger exactly once, in
// an interaction of its channel and sender; no message is recorded twice;
// every sender is one customer; `ledger verify` passes; and the
// projections caught up after every restart.
func TestServeKilledUnderChannelLoadLosesNoAckedMessage(t *testing.T) {
	stopUnderChannelLoad(t, "killed", (*crashServer).kill)
}

// TestServeStoppedUnderChannelLoadLosesNoAckedMessage is issue #17's
// SIGTERM drill: the same load, each run ended by SIGTERM instead. The
// server drains what it accepted and exits cleanly within 30 s while the
// clients keep sending; every acknowledged message is in the ledger once
// and `ledger verify` passes.
func TestServeStoppedUnderChannelLoadLosesNoAckedMessage(t *testing.T) {
	stopUnderChannelLoad(t, "stopped", (*crashServer).stop)
}

// stopUnderChannelLoad runs the real binary under channel load, ends it
// with end crashKills times, restarting it on the same data, and checks
// that nothing acknowledged was lost.
func stopUnderChannelLoad(t *testing.T, ended string, end func(*crashServer, *testing.T)) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds the binary and runs it under load")
	}
	started := time.Now()
	bin := crashLedgerBinary(t)
	dir := t.TempDir()
	load := newCrashLoad()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stop := make(chan struct{})
	var workers sync.WaitGroup
	for w := range crashWorkers {
		workers.Go(func() { load.work(ctx, stop, w) })
	}
	t.Cleanup(func() { cancel(); workers.Wait() })

	var srv *crashServer
	for run := range crashKills + 1 {
		srv = startCrashServer(t, bin, dir, run)
		load.up(srv.base)
		waitReady(t, srv.admin+"/readyz", srv.exited, srv.log) // the projections caught up with what the last run left
		want := load.acks() + crashAcksPerRun
		load.waitAcks(t, want, srv)
		if run == crashKills {
			break // the last run serves the resends, then stops cleanly
		}
		inFlight := load.inFlight.Load()
		end(srv, t)
		load.down()
		t.Logf("run %d: %s with %d requests in flight, %d messages acknowledged so far", run, ended, inFlight, load.acks())
	}
	close(stop)
	if !waitGroupWithin(&workers, time.Minute) {
		t.Fatalf("the clients could not deliver their last messages within a minute: %d in flight", load.inFlight.Load())
	}
	load.failOnRefusals(t)
	srv.stop(t)
	verifyCrashedLedger(t, bin, dir, load)
	t.Logf("%d messages acknowledged (%d acknowledgements of redeliveries), %d resends after a failed attempt, %d identities, in %s",
		load.acks(), load.reacked.Load(), load.resent.Load(), load.identities(), time.Since(started).Round(time.Millisecond))
}

// crashLedgerBinary returns the ledger binary to kill: LEDGER_BIN, or one
// built now, as TestSIGTERMLosesNothing does.
func crashLedgerBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("LEDGER_BIN"); bin != "" {
		return bin
	}
	goTool := requireTool(t, "go")
	bin := filepath.Join(t.TempDir(), "ledger")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build ledger: %v\n%s", err, out)
	}
	return bin
}

// crashServer is one run of `ledger serve` as a child process.
type crashServer struct {
	cmd         *exec.Cmd
	base, admin string // http://ADDR of the public and the admin listener
	log         string // its stderr
	exited      chan error
}

// startCrashServer starts `ledger serve` on dir with the app (server key),
// SMS (signed webhooks) and web chat channels, and returns once it
// listens.
func startCrashServer(t *testing.T, bin, dir string, run int) *crashServer {
	t.Helper()
	// --limit-exempt: every customer of the load comes from loopback; the
	// abuse limits would (rightly) cut it off.
	return startServeProcess(t, bin, fmt.Sprintf("serve-%d", run), "--data", dir, "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0",
		"--limit-exempt", "127.0.0.0/8,::1", "--app-server-key", testAppServerKey, "--sms-auth-token", testSMSToken)
}

// startServeProcess starts `ledger serve args...` as a child process
// called name (in failures and its log file's name) and returns once it
// listens; it needs --http and --admin-http.
func startServeProcess(t *testing.T, bin, name string, args ...string) *crashServer {
	t.Helper()
	return startServeProcessEnv(t, bin, name, []string{"LEDGER_LOG_LEVEL=warn"}, args...)
}

// startServeProcessEnv is startServeProcess with env added to the
// process's environment.
func startServeProcessEnv(t *testing.T, bin, name string, env []string, args ...string) *crashServer {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &crashServer{cmd: cmd, log: logPath, exited: make(chan error, 1)}
	lines := bufio.NewReader(stdout)
	drained := make(chan struct{})
	go func() {
		<-drained
		s.exited <- cmd.Wait() // after the last read of stdout, as Wait requires
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	addr, err := serverAddress(lines, "serving on http://")
	admin := ""
	if err == nil {
		admin, err = serverAddress(lines, " on http://")
	}
	go func() { _, _ = io.Copy(io.Discard, lines); close(drained) }()
	if err != nil {
		t.Fatalf("%s of ledger serve did not start: %v\n%s", name, err, readTail(logPath))
	}
	s.base, s.admin = "http://"+addr, "http://"+admin
	return s
}

// kill sends SIGKILL and waits for the process to die.
func (s *crashServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	select {
	case err := <-s.exited:
		if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("ledger serve ended with %v before the SIGKILL; log:\n%s", err, readTail(s.log))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ledger serve still runs 10s after SIGKILL")
	}
}

// stop ends the last run with SIGTERM: the server must still shut down
// cleanly on a ledger that went through the kills.
func (s *crashServer) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Fatalf("ledger serve exited with %v after SIGTERM; log:\n%s", err, readTail(s.log))
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("ledger serve did not stop within 30s of SIGTERM; log:\n%s", readTail(s.log))
	}
	if log, _ := os.ReadFile(s.log); strings.Contains(string(log), "halted") {
		t.Fatalf("a follower halted in the last run:\n%s", readTail(s.log))
	}
}

func readTail(path string) string {
	b, _ := os.ReadFile(path)
	return tail(string(b), 3000)
}

// waitGroupWithin waits for wg, up to d; false when it timed out.
func waitGroupWithin(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// crashMessage is one customer message; a resend is the same value, so
// the provider's message id repeats.
type crashMessage struct {
	channel domain.Channel
	from    string // phone (app, SMS) or web chat visitor id
	id      string // app messageId, SMS MessageSid or chat frame id
	text    string
}

// crashLoad is the customers' side: who wrote, what the server
// acknowledged, and where the server is now.
type crashLoad struct {
	mu       sync.Mutex
	base     string // the running server's public listener; "" while it is down
	acked    map[crashMessage]int
	phones   []string // app and SMS senders so far: one customer per phone, on both channels
	visitors []string // web chat visitors so far
	others   []string // senders on other channels (a drill's email and WeChat customers)
	// oneRun is set by a drill that runs one server without kills or
	// stops: it needs only crashAcksPerRun acknowledgements, and no
	// request is cut off, so none need be resent.
	oneRun bool
	// unrecorded are channels a drill writes on without recording what
	// it sent (the soak's mail and calls): the ledger's messages there are
	// not checked against the acknowledgements.
	unrecorded map[domain.Channel]bool
	refusals   []string // answers other than an acknowledgement from a running server

	// pace, when set, spaces the messages out (a soak's steady rate);
	// latency, when set, gets the time each acknowledgement took.
	pace    *rate.Limiter
	latency *latencies

	inFlight atomic.Int64 // requests sent and not yet answered
	resent   atomic.Int64 // sends after a failed attempt (the kill)
	reacked  atomic.Int64 // acknowledgements of a message acknowledged before
	client   *http.Client

	// acceptRetryLater makes a "try again later" refusal (HTTP 503 with
	// Retry-After, a web chat error frame of code "unavailable" with
	// retryAfter) a reason to resend, as a provider and the widget do,
	// instead of a refusal that fails the test: the disk-full drill sets
	// it. retryLater counts those refusals.
	acceptRetryLater bool
	retryLater       atomic.Int64
	chatRetryLater   atomic.Int64 // of retryLater, those in web chat error frames
}

func newCrashLoad() *crashLoad {
	return &crashLoad{
		acked:  map[crashMessage]int{},
		client: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: crashWorkers}},
	}
}

func (l *crashLoad) up(base string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.base = base
}

func (l *crashLoad) down() { l.up("") }

func (l *crashLoad) current() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.base
}

// acks is the count of distinct messages acknowledged.
func (l *crashLoad) acks() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

func (l *crashLoad) identities() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.phones) + len(l.visitors) + len(l.others)
}

// record counts m as acknowledged, sent by a drill on a channel the load
// does not write on (email, WeChat), from a sender of its own.
func (l *crashLoad) record(m crashMessage) {
	l.mu.Lock()
	if !slices.Contains(l.others, m.from) {
		l.others = append(l.others, m.from)
	}
	l.mu.Unlock()
	l.ack(m)
}

// note adds phone to the load's senders, for a drill writing as a
// customer of its own on the app or SMS.
func (l *crashLoad) note(phone string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !slices.Contains(l.phones, phone) {
		l.phones = append(l.phones, phone)
	}
}

// waitAcks waits until want distinct messages were acknowledged, failing
// on a refusal or if the server dies.
func (l *crashLoad) waitAcks(t *testing.T, want int, s *crashServer) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for l.acks() < want {
		l.failOnRefusalsLog(t, s.log)
		select {
		case err := <-s.exited:
			t.Fatalf("ledger serve exited unasked (%v); log:\n%s", err, readTail(s.log))
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d messages acknowledged within a minute; log:\n%s", l.acks(), want, readTail(s.log))
		}
	}
}

func (l *crashLoad) failOnRefusals(t *testing.T) {
	t.Helper()
	l.failOnRefusalsLog(t, "")
}

// failOnRefusalsLog is failOnRefusals showing the tail of the server's
// log at logPath, if given, with the failure.
func (l *crashLoad) failOnRefusalsLog(t *testing.T, logPath string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.refusals) > 0 {
		log := ""
		if logPath != "" {
			log = "; log:\n" + readTail(logPath)
		}
		t.Fatalf("the server refused %d messages, first: %s%s", len(l.refusals), l.refusals[0], log)
	}
}

// wait holds the next message back to the load's pace, if it has one.
func (l *crashLoad) wait(ctx context.Context) {
	if l.pace != nil {
		_ = l.pace.Wait(ctx)
	}
}

// observe notes how long an acknowledgement took, if latencies are kept.
func (l *crashLoad) observe(d time.Duration) {
	if l.latency != nil {
		l.latency.add(d)
	}
}

func (l *crashLoad) ack(m crashMessage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked[m]++
	if l.acked[m] > 1 {
		l.reacked.Add(1)
	}
}

func (l *crashLoad) refuse(m crashMessage, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refusals = append(l.refusals, fmt.Sprintf("%s message %s from %s: %v", m.channel, m.id, m.from, err))
}

// identity picks the sender of the next message: a new one, or one of
// those seen before. A new one joins the pool at once, so another worker
// may write as it before its first message is recorded.
func (l *crashLoad) identity(rng *rand.Rand, pool *[]string, format string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(*pool) == 0 || rng.Float64() < crashNewIdentity {
		*pool = append(*pool, fmt.Sprintf(format, len(*pool)))
		return (*pool)[len(*pool)-1]
	}
	return (*pool)[rng.IntN(len(*pool))]
}

// work sends messages until stop closes; the message in hand is still
// delivered after that.
func (l *crashLoad) work(ctx context.Context, stop <-chan struct{}, w int) {
	rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
	if w < crashChatWorkers {
		l.chatWorker(ctx, stop, w, rng)
		return
	}
	l.webhookWorker(ctx, stop, w, rng)
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// webhookWorker posts app and SMS messages; one phone writes on both, so
// a returning customer may open a conversation on the other channel.
func (l *crashLoad) webhookWorker(ctx context.Context, stop <-chan struct{}, w int, rng *rand.Rand) {
	var mine []crashMessage
	for n := 0; !stopped(stop); n++ {
		if len(mine) > 0 && rng.Float64() < crashResendAcked {
			// A provider redelivers what it saw no answer for, soon: one
			// of the worker's latest messages, not one from an hour ago
			// (README, "Message ids and retries").
			recent := mine[max(0, len(mine)-crashResendWindow):]
			l.deliver(ctx, recent[rng.IntN(len(recent))])
			continue
		}
		l.wait(ctx)
		m := crashMessage{channel: domain.ChannelApp, from: l.identity(rng, &l.phones, "+86139%08d"),
			id: fmt.Sprintf("app-%d-%d", w, n), text: fmt.Sprintf("app message %d of worker %d", n, w)}
		if rng.IntN(2) == 0 {
			m.channel, m.id, m.text = domain.ChannelSMS, fmt.Sprintf("SM%dx%d", w, n), fmt.Sprintf("sms %d of worker %d", n, w)
		}
		if l.deliver(ctx, m) {
			mine = append(mine, m)
		}
	}
}

// deliver posts m until the server acknowledges it, as a provider
// redelivers a webhook that got no answer; false if ctx ended first.
func (l *crashLoad) deliver(ctx context.Context, m crashMessage) bool {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			time.Sleep(20 * time.Millisecond)
		}
		base := l.current()
		if base == "" {
			continue
		}
		if attempt > 0 {
			l.resent.Add(1)
		}
		l.inFlight.Add(1)
		sent := time.Now()
		err := l.post(ctx, base, m)
		l.inFlight.Add(-1)
		var refused *crashRefusal
		switch {
		case err == nil:
			l.observe(time.Since(sent))
			l.ack(m)
			return true
		case errors.As(err, &refused) && l.laterAccepted(refused):
		case errors.As(err, &refused):
			l.refuse(m, err)
		}
	}
	return false
}

// laterAccepted counts a "try again later" refusal and reports true when
// the load takes it as one (acceptRetryLater); the sender then resends.
func (l *crashLoad) laterAccepted(r *crashRefusal) bool {
	if !r.retryLater || !l.acceptRetryLater {
		return false
	}
	l.retryLater.Add(1)
	time.Sleep(50 * time.Millisecond) // sooner than Retry-After: the drill measures when writing resumes
	return true
}

// crashRefusal is an answer of a running server other than an
// acknowledgement (a lost connection is not one: the message may or may
// not be recorded, and is resent).
type crashRefusal struct {
	status int
	body   string
	// retryLater: the server said "try again later" (503 with
	// Retry-After, or a chat error frame "unavailable" with retryAfter).
	retryLater bool
}

func (r *crashRefusal) Error() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// post sends m on its webhook once; nil means acknowledged.
func (l *crashLoad) post(ctx context.Context, base string, m crashMessage) error {
	req, err := crashRequest(ctx, base, m)
	if err != nil {
		return err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err // cut off by the kill: not an answer
	}
	if resp.StatusCode != http.StatusOK {
		later := resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != ""
		return &crashRefusal{status: resp.StatusCode, body: string(body), retryLater: later}
	}
	if m.channel == domain.ChannelApp {
		var a app.Accepted
		if err := json.Unmarshal(body, &a); err != nil || a.InteractionID == "" || a.Position == 0 {
			return &crashRefusal{status: resp.StatusCode, body: "not an acknowledgement: " + string(body)}
		}
	}
	return nil
}

// crashRequest builds the webhook request: the app's, posted by the
// company's backend with the server key, or the SMS provider's, signed.
func crashRequest(ctx context.Context, base string, m crashMessage) (*http.Request, error) {
	if m.channel == domain.ChannelApp {
		body, _ := json.Marshal(map[string]any{"messageId": m.id, "identity": map[string]string{"kind": "PHONE", "value": m.from}, "text": m.text})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/channels/app", strings.NewReader(string(body)))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(app.KeyHeader, testAppServerKey)
		return req, nil
	}
	form := url.Values{"MessageSid": {m.id}, "AccountSid": {"AC1"}, "From": {m.from}, "To": {"+10005550100"}, "Body": {m.text}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/channels/sms", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(sms.SignatureHeader, sms.Signature(testSMSToken, base+"/channels/sms", form))
	return req, nil
}

// chatWorker chats as web chat visitors, new and returning: a socket per
// visit, a few messages per visit, each sent once the last was
// acknowledged.
func (l *crashLoad) chatWorker(ctx context.Context, stop <-chan struct{}, w int, rng *rand.Rand) {
	for n := 0; !stopped(stop); {
		visitor := l.identity(rng, &l.visitors, "crash-visitor-%08d")
		msgs := make([]crashMessage, 1+rng.IntN(4))
		for i := range msgs {
			msgs[i] = crashMessage{channel: domain.ChannelWebchat, from: visitor, id: fmt.Sprintf("c-%d-%d", w, n), text: fmt.Sprintf("chat %d of worker %d", n, w)}
			n++
		}
		l.visit(ctx, msgs)
	}
}

// visit delivers msgs from one visitor; when the socket drops, it
// reconnects as the widget does and resends from the first message not
// acknowledged, with its id.
func (l *crashLoad) visit(ctx context.Context, msgs []crashMessage) {
	sent := map[string]bool{}
	for attempt := 0; len(msgs) > 0 && ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			time.Sleep(20 * time.Millisecond)
		}
		base := l.current()
		if base == "" {
			continue
		}
		msgs = l.chat(ctx, base, msgs, sent)
	}
}

// chat opens a socket as msgs' visitor and sends them one by one; it
// returns those not acknowledged.
func (l *crashLoad) chat(ctx context.Context, base string, msgs []crashMessage, sent map[string]bool) []crashMessage {
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := dialer.DialContext(ctx, "ws"+strings.TrimPrefix(base, "http")+"/channels/webchat", nil)
	if err != nil {
		return msgs
	}
	defer conn.Close()
	if err := conn.WriteJSON(map[string]any{"type": "hello", "visitorId": msgs[0].from}); err != nil {
		return msgs
	}
	for len(msgs) > 0 {
		m := msgs[0]
		if sent[m.id] {
			l.resent.Add(1)
		}
		sent[m.id] = true
		l.wait(ctx)
		l.inFlight.Add(1)
		began := time.Now()
		err := chatSend(conn, m)
		l.inFlight.Add(-1)
		var refused *crashRefusal
		switch {
		case err == nil:
			l.observe(time.Since(began))
			l.ack(m)
			msgs = msgs[1:]
		case errors.As(err, &refused) && l.laterAccepted(refused):
			l.chatRetryLater.Add(1)
			return msgs
		case errors.As(err, &refused):
			l.refuse(m, err)
			return msgs
		default:
			return msgs
		}
	}
	return nil
}

// chatSend sends m and reads frames up to its ack; nil means
// acknowledged.
func chatSend(conn *websocket.Conn, m crashMessage) error {
	if err := conn.WriteJSON(map[string]any{"type": "message", "id": m.id, "text": m.text}); err != nil {
		return err
	}
	for {
		var f struct {
			Type, ID, Code, Message string
			RetryAfter              int64
		}
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		if err := conn.ReadJSON(&f); err != nil {
			return err
		}
		switch {
		case f.Type == "ack" && f.ID == m.id:
			return nil
		case f.Type == "error":
			later := f.Code == webchat.CodeUnavailable && f.RetryAfter > 0
			return &crashRefusal{status: 0, body: f.Code + ": " + f.Message, retryLater: later}
		}
	}
}

// verifyCrashedLedger checks the ledger in dir after the kills: enough
// was acknowledged, the kills hit requests in flight, and the ledger holds
// what was acknowledged (verifyLedgerHoldsAcked).
func verifyCrashedLedger(t *testing.T, bin, dir string, l *crashLoad) {
	t.Helper()
	minAcks := (crashKills + 1) * crashAcksPerRun
	if l.oneRun {
		minAcks = crashAcksPerRun
	}
	if l.acks() < minAcks {
		t.Fatalf("%d messages acknowledged, want at least %d", l.acks(), minAcks)
	}
	verifyLedgerHoldsAcked(t, bin, dir, l)
	if l.resent.Load() == 0 && !l.oneRun {
		t.Fatal("no message was resent after a kill: the kills hit no request in flight")
	}
	if l.reacked.Load() == 0 {
		t.Fatal("no acknowledged message was redelivered")
	}
}

// verifyLedgerHoldsAcked is the check every drill ends with: `ledger
// verify` passes; each message l saw acknowledged is in the ledger once, in
// an interaction of its channel started for its sender; the ledger holds
// no other message; one customer per sender.
func verifyLedgerHoldsAcked(t *testing.T, bin, dir string, l *crashLoad) {
	t.Helper()
	if out, err := exec.Command(bin, "verify", "--data", dir, "--quiet").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "OK:") {
		t.Fatalf("ledger verify: %v\n%s", err, out)
	}
	key, err := webchat.LoadOrCreateVisitorKey(filepath.Join(dir, webchatVisitorKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	rec := readCrashLedger(t, dir)
	senders := map[domain.Identity]bool{}
	for m := range l.acked {
		id, sender := m.id, domain.Identity{Kind: domain.IdentityPhone, Value: m.from}
		switch m.channel {
		case domain.ChannelWebchat:
			device := webchat.VisitorDigest(key, m.from)
			id, sender = device+":"+m.id, domain.Identity{Kind: domain.IdentityDevice, Value: device}
		case domain.ChannelWeChat:
			sender = domain.Identity{Kind: domain.IdentityWeChat, Value: m.from}
		case domain.ChannelEmail:
			sender = domain.Identity{Kind: domain.IdentityEmail, Value: m.from}
		}
		senders[sender] = true
		got := rec.received[id]
		if len(got) != 1 {
			t.Fatalf("acknowledged %s message %s from %s is in the ledger %d times, want once", m.channel, id, m.from, len(got))
		}
		it := rec.started[got[0].InteractionID]
		if it.Channel != m.channel || it.Identity != sender || got[0].Text != m.text {
			t.Fatalf("acknowledged %s message %s from %s (%q) recorded as %q in interaction %+v", m.channel, id, sender, m.text, got[0].Text, it)
		}
	}
	// Every message sent was at last acknowledged, so the ledger holds
	// nothing more (but on the channels a drill does not record).
	ofLoad := 0
	for id, got := range rec.received {
		if len(got) != 1 {
			t.Fatalf("message %s is in the ledger %d times", id, len(got))
		}
		if !l.unrecorded[rec.started[got[0].InteractionID].Channel] {
			ofLoad++
		}
	}
	if ofLoad != len(l.acked) {
		t.Fatalf("the ledger holds %d distinct messages on the load's channels, %d were acknowledged", ofLoad, len(l.acked))
	}
	// One customer per sender, and no customer without a handle.
	for sender := range senders {
		if n := len(rec.holders[sender]); n != 1 {
			t.Fatalf("%d customers hold %s, want one", n, sender)
		}
	}
	if want := len(l.phones) + len(l.visitors) + len(l.others); len(senders) != want {
		t.Fatalf("%d senders wrote, %d were chosen (%d phones, %d chat visitors, %d others)", len(senders), want, len(l.phones), len(l.visitors), len(l.others))
	}
	if bare := rec.customers - len(rec.linked); bare != 0 {
		t.Fatalf("%d customers registered without any handle", bare)
	}
}

// crashLedger is what the ledger recorded of the load.
type crashLedger struct {
	received  map[string][]domain.MessageReceived // by message id
	started   map[string]domain.InteractionStarted
	customers int
	holders   map[domain.Identity]map[string]bool // customers an identity was linked to
	linked    map[string]bool                     // customers linked to any identity
}

func readCrashLedger(t *testing.T, dir string) crashLedger {
	t.Helper()
	store, err := openExistingSealed(t.Context(), keySource{dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	out := crashLedger{received: map[string][]domain.MessageReceived{}, started: map[string]domain.InteractionStarted{},
		holders: map[domain.Identity]map[string]bool{}, linked: map[string]bool{}}
	for after := uint64(0); ; {
		page, err := store.ReadAll(t.Context(), after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		for _, r := range page {
			after = r.Position
			if r.Type != "MessageReceived" && r.Type != "InteractionStarted" && r.Type != "CustomerRegistered" && r.Type != "IdentityLinked" {
				continue
			}
			e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
			if err != nil {
				t.Fatalf("event %d (%s): %v", r.Position, r.Type, err)
			}
			switch e := e.(type) {
			case domain.MessageReceived:
				out.received[e.MessageID] = append(out.received[e.MessageID], e)
			case domain.InteractionStarted:
				out.started[e.InteractionID] = e
			case domain.CustomerRegistered:
				out.customers++
			case domain.IdentityLinked:
				if out.holders[e.Identity] == nil {
					out.holders[e.Identity] = map[string]bool{}
				}
				out.holders[e.Identity][e.CustomerID] = true
				out.linked[e.CustomerID] = true
			}
		}
	}
}
