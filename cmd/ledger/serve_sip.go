package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
	"github.com/interactionledger/ledger/projections"
)

// sIPComponent wires the SIP phone channel (--sip) into `ledger serve`:
// the registrar for agents' softphones and the B2BUA that queues callers
// and puts them through to agents. It starts only when --sip is set.
type sIPComponent struct {
	addr         string
	tlsAddr      string
	tlsCert      string
	tlsKey       string
	advertise    string
	realm        string
	credentials  string
	numbers      string
	trunks       string
	ringTimeout  time.Duration
	queueTimeout time.Duration

	srv *sip.Server // once started; tests read its address
}

func newSIPComponent() serveComponent { return &sIPComponent{} }

func (c *sIPComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "sip", envOr("LEDGER_SIP", ""), "SIP phone channel HOST:PORT, UDP and TCP; off when empty (env LEDGER_SIP)")
	fs.StringVar(&c.tlsAddr, "sip-tls", envOr("LEDGER_SIP_TLS", ""), "SIP over TLS HOST:PORT (e.g. :5061) beside --sip's UDP and TCP; needs --sip-tls-cert and --sip-tls-key (env LEDGER_SIP_TLS)")
	fs.StringVar(&c.tlsCert, "sip-tls-cert", envOr("LEDGER_SIP_TLS_CERT", ""), "PEM certificate (chain) file of the SIP TLS listener; re-read when it changes (env LEDGER_SIP_TLS_CERT)")
	fs.StringVar(&c.tlsKey, "sip-tls-key", envOr("LEDGER_SIP_TLS_KEY", ""), "PEM private key file of the SIP TLS listener (env LEDGER_SIP_TLS_KEY)")
	fs.StringVar(&c.advertise, "sip-advertise", envOr("LEDGER_SIP_ADVERTISE", ""), "host phones reach the SIP channel at, written into Contact headers; default the --sip host, or the outbound address when that is a wildcard (env LEDGER_SIP_ADVERTISE)")
	fs.StringVar(&c.realm, "sip-realm", envOr("LEDGER_SIP_REALM", "ledger"), "digest realm agents' phones authenticate in (env LEDGER_SIP_REALM)")
	fs.StringVar(&c.credentials, "sip-credentials", envOr("LEDGER_SIP_CREDENTIALS", ""), "agents' SIP credentials file (htdigest: agent:realm:ha1); default DATA/"+sip.CredentialsFileName+", managed by `ledger sip-credentials` (env LEDGER_SIP_CREDENTIALS)")
	fs.StringVar(&c.numbers, "sip-numbers", envOr("LEDGER_SIP_NUMBERS", ""), "service numbers and their queues, NUMBER=QUEUE,...; empty: every dialled number goes to the default queue (env LEDGER_SIP_NUMBERS)")
	fs.StringVar(&c.trunks, "sip-trunks", envOr("LEDGER_SIP_TRUNKS", ""), "comma-separated addresses and CIDR prefixes of the carriers' trunks and the PBX: INVITEs are taken from them, and their P-Asserted-Identity counts; from anywhere else a call must authenticate as an agent's device and its number is recorded as only claimed (env LEDGER_SIP_TRUNKS)")
	fs.DurationVar(&c.ringTimeout, "sip-ring-timeout", 20*time.Second, "how long an agent's phone rings before the call goes back to the queue")
	fs.DurationVar(&c.queueTimeout, "sip-queue-timeout", 5*time.Minute, "how long a caller waits for an agent before the call is let go")
}

func (c *sIPComponent) start(core *serveCore, o offers) error {
	if c.addr == "" {
		if c.tlsAddr != "" || c.tlsCert != "" || c.tlsKey != "" {
			return &exitError{code: 2, err: errors.New("--sip-tls, --sip-tls-cert and --sip-tls-key need --sip")}
		}
		return nil
	}
	trunks, err := limit.ParsePrefixes(c.trunks)
	if err != nil {
		return fmt.Errorf("--sip-trunks: %w", err)
	}
	if len(trunks) == 0 {
		slog.Warn("sip: no --sip-trunks: only agents' authenticated devices may place calls; name your carrier's trunk or PBX")
	}
	numbers, err := parseSIPNumbers(c.numbers)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	tlsConfig, err := c.tlsConfig()
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
		TLSAddr:      c.tlsAddr,
		TLSConfig:    tlsConfig,
		Advertise:    c.advertise,
		Realm:        c.realm,
		Credentials:  sip.NewCredentialStore(credentials),
		Chooser:      sipAgentChooser(o, directory),
		Directory:    directory,
		Numbers:      numbers,
		Trunks:       trunks,
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

// tlsConfig reads --sip-tls-cert and --sip-tls-key; nil without --sip-tls.
func (c *sIPComponent) tlsConfig() (*tls.Config, error) {
	if c.tlsAddr == "" {
		if c.tlsCert != "" || c.tlsKey != "" {
			return nil, errors.New("--sip-tls-cert and --sip-tls-key need --sip-tls HOST:PORT")
		}
		return nil, nil
	}
	if c.tlsCert == "" || c.tlsKey == "" {
		return nil, errors.New("--sip-tls needs --sip-tls-cert and --sip-tls-key (PEM files)")
	}
	certs, err := newCertReloader(c.tlsCert, c.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("--sip-tls: %w", err)
	}
	return &tls.Config{GetCertificate: certs.get, MinVersion: tls.VersionTLS12}, nil
}

// certReloader serves a certificate and key from files and loads them
// again when either file changes, so a renewed certificate takes effect at
// the next TLS handshake without a restart. A pair that no longer loads
// (half written, mismatched) keeps the last good one, logged.
type certReloader struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   [2]time.Time
	checked time.Time
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *certReloader) load() error {
	stamp, err := modTimes(r.certFile, r.keyFile)
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("load certificate %s and key %s: %w", r.certFile, r.keyFile, err)
	}
	r.cert, r.stamp = &cert, stamp
	return nil
}

func modTimes(files ...string) ([2]time.Time, error) {
	var out [2]time.Time
	for i, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return out, err
		}
		out[i] = fi.ModTime()
	}
	return out, nil
}

// get is tls.Config.GetCertificate; it looks at the files at most once a
// second.
func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.checked) >= time.Second {
		r.checked = now
		if stamp, err := modTimes(r.certFile, r.keyFile); err == nil && stamp != r.stamp {
			if err := r.load(); err != nil {
				slog.Error("sip: TLS certificate changed but does not load; keeping the previous one", "err", err)
			}
		}
	}
	return r.cert, nil
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
