package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/interactionledger/ledger/graphql/auth"
)

// benchQuery is the agent desktop's first read when a customer calls: who
// is this, and what happened lately, on every channel.
const benchQuery = `query($kind: IdentityKind!, $value: String!) {
  customerByIdentity(kind: $kind, value: $value) {
    id displayName tier
    timeline(first: 20) { nodes { at channel kind interactionId ticketId summary } pageInfo { endCursor hasNextPage } }
  }
}`

// benchGraphQLConfig is what `ledger bench graphql` was asked to do.
type benchGraphQLConfig struct {
	url        string
	admin      string
	token      string
	clients    int
	duration   time.Duration
	warmup     time.Duration
	identities int
	serverPID  int
	// ready bounds the wait for the server's /readyz (projections caught
	// up) before anything is measured.
	ready time.Duration
	// cpus and serverCPUs, when set, pin the load generator and the
	// server (serverPID) to those CPUs.
	cpus, serverCPUs string
	// rate, when positive, paces the clients to that many requests a
	// second in all (open loop) instead of each sending its next request
	// as soon as the last one answered.
	rate float64
}

// runBenchGraphQL measures customerByIdentity with its timeline against a
// running server: closed-loop clients, each sending the next request when
// the last one answered, for a random identity of the ledger's customers.
func runBenchGraphQL(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("bench graphql", out)
	var cfg benchGraphQLConfig
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:8080/graphql", "the server's GraphQL endpoint")
	fs.StringVar(&cfg.admin, "admin", envOr("LEDGER_ADMIN_URL", "http://127.0.0.1:9090"), "the server's admin listener (serve --admin-http), for /readyz (env LEDGER_ADMIN_URL); empty: do not wait for readiness")
	fs.StringVar(&cfg.token, "token", "", "bearer token (default: an agent token minted with --data's secret)")
	fs.IntVar(&cfg.clients, "clients", 64, "concurrent clients")
	fs.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long to measure")
	fs.DurationVar(&cfg.warmup, "warmup", 5*time.Second, "how long to run before measuring")
	fs.IntVar(&cfg.identities, "identities", 100000, "how many customer identities to draw from (read through the API first, by pages of customers)")
	fs.IntVar(&cfg.serverPID, "server-pid", 0, "the server's process id, to report its CPU time per request and peak RSS (VmHWM)")
	fs.DurationVar(&cfg.ready, "ready-timeout", 10*time.Minute, "how long to wait for the server's /readyz (projections caught up)")
	fs.StringVar(&cfg.cpus, "cpus", "", "pin the load generator to these CPUs, as taskset does (e.g. 1 or 0-1); empty: wherever the kernel puts it")
	fs.StringVar(&cfg.serverCPUs, "server-cpus", "", "pin the server (--server-pid) to these CPUs, every thread of it, e.g. 0")
	fs.Float64Var(&cfg.rate, "rate", 0, "requests per second in all, paced (0: closed loop, as fast as answers come)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.clients < 1 || cfg.duration <= 0 || cfg.identities < 1 || cfg.rate < 0 {
		return &exitError{code: 2, err: errors.New("bench graphql: --clients, --duration and --identities must be positive, --rate not negative")}
	}
	if cfg.serverCPUs != "" && cfg.serverPID == 0 {
		return &exitError{code: 2, err: errors.New("bench graphql: --server-cpus needs --server-pid")}
	}
	if err := pinBench(cfg); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("bench graphql: %w", err)}
	}
	if cfg.token == "" {
		token, err := benchToken(*data)
		if err != nil {
			return err
		}
		cfg.token = token
	}
	return benchGraphQL(ctx, cfg, out)
}

// pinning says where the load generator and the server run.
func pinning(cfg benchGraphQLConfig) string {
	where := func(cpus string) string {
		if cpus == "" {
			return "unpinned"
		}
		return "on CPUs " + cpus
	}
	return "load generator " + where(cfg.cpus) + ", server " + where(cfg.serverCPUs)
}

// pinBench pins the load generator and the server as cfg asks.
func pinBench(cfg benchGraphQLConfig) error {
	if cfg.cpus != "" {
		if err := pinProcess(0, cfg.cpus); err != nil {
			return err
		}
	}
	if cfg.serverCPUs != "" {
		return pinProcess(cfg.serverPID, cfg.serverCPUs)
	}
	return nil
}

func benchToken(dataDir string) (string, error) {
	secret, err := jwtSecret("", dataDir)
	if err != nil {
		return "", err
	}
	authn, err := auth.NewAuthenticator(secret)
	if err != nil {
		return "", err
	}
	return authn.Mint("bench", auth.RoleAgent, 2*time.Hour)
}

func benchGraphQL(ctx context.Context, cfg benchGraphQLConfig, out io.Writer) error {
	c := &gqlBenchClient{url: cfg.url, token: cfg.token, http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: cfg.clients, MaxIdleConnsPerHost: cfg.clients},
	}}
	if cfg.admin != "" {
		if err := waitServerReady(ctx, c.http, cfg.admin, cfg.ready); err != nil {
			return err
		}
	}
	ids, err := c.identities(ctx, cfg.identities)
	if err != nil {
		return err
	}
	pacing := "closed loop"
	if cfg.rate > 0 {
		pacing = fmt.Sprintf("paced at %.0f requests/s", cfg.rate)
	}
	fmt.Fprintf(out, "%d identities; %d clients, %s, warm-up %s, measuring %s; %s\n", len(ids), cfg.clients, pacing, cfg.warmup, cfg.duration, pinning(cfg))
	if cfg.warmup > 0 {
		c.load(ctx, ids, cfg.clients, cfg.rate, cfg.warmup)
	}
	cpuBefore, err := serverCPU(cfg.serverPID)
	if err != nil {
		return err
	}
	res := c.load(ctx, ids, cfg.clients, cfg.rate, cfg.duration)
	fmt.Fprintln(out, res.String())
	if cfg.serverPID > 0 {
		cpuAfter, err := serverCPU(cfg.serverPID)
		if err != nil {
			return err
		}
		if n := len(res.latencies); n > 0 {
			cpu := cpuAfter - cpuBefore
			fmt.Fprintf(out, "server CPU: %s in all, %.2f cores, %s per request\n", cpu.Round(10*time.Millisecond),
				cpu.Seconds()/res.elapsed.Seconds(), (cpu / time.Duration(n)).Round(time.Microsecond))
		}
		hwm, err := serverPeakRSS(cfg.serverPID)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "server peak RSS (VmHWM): %s\n", hwm)
	}
	if res.errors > 0 {
		return fmt.Errorf("bench graphql: %d requests failed, the first: %v", res.errors, res.firstErr)
	}
	return nil
}

// gqlBenchClient sends GraphQL requests.
type gqlBenchClient struct {
	url, token string
	http       *http.Client
}

type gqlBenchIdentity struct{ Kind, Value string }

// identities pages through the customers to collect up to n identities.
func (c *gqlBenchClient) identities(ctx context.Context, n int) ([]gqlBenchIdentity, error) {
	var ids []gqlBenchIdentity
	after := ""
	for len(ids) < n {
		var page struct {
			Customers struct {
				Nodes    []struct{ Identities []gqlBenchIdentity }
				PageInfo struct {
					EndCursor   string
					HasNextPage bool
				}
			}
		}
		vars := map[string]any{"after": after}
		err := c.do(ctx, `query($after: String) { customers(first: 100, after: $after) { nodes { identities { kind value } } pageInfo { endCursor hasNextPage } } }`, vars, &page)
		if err != nil {
			return nil, fmt.Errorf("reading identities: %w", err)
		}
		for _, node := range page.Customers.Nodes {
			ids = append(ids, node.Identities...)
		}
		if !page.Customers.PageInfo.HasNextPage {
			break
		}
		after = page.Customers.PageInfo.EndCursor
	}
	if len(ids) == 0 {
		return nil, errors.New("the ledger has no customer identities to query")
	}
	return ids[:min(n, len(ids))], nil
}

// do runs one request and decodes its data into v.
func (c *gqlBenchClient) do(ctx context.Context, query string, vars map[string]any, v any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &r); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql: %s", r.Errors[0].Message)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(r.Data, v)
}

// gqlBenchResult is what a load run measured.
type gqlBenchResult struct {
	elapsed   time.Duration
	latencies []time.Duration
	errors    int
	firstErr  error
}

func (r gqlBenchResult) String() string {
	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
	}
	return fmt.Sprintf("%d requests in %s: %.0f requests/s; latency p50 %s, p90 %s, p99 %s, max %s; %d errors",
		len(lat), r.elapsed.Round(time.Millisecond), float64(len(lat))/r.elapsed.Seconds(),
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(1)), r.errors)
}

// load runs clients for d, closed loop or paced to rate.
func (c *gqlBenchClient) load(ctx context.Context, ids []gqlBenchIdentity, clients int, rate float64, d time.Duration) gqlBenchResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var res gqlBenchResult
	var wg sync.WaitGroup
	start := time.Now()
	res.elapsed = d
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var pace *benchPace
			if rate > 0 {
				// Each client sends every clients/rate, the clients' turns
				// spread evenly over that interval.
				every := time.Duration(float64(clients) / rate * float64(time.Second))
				pace = &benchPace{next: start.Add(every * time.Duration(w) / time.Duration(clients)), every: every}
			}
			lat, errs, first := c.client(ctx, ids, uint64(w), pace)
			mu.Lock()
			defer mu.Unlock()
			res.latencies = append(res.latencies, lat...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
		}()
	}
	wg.Wait()
	if rate == 0 {
		res.elapsed = time.Since(start)
	}
	return res
}

// benchPace schedules a paced client's requests.
type benchPace struct {
	next  time.Time
	every time.Duration
}

// wait sleeps until the next request is due and returns when it was due.
func (p *benchPace) wait(ctx context.Context) (time.Time, bool) {
	due := p.next
	p.next = p.next.Add(p.every)
	select {
	case <-ctx.Done():
		return due, false
	case <-time.After(time.Until(due)):
		return due, true
	}
}

// client sends requests until ctx ends: one after the other, or when pace
// says they are due. A paced request's latency counts from when it was
// due, so a server that falls behind is charged for the wait it causes. A
// request cut off by the end of the run is not counted.
func (c *gqlBenchClient) client(ctx context.Context, ids []gqlBenchIdentity, seed uint64, pace *benchPace) ([]time.Duration, int, error) {
	rng := rand.New(rand.NewPCG(seed, 42))
	var lat []time.Duration
	errs := 0
	var first error
	for ctx.Err() == nil {
		id := ids[rng.IntN(len(ids))]
		t0 := time.Now()
		if pace != nil {
			due, ok := pace.wait(ctx)
			if !ok {
				break
			}
			t0 = due
		}
		err := c.do(ctx, benchQuery, map[string]any{"kind": id.Kind, "value": id.Value}, nil)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			errs++
			if first == nil {
				first = err
			}
			continue
		}
		lat = append(lat, time.Since(t0))
	}
	return lat, errs, first
}

// waitServerReady polls the server's /readyz on its admin listener until
// it answers 200: until then the read models are still catching up and
// answers would be neither complete nor as fast as they will be.
func waitServerReady(ctx context.Context, client *http.Client, admin string, limit time.Duration) error {
	readyz := strings.TrimSuffix(admin, "/") + "/readyz"
	deadline := time.Now().Add(limit)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, readyz, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench graphql: %s not ready after %s (last: %v)", readyz, limit, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// serverCPU reads the user and system CPU time a process used so far from
// /proc (0 without a pid).
func serverCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("server stat: %w", err)
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing parenthesis. utime and stime are fields 14 and 15,
	// in clock ticks of 1/100 s (USER_HZ on Linux).
	_, rest, ok := strings.Cut(string(b), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		return 0, fmt.Errorf("server stat: unexpected %q", b)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("server stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// serverPeakRSS reads a process's peak resident set size from /proc.
func serverPeakRSS(pid int) (string, error) {
	fields, err := procStatus(pid, "VmHWM", "RssAnon", "RssFile")
	if err != nil {
		return "", err
	}
	// The read pools map their database files: pages read through the
	// map count in RSS as the file's (page cache the kernel can take
	// back), apart from the process's own memory.
	return fmt.Sprintf("%s (now: %s of its own memory, %s of mapped files)", fields[0], fields[1], fields[2]), nil
}

// procStatus returns the values of the named fields of /proc/PID/status,
// in order.
func procStatus(pid int, names ...string) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, fmt.Errorf("server status: %w", err)
	}
	values := make([]string, len(names))
	for line := range strings.SplitSeq(string(b), "\n") {
		name, v, ok := strings.Cut(line, ":")
		if i := slices.Index(names, name); ok && i >= 0 {
			values[i] = strings.TrimSpace(v)
		}
	}
	for i, v := range values {
		if v == "" {
			return nil, fmt.Errorf("no %s in /proc/%d/status", names[i], pid)
		}
	}
	return values, nil
}
