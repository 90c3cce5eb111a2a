package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// outsideReplyChannels are the channels whose replies go to an outside
// service, in the order of the drill's services.
var outsideReplyChannels = []domain.Channel{domain.ChannelEmail, domain.ChannelSMS, domain.ChannelWeChat, domain.ChannelApp}

// outsideBadModes are the modes each service goes through, in turn.
var outsideBadModes = []outsideMode{outsideRefuse, outsideHang, outsideError, outsideSlow}

const (
	// outsideSendTimeout bounds one attempt (--outbound-send-timeout): a
	// hung service is given up on after it.
	outsideSendTimeout = 3 * time.Second
	// outsideSlowAnswer is how long a slow service takes: under the timeout.
	outsideSlowAnswer = 1500 * time.Millisecond
	// outsideBackoff and outsideMaxBackoff are the drill's retry schedule
	// (--outbound-backoff, --outbound-max-backoff): doubling, with jitter.
	outsideBackoff    = 200 * time.Millisecond
	outsideMaxBackoff = 2 * time.Second
	// outsideCustomers is how many customers per channel agents answer.
	outsideCustomers = 6
)

// TestFaultOutsideServices is issue #17's drill 2: the SMTP relay, the SMS
// API, the WeChat API and the app's push webhook each refuse connections,
// hang past the sender's timeout, answer 500 (the relay 451) and answer
// slowly, in turn and out of step with each other, then recover, while
// customers write on the app, SMS and web chat (crashLoad) and agents
// reply through GraphQL on all four channels. The server is killed
// (SIGKILL) while the services hang and stopped (SIGTERM) while they are
// slow, and restarted on the same data. At the end every reply reached its
// service exactly once (counted by the key the sender gives every attempt),
// every attempt is recorded in the ledger, numbered in order, with the one
// success last; inbound acknowledgements and a GraphQL query stayed
// responsive while every service hung; nothing acknowledged is lost and
// `ledger verify` passes.
func TestFaultOutsideServices(t *testing.T) {
	if testing.Short() && !ciRun() {
		t.Skip("builds the binary and runs it under load against stand-in services")
	}
	t.Setenv("LEDGER_JWT_SECRET", "") // the data directory's own secret, shared with `ledger token`
	started := time.Now()
	phase := faultDuration(3*time.Second, 20*time.Second)
	restartRounds := 1
	if faultsFull() {
		restartRounds = 3
	}
	bin := crashLedgerBinary(t)
	dir := t.TempDir()
	d := newOutsideDrill(t, bin, dir)

	load := newCrashLoad()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stop := make(chan struct{})
	var workers sync.WaitGroup
	for w := range crashWorkers {
		workers.Go(func() { load.work(ctx, stop, w) })
	}
	t.Cleanup(func() { cancel(); workers.Wait() })

	srv := d.start(t, 0)
	load.up(srv.base)
	waitReady(t, srv.admin+"/readyz", srv.exited, srv.log)
	d.openInteractions(t, srv, load)
	var agents sync.WaitGroup
	agentsStop := make(chan struct{})
	for _, ch := range outsideReplyChannels {
		agents.Go(func() { d.agent(ctx, agentsStop, ch) })
	}

	// Each service through every bad mode, out of step with the others
	// (at any time the four are in four different modes), then healthy.
	for p := range outsideBadModes {
		for i, svc := range d.services() {
			svc.set(t, outsideBadModes[(p+i)%len(outsideBadModes)])
		}
		d.expectReplies(t, srv, phase)
	}
	d.setAll(t, outsideHealthy)
	d.expectReplies(t, srv, phase)

	var inbound, queries latencies
	run := 1
	for round := range restartRounds {
		// Every service hangs: the other clients must not notice.
		d.setAll(t, outsideHang)
		probeStop := make(chan struct{})
		var probes sync.WaitGroup
		probes.Go(func() { d.probeInbound(ctx, probeStop, load, &inbound, round) })
		probes.Go(func() { d.probeQueries(ctx, probeStop, &queries) })
		d.expectReplies(t, srv, phase+outsideSendTimeout)
		close(probeStop)
		probes.Wait()
		d.noteInFlight()
		srv.kill(t)
		load.down()
		t.Logf("round %d: killed while every service hung; %d replies written, %d messages acknowledged", round, d.replyCount(), load.acks())
		srv = d.start(t, run)
		run++
		load.up(srv.base)
		waitReady(t, srv.admin+"/readyz", srv.exited, srv.log)

		// Every service slow: SIGTERM interrupts the attempts in flight.
		d.setAll(t, outsideSlow)
		d.expectReplies(t, srv, phase)
		srv.stop(t)
		load.down()
		t.Logf("round %d: stopped while every service was slow; %d replies written", round, d.replyCount())
		srv = d.start(t, run)
		run++
		load.up(srv.base)
		waitReady(t, srv.admin+"/readyz", srv.exited, srv.log)
		d.setAll(t, outsideHealthy)
		d.expectReplies(t, srv, phase)
	}

	close(agentsStop)
	agents.Wait()
	load.waitAcks(t, (crashKills+1)*crashAcksPerRun, srv) // what verifyCrashedLedger expects of a load
	close(stop)
	if !waitGroupWithin(&workers, time.Minute) {
		t.Fatalf("the clients could not deliver their last messages within a minute: %d in flight", load.inFlight.Load())
	}
	load.failOnRefusals(t)
	d.waitDelivered(t, srv)
	time.Sleep(time.Second) // a reply sent twice would be by now
	srv.stop(t)

	got := d.check(t, dir)
	verifyCrashedLedger(t, bin, dir, load)
	in, q := inbound.take(), queries.take()
	if len(in) == 0 || len(q) == 0 {
		t.Fatalf("no latency measured while the services hung: %d inbound, %d queries", len(in), len(q))
	}
	pIn, pQ := percentile(in, 0.99), percentile(q, 0.99)
	if limit := 2 * time.Second; pIn > limit || pQ > limit {
		t.Errorf("while every outside service hung, p99 of inbound acknowledgements was %s and of the GraphQL query %s; want both under %s", pIn, pQ, limit)
	}
	t.Logf("FAULT outside-services: %d replies (%v per channel) delivered once each; %d attempts recorded (%d failed) vs %d failures answered by the stand-ins (%d in flight at the kills); most attempts of one reply %d, %d waits between attempts at least as long as the schedule's; %d restarts; while hung p99 inbound %s (n=%d), GraphQL %s (n=%d); %d messages acknowledged; %s",
		got.replies, got.perChannel, got.attempts, got.failed, got.fakeFailures, d.lostAtKill, got.maxAttempts, got.waitsChecked, 2*restartRounds,
		pIn.Round(time.Millisecond), len(in), pQ.Round(time.Millisecond), len(q), load.acks(), time.Since(started).Round(time.Second))
}

// ciRun reports whether the tests run in CI, where nothing may skip.
func ciRun() bool { return strings.EqualFold(strings.TrimSpace(envOr("CI", "")), "true") }

// outsideDrill is the drill's side of things: the stand-in services, the
// customers agents answer and the replies written.
type outsideDrill struct {
	bin, dir string
	smtpAddr string // the ledger's inbound SMTP listener
	relay    *outsideService
	sms      *outsideService
	wechat   *outsideService
	push     *outsideService
	client   *http.Client
	token    string

	mu           sync.Mutex
	base         string                             // the running server; "" while it is down
	interactions map[domain.Channel][]string        // the interactions agents answer
	replies      map[domain.Channel]map[string]bool // idempotency keys of replies written, by channel
	lostAtKill   int                                // failures being answered when the server was killed
	starts       []time.Time                        // when each run of the server was started
}

func newOutsideDrill(t *testing.T, bin, dir string) *outsideDrill {
	hang := outsideSendTimeout + time.Second
	d := &outsideDrill{
		bin: bin, dir: dir,
		relay:        startOutsideRelay(t, outsideSlowAnswer, hang),
		sms:          startOutsideHTTP(t, "sms-api", outsideSlowAnswer, hang, `{"sid":"SMout","status":"queued"}`),
		wechat:       startOutsideHTTP(t, "wechat-api", outsideSlowAnswer, hang, `{"errcode":0,"errmsg":"ok","msgid":1}`),
		push:         startOutsideHTTP(t, "app-push", outsideSlowAnswer, hang, `{}`),
		client:       &http.Client{Timeout: 20 * time.Second},
		interactions: map[domain.Channel][]string{},
		replies:      map[domain.Channel]map[string]bool{},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d.smtpAddr = ln.Addr().String()
	_ = ln.Close()
	return d
}

func (d *outsideDrill) services() []*outsideService {
	return []*outsideService{d.relay, d.sms, d.wechat, d.push} // the order of outsideReplyChannels
}

func (d *outsideDrill) service(ch domain.Channel) *outsideService {
	return d.services()[slices.Index(outsideReplyChannels, ch)]
}

func (d *outsideDrill) setAll(t *testing.T, m outsideMode) {
	for _, s := range d.services() {
		s.set(t, m)
	}
}

// start runs `ledger serve` with every channel pointed at the stand-ins,
// and a retry schedule short enough for a drill.
func (d *outsideDrill) start(t *testing.T, run int) *crashServer {
	t.Helper()
	d.mu.Lock()
	d.starts = append(d.starts, time.Now())
	d.mu.Unlock()
	s := startServeProcess(t, d.bin, fmt.Sprintf("outside-%d", run), "--data", d.dir, "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0",
		"--limit-exempt", "127.0.0.0/8,::1", "--app-server-key", testAppServerKey, "--sms-auth-token", testSMSToken, "--wechat-token", testWeChatToken,
		"--smtp", d.smtpAddr, "--smtp-relay", d.relay.addr, "--smtp-from", "Support <support@shop.example>",
		"--sms-api", "http://"+d.sms.addr+"/2010-04-01/Accounts/AC1", "--sms-from", "+10005550100",
		"--wechat-api", "http://"+d.wechat.addr, "--app-push", "http://"+d.push.addr+"/push", "--app-push-secret", testAppPushSecret,
		"--outbound-send-timeout", outsideSendTimeout.String(), "--outbound-backoff", outsideBackoff.String(), "--outbound-max-backoff", outsideMaxBackoff.String(), "--outbound-attempts", "1000")
	d.mu.Lock()
	d.base = s.base
	d.mu.Unlock()
	return s
}

func (d *outsideDrill) current() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.base
}

// openInteractions has outsideCustomers customers write on each of the
// four channels, and finds their interactions.
func (d *outsideDrill) openInteractions(t *testing.T, srv *crashServer, load *crashLoad) {
	t.Helper()
	d.token = strings.TrimSpace(mustLedger(t, "token", "--data", d.dir, "--role", "supervisor", "--subject", "sup-outside"))
	for i := range outsideCustomers {
		phoneApp, phoneSMS := fmt.Sprintf("+86137%08d", i), fmt.Sprintf("+86136%08d", i)
		openid, address := fmt.Sprintf("oOutside%04d", i), fmt.Sprintf("customer%d@example.com", i)
		msgs := []crashMessage{
			{channel: domain.ChannelApp, from: phoneApp, id: fmt.Sprintf("outside-app-%d", i), text: "app: where is my parcel"},
			{channel: domain.ChannelSMS, from: phoneSMS, id: fmt.Sprintf("SMoutside%d", i), text: "sms: where is my parcel"},
		}
		for _, m := range msgs {
			load.note(m.from)
			if !load.deliver(t.Context(), m) {
				t.Fatal("the first messages were not acknowledged")
			}
		}
		wechatMessage(t, srv.base, fmt.Sprint(9_000_000+i), openid, "wechat: where is my parcel")
		raw := fmt.Sprintf("From: <%s>\r\nTo: support@shop.example\r\nSubject: Parcel %d\r\nMessage-ID: <outside-%d@example.com>\r\n"+
			"Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nemail: where is my parcel\r\n", address, i, i)
		if err := sendMail(d.smtpAddr, raw); err != nil {
			t.Fatalf("inbound email: %v", err)
		}
		load.record(crashMessage{channel: domain.ChannelWeChat, from: openid, id: fmt.Sprint(9_000_000 + i), text: "wechat: where is my parcel"})
		load.record(crashMessage{channel: domain.ChannelEmail, from: address, id: fmt.Sprintf("outside-%d@example.com", i), text: "email: where is my parcel"})
		for _, who := range []struct {
			kind, value string
			ch          domain.Channel
		}{{"PHONE", phoneApp, domain.ChannelApp}, {"PHONE", phoneSMS, domain.ChannelSMS}, {"WECHAT", openid, domain.ChannelWeChat}, {"EMAIL", address, domain.ChannelEmail}} {
			d.interactions[who.ch] = append(d.interactions[who.ch], d.interactionOf(t, srv, who.kind, who.value, who.ch))
		}
	}
}

// interactionOf waits for the interaction the customer holding the
// identity opened on ch.
func (d *outsideDrill) interactionOf(t *testing.T, srv *crashServer, kind, value string, ch domain.Channel) string {
	t.Helper()
	id := ""
	eventually(t, fmt.Sprintf("the %s interaction of %s", ch, value), func() bool {
		var r struct {
			CustomerByIdentity *struct {
				Interactions struct {
					Nodes []struct{ ID, Channel string }
				}
			}
		}
		gqlOn(t, srv.base, d.token, fmt.Sprintf(`{ customerByIdentity(kind: %s, value: %q) { interactions(first: 10) { nodes { id channel } } } }`, kind, value), &r)
		if r.CustomerByIdentity == nil {
			return false
		}
		for _, n := range r.CustomerByIdentity.Interactions.Nodes {
			if strings.EqualFold(n.Channel, string(ch)) {
				id = n.ID
				return true
			}
		}
		return false
	})
	return id
}

// agent replies on ch's interactions until stop closes; a reply that got
// no answer is retried with its idempotency key until it is recorded.
func (d *outsideDrill) agent(ctx context.Context, stop <-chan struct{}, ch domain.Channel) {
	rng := rand.New(rand.NewPCG(uint64(len(ch)), uint64(time.Now().UnixNano())))
	for n := 0; !stopped(stop) && ctx.Err() == nil; n++ {
		key := fmt.Sprintf("outside-%s-%d", ch, n)
		interaction := d.interactions[ch][rng.IntN(len(d.interactions[ch]))]
		q := fmt.Sprintf(`mutation { replyToInteraction(interactionId: %q, text: %q, idempotencyKey: %q) { position } }`, interaction, "reply "+key, key)
		for ctx.Err() == nil {
			if base := d.current(); base != "" && postGraphQL(ctx, d.client, base, d.token, q) == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		d.mu.Lock()
		if d.replies[ch] == nil {
			d.replies[ch] = map[string]bool{}
		}
		d.replies[ch][key] = true
		d.mu.Unlock()
		time.Sleep(time.Duration(150+rng.IntN(200)) * time.Millisecond)
	}
}

func (d *outsideDrill) replyCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, keys := range d.replies {
		n += len(keys)
	}
	return n
}

// expectReplies lets the phase run for dur, failing if the server dies.
func (d *outsideDrill) expectReplies(t *testing.T, srv *crashServer, dur time.Duration) {
	t.Helper()
	select {
	case err := <-srv.exited:
		t.Fatalf("ledger serve exited unasked (%v); log:\n%s", err, readTail(srv.log))
	case <-time.After(dur):
	}
}

// noteInFlight counts the failures being answered at a kill: their
// attempts are never recorded.
func (d *outsideDrill) noteInFlight() {
	for _, s := range d.services() {
		d.lostAtKill += s.counts().inFlight
	}
}

// probeInbound times acknowledgements of app and SMS messages of the
// load's customers until stop closes.
func (d *outsideDrill) probeInbound(ctx context.Context, stop <-chan struct{}, load *crashLoad, lat *latencies, round int) {
	for n := 0; !stopped(stop); n++ {
		m := crashMessage{channel: domain.ChannelApp, from: fmt.Sprintf("+86135%08d", n%20), id: fmt.Sprintf("probe-%d-%d", round, n), text: fmt.Sprintf("probe %d of round %d", n, round)}
		if n%2 == 1 {
			m.channel, m.id = domain.ChannelSMS, fmt.Sprintf("SMprobe%dx%d", round, n)
		}
		load.note(m.from)
		t0 := time.Now()
		if !load.deliver(ctx, m) {
			return
		}
		lat.add(time.Since(t0))
		time.Sleep(20 * time.Millisecond)
	}
}

// probeQueries times the inbox-like query of a customer's interactions
// until stop closes.
func (d *outsideDrill) probeQueries(ctx context.Context, stop <-chan struct{}, lat *latencies) {
	q := fmt.Sprintf(`{ customerByIdentity(kind: PHONE, value: %q) { interactions(first: 10) { nodes { id channel status } } } }`, "+86137"+fmt.Sprintf("%08d", 0))
	for !stopped(stop) && ctx.Err() == nil {
		t0 := time.Now()
		if err := postGraphQL(ctx, d.client, d.current(), d.token, q); err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		lat.add(time.Since(t0))
		time.Sleep(20 * time.Millisecond)
	}
}

// waitDelivered waits until every reply written reached its service.
func (d *outsideDrill) waitDelivered(t *testing.T, srv *crashServer) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		missing := []string{}
		for _, ch := range outsideReplyChannels {
			d.mu.Lock()
			want := len(d.replies[ch])
			d.mu.Unlock()
			if got := len(d.service(ch).counts().delivered); got < want {
				missing = append(missing, fmt.Sprintf("%s %d of %d", ch, got, want))
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replies not delivered within 2 minutes of the services' recovery: %s; log:\n%s", strings.Join(missing, ", "), readTail(srv.log))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// outsideResult is what the ledger and the stand-ins say of the replies.
type outsideResult struct {
	replies, attempts, failed, fakeFailures, maxAttempts int
	waitsChecked                                         int // waits between attempts checked against the schedule
	perChannel                                           map[domain.Channel]int
}

// outsideAttempt is one recorded attempt of a reply.
type outsideAttempt struct {
	n         int
	delivered bool
	gaveUp    bool
	provider  string
	at        time.Time
}

// check reads the ledger in dir: every reply written is in it once, its
// attempts are numbered 1, 2, ... with the one success last, and it
// reached its service exactly once under the key its sender gives.
func (d *outsideDrill) check(t *testing.T, dir string) outsideResult {
	t.Helper()
	store, err := openExistingSealed(t.Context(), keySource{dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	channelOf := map[string]domain.Channel{}
	for ch, ids := range d.interactions {
		for _, id := range ids {
			channelOf[id] = ch
		}
	}
	sent := map[string]domain.Channel{} // reply event id -> channel
	attempts := map[string][]outsideAttempt{}
	for after := uint64(0); ; {
		page, err := store.ReadAll(t.Context(), after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			after = r.Position
			if r.Type != "MessageSent" && r.Type != "MessageDelivered" && r.Type != "MessageDeliveryFailed" {
				continue
			}
			e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
			if err != nil {
				t.Fatalf("event %d (%s): %v", r.Position, r.Type, err)
			}
			switch e := e.(type) {
			case domain.MessageSent:
				if ch, ok := channelOf[e.InteractionID]; ok {
					sent[r.ID.String()] = ch
				}
			case domain.MessageDelivered:
				attempts[e.SourceEventID] = append(attempts[e.SourceEventID], outsideAttempt{n: e.Attempt, delivered: true, provider: e.ProviderMessageID, at: e.At})
			case domain.MessageDeliveryFailed:
				attempts[e.SourceEventID] = append(attempts[e.SourceEventID], outsideAttempt{n: e.Attempt, gaveUp: e.GaveUp || e.Permanent, at: e.At})
			}
		}
	}
	res := outsideResult{perChannel: map[domain.Channel]int{}}
	d.mu.Lock()
	for _, ch := range outsideReplyChannels {
		if want := len(d.replies[ch]); countChannel(sent, ch) != want {
			t.Errorf("%d %s replies in the ledger, %d written", countChannel(sent, ch), ch, want)
		}
		if n := len(d.replies[ch]); n < 2*outsideCustomers {
			t.Errorf("agents wrote only %d %s replies: replyToInteraction kept failing", n, ch)
		}
	}
	d.mu.Unlock()
	fakes := map[domain.Channel]outsideCounts{}
	for _, ch := range outsideReplyChannels {
		fakes[ch] = d.service(ch).counts()
		res.fakeFailures += fakes[ch].failures
		if fakes[ch].unkeyed > 0 {
			t.Errorf("%s: %d replies reached the service without a key, so a repeat could not be told apart", ch, fakes[ch].unkeyed)
		}
	}
	for id, ch := range sent {
		res.replies++
		res.perChannel[ch]++
		key := checkAttempts(t, id, ch, attempts[id], &res)
		res.waitsChecked += d.checkSchedule(t, id, ch, attempts[id])
		if n := fakes[ch].delivered[key]; n != 1 {
			t.Errorf("%s reply %s (key %q) reached the service %d times, want once", ch, id, key, n)
		}
	}
	for _, ch := range outsideReplyChannels {
		if got, want := len(fakes[ch].delivered), res.perChannel[ch]; got != want {
			t.Errorf("the %s service accepted %d distinct replies; the ledger has %d", ch, got, want)
		}
	}
	// Every failure a service answered is recorded, but for those it was
	// answering when the server was killed.
	if res.failed < res.fakeFailures-d.lostAtKill {
		t.Errorf("%d failed attempts recorded; the services answered %d failures (%d of them in flight at a kill)", res.failed, res.fakeFailures, d.lostAtKill)
	}
	if res.waitsChecked == 0 {
		t.Error("no reply was retried within one run of the server: the schedule went unchecked")
	}
	if res.fakeFailures == 0 || res.maxAttempts < 2 {
		t.Errorf("no reply needed a retry (%d failures answered, at most %d attempts): the services never failed", res.fakeFailures, res.maxAttempts)
	}
	return res
}

// checkAttempts checks one reply's recorded attempts and returns the key
// its service counted it under.
func checkAttempts(t *testing.T, id string, ch domain.Channel, got []outsideAttempt, res *outsideResult) string {
	t.Helper()
	res.attempts += len(got)
	res.maxAttempts = max(res.maxAttempts, len(got))
	key := id
	for i, a := range got {
		switch {
		case a.n != i+1:
			t.Errorf("%s reply %s: attempt %d recorded as number %d; want them numbered in order (%+v)", ch, id, i+1, a.n, got)
		case a.gaveUp:
			t.Errorf("%s reply %s was given up at attempt %d", ch, id, a.n)
		case a.delivered && i != len(got)-1:
			t.Errorf("%s reply %s: attempt %d after the delivery at attempt %d", ch, id, got[len(got)-1].n, a.n)
		case a.delivered && ch == domain.ChannelEmail:
			key = strings.Trim(a.provider, "<>") // the relay counts by Message-ID
		case !a.delivered:
			res.failed++
		}
	}
	if len(got) == 0 || !got[len(got)-1].delivered {
		t.Errorf("%s reply %s has no delivery recorded (%d attempts)", ch, id, len(got))
	}
	return key
}

func countChannel(sent map[string]domain.Channel, ch domain.Channel) int {
	n := 0
	for _, c := range sent {
		if c == ch {
			n++
		}
	}
	return n
}

// checkSchedule checks that the retries of one reply waited as the
// schedule says: between two attempts of one run of the server at least
// the smallest jittered wait (half the interval, which doubles from
// --outbound-backoff up to --outbound-max-backoff). Only a lower bound:
// a loaded machine makes every wait longer, never shorter. A restart
// starts the schedule afresh.
func (d *outsideDrill) checkSchedule(t *testing.T, id string, ch domain.Channel, got []outsideAttempt) (checked int) {
	t.Helper()
	interval := outsideBackoff
	for i := 1; i < len(got); i++ {
		prev, next := got[i-1].at, got[i].at
		if d.restartedBetween(prev, next) {
			interval = outsideBackoff
			continue
		}
		checked++
		if gap := next.Sub(prev); gap < interval/2 {
			t.Errorf("%s reply %s: attempt %d came %s after attempt %d; the schedule waits at least %s", ch, id, got[i].n, gap, got[i-1].n, interval/2)
		}
		interval = min(2*interval, outsideMaxBackoff)
	}
	return checked
}

// restartedBetween reports whether a run of the server started between
// a and b.
func (d *outsideDrill) restartedBetween(a, b time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.starts {
		if s.After(a) && s.Before(b) {
			return true
		}
	}
	return false
}
