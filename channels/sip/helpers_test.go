package sip

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// testLedger is a fresh ledger with its command handler.
type testLedger struct {
	dir   string
	store *sqlite.Store
	h     *commands.Handler
}

func newTestLedger(t testing.TB) *testLedger {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "events.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return &testLedger{dir: dir, store: store, h: commands.NewHandler(store, commands.WithLogger(quietLogger()))}
}

func quietLogger() *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("LEDGER_SIP_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// agent registers an agent in the ledger (AVAILABLE unless told otherwise)
// and gives it a SIP password.
func (l *testLedger) agent(t testing.TB, creds *[]Credential, id, password string, presence domain.Presence) {
	t.Helper()
	ctx := context.Background()
	if _, err := l.h.Agent(ctx, id, domain.RegisterAgent{AgentID: id, Name: "Agent " + id}, commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatalf("register agent %s: %v", id, err)
	}
	if presence != domain.PresenceOffline {
		if _, err := l.h.Agent(ctx, id, domain.ChangePresence{Presence: presence}, commands.Meta{Actor: "system:test"}); err != nil {
			t.Fatalf("presence of %s: %v", id, err)
		}
	}
	*creds = append(*creds, Credential{AgentID: id, Realm: "ledger", HA1: HA1(id, "ledger", password)})
}

// storeDirectory reads presence and capacity straight from the agents'
// streams: the same facts the agents projection serves in production,
// without running projections in these tests.
func (l *testLedger) storeDirectory(ids ...string) Directory {
	return DirectoryFunc(func(ctx context.Context) (map[string]AgentStatus, error) {
		out := map[string]AgentStatus{}
		for _, id := range ids {
			a, err := l.h.LoadAgent(ctx, id)
			if err != nil {
				return nil, err
			}
			out[id] = AgentStatus{Presence: a.Presence, PhoneCapacity: a.Capacity[domain.ChannelPhone]}
		}
		return out, nil
	})
}

// startServer runs the phone channel on a free loopback port until the
// test ends.
func startServer(t testing.TB, l *testLedger, creds []Credential, dir Directory, tweak func(*Config)) *Server {
	t.Helper()
	path := filepath.Join(l.dir, CredentialsFileName)
	if err := WriteCredentialsFile(path, creds); err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Addr: "127.0.0.1:0", Credentials: NewCredentialStore(path), Directory: dir,
		RingTimeout: 10 * time.Second, Logger: quietLogger(),
		// The callers (sipp, sipgo) play the carrier's trunk, on loopback.
		Trunks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := Listen(l.h, cfg)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

// port returns the server's port.
func (s *Server) testPort() string {
	_, port, _ := net.SplitHostPort(s.Addr())
	return port
}

// waitIdle waits until every call ended and its events are written. It
// waits on the server's own state, with a generous bound so a stuck call
// fails the test instead of hanging it.
func waitIdle(t testing.TB, s *Server) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for s.ActiveCalls() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls still active", s.ActiveCalls())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// requireSipp returns sipp's path. Under CI the test command installs it
// (scripts/test-deps.sh), so its absence fails the test there.
func requireSipp(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sipp not found; `make test` installs it (Debian package sip-tester)")
		}
		t.Skip("sipp not installed (Debian package sip-tester; run make test-deps)")
	}
	return path
}

// sipp is one sipp process of a test.
type sipp struct {
	name string
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan error
}

// startSipp starts sipp with a scenario from testdata and arguments; it
// runs in the test's temporary directory so its logs stay there.
func startSipp(t testing.TB, name, scenario string, args ...string) *sipp {
	t.Helper()
	bin := requireSipp(t)
	abs, err := filepath.Abs(filepath.Join("testdata", scenario))
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"-sf", abs, "-nostdin", "-trace_err", "-trace_screen", "-i", "127.0.0.1", "-mi", "127.0.0.1"}, args...)
	if !slices.Contains(args, "-p") {
		all = append(all, "-p", strconv.Itoa(freePort(t)))
	}
	p := &sipp{name: name, cmd: exec.Command(bin, all...), done: make(chan error, 1)}
	p.cmd.Dir = t.TempDir()
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start sipp %s: %v", name, err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for sipp to exit and fails the test unless every call of its
// scenario succeeded (exit status 0), showing its logs.
func (p *sipp) wait(t testing.TB) {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("sipp %s failed: %v\n%s", p.name, err, p.logs())
		}
	case <-time.After(90 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatalf("sipp %s did not finish\n%s", p.name, p.logs())
	}
}

// logs returns sipp's output and its error and screen logs.
func (p *sipp) logs() string {
	var b strings.Builder
	b.WriteString(tail(p.out.String(), 3000))
	files, _ := filepath.Glob(filepath.Join(p.cmd.Dir, "*.log"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		fmt.Fprintf(&b, "\n--- %s\n%s", filepath.Base(f), tail(string(data), 4000))
	}
	return b.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// freePort returns a loopback port free on both UDP and TCP, for a sipp
// phone of either transport.
func freePort(t testing.TB) int {
	t.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		u.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no port free on both UDP and TCP")
	return 0
}

// agentsCSV writes a sipp injection file of agent;password lines.
func agentsCSV(t testing.TB, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agents.csv")
	data := "SEQUENTIAL\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// registerPhone registers agent's phone (listening on port) with sipp
// over UDP and fails the test unless the ledger accepted it.
func registerPhone(t testing.TB, s *Server, agent, password string, port int) {
	t.Helper()
	registerPhoneOver(t, s, "u1", agent, password, port)
}

// registerPhoneOver is registerPhone over the sipp transport mode (u1
// UDP, t1 TCP); the phone then takes calls on that transport.
func registerPhoneOver(t testing.TB, s *Server, mode, agent, password string, port int) {
	t.Helper()
	p := startSipp(t, "register "+agent, "agent_register.xml", "127.0.0.1:"+s.testPort(), "-t", mode,
		"-inf", agentsCSV(t, agent+";"+password), "-key", "contact_port", strconv.Itoa(port),
		"-m", "1", "-timeout", "20s", "-timeout_error")
	p.wait(t)
	if !s.registrar.registered(agent) {
		t.Fatalf("agent %s not registered after a successful REGISTER", agent)
	}
}

// streamEvents returns the decoded events of a stream with their metadata.
type recorded struct {
	Type  string
	Event domain.Event
	Meta  eventstore.Metadata
}

func (l *testLedger) streamEvents(t testing.TB, stream string) []recorded {
	t.Helper()
	evs, err := l.store.ReadStream(context.Background(), stream, 0, 1000)
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	out := make([]recorded, 0, len(evs))
	for _, e := range evs {
		d, err := domain.DecodeEvent(e.Type, e.Schema, e.Data)
		if err != nil {
			t.Fatalf("decode %s: %v", e.Type, err)
		}
		var md eventstore.Metadata
		if err := json.Unmarshal(e.Metadata, &md); err != nil {
			t.Fatalf("metadata of %s: %v", e.Type, err)
		}
		out = append(out, recorded{Type: e.Type, Event: d, Meta: md})
	}
	return out
}

// allEvents returns every event in the ledger, in order.
func (l *testLedger) allEvents(t testing.TB) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	var after uint64
	for {
		page, err := l.store.ReadAll(context.Background(), after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out
		}
		after = page[len(page)-1].Position
	}
}

// types lists the event types of events.
func types(evs []recorded) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}
