package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// TestServeRoutesByRules runs `ledger serve` with a routing file: a written
// interaction waiting in a queue that needs a skill goes to the agent who
// has it, goes back to the queue when that agent goes offline, and a call
// waiting in the same queue is given, through the phone channel's
// AgentChooser seam, to the skilled agent with the voice capacity held.
func TestServeRoutesByRules(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "routing.yaml")
	if err := os.WriteFile(file, []byte("interval: 50ms\nqueues:\n  general:\n    skills: {billing: 5}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	routing := &routingComponent{enabled: true, file: file}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"}, routing)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	ctx := t.Context()
	h := commands.NewHandler(srv.store)
	meta := commands.Meta{Actor: "system:test"}
	for id, level := range map[string]int{"novice": 2, "expert": 8, "caller-expert": 9} {
		if _, err := h.Agent(ctx, id, domain.RegisterAgent{AgentID: id, Name: id, Skills: map[string]int{"billing": level}}, meta); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"novice", "expert"} {
		if _, err := h.Agent(ctx, id, domain.ChangePresence{Presence: domain.PresenceAvailable}, meta); err != nil {
			t.Fatal(err)
		}
	}
	in, err := h.ReceiveInbound(ctx, commands.InboundMessage{
		Channel: domain.ChannelApp, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000042"},
		ProviderMessageID: "app-1", Text: "my bill is wrong",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	waitInteraction(t, h, in.InteractionID, "assigned to the expert", func(it domain.Interaction) bool { return it.AgentID == "expert" })

	if _, err := h.Agent(ctx, "expert", domain.ChangePresence{Presence: domain.PresenceOffline}, meta); err != nil {
		t.Fatal(err)
	}
	waitInteraction(t, h, in.InteractionID, "back in its queue", func(it domain.Interaction) bool {
		return it.Status == domain.InteractionStatusQueued && it.AgentID == "" && it.Queue == "general"
	})

	// A call in the same queue: the router, as the phone channel's
	// chooser, passes over the novice.
	if _, err := h.Agent(ctx, "caller-expert", domain.ChangePresence{Presence: domain.PresenceAvailable}, meta); err != nil {
		t.Fatal(err)
	}
	callIn, err := h.ReceiveInbound(ctx, commands.InboundMessage{
		Channel: domain.ChannelPhone, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000043"},
		ProviderMessageID: "call-1", ConversationKey: "call-1",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	chooser := sipAgentChooser(offers{router: routing.router}, nil)
	call := sip.WaitingCall{CallID: "call-1", InteractionID: callIn.InteractionID, CustomerID: callIn.CustomerID, Queue: "general", WaitingSince: time.Now()}
	candidates := []sip.Candidate{{AgentID: "novice", IdleSince: time.Now().Add(-time.Hour)}, {AgentID: "caller-expert", IdleSince: time.Now()}}
	deadline := time.Now().Add(30 * time.Second)
	var got string
	for got == "" && time.Now().Before(deadline) {
		if got, err = chooser.Choose(ctx, call, candidates); err != nil {
			t.Fatal(err)
		}
		if got == "" {
			time.Sleep(50 * time.Millisecond) // the agents read model catches up
		}
	}
	if got != "caller-expert" {
		t.Fatalf("the phone channel's chooser picked %q, want caller-expert", got)
	}
	// The voice hold is written just after the choice, off the phone
	// channel's dispatching goroutine.
	for {
		a, err := h.LoadAgent(ctx, "caller-expert")
		if err != nil {
			t.Fatal(err)
		}
		if _, held := a.Work[callIn.InteractionID]; held && a.Load(domain.ChannelPhone) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("caller-expert holds %v, want the call's voice capacity", a.Work)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitInteraction(t *testing.T, h *commands.Handler, id, what string, ok func(domain.Interaction) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		it, err := h.LoadInteraction(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(it) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("interaction %s never %s: %+v", id, what, it)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRoutingWrapUpFlag: --wrap-up-timeout (env LEDGER_WRAP_UP_TIMEOUT)
// overrides the routing file's wrapUpTimeout, which overrides the 60 s
// default; a bad value stops serve with exit code 2.
func TestRoutingWrapUpFlag(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "routing.yaml")
	if err := os.WriteFile(file, []byte("wrapUpTimeout: 90s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	core := &serveCore{handler: commands.NewHandler(nil)}
	timeout := func(env string, args ...string) (time.Duration, error) {
		t.Helper()
		t.Setenv("LEDGER_WRAP_UP_TIMEOUT", env)
		c := newRoutingComponent().(*routingComponent)
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		c.addFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		_, err := c.provide(core)
		return c.cfg.WrapUpTimeout, err
	}
	for _, tc := range []struct {
		env  string
		args []string
		want time.Duration
	}{
		{"", nil, 60 * time.Second},
		{"", []string{"--routing", file}, 90 * time.Second},
		{"5s", []string{"--routing", file}, 5 * time.Second},
		{"5s", []string{"--routing", file, "--wrap-up-timeout", "0"}, 0},
		{"", []string{"--wrap-up-timeout", "1s"}, time.Second},
	} {
		if got, err := timeout(tc.env, tc.args...); err != nil || got != tc.want {
			t.Errorf("env %q, args %q: wrap-up timeout %s, %v; want %s", tc.env, tc.args, got, err, tc.want)
		}
	}
	for _, bad := range []string{"-1s", "soon"} {
		var exit *exitError
		if _, err := timeout("", "--wrap-up-timeout", bad); !errors.As(err, &exit) || exit.code != 2 {
			t.Errorf("--wrap-up-timeout %s: %v, want exit code 2", bad, err)
		}
	}
}
