package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sys/unix"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/wechat"
	"github.com/interactionledger/ledger/domain"
)

// abuseSizes are the drill's numbers: hundreds of abusive connections in
// the test command, thousands under `make faults`.
type abuseSizes struct {
	slowHeaders, slowBodies int // slowloris connections
	addrs, socketsPerAddr   int // web chat source addresses, sockets tried from each
	socketCap               int // --webchat-max-sockets
	graphqlIdle             int // GraphQL sockets that never send connection_init
}

func abuseSizesNow() abuseSizes {
	if faultsFull() {
		return abuseSizes{slowHeaders: 1000, slowBodies: 200, addrs: 50, socketsPerAddr: 50, socketCap: 40, graphqlIdle: 200}
	}
	return abuseSizes{slowHeaders: 200, slowBodies: 50, addrs: 10, socketsPerAddr: 30, socketCap: 20, graphqlIdle: 50}
}

// The server's timeouts in the drill (flags), and the waits it has no
// flag for (web chat's hello, GraphQL's connection_init: 10 s each).
const (
	abuseHeaderTimeout = 2 * time.Second
	abuseReadTimeout   = 4 * time.Second
	abuseSMTPTimeout   = 3 * time.Second
	abuseHelloWait     = 10 * time.Second
	abuseSMTPMaxBytes  = 64 << 10
	// abuseSlack is how much later than its timeout a connection may be
	// cut off on a machine shared with other test runs.
	abuseSlack = 5 * time.Second
	// abuseMaxP99 bounds the well-behaved webhooks' p99 while the abusive
	// clients are connected.
	abuseMaxP99 = 2 * time.Second
	// abuseMaxRSSGrowth bounds the server's resident memory above its
	// baseline at the peak of the abuse.
	abuseMaxRSSGrowth = 300 << 20
	// abuseGoroutineSlack is how far above the baseline the goroutines may
	// stay once the abusive sockets are gone.
	abuseGoroutineSlack = 100
)

// TestFaultAbusiveClients is issue #17's slow-and-abusive-clients drill:
// a real `ledger serve` under the crash drill's well-behaved channel load
// (from 127.0.0.1, exempt from the abuse limits) meets slowloris
// connections, idle WebSockets by the hundred (thousands under `make
// faults`), oversized frames, bodies and headers, and SMTP clients that
// never finish DATA or send too much, all from 127.0.0.2 and up, where
// the limits apply. Every one is cut off or refused by a timeout or
// limit; the well-behaved webhooks' p99 stays bounded; the server's
// memory and goroutines stay bounded and the goroutines come back to
// their baseline; nothing the abusers sent is in the ledger, everything
// acknowledged is, once, and `ledger verify` passes.
func TestFaultAbusiveClients(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds the binary and runs it under load")
	}
	started := time.Now()
	sz := abuseSizesNow()
	raiseOpenFileLimit(t)
	bin := crashLedgerBinary(t)
	dir := t.TempDir()
	smtpAddr := freeLoopbackAddr(t)
	srv := startServeProcess(t, bin, "abuse", "--data", dir, "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0",
		// Only the well-behaved load's own address is exempt: the
		// abusers come from 127.0.0.2 and up, as other clients.
		"--limit-exempt", "127.0.0.1/32", "--app-server-key", testAppServerKey, "--sms-auth-token", testSMSToken,
		"--wechat-token", "abuse-wechat-token",
		"--webchat-max-sockets", strconv.Itoa(sz.socketCap), "--webchat-connect-rate", "off",
		"--http-read-header-timeout", abuseHeaderTimeout.String(), "--http-read-timeout", abuseReadTimeout.String(),
		"--smtp", smtpAddr, "--smtp-read-timeout", abuseSMTPTimeout.String(), "--smtp-max-bytes", strconv.Itoa(abuseSMTPMaxBytes))
	waitReady(t, srv.admin+"/readyz", srv.exited, srv.log)

	load := newCrashLoad()
	load.oneRun = true
	lat := &latencies{}
	load.client.Transport = timedTransport{base: load.client.Transport, lat: lat}
	load.up(srv.base)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stop := make(chan struct{})
	var workers sync.WaitGroup
	for w := range crashWorkers {
		workers.Go(func() { load.work(ctx, stop, w) })
	}
	t.Cleanup(func() { cancel(); workers.Wait() })
	load.waitAcks(t, 100, srv)
	lat.take()
	base := sampleServer(t, srv)

	slow := slowloris(t, srv, sz)
	slowP99 := percentile(lat.take(), 99)
	if slowP99 > abuseMaxP99 {
		t.Fatalf("the well-behaved webhooks' p99 was %s under slowloris, want at most %s", slowP99, abuseMaxP99)
	}

	held := idleSockets(t, srv, sz, base)
	socketsP99 := percentile(lat.take(), 99)
	if socketsP99 > abuseMaxP99 {
		t.Fatalf("the well-behaved webhooks' p99 was %s with %d idle sockets, want at most %s", socketsP99, held.held, abuseMaxP99)
	}

	oversized(t, srv)
	abusiveSMTP(t, srv, smtpAddr, load)
	load.waitAcks(t, crashAcksPerRun, srv)
	endP99 := percentile(lat.take(), 99)

	close(stop)
	if !waitGroupWithin(&workers, time.Minute) {
		t.Fatalf("the clients could not deliver their last messages within a minute: %d in flight", load.inFlight.Load())
	}
	load.failOnRefusals(t)
	fd := exhaustFiles(t, srv)
	srv.stop(t)
	verifyCrashedLedger(t, bin, dir, load)
	t.Logf("FAULT abusive clients: slowloris %d header + %d body connections cut off after max %s/%s (timeouts %s/%s); "+
		"web chat sockets held %d, refused %d (cap %d per address, %d addresses), %d silent closed after max %s, %d GraphQL without connection_init closed after max %s; "+
		"RSS before %d MiB, peak %d MiB, after %d MiB; heap in use before %d MiB, peak %d MiB, after %d MiB; goroutines before %d, peak %d, after %d; "+
		"well-behaved p99 %s under slowloris, %s with idle sockets, %s at the end; out of file descriptors (limit %d, %d connections queued): %d CPU ticks in 1 s (%d before), served again %s after; %d messages acknowledged, in %s",
		sz.slowHeaders, sz.slowBodies, slow.headerMax.Round(time.Millisecond), slow.bodyMax.Round(time.Millisecond), abuseHeaderTimeout, abuseReadTimeout,
		held.held, held.refused, sz.socketCap, sz.addrs, held.silentClosed, held.silentMax.Round(time.Millisecond), held.graphqlClosed, held.graphqlMax.Round(time.Millisecond),
		base.rss>>20, held.peak.rss>>20, held.after.rss>>20, base.heap>>20, held.peak.heap>>20, held.after.heap>>20, base.goroutines, held.peak.goroutines, held.after.goroutines,
		slowP99.Round(time.Millisecond), socketsP99.Round(time.Millisecond), endP99.Round(time.Millisecond), fd.limit, fd.queued, fd.ticks, fd.idle, fd.recovered.Round(time.Millisecond), load.acks(), time.Since(started).Round(time.Second))
}

// raiseOpenFileLimit lifts this process's soft limit on open files to the
// hard one; the server, its child, inherits it.
func raiseOpenFileLimit(t *testing.T) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
	}
	if need := uint64(6 * 2500); lim.Cur < need {
		t.Logf("open-file limit %d may be too low for the drill's sockets", lim.Cur)
	}
}

// freeLoopbackAddr returns a loopback address nothing listens on now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// timedTransport records the latency of every request it sends.
type timedTransport struct {
	base http.RoundTripper
	lat  *latencies
}

func (tt timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := tt.base.RoundTrip(r)
	if err == nil {
		tt.lat.add(time.Since(start))
	}
	return resp, err
}

// abuserAddr is the source address of abusive client i: 127.0.0.2 and up,
// never the well-behaved load's 127.0.0.1.
func abuserAddr(i int) net.IP { return net.IPv4(127, 0, byte(i/250), byte(2+i%250)) }

// dialFrom opens a TCP connection to addr from source address src.
func dialFrom(ctx context.Context, src net.IP, addr string) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	return d.DialContext(ctx, "tcp", addr)
}

// serverSample is the server's resident memory and goroutines at a time.
type serverSample struct {
	rss        int64 // bytes
	heap       int64 // bytes of heap in use (go_memstats_heap_inuse_bytes): unlike RSS, it falls after a GC
	goroutines int
}

func sampleServer(t *testing.T, srv *crashServer) serverSample {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", srv.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmRSS in /proc status:\n%s", status)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	resp, err := http.Get(srv.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	g := regexp.MustCompile(`(?m)^go_goroutines (\d+)`).FindSubmatch(body)
	if g == nil {
		t.Fatal("no go_goroutines in /metrics")
	}
	n, _ := strconv.Atoi(string(g[1]))
	h := regexp.MustCompile(`(?m)^go_memstats_heap_inuse_bytes (\S+)`).FindSubmatch(body)
	if h == nil {
		t.Fatal("no go_memstats_heap_inuse_bytes in /metrics")
	}
	heap, _ := strconv.ParseFloat(string(h[1]), 64)
	return serverSample{rss: kb << 10, heap: int64(heap), goroutines: n}
}

// slowResult is how long the server let the slowest slowloris
// connections of each kind live.
type slowResult struct{ headerMax, bodyMax time.Duration }

// slowloris opens sz.slowHeaders connections that send a header byte a
// second and never end their headers, and sz.slowBodies that send a
// webhook's body a byte a second, and waits until the server cut off
// every one: within the header timeout and the read timeout (and some
// slack). None gets a 2xx.
func slowloris(t *testing.T, srv *crashServer, sz abuseSizes) slowResult {
	t.Helper()
	addr := strings.TrimPrefix(srv.base, "http://")
	var (
		wg                   sync.WaitGroup
		mu                   sync.Mutex
		res                  slowResult
		failures             []string
		headerLife, bodyLife = abuseHeaderTimeout + abuseSlack, abuseReadTimeout + abuseSlack
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	for i := range sz.slowHeaders + sz.slowBodies {
		body := i >= sz.slowHeaders
		wg.Go(func() {
			life, answer, err := trickle(t.Context(), abuserAddr(i), addr, body, 2*bodyLife)
			limit := headerLife
			if body {
				limit = bodyLife
			}
			mu.Lock()
			if body {
				res.bodyMax = max(res.bodyMax, life)
			} else {
				res.headerMax = max(res.headerMax, life)
			}
			mu.Unlock()
			switch {
			case err != nil:
				fail("slowloris %d: %v", i, err)
			case life > limit:
				fail("slowloris %d (body %t) lived %s, want at most %s", i, body, life, limit)
			case strings.HasPrefix(answer, "HTTP/1.1 2"):
				fail("slowloris %d (body %t) got %q", i, body, answer)
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d slowloris connections not cut off as they should be, first: %s", len(failures), failures[0])
	}
	return res
}

// trickle is one slowloris connection: the request line and a header (or
// every header of an SMS webhook POST and no body yet), then one byte a
// second. It returns how long the connection lived until the server
// closed it and the status line it answered, if any.
func trickle(ctx context.Context, src net.IP, addr string, body bool, giveUp time.Duration) (time.Duration, string, error) {
	conn, err := dialFrom(ctx, src, addr)
	if err != nil {
		return 0, "", err
	}
	defer conn.Close()
	start := time.Now()
	head := "GET /widget-demo.html HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: "
	if body {
		head = "POST /channels/sms HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nBody="
	}
	if _, err := io.WriteString(conn, head); err != nil {
		return 0, "", fmt.Errorf("write the request's start: %w", err)
	}
	closed := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(conn).ReadString('\n')
		closed <- strings.TrimSpace(line)
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	deadline := time.After(giveUp)
	for {
		select {
		case answer := <-closed:
			return time.Since(start), answer, nil
		case <-tick.C:
			_, _ = conn.Write([]byte("a")) // fails once the server closed it; the reader sees that
		case <-deadline:
			return time.Since(start), "", fmt.Errorf("still open after %s", giveUp)
		case <-ctx.Done():
			return 0, "", ctx.Err()
		}
	}
}

// socketsResult are the figures of the idle sockets.
type socketsResult struct {
	held, refused               int
	silentClosed, graphqlClosed int
	silentMax, graphqlMax       time.Duration
	peak, after                 serverSample
}

// idleSocket is one abusive WebSocket and when the server ended it.
type idleSocket struct {
	conn   *websocket.Conn
	opened time.Time
	ended  chan struct{}
	life   time.Duration
	code   int // the close code the server sent, if any
}

// watch reads (and drops) frames until the socket ends, so pings are
// answered and the end is seen.
func watch(conn *websocket.Conn) *idleSocket {
	s := &idleSocket{conn: conn, opened: time.Now(), ended: make(chan struct{})}
	go func() {
		defer close(s.ended)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					s.code = ce.Code
				}
				s.life = time.Since(s.opened)
				return
			}
		}
	}()
	return s
}

// idleSockets opens sz.socketsPerAddr web chat sockets from each of
// sz.addrs addresses: up to the cap each is let in (half say hello and
// then nothing, half never say a word), the rest are refused with 429.
// It opens sz.graphqlIdle GraphQL sockets that never send
// connection_init. The silent ones must be closed after the hello and
// init waits, the greeted ones stay; the server's memory at the peak
// stays under a bound, and its goroutines come back near base once the
// test closes the rest.
func idleSockets(t *testing.T, srv *crashServer, sz abuseSizes, base serverSample) socketsResult {
	t.Helper()
	chatURL := "ws" + strings.TrimPrefix(srv.base, "http") + "/channels/webchat"
	gqlURL := "ws" + strings.TrimPrefix(srv.base, "http") + "/graphql"
	var (
		mu                      sync.Mutex
		greeted, silent, gql    []*idleSocket
		refused, unexpected     int
		firstUnexpected         string
		wg                      sync.WaitGroup
		res                     socketsResult
		dialer                  = func(src net.IP) *websocket.Dialer { return abuseDialer(src) }
		noteUnexpected          = func(s string) { mu.Lock(); unexpected++; firstUnexpected = cmpOr(firstUnexpected, s); mu.Unlock() }
		graphqlSubprotocolsList = []string{"graphql-transport-ws"}
	)
	for a := range sz.addrs {
		wg.Go(func() {
			d := dialer(abuserAddr(a))
			for i := range sz.socketsPerAddr {
				conn, resp, err := d.DialContext(t.Context(), chatURL, nil)
				if err != nil {
					if resp != nil && resp.StatusCode == http.StatusTooManyRequests && i >= sz.socketCap {
						mu.Lock()
						refused++
						mu.Unlock()
						continue
					}
					noteUnexpected(fmt.Sprintf("address %d socket %d: %v (%v)", a, i, err, resp))
					continue
				}
				if i >= sz.socketCap {
					noteUnexpected(fmt.Sprintf("address %d socket %d let in past the cap of %d", a, i, sz.socketCap))
				}
				hello := i%2 == 0
				if hello {
					if err := conn.WriteJSON(map[string]any{"type": "hello", "visitorId": fmt.Sprintf("abuser-visitor-%04d-%04d", a, i)}); err != nil {
						noteUnexpected(fmt.Sprintf("hello: %v", err))
					}
				}
				s := watch(conn)
				mu.Lock()
				if hello {
					greeted = append(greeted, s)
				} else {
					silent = append(silent, s)
				}
				mu.Unlock()
			}
		})
	}
	for i := range sz.graphqlIdle {
		wg.Go(func() {
			d := dialer(abuserAddr(sz.addrs + i%50))
			d.Subprotocols = graphqlSubprotocolsList
			conn, _, err := d.DialContext(t.Context(), gqlURL, nil)
			if err != nil {
				noteUnexpected(fmt.Sprintf("GraphQL socket %d: %v", i, err))
				return
			}
			mu.Lock()
			gql = append(gql, watch(conn))
			mu.Unlock()
		})
	}
	wg.Wait()
	res.refused, res.held = refused, len(greeted)+len(silent)
	if unexpected > 0 {
		t.Fatalf("%d sockets not let in or refused as they should be, first: %s", unexpected, firstUnexpected)
	}
	if want := sz.addrs * (sz.socketsPerAddr - sz.socketCap); refused != want {
		t.Fatalf("%d sockets refused, want %d past the cap", refused, want)
	}
	res.peak = sampleServer(t, srv)

	// The silent ones are closed after the wait; the greeted ones stay.
	res.silentMax, res.silentClosed = waitEnded(t, silent, abuseHelloWait+abuseSlack, "silent web chat")
	res.graphqlMax, res.graphqlClosed = waitEnded(t, gql, abuseHelloWait+abuseSlack, "GraphQL without connection_init")
	for _, s := range gql {
		if s.code != 4408 {
			t.Fatalf("a GraphQL socket without connection_init was closed with %d, want 4408", s.code)
		}
	}
	for _, s := range greeted {
		select {
		case <-s.ended:
			t.Fatalf("a web chat socket that said hello was closed after %s (code %d)", s.life, s.code)
		default:
		}
	}
	if peak := sampleServer(t, srv); peak.rss > res.peak.rss {
		res.peak = peak
	}
	if res.peak.rss-base.rss > abuseMaxRSSGrowth {
		t.Fatalf("the server's RSS grew from %d to %d MiB with %d sockets, want at most %d MiB more", base.rss>>20, res.peak.rss>>20, res.held, abuseMaxRSSGrowth>>20)
	}
	for _, s := range greeted {
		_ = s.conn.Close()
	}
	res.after = waitGoroutines(t, srv, base.goroutines+abuseGoroutineSlack)
	if res.after.rss-base.rss > abuseMaxRSSGrowth {
		t.Fatalf("the server's RSS was %d MiB after the sockets closed, %d before", res.after.rss>>20, base.rss>>20)
	}
	return res
}

// abuseDialer dials WebSockets from src.
func abuseDialer(src net.IP) *websocket.Dialer {
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	return &websocket.Dialer{NetDialContext: nd.DialContext, HandshakeTimeout: 10 * time.Second}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// waitEnded waits up to within for every socket to be ended by the
// server; it returns the longest life and the count.
func waitEnded(t *testing.T, socks []*idleSocket, within time.Duration, what string) (time.Duration, int) {
	t.Helper()
	var longest time.Duration
	for _, s := range socks {
		select {
		case <-s.ended:
		case <-time.After(time.Until(s.opened.Add(within))):
			t.Fatalf("a %s socket is still open %s after it connected", what, within)
		}
		longest = max(longest, s.life)
	}
	return longest, len(socks)
}

// waitGoroutines waits until the server runs at most limit goroutines.
func waitGoroutines(t *testing.T, srv *crashServer, limit int) serverSample {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := sampleServer(t, srv)
		if s.goroutines <= limit {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server still runs %d goroutines 30 s after the abusive sockets closed, want at most %d", s.goroutines, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// oversized sends a web chat frame and a GraphQL message over their read
// limits (close 1009), a body over the limit on each webhook (413) and a
// header over the limit (431), from an abusive address.
func oversized(t *testing.T, srv *crashServer) {
	t.Helper()
	src := abuserAddr(240)
	wsBase := "ws" + strings.TrimPrefix(srv.base, "http")

	chat, _, err := abuseDialer(src).DialContext(t.Context(), wsBase+"/channels/webchat", nil)
	if err != nil {
		t.Fatalf("web chat: %v", err)
	}
	defer chat.Close()
	if err := chat.WriteJSON(map[string]any{"type": "hello", "visitorId": "abuser-visitor-oversized"}); err != nil {
		t.Fatal(err)
	}
	_ = chat.WriteJSON(map[string]any{"type": "message", "id": "huge", "text": strings.Repeat("x", 200<<10)})
	expectClose(t, chat, websocket.CloseMessageTooBig, "web chat frame of 200 KiB")

	d := abuseDialer(src)
	d.Subprotocols = []string{"graphql-transport-ws"}
	gql, _, err := d.DialContext(t.Context(), wsBase+"/graphql", nil)
	if err != nil {
		t.Fatalf("GraphQL socket: %v", err)
	}
	defer gql.Close()
	_ = gql.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]string{"pad": strings.Repeat("x", 128<<10)}})
	expectClose(t, gql, websocket.CloseMessageTooBig, "GraphQL message of 128 KiB")

	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: src}}).DialContext}}
	for _, c := range []struct {
		path, contentType string
		size              int
		header            map[string]string
	}{
		{"/channels/app", "application/json", 300 << 10, map[string]string{app.KeyHeader: testAppServerKey}},
		{"/channels/sms", "application/x-www-form-urlencoded", 100 << 10, nil},
		{"/channels/wechat?" + signedWechatQuery("abuse-wechat-token"), "text/xml", 100 << 10, nil},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.base+c.path, strings.NewReader(`{"text":"`+strings.Repeat("x", c.size)+`"}`))
		req.Header.Set("Content-Type", c.contentType)
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		expectStatus(t, client, req, http.StatusRequestEntityTooLarge)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.base+"/widget-demo.html", nil)
	req.Header.Set("X-Huge", strings.Repeat("x", 200<<10))
	expectStatus(t, client, req, http.StatusRequestHeaderFieldsTooLarge)
}

// signedWechatQuery is a push's query string signed with token now: the
// handler checks the signature before it reads the body.
func signedWechatQuery(token string) string {
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "abuse-nonce"
	return url.Values{"signature": {wechat.Signature(token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}.Encode()
}

func expectClose(t *testing.T, conn *websocket.Conn, code int, what string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue // the welcome, an ack of the init
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code {
			t.Fatalf("%s: the socket ended with %v, want close code %d", what, err, code)
		}
		return
	}
}

func expectStatus(t *testing.T, client *http.Client, req *http.Request, want int) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", req.Method, req.URL.Path, resp.StatusCode, tail(string(body), 200), want)
	}
}

// abusiveSMTP runs an SMTP client that never finishes DATA and one that
// sends more than --smtp-max-bytes while a well-behaved client sends a
// message: the first is cut off within the read timeout, the second gets
// 552, the third 250, and load records its message for the final check.
func abusiveSMTP(t *testing.T, srv *crashServer, addr string, load *crashLoad) {
	t.Helper()
	var (
		wg                   sync.WaitGroup
		trickleErr, bigErr   error
		trickleLife          time.Duration
		goodDone             atomic.Bool
		trickleStart         = time.Now()
		trickleEnd, bigReply string
	)
	wg.Go(func() {
		trickleEnd, trickleErr = smtpTrickle(t.Context(), abuserAddr(241), addr, abuseSMTPTimeout+abuseSlack)
		trickleLife = time.Since(trickleStart)
	})
	wg.Go(func() { bigReply, bigErr = smtpBig(t.Context(), abuserAddr(242), addr) })
	wg.Go(func() {
		time.Sleep(time.Second) // while the trickle goes on
		msg := "From: Good Customer <good@example.com>\r\nTo: support@example.com\r\nSubject: help\r\nMessage-ID: <good-1@example.com>\r\n\r\nPlease help.\r\n"
		if err := smtp.SendMail(addr, nil, "good@example.com", []string{"support@example.com"}, []byte(msg)); err != nil {
			t.Errorf("the well-behaved SMTP client was not served: %v", err)
			return
		}
		goodDone.Store(true)
		load.ackEmail("good@example.com", "good-1@example.com", "Please help.")
	})
	wg.Wait()
	if trickleErr != nil {
		t.Fatalf("SMTP client trickling DATA: %v", trickleErr)
	}
	if strings.HasPrefix(trickleEnd, "250") {
		t.Fatalf("SMTP client that never ended DATA got %q", trickleEnd)
	}
	if bigErr != nil || !strings.HasPrefix(bigReply, "552") {
		t.Fatalf("SMTP client sending %d bytes got %q (%v), want 552", 2*abuseSMTPMaxBytes, bigReply, bigErr)
	}
	if !goodDone.Load() {
		t.FailNow()
	}
	t.Logf("SMTP: the DATA trickler was cut off after %s with %q; the oversized message got %q", trickleLife.Round(time.Millisecond), trickleEnd, bigReply)
}

// smtpDialog opens an SMTP session from src up to DATA's 354.
func smtpDialog(ctx context.Context, src net.IP, addr string) (net.Conn, *bufio.Reader, error) {
	conn, err := dialFrom(ctx, src, addr)
	if err != nil {
		return nil, nil, err
	}
	r := bufio.NewReader(conn)
	for _, cmd := range []string{"", "HELO abuser.example\r\n", "MAIL FROM:<abuser@example.com>\r\n", "RCPT TO:<support@example.com>\r\n", "DATA\r\n"} {
		if cmd != "" {
			if _, err := io.WriteString(conn, cmd); err != nil {
				conn.Close()
				return nil, nil, err
			}
		}
		line, err := readSMTPReply(conn, r)
		if err != nil || (line[0] != '2' && line[0] != '3') {
			conn.Close()
			return nil, nil, fmt.Errorf("after %q: %q %v", strings.TrimSpace(cmd), line, err)
		}
	}
	return conn, r, nil
}

// readSMTPReply reads a (multi-line) reply and returns its last line.
func readSMTPReply(conn net.Conn, r *bufio.Reader) (string, error) {
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return strings.TrimSpace(line), err
		}
		if len(line) < 4 || line[3] != '-' {
			return strings.TrimSpace(line), nil
		}
	}
}

// smtpTrickle sends a message's start a byte every 500 ms and never the
// final "."; it returns what the server answered before it closed the
// connection, failing if that took longer than within.
func smtpTrickle(ctx context.Context, src net.IP, addr string, within time.Duration) (string, error) {
	conn, r, err := smtpDialog(ctx, src, addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	start := time.Now()
	replies := make(chan string, 1)
	go func() {
		var got []string
		for {
			line, err := r.ReadString('\n')
			if s := strings.TrimSpace(line); s != "" {
				got = append(got, s)
			}
			if err != nil {
				replies <- strings.Join(got, " | ")
				return
			}
		}
	}()
	text := "Subject: never ending\r\n\r\n" + strings.Repeat("still typing ", 1000)
	for i := 0; ; i++ {
		select {
		case got := <-replies:
			return got, nil
		case <-time.After(500 * time.Millisecond):
			if time.Since(start) > within {
				return "", fmt.Errorf("the connection is still open %s after DATA", within)
			}
			_, _ = conn.Write([]byte{text[i%len(text)]})
		}
	}
}

// smtpBig sends a message twice --smtp-max-bytes and returns the reply to
// its end.
func smtpBig(ctx context.Context, src net.IP, addr string) (string, error) {
	conn, r, err := smtpDialog(ctx, src, addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	line := strings.Repeat("y", 76) + "\r\n"
	msg := "From: abuser@example.com\r\nSubject: big\r\n\r\n" + strings.Repeat(line, 2*abuseSMTPMaxBytes/len(line)) + ".\r\n"
	if _, err := io.WriteString(conn, msg); err != nil {
		return "", err
	}
	return readSMTPReply(conn, r)
}

// ackEmail records an email the server answered 250 as acknowledged.
func (l *crashLoad) ackEmail(from, messageID, text string) {
	l.record(crashMessage{channel: domain.ChannelEmail, from: from, id: messageID, text: text})
}

// fdResult is what the server did out of file descriptors.
type fdResult struct {
	limit, queued int
	idle, ticks   int64 // CPU clock ticks (1/100 s) it used in a second before and while out of file descriptors
	recovered     time.Duration
}

// exhaustFiles lowers the server's open-file limit (prlimit) to a few
// more than it holds and opens more connections than that: its accept
// loop must back off (net/http sleeps 5 ms doubling up to 1 s on
// EMFILE), not spin or die, and serve again once the limit is back. It
// runs after the well-behaved load stopped, whose appends would fail
// out of file descriptors.
func exhaustFiles(t *testing.T, srv *crashServer) fdResult {
	t.Helper()
	pid := srv.cmd.Process.Pid
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &old); err != nil {
		t.Fatal(err)
	}
	res := fdResult{limit: len(fds) + 20, queued: 100}
	before := cpuTicks(t, pid)
	time.Sleep(time.Second)
	res.idle = cpuTicks(t, pid) - before
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: uint64(res.limit), Max: old.Max}, nil); err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(srv.base, "http://")
	var conns []net.Conn
	for range res.queued {
		c, err := dialFrom(t.Context(), abuserAddr(243), addr)
		if err != nil {
			t.Fatalf("dial with the server out of file descriptors: %v", err)
		}
		conns = append(conns, c)
	}
	time.Sleep(200 * time.Millisecond)
	before = cpuTicks(t, pid)
	time.Sleep(time.Second)
	res.ticks = cpuTicks(t, pid) - before
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &old, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		_ = c.Close()
	}
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(srv.base + "/widget-demo.html")
	if err != nil {
		t.Fatalf("the server does not serve after it ran out of file descriptors: %v; log:\n%s", err, readTail(srv.log))
	}
	resp.Body.Close()
	res.recovered = time.Since(start)
	// A spinning accept loop would take a core: 100 ticks a second.
	if res.ticks > res.idle+50 {
		t.Fatalf("the server used %d CPU ticks in a second out of file descriptors, %d before: its accept loop spins", res.ticks, res.idle)
	}
	select {
	case err := <-srv.exited:
		t.Fatalf("ledger serve died out of file descriptors (%v); log:\n%s", err, readTail(srv.log))
	default:
	}
	return res
}

// cpuTicks is the user and system CPU time of process pid in clock ticks.
func cpuTicks(t *testing.T, pid int) int64 {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}
