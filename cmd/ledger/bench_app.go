package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/interactionledger/ledger/channels/app"
)

// appBench is what `ledger bench app` was asked to do.
type appBench struct {
	url           string // the server's base, http://HOST:PORT
	key           string // the app channel's server key
	pid           int
	clients       int
	customers     int
	duration      time.Duration
	quiet         bool
	serverProfile string
	runID         string
}

// runBenchApp measures the app channel as a company's backend drives it:
// --clients concurrent HTTP clients post messages, server to server, for
// --customers returning customers (each has written once before the
// measurement, so each message joins an open conversation). A customer's
// messages are sent one at a time, as a person writes them; a message is
// acknowledged (2xx) only once it is durable. Without --url it starts a
// scratch `ledger serve` of its own and reports its CPU time per message
// and its peak RSS.
func runBenchApp(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("bench app", out)
	b := appBench{runID: strconv.FormatInt(time.Now().UnixNano()%1e9, 36)}
	fs.StringVar(&b.url, "url", "", "the server's base URL, e.g. http://127.0.0.1:8080; empty starts a scratch `ledger serve`")
	fs.StringVar(&b.key, "app-server-key", envOr("LEDGER_APP_SERVER_KEY", ""), "with --url: the server's --app-server-key (env LEDGER_APP_SERVER_KEY)")
	fs.IntVar(&b.pid, "pid", 0, "with --url: process id of the server, to report its CPU time per message and peak RSS")
	fs.IntVar(&b.clients, "clients", 64, "concurrent HTTP clients")
	fs.IntVar(&b.customers, "customers", 1000, "returning customers the messages come from")
	fs.DurationVar(&b.duration, "duration", 30*time.Second, "how long to measure, after every customer wrote once")
	fs.BoolVar(&b.quiet, "quiet", false, "no progress bar")
	fs.StringVar(&b.serverProfile, "server-cpuprofile", "", "without --url: write the scratch server's CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if b.clients < 1 || b.customers < b.clients || b.duration <= 0 {
		return &exitError{code: 2, err: errors.New("bench app: --clients must be positive, --customers at least --clients, --duration positive")}
	}
	if b.url == "" {
		stop, err := b.startServer(ctx, *data)
		if err != nil {
			return err
		}
		defer stop()
	} else if len(b.key) < app.MinSecretBytes {
		return &exitError{code: 2, err: errors.New("bench app: --url needs the server's --app-server-key")}
	}
	return b.run(ctx, out)
}

func (b *appBench) startServer(ctx context.Context, dataDir string) (func(), error) {
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	b.key = "bench-" + hex.EncodeToString(secret)
	srv, stop, err := startScratchServer(ctx, dataDir, "bench-app-", []string{"--app-server-key", b.key}, b.serverProfile, io.Discard)
	if err != nil {
		return nil, err
	}
	b.url, b.pid = "http://"+srv.addr, srv.pid
	return stop, nil
}

// appResult is what the measured part of a run saw.
type appResult struct {
	latencies []time.Duration
	elapsed   time.Duration
	failed    int
	firstErr  error
}

func (b *appBench) run(ctx context.Context, out io.Writer) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: b.clients}, Timeout: 30 * time.Second}
	fmt.Fprintf(out, "%d clients, %d returning customers (load average %s)\n", b.clients, b.customers, loadAverage())
	start := time.Now()
	first := b.load(ctx, client, func(i, share int) bool { return i < share }) // one message from every customer
	if first.failed > 0 {
		return fmt.Errorf("bench app: %d first messages failed, the first: %w", first.failed, first.firstErr)
	}
	fmt.Fprintf(out, "first messages (new customers): %d in %s, %s\n", len(first.latencies), time.Since(start).Round(time.Millisecond), latencyPercentiles(first.latencies))
	cpuBefore, cpuErr := serverCPU(b.pid)
	deadline := time.Now().Add(b.duration)
	res := b.load(ctx, client, func(int, int) bool { return time.Now().Before(deadline) })
	cpuAfter, _ := serverCPU(b.pid)
	n := len(res.latencies)
	fmt.Fprintf(out, "returning customers: %d messages acknowledged in %s: %.0f msg/s, %d failed\n", n, res.elapsed.Round(time.Millisecond), float64(n)/res.elapsed.Seconds(), res.failed)
	fmt.Fprintf(out, "post->ack latency: %s\n", latencyPercentiles(res.latencies))
	if b.pid > 0 && cpuErr == nil && n > 0 {
		fmt.Fprintf(out, "server CPU: %s for %d messages: %.0f µs a message (%.0f%% of one core)\n",
			(cpuAfter - cpuBefore).Round(time.Millisecond), n, float64((cpuAfter-cpuBefore).Microseconds())/float64(n),
			100*(cpuAfter-cpuBefore).Seconds()/res.elapsed.Seconds())
		if rss, err := serverPeakRSS(b.pid); err == nil {
			fmt.Fprintf(out, "server peak RSS: %s\n", rss)
		}
	}
	fmt.Fprintf(out, "load average after the run: %s\n", loadAverage())
	if res.failed > 0 {
		return fmt.Errorf("bench app: %d messages failed, the first: %w", res.failed, res.firstErr)
	}
	return nil
}

// load runs the clients: client c writes as customers c, c+clients, ...
// (its share) in turn, so no customer has two messages in flight. A client
// sends its i-th message while goOn(i, len(share)) says so.
func (b *appBench) load(ctx context.Context, client *http.Client, goOn func(i, share int) bool) appResult {
	var (
		mu  sync.Mutex
		res appResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for c := range b.clients {
		wg.Go(func() {
			var share []int
			for customer := c; customer < b.customers; customer += b.clients {
				share = append(share, customer)
			}
			var mine []time.Duration
			failed := 0
			var firstErr error
			for i := 0; ctx.Err() == nil && goOn(i, len(share)); i++ {
				t0 := time.Now()
				if err := b.post(ctx, client, share[i%len(share)]); err != nil {
					failed++
					firstErr = cmp.Or(firstErr, err)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			defer mu.Unlock()
			res.latencies = append(res.latencies, mine...)
			res.failed += failed
			res.firstErr = cmp.Or(res.firstErr, firstErr)
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latencies)
	return res
}

// post sends one message of customer's and waits for its acknowledgement.
func (b *appBench) post(ctx context.Context, client *http.Client, customer int) error {
	id := "bench-" + b.runID + "-" + strconv.Itoa(customer) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	body, err := json.Marshal(map[string]any{
		"messageId":   id,
		"identity":    map[string]string{"kind": "PHONE", "value": fmt.Sprintf("+8613%09d", customer)},
		"displayName": fmt.Sprintf("Bench customer %d", customer),
		"text":        "bench message " + id,
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url+"/channels/app", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(app.KeyHeader, b.key)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("message %s: %s: %s", id, resp.Status, bytes.TrimSpace(answer))
	}
	return nil
}
