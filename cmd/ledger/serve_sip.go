package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/projections"
)

// sIPComponent wires the SIP phone channel (--sip) into `ledger serve`:
// the registrar for agents' softphones and the B2BUA that queues callers
// and puts them through to agents. It starts only when --sip is set.
type sIPComponent struct {
	addr         string
	advertise    string
	realm        string
	credentials  string
	numbers      string
	ringTimeout  time.Duration
	queueTimeout time.Duration

	srv *sip.Server // once started; tests read its address
}

func newSIPComponent() serveComponent { return &sIPComponent{} }

func (c *sIPComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "sip", envOr("LEDGER_SIP", ""), "SIP phone channel HOST:PORT, UDP and TCP; off when empty (env LEDGER_SIP)")
	fs.StringVar(&c.advertise, "sip-advertise", envOr("LEDGER_SIP_ADVERTISE", ""), "host phones reach the SIP channel at, written into Contact headers; default the --sip host, or the outbound address when that is a wildcard (env LEDGER_SIP_ADVERTISE)")
	fs.StringVar(&c.realm, "sip-realm", envOr("LEDGER_SIP_REALM", "ledger"), "digest realm agents' phones authenticate in (env LEDGER_SIP_REALM)")
	fs.StringVar(&c.credentials, "sip-credentials", envOr("LEDGER_SIP_CREDENTIALS", ""), "agents' SIP credentials file (htdigest: agent:realm:ha1); default DATA/"+sip.CredentialsFileName+", managed by `ledger sip-credentials` (env LEDGER_SIP_CREDENTIALS)")
	fs.StringVar(&c.numbers, "sip-numbers", envOr("LEDGER_SIP_NUMBERS", ""), "service numbers and their queues, NUMBER=QUEUE,...; empty: every dialled number goes to the default queue (env LEDGER_SIP_NUMBERS)")
	fs.DurationVar(&c.ringTimeout, "sip-ring-timeout", 20*time.Second, "how long an agent's phone rings before the call goes back to the queue")
	fs.DurationVar(&c.queueTimeout, "sip-queue-timeout", 5*time.Minute, "how long a caller waits for an agent before the call is let go")
}

func (c *sIPComponent) start(core *serveCore, o offers) error {
	if c.addr == "" {
		return nil
	}
	numbers, err := parseSIPNumbers(c.numbers)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	credentials := c.credentials
	if credentials == "" {
		credentials = filepath.Join(core.dataDir, sip.CredentialsFileName)
	}
	directory := sip.CachedDirectory(readModelDirectory{core.readDB}, time.Second)
	srv, err := sip.Listen(core.handler, sip.Config{
		Addr:         c.addr,
		Advertise:    c.advertise,
		Realm:        c.realm,
		Credentials:  sip.NewCredentialStore(credentials),
		Chooser:      sipAgentChooser(o, directory),
		Directory:    directory,
		Numbers:      numbers,
		RingTimeout:  c.ringTimeout,
		QueueTimeout: c.queueTimeout,
		Limits:       core.limits.guard(sipRate),
		Logger:       slog.Default(),
	})
	if err != nil {
		return err
	}
	c.srv = srv
	core.goRun(func() {
		if err := srv.Serve(core.ctx); err != nil {
			slog.Error("sip channel stopped", "err", err)
		}
	})
	return nil
}

// sipAgentChooser returns who decides which agent takes a waiting call
// (see sip.AgentChooser for the contract): the router (serve_routing.go)
// when it runs, else the longest-idle registered agent who is AVAILABLE
// with voice capacity.
var sipAgentChooser = func(o offers, directory sip.Directory) sip.AgentChooser {
	if o.router != nil {
		return routerChooser{router: o.router}
	}
	return sip.FirstAvailable{Directory: directory}
}

// parseSIPNumbers reads --sip-numbers: "4008001234=billing,4008005678=tech".
func parseSIPNumbers(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		number, queue, ok := strings.Cut(item, "=")
		number, queue = strings.TrimSpace(number), strings.TrimSpace(queue)
		if !ok || number == "" || queue == "" {
			return nil, fmt.Errorf("--sip-numbers: %q is not NUMBER=QUEUE", item)
		}
		if _, dup := out[number]; dup {
			return nil, fmt.Errorf("--sip-numbers: number %s appears twice", number)
		}
		out[number] = queue
	}
	return out, nil
}

// readModelDirectory answers agents' presence and voice capacity from the
// agents projection.
type readModelDirectory struct{ db *projections.ReadDB }

func (d readModelDirectory) AgentStatuses(ctx context.Context) (map[string]sip.AgentStatus, error) {
	agents, err := d.db.Agents(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]sip.AgentStatus, len(agents))
	for _, a := range agents {
		out[a.ID] = sip.AgentStatus{Presence: a.Presence, PhoneCapacity: a.Capacity[domain.ChannelPhone]}
	}
	return out, nil
}
