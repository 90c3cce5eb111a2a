package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/interactionledger/ledger/domain"
)

// The soak (issue #17): `ledger serve` under an hour of steady mixed load,
// sampled every ten seconds. `make soak` runs the hour; the test command
// runs a short version. LEDGER_SOAK_DURATION and LEDGER_SOAK_SAMPLE
// override the lengths, LEDGER_SOAK_OUT names the directory the samples
// (soak.csv) and their plot (soak.png) are written to,
// LEDGER_SOAK_CPUPROFILE the server's CPU profile.
const (
	soakShort       = 90 * time.Second
	soakShortSample = 5 * time.Second
	// soakMessageRate is the customers' messages per second on the app,
	// SMS and web chat channels together; soakMailEvery and soakCallRate
	// add email and phone calls.
	soakMessageRate = 20
	soakMailEvery   = 2 * time.Second
	soakCallRate    = 1
	// soakAgents answer and close what the router gives them; soakReaders
	// query through GraphQL, soakSubscribers listen on graphql-ws.
	soakAgents      = 8
	soakReaders     = 4
	soakSubscribers = 4
	// soakWarmUp is the share of the run before memory and goroutines must
	// be flat.
	soakWarmUp = 0.25
	// soakJudgesMemory is the shortest run long enough for its memory to
	// settle: shorter ones (the test command's) hold RSS under
	// soakShortMaxRSS instead, while the caches still fill.
	soakJudgesMemory = 10 * time.Minute
	soakShortMaxRSS  = 512
)

// soakSample is what the sampler saw at one moment.
type soakSample struct {
	at time.Duration // since the load started
	// rssMiB is all resident memory; anonMiB its anonymous part (Go's heap
	// and stacks, SQLite's page caches: what a leak grows), the rest being
	// pages of the databases' files mapped for reading (mmap_size), which
	// grow with the files and which the kernel reclaims; heapMiB is the Go
	// heap in use.
	rssMiB, anonMiB, heapMiB float64
	goroutines, openFiles    float64
	followerLag              float64 // the largest lag of any follower, in events
	projectionLag            float64
	channelP99, graphqlP99   time.Duration // over the interval before the sample
	acked                    int
}

// TestSoak runs `ledger serve` under mixed load on every channel (app,
// SMS, web chat, email, SIP calls), with agents replying and closing
// through GraphQL, readers querying and subscribers listening, and the SLA
// and QA policies and the router on. It samples RSS, goroutines, open
// files, follower lag and the p99 of channel acknowledgements and GraphQL
// queries; after the warm-up memory and goroutines must stay flat. At the
// end every acknowledged message is in the ledger once and verify passes.
func TestSoak(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("runs the binary under load for minutes")
	}
	length := envDuration(t, "LEDGER_SOAK_DURATION", soakShort)
	every := envDuration(t, "LEDGER_SOAK_SAMPLE", soakShortSample)
	if length >= 30*time.Minute && os.Getenv("LEDGER_SOAK_SAMPLE") == "" {
		every = 10 * time.Second
	}
	out := os.Getenv("LEDGER_SOAK_OUT")
	if out == "" {
		out = t.TempDir()
	}
	bin := crashLedgerBinary(t)
	sippBin := requireTool(t, "sipp")
	dir := t.TempDir()
	agentsCSV := prepareLoadLedger(t, dir, soakAgents)
	p := newProviders(t, testAppPushSecret)
	sipAddr := "127.0.0.1:" + strconv.Itoa(freeBothPort(t))
	smtpAddr := "127.0.0.1:" + strconv.Itoa(freeBothPort(t))
	// LEDGER_SOAK_CPUPROFILE: the server's CPU profile, written when it
	// stops (only the server's: every ledger command would write one).
	env := []string{"LEDGER_LOG_LEVEL=warn"}
	if path := os.Getenv("LEDGER_SOAK_CPUPROFILE"); path != "" {
		env = append(env, cpuProfileEnv+"="+path)
	}
	srv := startServeProcessEnv(t, bin, "soak", env, "--data", dir, "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0",
		"--limit-exempt", "127.0.0.0/8,::1", "--app-server-key", testAppServerKey, "--sms-auth-token", testSMSToken,
		"--sms-api", p.srv.URL+"/sms/2010-04-01/Accounts/AC1", "--sms-from", "+10005550100",
		"--app-push", p.srv.URL+"/push", "--app-push-secret", testAppPushSecret,
		"--sip", sipAddr, "--sip-trunks", "127.0.0.0/8", "--wrap-up-timeout", "1s", "--smtp", smtpAddr, "--email-auth", "off")
	waitReady(t, srv.admin+"/readyz", srv.exited, srv.log)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stop := make(chan struct{})
	var load sync.WaitGroup
	t.Cleanup(func() { cancel(); load.Wait() })

	channels := newCrashLoad()
	channels.pace = rate.NewLimiter(soakMessageRate, 1)
	channels.latency = &latencies{}
	channels.unrecorded = map[domain.Channel]bool{domain.ChannelEmail: true, domain.ChannelPhone: true} // soakMailer's and sipp's
	channels.up(srv.base)
	for w := range crashWorkers {
		load.Go(func() { channels.work(ctx, stop, w) })
	}
	gql := &latencies{}
	supervisor := strings.TrimSpace(mustLedger(t, "token", "--data", dir, "--role", "supervisor", "--subject", "soak-supervisor"))
	var replies, closes, mails, updates atomic.Int64
	for i := range soakAgents {
		id := fmt.Sprintf("agent-%04d", i+1)
		token := strings.TrimSpace(mustLedger(t, "token", "--data", dir, "--role", "agent", "--subject", id))
		load.Go(func() { soakAgent(ctx, stop, srv.base, token, id, gql, &replies, &closes) })
	}
	for range soakReaders {
		load.Go(func() { soakReader(ctx, stop, srv.base, supervisor, gql) })
	}
	listening, hangUp := context.WithCancel(ctx)
	for i := range soakSubscribers {
		agent := fmt.Sprintf("agent-%04d", i%soakAgents+1)
		load.Go(func() { soakSubscriber(listening, srv.base, supervisor, agent, &updates) })
	}
	load.Go(func() { soakMailer(ctx, stop, smtpAddr, &mails) })
	calls := startSoakCalls(t, sippBin, sipAddr, agentsCSV, length)

	samples := sampleSoak(t, srv, length, every, channels, gql, out)
	close(stop)
	hangUp()
	if !waitGroupWithin(&load, time.Minute) {
		t.Fatalf("the load did not wind down within a minute: %d requests in flight", channels.inFlight.Load())
	}
	_ = calls.Process.Kill()
	_ = calls.Wait()
	channels.failOnRefusals(t)
	srv.stop(t)
	// The samples first: a run that fails below still leaves its curves.
	writeSoakCSV(t, filepath.Join(out, "soak.csv"), samples)
	plotSoak(t, filepath.Join(out, "soak.png"), samples)
	verifyLedgerHoldsAcked(t, bin, dir, channels)

	t.Logf("SOAK %s: %d channel messages, %d mails, %d agent replies, %d closed, %d subscription updates; samples in %s",
		length, channels.acks(), mails.Load(), replies.Load(), closes.Load(), updates.Load(), out)
	logSoakSummary(t, samples)
	if replies.Load() == 0 || closes.Load() == 0 || updates.Load() == 0 || mails.Load() == 0 {
		t.Errorf("part of the load did nothing: %d replies, %d closes, %d subscription updates, %d mails", replies.Load(), closes.Load(), updates.Load(), mails.Load())
	}
	assertSoakFlat(t, samples, length >= soakJudgesMemory)
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration", name, v)
	}
	return d
}

// startSoakCalls registers the agents' phones and has sipp place
// soakCallRate calls a second for the length of the soak; it is killed
// at the end.
func startSoakCalls(t *testing.T, sippBin, sipAddr, agentsCSV string, length time.Duration) *exec.Cmd {
	t.Helper()
	startSippPhones(t, sippBin, sipAddr, agentsCSV, soakAgents, 50)
	_, callersCSV := sippCallers(t, "+86137", 200)
	calls := int(length.Seconds())*soakCallRate + 10
	caller := exec.Command(sippBin, sippArgs(t, "caller_load.xml", sipAddr, "-p", strconv.Itoa(freeUDPPort(t)),
		"-s", "4008001234", "-inf", callersCSV, "-r", strconv.Itoa(soakCallRate), "-m", strconv.Itoa(calls))...)
	caller.Dir = t.TempDir()
	if err := caller.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = caller.Process.Kill() })
	return caller
}

// soakAgent works agent id's inbox as the desktop does: it reads the
// open interactions, answers each written one once and closes it.
func soakAgent(ctx context.Context, stop <-chan struct{}, base, token, id string, lat *latencies, replies, closes *atomic.Int64) {
	var inbox struct {
		Agent struct {
			OpenInteractions []struct{ ID, Channel string }
		}
	}
	query := fmt.Sprintf(`{ agent(id: %q) { openInteractions { id channel } } }`, id)
	for !stopped(stop) {
		sleepCtx(ctx, 500*time.Millisecond)
		if soakQuery(ctx, base, token, query, &inbox, lat) != nil {
			continue
		}
		for _, it := range inbox.Agent.OpenInteractions {
			if it.Channel != "VOICE" && soakQuery(ctx, base, token, fmt.Sprintf(`mutation { replyToInteraction(interactionId: %q, text: "Thank you, it is done.", idempotencyKey: "soak-reply-%s") { position } }`, it.ID, it.ID), nil, nil) == nil {
				replies.Add(1)
			}
			if soakQuery(ctx, base, token, fmt.Sprintf(`mutation { closeInteraction(interactionId: %q, disposition: RESOLVED, summary: "Done.", idempotencyKey: "soak-close-%s") { position } }`, it.ID, it.ID), nil, nil) == nil {
				closes.Add(1)
			}
		}
	}
}

// soakReader reads what a supervisor's screens read, over and over.
func soakReader(ctx context.Context, stop <-chan struct{}, base, token string, lat *latencies) {
	queries := []string{
		`{ queues { name waitingCount longestWaitSeconds waiting(first: 10) { interaction { id channel } } } }`,
		`{ agents { id presence load openInteractions { id } } }`,
		`{ customers(first: 20) { edges { node { id displayName } } } }`,
	}
	for n := 0; !stopped(stop); n++ {
		sleepCtx(ctx, 250*time.Millisecond)
		_ = soakQuery(ctx, base, token, queries[n%len(queries)], nil, lat)
	}
}

// soakSubscriber listens to an agent's inbox over graphql-ws, as the
// desktop does, until ctx ends, counting the updates.
func soakSubscriber(ctx context.Context, base, token, agent string, updates *atomic.Int64) {
	for ctx.Err() == nil {
		conn, _, err := websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", http.Header{"Sec-WebSocket-Protocol": {"graphql-transport-ws"}})
		if err != nil {
			sleepCtx(ctx, time.Second)
			continue
		}
		stopClose := context.AfterFunc(ctx, func() { conn.Close() })
		_ = conn.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
		_ = conn.WriteJSON(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription($id: ID!) { agentUpdated(id: $id) { id presence load openInteractions { id channel } } }`, "variables": map[string]any{"id": agent}}})
		for {
			var m struct{ Type string }
			if err := conn.ReadJSON(&m); err != nil {
				break
			}
			if m.Type == "next" {
				updates.Add(1)
			}
		}
		stopClose()
		conn.Close()
	}
}

// soakMailer sends a customer's email every soakMailEvery, from new and
// returning senders.
func soakMailer(ctx context.Context, stop <-chan struct{}, addr string, sent *atomic.Int64) {
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	for n := 0; !stopped(stop); n++ {
		sleepCtx(ctx, soakMailEvery)
		from := fmt.Sprintf("soak%04d@example.com", rng.IntN(n/3+1))
		raw := fmt.Sprintf("From: %s\r\nTo: support@shop.example\r\nSubject: Order %d\r\nMessage-ID: <soak-%d@example.com>\r\n\r\nWhere is my order %d?\r\n", from, n, n, n)
		c, err := smtp.Dial(addr)
		if err != nil {
			continue
		}
		if c.SendMail(from, []string{"support@shop.example"}, strings.NewReader(raw)) == nil {
			sent.Add(1)
		}
		_ = c.Quit()
	}
}

var soakClient = &http.Client{Timeout: 30 * time.Second}

// soakQuery posts a GraphQL request, decoding its data into v (when not
// nil) and noting its latency in lat (when not nil); an error for a
// failed request or an answer with errors.
func soakQuery(ctx context.Context, base, token, query string, v any, lat *latencies) error {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	began := time.Now()
	resp, err := soakClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	if lat != nil {
		lat.add(time.Since(began))
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s", r.Errors[0].Message)
	}
	if v != nil {
		return json.Unmarshal(r.Data, v)
	}
	return nil
}

// sampleSoak samples the server every interval for length, failing if it
// exits.
func sampleSoak(t *testing.T, srv *crashServer, length, every time.Duration, channels *crashLoad, gql *latencies, dir string) []soakSample {
	t.Helper()
	stalled := false
	began := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	var out []soakSample
	for time.Since(began) < length {
		select {
		case err := <-srv.exited:
			t.Fatalf("ledger serve exited during the soak (%v); log:\n%s", err, readTail(srv.log))
		case <-tick.C:
		}
		m := scrapeMetrics(t, srv.admin)
		ch, q := channels.latency.take(), gql.take()
		if !stalled && (len(q) == 0 || percentile(q, 0.99) > 5*time.Second) {
			stalled = true
			dumpGoroutines(t, srv.admin, filepath.Join(dir, "stall-goroutines.txt"))
		}
		s := soakSample{at: time.Since(began), rssMiB: m["process_resident_memory_bytes"] / (1 << 20), goroutines: m["go_goroutines"],
			anonMiB: float64(processAnonRSS(t, srv.cmd.Process.Pid)) / (1 << 20), heapMiB: m["go_memstats_heap_inuse_bytes"] / (1 << 20),
			openFiles: m["process_open_fds"], followerLag: m["ledger_follower_lag_events"], projectionLag: m["ledger_projection_lag_events"],
			channelP99: percentile(ch, 0.99), graphqlP99: percentile(q, 0.99), acked: channels.acks()}
		out = append(out, s)
		if warmedUp := time.Duration(float64(length) * soakWarmUp); s.at >= warmedUp && s.at-every < warmedUp {
			saveHeapProfile(t, srv.admin, filepath.Join(dir, "heap-warm.pb.gz"))
		}
		if faultsFull() || length >= 30*time.Minute {
			t.Logf("soak %s: RSS %.0f MiB (anonymous %.0f, Go heap %.0f), %0.f goroutines, %0.f files, lag %0.f/%0.f, p99 channels %s graphql %s, %d acked, %.0f aggregates cached",
				s.at.Round(time.Second), s.rssMiB, s.anonMiB, s.heapMiB, s.goroutines, s.openFiles, s.followerLag, s.projectionLag, s.channelP99, s.graphqlP99, s.acked, m["ledger_aggregate_cache_entries"])
		}
	}
	saveHeapProfile(t, srv.admin, filepath.Join(dir, "heap-end.pb.gz"))
	return out
}

// saveHeapProfile writes the server's heap profile: the one at the end of
// the warm-up and the last one show, with `go tool pprof -base`, what grew.
func saveHeapProfile(t *testing.T, admin, path string) {
	t.Helper()
	saveProfile(t, admin+"/debug/pprof/heap", path)
}

// saveProfile writes what one of the admin listener's /debug/pprof/ pages
// answers to path; a server that does not answer is logged, not fatal, as
// the profiles only explain what the samples show.
func saveProfile(t *testing.T, url, path string) {
	t.Helper()
	resp, err := soakClient.Get(url)
	if err != nil {
		t.Logf("profile %s: %v", url, err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("profile %s: %v", url, err)
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		t.Logf("profile %s: %v", url, err)
	}
}

// processAnonRSS is the anonymous part of a process's resident memory
// (RssAnon in /proc/PID/status), in bytes.
func processAnonRSS(t *testing.T, pid int) int64 {
	t.Helper()
	return procStatusBytes(t, pid, "RssAnon")
}

// dumpGoroutines saves the server's goroutines, for the first interval in
// which GraphQL answered nothing or slowly: what it waited on.
func dumpGoroutines(t *testing.T, admin, path string) {
	t.Helper()
	saveProfile(t, admin+"/debug/pprof/goroutine?debug=2", path)
	t.Logf("SOAK GraphQL stalled; the server's goroutines are in %s", path)
}

// scrapeMetrics reads the admin listener's metrics: each name's largest
// value over its label sets.
func scrapeMetrics(t *testing.T, admin string) map[string]float64 {
	t.Helper()
	resp, err := soakClient.Get(admin + "/metrics")
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, _, _ := strings.Cut(line, " ")
		name, _, _ = strings.Cut(name, "{")
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			continue
		}
		if old, ok := out[name]; !ok || v > old {
			out[name] = v
		}
	}
	return out
}

// assertSoakFlat fails when memory (anonymous and Go heap; judged only when
// memory is), goroutines
// or open files grew after the warm-up: the last third of the samples
// against the middle of the run. A run too short to judge memory must keep
// RSS under soakShortMaxRSS.
func assertSoakFlat(t *testing.T, samples []soakSample, memory bool) {
	t.Helper()
	if !memory {
		if peak := slices.MaxFunc(samples, func(a, b soakSample) int { return cmp.Compare(a.rssMiB, b.rssMiB) }); peak.rssMiB > soakShortMaxRSS {
			t.Errorf("RSS reached %.0f MiB at %s, over %d MiB", peak.rssMiB, peak.at.Round(time.Second), soakShortMaxRSS)
		}
	}
	settled := samples[int(float64(len(samples))*soakWarmUp):]
	if len(settled) < 6 {
		t.Fatalf("%d samples after the warm-up: too few to judge", len(settled))
	}
	third := len(settled) / 3
	middle, last := settled[:2*third], settled[2*third:]
	for _, m := range []struct {
		name      string
		of        func(soakSample) float64
		tolerance float64 // relative growth allowed
		slack     float64 // absolute growth allowed
		judged    bool
	}{
		{"anonymous memory (MiB)", func(s soakSample) float64 { return s.anonMiB }, 0.10, 16, memory},
		{"Go heap in use (MiB)", func(s soakSample) float64 { return s.heapMiB }, 0.10, 8, memory},
		{"goroutines", func(s soakSample) float64 { return s.goroutines }, 0.10, 30, true},
		{"open files", func(s soakSample) float64 { return s.openFiles }, 0.10, 10, true},
	} {
		if !m.judged {
			continue
		}
		before, after := medianOf(middle, m.of), medianOf(last, m.of)
		if after > before*(1+m.tolerance)+m.slack {
			t.Errorf("%s grew after the warm-up: median %.0f in the middle of the run, %.0f at its end", m.name, before, after)
		}
	}
}

func medianOf(s []soakSample, of func(soakSample) float64) float64 {
	v := make([]float64, len(s))
	for i, x := range s {
		v[i] = of(x)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// logSoakSummary logs the figures BENCHMARKS.md quotes: each measure at
// the end of the warm-up and at the end, and the p99s over the run.
func logSoakSummary(t *testing.T, samples []soakSample) {
	t.Helper()
	warm, end := samples[int(float64(len(samples))*soakWarmUp)], samples[len(samples)-1]
	var ch, q []time.Duration
	maxLag := 0.0
	for _, s := range samples {
		ch, q = append(ch, s.channelP99), append(q, s.graphqlP99)
		maxLag = max(maxLag, s.followerLag, s.projectionLag)
	}
	t.Logf("SOAK after warm-up (%s) → end (%s): RSS %.0f → %.0f MiB (anonymous %.0f → %.0f, Go heap %.0f → %.0f), goroutines %.0f → %.0f, open files %.0f → %.0f; interval p99 median/max: channels %s/%s, GraphQL %s/%s; largest lag %.0f events",
		warm.at.Round(time.Second), end.at.Round(time.Second), warm.rssMiB, end.rssMiB, warm.anonMiB, end.anonMiB, warm.heapMiB, end.heapMiB, warm.goroutines, end.goroutines, warm.openFiles, end.openFiles,
		median(ch), slices.Max(ch), median(q), slices.Max(q), maxLag)
}

func writeSoakCSV(t *testing.T, path string, samples []soakSample) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := csv.NewWriter(f)
	_ = w.Write([]string{"seconds", "rss_mib", "anon_mib", "heap_mib", "goroutines", "open_files", "follower_lag", "projection_lag", "channel_p99_ms", "graphql_p99_ms", "acked"})
	for _, s := range samples {
		_ = w.Write([]string{strconv.FormatFloat(s.at.Seconds(), 'f', 0, 64), strconv.FormatFloat(s.rssMiB, 'f', 1, 64),
			strconv.FormatFloat(s.anonMiB, 'f', 1, 64), strconv.FormatFloat(s.heapMiB, 'f', 1, 64),
			strconv.FormatFloat(s.goroutines, 'f', 0, 64), strconv.FormatFloat(s.openFiles, 'f', 0, 64),
			strconv.FormatFloat(s.followerLag, 'f', 0, 64), strconv.FormatFloat(s.projectionLag, 'f', 0, 64),
			strconv.FormatFloat(ms(s.channelP99), 'f', 1, 64), strconv.FormatFloat(ms(s.graphqlP99), 'f', 1, 64), strconv.Itoa(s.acked)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
