package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// outsideMode is how a stand-in outside service behaves.
type outsideMode int32

const (
	outsideHealthy outsideMode = iota
	outsideRefuse              // nothing listens on its port
	outsideHang                // takes the request and answers only after the sender gave up
	outsideError               // answers 500 (the relay: 451, its "try again later")
	outsideSlow                // answers well, after a few seconds (under the sender's timeout)
)

func (m outsideMode) String() string {
	return [...]string{"healthy", "refuse", "hang", "error", "slow"}[m]
}

// outsideService is a stand-in for one provider (the SMTP relay, the SMS
// API, the WeChat API, the app's push webhook), switchable between modes.
// It counts what it accepted by the key the sender gives every attempt of
// one reply (Idempotency-Key, or the email's Message-ID), as a provider
// that honours the key would, and the failures it answered.
type outsideService struct {
	name  string
	addr  string
	slow  time.Duration
	hang  time.Duration
	serve func(net.Listener)
	mode  atomic.Int32

	mu        sync.Mutex
	ln        net.Listener // nil while refusing
	delivered map[string]int
	unkeyed   int // accepted without a key: a repeat would go unnoticed
	failures  int // 500s and hangs answered
	inFlight  int // requests being answered now
}

func newOutsideService(t *testing.T, name string, slow, hang time.Duration) *outsideService {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &outsideService{name: name, addr: ln.Addr().String(), slow: slow, hang: hang, ln: ln, delivered: map[string]int{}}
}

// start serves with serve on its listener, until the test ends.
func (s *outsideService) start(t *testing.T, serve func(net.Listener)) {
	s.serve = serve
	go serve(s.ln)
	t.Cleanup(func() { s.set(t, outsideRefuse) })
}

// set switches the mode: refusing closes the listener, leaving it listens
// again on the same port.
func (s *outsideService) set(t *testing.T, m outsideMode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode.Store(int32(m))
	switch {
	case m == outsideRefuse && s.ln != nil:
		_ = s.ln.Close()
		s.ln = nil
	case m != outsideRefuse && s.ln == nil:
		var err error
		for range 50 {
			if s.ln, err = net.Listen("tcp", s.addr); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Errorf("%s: listen again on %s: %v", s.name, s.addr, err)
			return
		}
		go s.serve(s.ln)
	}
}

// answer decides one request's fate by the mode when it arrived: true
// when the reply is accepted (and counted under key).
func (s *outsideService) answer(ctx context.Context, key string) bool {
	mode := outsideMode(s.mode.Load())
	s.mu.Lock()
	s.inFlight++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	switch mode {
	case outsideHang:
		s.fail()
		sleepCtx(ctx, s.hang)
		return false
	case outsideError, outsideRefuse: // refuse: a request racing the switch
		s.fail()
		return false
	case outsideSlow:
		if !sleepCtx(ctx, s.slow) {
			return false // the sender gave up (or died): not accepted
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if key == "" {
		s.unkeyed++
	}
	s.delivered[key]++
	return true
}

func (s *outsideService) fail() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures++
}

// sleepCtx sleeps d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// outsideCounts is a snapshot of a service's counters.
type outsideCounts struct {
	delivered map[string]int
	unkeyed   int
	failures  int
	inFlight  int
}

func (s *outsideService) counts() outsideCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := make(map[string]int, len(s.delivered))
	for k, v := range s.delivered {
		d[k] = v
	}
	return outsideCounts{delivered: d, unkeyed: s.unkeyed, failures: s.failures, inFlight: s.inFlight}
}

// startOutsideHTTP starts a stand-in HTTP provider answering POSTs with
// body when it accepts them. Keep-alives are off, so a refusing service
// gets no request on an old connection.
func startOutsideHTTP(t *testing.T, name string, slow, hang time.Duration, body string) *outsideService {
	s := newOutsideService(t, name, slow, hang)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if !s.answer(r.Context(), r.Header.Get("Idempotency-Key")) {
			http.Error(w, `{"code":500,"message":"stand-in failure"}`, http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, body)
	})}
	srv.SetKeepAlivesEnabled(false)
	s.start(t, func(ln net.Listener) { _ = srv.Serve(ln) })
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// startOutsideRelay starts a stand-in SMTP relay counting messages by
// their Message-ID.
func startOutsideRelay(t *testing.T, slow, hang time.Duration) *outsideService {
	s := newOutsideService(t, "smtp-relay", slow, hang)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &outsideRelaySession{svc: s}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "relay.test", true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.start(t, func(ln net.Listener) { _ = srv.Serve(ln) })
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

type outsideRelaySession struct{ svc *outsideService }

func (*outsideRelaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (*outsideRelaySession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*outsideRelaySession) Reset()                               {}
func (*outsideRelaySession) Logout() error                        { return nil }

// Data accepts or fails the message; a relay's 4xx is "try again later"
// (its 5xx would be permanent, and the reply given up).
func (s *outsideRelaySession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, m.Body)
	// The session has no context: a hang lasts its full length.
	if !s.svc.answer(context.Background(), strings.Trim(m.Header.Get("Message-ID"), "<>")) {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "stand-in failure, try again later"}
	}
	return nil
}

// postGraphQL posts query with token and decodes nothing; an error is any
// failure, for clients that retry.
func postGraphQL(ctx context.Context, client *http.Client, base, token, query string) error {
	body := strings.NewReader(fmt.Sprintf(`{"query": %q}`, query))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || strings.Contains(string(raw), `"errors"`) {
		return errors.New(resp.Status + " " + tail(string(raw), 300))
	}
	return nil
}
