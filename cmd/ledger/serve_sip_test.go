package main

import (
	"bytes"
	"context"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// sippRun is one sipp process of a test, on a scenario of channels/sip.
type sippRun struct {
	name string
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan error
}

func startSippRun(t *testing.T, name, scenario string, args ...string) *sippRun {
	t.Helper()
	bin := requireTool(t, "sipp")
	abs, err := filepath.Abs(filepath.Join("..", "..", "channels", "sip", "testdata", scenario))
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"-sf", abs, "-nostdin", "-trace_err", "-i", "127.0.0.1", "-mi", "127.0.0.1", "-timeout", "60s", "-timeout_error"}, args...)
	if !slices.Contains(args, "-p") {
		all = append(all, "-p", strconv.Itoa(freeUDPPort(t)))
	}
	r := &sippRun{name: name, cmd: exec.Command(bin, all...), done: make(chan error, 1)}
	r.cmd.Dir = t.TempDir()
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("sipp %s: %v", name, err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// wait fails the test unless every call of the scenario succeeded.
func (r *sippRun) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-r.done:
		if err != nil {
			logs, _ := filepath.Glob(filepath.Join(r.cmd.Dir, "*errors.log"))
			var errs []byte
			for _, f := range logs {
				b, _ := os.ReadFile(f)
				errs = append(errs, b...)
			}
			t.Fatalf("sipp %s: %v\n%s\n%s", r.name, err, r.out.String(), errs)
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("sipp %s did not finish", r.name)
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestCrossChannelCustomerCalls: the same phone number writes by app,
// sends an SMS, then calls the service number (sipp caller, answered by a
// sipp agent phone registered with digest auth against `ledger serve
// --sip`): one customer, one timeline with APP, SMS and PHONE in order.
func TestCrossChannelCustomerCalls(t *testing.T) {
	requireTool(t, "sipp")
	dir := t.TempDir()
	cred := sip.Credential{AgentID: "agent-007", Realm: "ledger", HA1: sip.HA1("agent-007", "ledger", "pw-007-secret")}
	if err := sip.WriteCredentialsFile(filepath.Join(dir, sip.CredentialsFileName), []sip.Credential{cred}); err != nil {
		t.Fatal(err)
	}
	p := newProviders(t, testAppPushSecret)
	phone := &sIPComponent{addr: "127.0.0.1:0", trunks: "127.0.0.0/8", realm: "ledger", ringTimeout: 10 * time.Second, queueTimeout: time.Minute}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"}, channelsComponent(p), phone)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	base := "http://" + srv.addr
	waitFor(t, "http://"+srv.adminAddr+"/readyz", 200)

	h := commands.NewHandler(srv.store)
	meta := commands.Meta{Actor: "system:test"}
	if _, err := h.Agent(t.Context(), "agent-007", domain.RegisterAgent{AgentID: "agent-007", Name: "Wang Fang"}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Agent(t.Context(), "agent-007", domain.ChangePresence{Presence: domain.PresenceAvailable}, meta); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the agent is available on the read side", func() bool {
		a, err := srv.readDB.Agent(t.Context(), "agent-007")
		return err == nil && a.Presence == domain.PresenceAvailable
	})

	first := appMessage(t, base, "app-x1", "138 0013 8000", "my parcel is late")
	smsMessage(t, base, "SMx1", "+86 138-0013-8000", "still waiting")

	sipAddr := phone.srv.Addr()
	phonePort := freeUDPPort(t)
	answer := startSippRun(t, "agent phone", "agent_answer.xml", "-p", strconv.Itoa(phonePort), "-m", "1")
	register := startSippRun(t, "register", "agent_register.xml", sipAddr, "-inf", writeAgentsCSV(t, "agent-007;pw-007-secret"),
		"-key", "contact_port", strconv.Itoa(phonePort), "-m", "1")
	register.wait(t)
	caller := startSippRun(t, "caller", "caller_answered.xml", sipAddr, "-s", "4008001234", "-key", "caller", "13800138000", "-m", "1")
	caller.wait(t)
	answer.wait(t)

	eventually(t, "the call's end is recorded", func() bool { return countEvents(t, srv, "CallEnded") == 1 })
	eventually(t, "projections caught up", func() bool {
		head, _ := srv.store.HeadPosition(t.Context())
		return srv.runner.Position() >= head
	})
	page, err := srv.readDB.Timeline(t.Context(), first.CustomerID, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	var channels []domain.Channel
	for _, e := range slices.Backward(page.Entries) { // newest first
		if e.Channel != "" && (len(channels) == 0 || channels[len(channels)-1] != e.Channel) {
			channels = append(channels, e.Channel)
		}
	}
	if want := []domain.Channel{domain.ChannelApp, domain.ChannelSMS, domain.ChannelPhone}; !reflect.DeepEqual(channels, want) {
		t.Fatalf("timeline channels %v, want %v; entries %+v", channels, want, page.Entries)
	}
	if n := countEvents(t, srv, "CustomerRegistered"); n != 1 {
		t.Fatalf("%d customers registered, want 1", n)
	}
}

func writeAgentsCSV(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agents.csv")
	if err := os.WriteFile(path, []byte("SEQUENTIAL\n"+strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSIPFlags(t *testing.T) {
	t.Setenv("LEDGER_SIP", "127.0.0.1:5070")
	t.Setenv("LEDGER_SIP_NUMBERS", "4008001234=billing")
	c := &sIPComponent{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.addFlags(fs)
	if err := fs.Parse([]string{"--sip-realm", "cc.example"}); err != nil {
		t.Fatal(err)
	}
	if c.addr != "127.0.0.1:5070" || c.numbers != "4008001234=billing" || c.realm != "cc.example" {
		t.Fatalf("flags %+v", c)
	}
	// Without --sip nothing listens.
	off := &sIPComponent{}
	if err := off.start(&serveCore{}, offers{}); err != nil || off.srv != nil {
		t.Fatalf("start without --sip: %v, server %v", err, off.srv)
	}
}

func TestParseSIPNumbers(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]string
		bad  bool
	}{
		{in: "", want: map[string]string{}},
		{in: "4008001234=billing, 4008005678 = tech ,", want: map[string]string{"4008001234": "billing", "4008005678": "tech"}},
		{in: "4008001234", bad: true},
		{in: "=billing", bad: true},
		{in: "1=a,1=b", bad: true},
	}
	for _, tc := range cases {
		got, err := parseSIPNumbers(tc.in)
		if tc.bad != (err != nil) || !tc.bad && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseSIPNumbers(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestSIPCredentialsCommand(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := ledger(t, "sip-credentials", "set", "--data", dir, "--agent", "agent-001", "--password-file", pwFile)
	if err != nil || !strings.Contains(out, "stored") || strings.Contains(out, "password:") {
		t.Fatalf("set: %v\n%s", err, out)
	}
	out, err = ledger(t, "sip-credentials", "set", "--data", dir, "--agent", "agent-002")
	if err != nil || !strings.Contains(out, "password: ") {
		t.Fatalf("set with a generated password: %v\n%s", err, out)
	}
	generated := strings.TrimSpace(out[strings.Index(out, "password: ")+len("password: "):])

	store := sip.NewCredentialStore(filepath.Join(dir, sip.CredentialsFileName))
	for agent, password := range map[string]string{"agent-001": "correct horse battery", "agent-002": generated} {
		if ha1, ok, err := store.Lookup(agent, "ledger"); !ok || err != nil || ha1 != sip.HA1(agent, "ledger", password) {
			t.Fatalf("%s: stored %q (%v %v), want the HA1 of its password", agent, ha1, ok, err)
		}
	}
	data, err := os.ReadFile(store.Path())
	if err != nil || strings.Contains(string(data), "correct horse") {
		t.Fatalf("the file holds a password in clear: %v", err)
	}

	out, err = ledger(t, "sip-credentials", "list", "--data", dir)
	if err != nil || out != "agent-001\tledger\nagent-002\tledger\n" {
		t.Fatalf("list: %v\n%q", err, out)
	}
	if _, err := ledger(t, "sip-credentials", "remove", "--data", dir, "--agent", "agent-001"); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger(t, "sip-credentials", "remove", "--data", dir, "--agent", "agent-001"); err == nil {
		t.Fatal("removing a missing credential succeeded")
	}
	if out, _ := ledger(t, "sip-credentials", "list", "--data", dir); out != "agent-002\tledger\n" {
		t.Fatalf("list after remove: %q", out)
	}
	for _, args := range [][]string{
		{"sip-credentials", "set", "--data", dir, "--agent", "bad agent"},
		{"sip-credentials", "set", "--data", dir, "--agent", "a", "--realm", "bad:realm"},
		{"sip-credentials"},
	} {
		if _, err := ledger(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: exit %d (%v), want 2", args, exitCode(err), err)
		}
	}
	short := filepath.Join(t.TempDir(), "short")
	_ = os.WriteFile(short, []byte("abc\n"), 0o600)
	if _, err := ledger(t, "sip-credentials", "set", "--data", dir, "--agent", "a", "--password-file", short); exitCode(err) != 2 {
		t.Errorf("a 3-character password: exit %d (%v), want 2", exitCode(err), err)
	}
}

// recordingChooser is a stand-in router: it notes the calls it is asked
// about and leaves them waiting.
type recordingChooser struct{ asked chan sip.WaitingCall }

func (r recordingChooser) Choose(_ context.Context, call sip.WaitingCall, _ []sip.Candidate) (string, error) {
	select {
	case r.asked <- call:
	default:
	}
	return "", nil
}

// TestSIPChooserSeam: the chooser sipAgentChooser returns is the one
// `ledger serve --sip` asks about waiting calls, the seam the router
// replaces.
func TestSIPChooserSeam(t *testing.T) {
	requireTool(t, "sipp")
	stub := recordingChooser{asked: make(chan sip.WaitingCall, 1)}
	saved := sipAgentChooser
	sipAgentChooser = func(offers, sip.Directory) sip.AgentChooser { return stub }
	defer func() { sipAgentChooser = saved }()

	dir := t.TempDir()
	cred := sip.Credential{AgentID: "agent-001", Realm: "ledger", HA1: sip.HA1("agent-001", "ledger", "pw-001-secret")}
	if err := sip.WriteCredentialsFile(filepath.Join(dir, sip.CredentialsFileName), []sip.Credential{cred}); err != nil {
		t.Fatal(err)
	}
	phone := &sIPComponent{addr: "127.0.0.1:0", trunks: "127.0.0.0/8", realm: "ledger", ringTimeout: 10 * time.Second, queueTimeout: time.Minute}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"}, phone)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	// The chooser is asked only while some agent's phone is registered.
	h := commands.NewHandler(srv.store)
	if _, err := h.Agent(t.Context(), "agent-001", domain.RegisterAgent{AgentID: "agent-001", Name: "Li Na"}, commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	register := startSippRun(t, "register", "agent_register.xml", phone.srv.Addr(), "-inf", writeAgentsCSV(t, "agent-001;pw-001-secret"),
		"-key", "contact_port", strconv.Itoa(freeUDPPort(t)), "-m", "1")
	register.wait(t)

	to, err := net.ResolveUDPAddr("udp", phone.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := strconv.Itoa(conn.LocalAddr().(*net.UDPAddr).Port)
	invite := strings.Join([]string{
		"INVITE sip:4008001234@127.0.0.1 SIP/2.0",
		"Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-seam1",
		"Max-Forwards: 70",
		`From: "Li" <sip:+8613800138000@127.0.0.1>;tag=seam1`,
		"To: <sip:4008001234@127.0.0.1>",
		"Call-ID: seam-1@test",
		"CSeq: 1 INVITE",
		"Contact: <sip:caller@127.0.0.1:" + port + ">",
		"Content-Length: 0",
		"", "",
	}, "\r\n")
	if _, err := conn.WriteToUDP([]byte(invite), to); err != nil {
		t.Fatal(err)
	}
	select {
	case call := <-stub.asked:
		if call.CallID != "seam-1@test" || call.InteractionID == "" || call.CustomerID == "" {
			t.Fatalf("the chooser was asked about %+v", call)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the chooser plugged in through sipAgentChooser was never asked")
	}
}
