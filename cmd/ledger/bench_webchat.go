package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// webchatBench is what `ledger bench webchat` was asked to do.
type webchatBench struct {
	url       string
	admin     string
	pid       int
	clients   int
	messages  int
	interval  time.Duration
	dialRate  int
	quiet     bool
	runID     string
	serverOut io.Writer
	// serverProfile, if set, is where the scratch server writes its CPU
	// profile.
	serverProfile string
}

// runBenchWebchat loads a web chat server with many concurrent customers:
// each connects, says hello, then sends messages at a steady pace and
// waits for their acks. The latency reported is from sending a message to
// its ack, which the server sends once the message's events are appended
// (durably); so it bounds "send to appended" from above. Without --url it
// starts a `ledger serve` of its own on a scratch directory in --data and
// reports that process's peak RSS.
func runBenchWebchat(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("bench webchat", out)
	b := webchatBench{runID: strconv.FormatInt(time.Now().UnixNano()%1e9, 36), serverOut: io.Discard}
	fs.StringVar(&b.url, "url", "", "web chat endpoint, e.g. ws://127.0.0.1:8080/channels/webchat; empty starts a scratch `ledger serve`")
	fs.StringVar(&b.admin, "admin", envOr("LEDGER_ADMIN_URL", ""), "with --url: the server's admin listener (serve --admin-http), e.g. http://127.0.0.1:9090, to read its receive latency from /metrics (env LEDGER_ADMIN_URL)")
	fs.IntVar(&b.pid, "pid", 0, "with --url: process id of the server, to report its peak RSS")
	fs.IntVar(&b.clients, "clients", 5000, "concurrent customers (sockets)")
	fs.IntVar(&b.messages, "messages", 10, "messages each customer sends")
	fs.DurationVar(&b.interval, "interval", 5*time.Second, "mean pause between two messages of one customer")
	fs.IntVar(&b.dialRate, "dial-rate", 1000, "new sockets per second while connecting")
	fs.BoolVar(&b.quiet, "quiet", false, "no progress bar")
	fs.StringVar(&b.serverProfile, "server-cpuprofile", "", "without --url: write the scratch server's CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if b.clients < 1 || b.messages < 1 || b.interval <= 0 || b.dialRate < 1 {
		return &exitError{code: 2, err: errors.New("bench webchat: --clients, --messages, --interval and --dial-rate must be positive")}
	}
	if b.url == "" {
		stop, err := b.startServer(ctx, *data)
		if err != nil {
			return err
		}
		defer stop()
	}
	before, scrapeErr := scrapeReceiveHistogram(ctx, b.admin)
	fmt.Fprintf(out, "offered load: %d sockets, one message each per %s on average: %.0f msg/s (load average %s)\n",
		b.clients, b.interval, float64(b.clients)/b.interval.Seconds(), loadAverage())
	res, err := b.run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprint(out, res.String())
	fmt.Fprintf(out, "load average after the run: %s\n", loadAverage())
	if after, err := scrapeReceiveHistogram(ctx, b.admin); err == nil && scrapeErr == nil {
		p50, ok50 := after.quantile(before, 0.50)
		p99, ok99 := after.quantile(before, 0.99)
		if ok50 && ok99 {
			fmt.Fprintf(out, "server frame read->appended (ledger_webchat_receive_seconds): p50 <= %.2f ms  p99 <= %.2f ms\n", p50*1000, p99*1000)
		}
	}
	if b.pid != 0 {
		hwm, err := webchatServerRSS(b.pid)
		if err != nil {
			return fmt.Errorf("bench webchat: server peak RSS: %w", err)
		}
		fmt.Fprintf(out, "server peak RSS (VmHWM of pid %d): %.0f MiB\n", b.pid, float64(hwm)/(1<<20))
	}
	return nil
}

// startServer starts a scratch `ledger serve` for the benchmark.
func (b *webchatBench) startServer(ctx context.Context, dataDir string) (func(), error) {
	srv, stop, err := startScratchServer(ctx, dataDir, "bench-webchat-", nil, b.serverProfile, b.serverOut)
	if err != nil {
		return nil, err
	}
	b.url, b.pid, b.admin = "ws://"+srv.addr+"/channels/webchat", srv.pid, srv.admin
	return stop, nil
}

// serverAddress reads the next line of ledger serve's output, "...
// serving on http://ADDR ..." or "admin endpoints (...) on http://ADDR",
// and returns ADDR after marker.
func serverAddress(stdout *bufio.Reader, marker string) (string, error) {
	line, err := stdout.ReadString('\n')
	_, rest, ok := strings.Cut(line, marker)
	if !ok {
		return "", fmt.Errorf("ledger serve printed %q: %v", line, err)
	}
	addr, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	return addr, nil
}

// loadAverage is the 1-minute load average, for the record (the machine
// may be shared).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(b), " ")
	return first
}

// webchatServerRSS returns VmHWM of a process, in bytes.
func webchatServerRSS(pid int) (int64, error) {
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM line")
}

// webchatResult is what a run measured.
type webchatResult struct {
	clients         int
	connectTime     time.Duration
	exchangeTime    time.Duration
	first, later    []time.Duration // send-to-ack latencies
	errors, dropped int64
	connectFailures int64
}

func (r webchatResult) String() string {
	all := append(slices.Clone(r.first), r.later...)
	var b strings.Builder
	fmt.Fprintf(&b, "clients %d connected in %s (%d failed)\n", r.clients, r.connectTime.Round(time.Millisecond), r.connectFailures)
	fmt.Fprintf(&b, "messages %d acked in %s: %.0f msg/s (%d error frames, %d sockets dropped)\n",
		len(all), r.exchangeTime.Round(time.Millisecond), float64(len(all))/r.exchangeTime.Seconds(), r.errors, r.dropped)
	fmt.Fprintf(&b, "send->ack latency, all:            %s\n", latencyPercentiles(all))
	fmt.Fprintf(&b, "  first message (new customer):    %s\n", latencyPercentiles(r.first))
	fmt.Fprintf(&b, "  later messages:                  %s\n", latencyPercentiles(r.later))
	return b.String()
}

func latencyPercentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "none"
	}
	slices.Sort(d)
	at := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	ms := func(x time.Duration) string { return fmt.Sprintf("%.1f ms", float64(x.Microseconds())/1000) }
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s  (n=%d)", ms(at(0.50)), ms(at(0.95)), ms(at(0.99)), ms(d[len(d)-1]), len(d))
}

// chatClient is one simulated customer.
type chatClient struct {
	id      int
	conn    *websocket.Conn
	acks    chan string
	latency []time.Duration
}

func (b *webchatBench) run(ctx context.Context) (webchatResult, error) {
	res := webchatResult{clients: b.clients}
	var errorFrames, dropped atomic.Int64
	start := time.Now()
	clients, failures := b.connectAll(ctx, &errorFrames, &dropped)
	res.connectTime, res.connectFailures = time.Since(start), failures
	if len(clients) == 0 {
		return res, errors.New("bench webchat: no client could connect")
	}
	defer func() {
		for _, c := range clients {
			_ = c.conn.Close()
		}
	}()
	bar := newProgress(int64(len(clients)*b.messages), "messages", b.quiet)
	var done atomic.Int64
	start = time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.converse(ctx, c, func() { _ = bar.Set64(done.Add(1)) })
		}()
	}
	wg.Wait()
	_ = bar.Finish()
	res.exchangeTime = time.Since(start)
	for _, c := range clients {
		if len(c.latency) > 0 {
			res.first = append(res.first, c.latency[0])
			res.later = append(res.later, c.latency[1:]...)
		}
	}
	res.errors, res.dropped = errorFrames.Load(), dropped.Load()
	return res, ctx.Err()
}

// connectAll opens every socket at --dial-rate and waits for each welcome.
func (b *webchatBench) connectAll(ctx context.Context, errorFrames, dropped *atomic.Int64) ([]*chatClient, int64) {
	bar := newProgress(int64(b.clients), "connecting", b.quiet)
	dialer := &websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	tick := time.NewTicker(time.Second / time.Duration(b.dialRate))
	defer tick.Stop()
	var (
		mu       sync.Mutex
		clients  []*chatClient
		failures atomic.Int64
		wg       sync.WaitGroup
	)
	for i := range b.clients {
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := b.connect(ctx, dialer, i, errorFrames, dropped)
			if err != nil {
				failures.Add(1)
				return
			}
			mu.Lock()
			clients = append(clients, c)
			_ = bar.Set(len(clients))
			mu.Unlock()
		}()
	}
	wg.Wait()
	_ = bar.Finish()
	return clients, failures.Load()
}

func (b *webchatBench) connect(ctx context.Context, dialer *websocket.Dialer, i int, errorFrames, dropped *atomic.Int64) (*chatClient, error) {
	conn, _, err := dialer.DialContext(ctx, b.url, nil)
	if err != nil {
		return nil, err
	}
	c := &chatClient{id: i, conn: conn, acks: make(chan string, 4)}
	visitor := fmt.Sprintf("bench-%s-%08d", b.runID, i)
	if err := conn.WriteJSON(map[string]string{"type": "hello", "visitorId": visitor}); err != nil {
		_ = conn.Close()
		return nil, err
	}
	welcome := make(chan struct{})
	go c.read(welcome, errorFrames, dropped)
	select {
	case <-welcome:
		return c, nil
	case <-time.After(30 * time.Second):
		_ = conn.Close()
		return nil, errors.New("no welcome")
	}
}

// read takes the client's frames: the welcome, acks (by id), and errors.
func (c *chatClient) read(welcome chan struct{}, errorFrames, dropped *atomic.Int64) {
	defer close(c.acks)
	for {
		var f struct{ Type, ID string }
		if err := c.conn.ReadJSON(&f); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseNormalClosure || !errors.As(err, &ce) && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "use of closed") {
				dropped.Add(1)
			}
			return
		}
		switch f.Type {
		case "welcome":
			close(welcome)
		case "ack":
			c.acks <- f.ID
		case "error":
			errorFrames.Add(1)
			c.acks <- ""
		}
	}
}

// converse sends the client's messages at a jittered pace, each waiting
// for its ack.
func (b *webchatBench) converse(ctx context.Context, c *chatClient, onDone func()) {
	pause := func(scale float64) time.Duration { return time.Duration(scale * float64(b.interval)) }
	timer := time.NewTimer(pause(rand.Float64())) // spread the clients over one interval
	defer timer.Stop()
	for n := range b.messages {
		select {
		case <-timer.C:
		case <-ctx.Done():
			return
		}
		id := fmt.Sprintf("m-%d", n)
		sent := time.Now()
		if err := c.conn.WriteJSON(map[string]string{"type": "message", "id": id, "text": fmt.Sprintf("bench message %d from client %d", n, c.id)}); err != nil {
			return
		}
		got, ok := <-c.acks
		if !ok {
			return
		}
		if got == id {
			c.latency = append(c.latency, time.Since(sent))
		}
		onDone()
		timer.Reset(pause(0.5 + rand.Float64()))
	}
}

// histogram is a scrape of one Prometheus histogram: cumulative counts by
// upper bound.
type histogram map[float64]float64

// scrapeReceiveHistogram reads the server's ledger_webchat_receive_seconds
// buckets from /metrics on its admin listener.
func scrapeReceiveHistogram(ctx context.Context, admin string) (histogram, error) {
	if admin == "" {
		return nil, errors.New("no admin listener given (--admin)")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(admin, "/")+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	h := histogram{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	const prefix = `ledger_webchat_receive_seconds_bucket{le="`
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		le, count, ok := strings.Cut(rest, `"} `)
		bound, err1 := strconv.ParseFloat(le, 64)
		n, err2 := strconv.ParseFloat(count, 64)
		if ok && err1 == nil && err2 == nil {
			h[bound] = n
		}
	}
	return h, sc.Err()
}

// quantile returns the upper bound of the bucket holding quantile q of the
// observations made between before and h.
func (h histogram) quantile(before histogram, q float64) (float64, bool) {
	bounds := make([]float64, 0, len(h))
	for b := range h {
		bounds = append(bounds, b)
	}
	slices.Sort(bounds)
	if len(bounds) == 0 {
		return 0, false
	}
	total := h[bounds[len(bounds)-1]] - before[bounds[len(bounds)-1]]
	if total <= 0 {
		return 0, false
	}
	for _, b := range bounds {
		if h[b]-before[b] >= q*total {
			return b, true
		}
	}
	return bounds[len(bounds)-1], true
}
