package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	appui "github.com/interactionledger/ledger/ui/app"
)

// The desktop's performance run is short in `make test` (it proves the
// measurement works and loses nothing) and long in `make bench-desktop`,
// which sets these and records the figures in BENCHMARKS.md.
const (
	perfSecondsEnv = "LEDGER_DESKTOP_PERF_SECONDS"    // how long the inbox probes run (default 5)
	perfSignInsEnv = "LEDGER_DESKTOP_PERF_SIGNINS"    // cold sign-ins measured (default 2)
	perfRateEnv    = "LEDGER_DESKTOP_PERF_RATE"       // background messages per second (default 50)
	perfGoalsEnv   = "LEDGER_DESKTOP_PERF_GOALS"      // set: fail when a goal is missed (bench only; never in unit tests)
	perfProfileEnv = "LEDGER_DESKTOP_PERF_CPUPROFILE" // a path: the server's CPU profile while the probes run
)

// The desktop's performance goals (issue: the agent desktop).
const (
	signInGoal        = time.Second
	inboxLatencyGoal  = 100 * time.Millisecond
	probesPerSecond   = 4
	perfAssignedPhone = "+8613900000000" // the customer whose messages are probed
)

// TestDesktopPerformanceInBrowser measures, in real Chromium against a
// real `ledger serve`, what an agent waits for:
//
//   - first sign-in to a usable inbox: a fresh browser (empty cache) opens
//     /signin; once the credentials are typed, the time from pressing
//     "Sign in" until the inbox lists the agent's three interactions and
//     the live connection is up, with performance.mark/measure; and the
//     page's own load until the form is ready (navigation timing);
//   - a new message in the inbox: while the app channel takes background
//     traffic (perfRateEnv messages/s, up to 25 of them on the agent's
//     other interactions, whose entries update too), the page itself posts a
//     probe message every 250 ms to the app channel and records, with
//     performance.now(), the channel's acknowledgement (the 200 with the
//     ledger position) and the first animation frame after the inbox
//     entry's message count changed. A probe the inbox never shows fails
//     the test.
//
// Figures are logged ("PERF ..." lines); the goals are checked only with
// perfGoalsEnv (make bench-desktop).
func TestDesktopPerformanceInBrowser(t *testing.T) {
	if !appui.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	seconds, signIns, rate := perfSetting(t, perfSecondsEnv, 5), perfSetting(t, perfSignInsEnv, 2), perfSetting(t, perfRateEnv, 50)
	srv, base := startDesktopServer(t)
	phones := assignThreeAppInteractions(t, srv, base)

	var signInTimes, loadTimes []time.Duration
	for i := range signIns {
		t.Run(fmt.Sprintf("sign-in %d", i+1), func(t *testing.T) {
			load, usable := measureColdSignIn(t, base)
			loadTimes, signInTimes = append(loadTimes, load), append(signInTimes, usable)
		})
	}
	if t.Failed() {
		return
	}
	t.Logf("PERF cold page load to sign-in form: %s", latencyPercentiles(slices.Clone(loadTimes)))
	t.Logf("PERF sign-in to usable inbox:         %s", latencyPercentiles(slices.Clone(signInTimes)))

	page := browsertest.Start(t)
	signInAgentEnglish(t, page, base)
	page.WaitJS("the inbox with three interactions", `document.querySelectorAll(".inbox li").length === 3 && !!document.querySelector(".conn.live")`, 30*time.Second)

	ctx, stop := context.WithCancel(t.Context())
	stopProfile, err := profileCPU(os.Getenv(perfProfileEnv)) // the server runs in this process
	if err != nil {
		t.Fatal(err)
	}
	load := startBackgroundTraffic(ctx, base, phones[1:], rate)
	probes := probeInbox(t, page, srv, phones[0], seconds)
	stop()
	stopProfile()
	sent, failed := load.wait()
	t.Logf("PERF background traffic: %d messages in %.1f s (%.1f/s), %d refused", sent, load.elapsed().Seconds(), float64(sent)/load.elapsed().Seconds(), failed)
	if failed > 0 {
		t.Errorf("%d background messages were refused (first: %s)", failed, load.firstError())
	}
	afterAck, afterSend, early := probes.latencies()
	t.Logf("PERF inbox after the channel's ack:    %s (%d shown before the ack arrived, counted as 0)", latencyPercentiles(slices.Clone(afterAck)), early)
	t.Logf("PERF inbox after the probe was posted:  %s", latencyPercentiles(slices.Clone(afterSend)))

	if os.Getenv(perfGoalsEnv) != "" {
		if m := median(signInTimes); m > signInGoal {
			t.Errorf("sign-in to a usable inbox: median %s, goal under %s", m, signInGoal)
		}
		if p := percentile(afterAck, 0.99); p > inboxLatencyGoal {
			t.Errorf("a new message in the inbox: p99 %s after the ack, goal at most %s", p, inboxLatencyGoal)
		}
	}
}

func perfSetting(t *testing.T, env string, def int) int {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive whole number", env, v)
	}
	return n
}

// assignThreeAppInteractions makes agent a-001 available and has three app
// customers write: the router gives the agent all three (app capacity 3).
// It returns their phones, the probed customer's first.
func assignThreeAppInteractions(t *testing.T, srv *server, base string) []string {
	t.Helper()
	if _, err := commands.NewHandler(srv.store).Agent(t.Context(), "a-001", domain.ChangePresence{Presence: domain.PresenceAvailable},
		commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	phones := []string{perfAssignedPhone, "+8613900000001", "+8613900000002"}
	for i, phone := range phones {
		if status, body := postTo(t, appKeyRequest(base, fmt.Sprintf("perf-open-%d", i), phone, "Hello, I need help with my order")); status != http.StatusOK {
			t.Fatalf("app message from %s: %d %s", phone, status, body)
		}
	}
	eventually(t, "three interactions assigned to a-001", func() bool {
		a, err := srv.readDB.Agent(t.Context(), "a-001")
		return err == nil && a.Load[domain.ChannelApp] == 3
	})
	return phones
}

// appKeyRequest is an app message posted by the company's backend (the
// server key may name any customer).
func appKeyRequest(base, id, phone, text string) *http.Request {
	body, _ := json.Marshal(map[string]any{
		"messageId": id, "identity": map[string]string{"kind": "PHONE", "value": phone},
		"text": text, "sentAt": time.Now().UTC().Format(time.RFC3339Nano),
	})
	req, _ := http.NewRequest(http.MethodPost, base+"/channels/app", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(app.KeyHeader, testAppServerKey)
	return req
}

// measureColdSignIn signs a-001 in from a fresh browser and returns the
// page's load until the form was ready, and the time from pressing
// "Sign in" to a usable inbox, both measured by the page.
func measureColdSignIn(t *testing.T, base string) (load, usable time.Duration) {
	page := browsertest.Start(t)
	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	formReady := browsertest.Eval[float64](page, `performance.now()`)
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-subject"), "a-001"),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
	)
	page.Do(chromedp.Evaluate[chromedp.Void](signInProbeJS))
	page.WaitJS("a usable inbox", `window.__usable > 0`, 30*time.Second)
	ms := browsertest.Eval[float64](page, `performance.getEntriesByName("sign-in to usable inbox")[0].duration`)
	return fromMs(formReady), fromMs(ms)
}

// signInProbeJS presses "Sign in" and marks the moment the inbox is usable:
// the agent's three interactions listed and the live connection up, at the
// first animation frame that shows them.
const signInProbeJS = `(() => {
  const usable = () => document.querySelectorAll(".inbox li").length === 3 && !!document.querySelector(".conn.live");
  const obs = new MutationObserver(() => {
    if (!usable()) return;
    obs.disconnect();
    requestAnimationFrame(() => {
      performance.mark("inbox usable");
      performance.measure("sign-in to usable inbox", "sign-in pressed", "inbox usable");
      window.__usable = performance.now();
    });
  });
  obs.observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
  performance.mark("sign-in pressed");
  document.querySelector('form button[type="submit"]').click();
})()`

// probeResults are the page's probes: when each was posted, acknowledged
// and shown, in performance.now() milliseconds.
type probeResults []struct {
	Sent  float64 `json:"sent"`
	Acked float64 `json:"acked"`
	Shown float64 `json:"shown"`
}

// latencies returns each probe's time from acknowledgement to the inbox
// (0 when the inbox showed it first) and from posting to the inbox, and
// how many the inbox showed before the acknowledgement arrived.
func (p probeResults) latencies() (afterAck, afterSend []time.Duration, early int) {
	for _, r := range p {
		d := r.Shown - r.Acked
		if d < 0 {
			early++
			d = 0
		}
		afterAck, afterSend = append(afterAck, fromMs(d)), append(afterSend, fromMs(r.Shown-r.Sent))
	}
	return afterAck, afterSend, early
}

// probeInbox has the page post a probe message for the customer every
// 1/probesPerSecond s for seconds, each after the last was shown, and
// returns the probes; it fails the test unless the inbox showed every one
// and the ledger holds them.
func probeInbox(t *testing.T, page *browsertest.Page, srv *server, phone string, seconds int) probeResults {
	t.Helper()
	id := browsertest.Eval[string](page, fmt.Sprintf(`(() => {
	  const e = [...document.querySelectorAll(".inbox [data-interaction]")].find(b => b.textContent.includes(%q));
	  return e ? e.dataset.interaction : "";
	})()`, phone))
	if id == "" {
		t.Fatalf("no inbox entry for %s", phone)
	}
	n := seconds * probesPerSecond
	page.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(inboxProbeJS, id, phone, testAppServerKey, n, 1000/probesPerSecond)))
	page.WaitJS("every probe shown in the inbox", `window.__probes && (window.__probes.done || window.__probes.error)`, time.Duration(seconds)*time.Second+60*time.Second)
	if msg := browsertest.Eval[string](page, `window.__probes.error || ""`); msg != "" {
		t.Fatalf("probing the inbox: %s", msg)
	}
	var res probeResults
	if err := json.Unmarshal([]byte(browsertest.Eval[string](page, `JSON.stringify(window.__probes.results)`)), &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != n {
		t.Fatalf("%d probes shown, want %d", len(res), n)
	}
	eventually(t, "every probe in the ledger", func() bool {
		msgs, err := srv.readDB.Messages(t.Context(), id)
		count := 0
		for _, m := range msgs {
			if strings.HasPrefix(m.Text, "probe ") {
				count++
			}
		}
		return err == nil && count == n
	})
	return res
}

// inboxProbeJS posts n probes for the interaction's customer through the
// app channel, one every interval ms (or as soon as the last was shown),
// and records for each when it was posted, acknowledged, and shown: the
// first animation frame after the entry's message count reached the
// probe's. Only probes write to this interaction, so the count names
// the probe. Arguments: interaction id, phone, server key, n, interval.
const inboxProbeJS = `(() => {
  const [id, phone, key, n, interval] = [%q, %q, %q, %d, %d];
  const state = window.__probes = { results: [], done: false, error: "" };
  const count = () => {
    const e = document.querySelector('[data-interaction="' + id + '"] .msgs');
    const m = e && e.textContent.match(/\d+/);
    return m ? Number(m[0]) : -1;
  };
  const shown = (want) => new Promise((resolve) => {
    if (count() >= want) { requestAnimationFrame(() => resolve(performance.now())); return; }
    const obs = new MutationObserver(() => {
      if (count() < want) return;
      obs.disconnect();
      requestAnimationFrame(() => resolve(performance.now()));
    });
    obs.observe(document.querySelector(".inbox"), { childList: true, subtree: true, characterData: true });
  });
  const probe = async (i) => {
    const want = count() + 1;
    const seen = shown(want);
    const sent = performance.now();
    const r = await fetch("/channels/app", { method: "POST", headers: { "Content-Type": "application/json", "X-Api-Key": key },
      body: JSON.stringify({ messageId: "probe-" + i, identity: { kind: "PHONE", value: phone }, text: "probe " + i, sentAt: new Date().toISOString() }) });
    const acked = performance.now();
    if (r.status !== 200) throw new Error("probe " + i + ": " + r.status + " " + await r.text());
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("probe " + i + " not shown within 10 s")), 10000));
    state.results.push({ sent, acked, shown: await Promise.race([seen, timeout]) });
  };
  (async () => {
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      await probe(i);
      const rest = interval - (performance.now() - start);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
    state.done = true;
  })().catch((e) => { state.error = String(e && e.message || e); });
})()`

// backgroundTraffic posts app messages at a steady rate until its context
// ends.
type backgroundTraffic struct {
	wg           sync.WaitGroup
	start, end   time.Time
	sent, failed atomic.Int64
	mu           sync.Mutex
	firstErr     string
	stopped      chan struct{}
}

// startBackgroundTraffic posts rate messages/s: up to 25 a second on the
// agent's other interactions (busy customers: their inbox entries update;
// half the traffic at the default rate), the rest from a thousand
// customers who wait in the queue. A real agent's few chats do not get
// hundreds of messages a second, whatever the centre's load.
func startBackgroundTraffic(ctx context.Context, base string, assigned []string, rate int) *backgroundTraffic {
	b := &backgroundTraffic{start: time.Now(), stopped: make(chan struct{})}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	slots := make(chan struct{}, 64) // at most this many posts in flight
	go func() {
		defer close(b.stopped)
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		everyNth := max(2, rate/25) // the agent's share: one message in everyNth
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			phone := fmt.Sprintf("+861391%06d", i%1000)
			if i%everyNth == 0 {
				phone = assigned[(i/everyNth)%len(assigned)]
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			b.wg.Add(1)
			go func() {
				defer func() { <-slots; b.wg.Done() }()
				b.post(client, appKeyRequest(base, fmt.Sprintf("bg-%d", i), phone, "background message "+strconv.Itoa(i)))
			}()
		}
	}()
	return b
}

func (b *backgroundTraffic) post(client *http.Client, req *http.Request) {
	resp, err := client.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if err == nil {
		b.sent.Add(1)
		return
	}
	b.failed.Add(1)
	b.mu.Lock()
	if b.firstErr == "" {
		b.firstErr = err.Error()
	}
	b.mu.Unlock()
}

// wait waits for the posts in flight and returns how many were accepted
// and refused.
func (b *backgroundTraffic) wait() (sent, failed int64) {
	<-b.stopped
	b.end = time.Now()
	b.wg.Wait()
	return b.sent.Load(), b.failed.Load()
}

func (b *backgroundTraffic) elapsed() time.Duration { return b.end.Sub(b.start) }

func (b *backgroundTraffic) firstError() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.firstErr
}

func fromMs(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

func median(d []time.Duration) time.Duration { return percentile(d, 0.5) }

// percentile returns the p-quantile of d (nearest rank); 0 for none.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}
