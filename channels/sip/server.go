package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	siplib "github.com/emiago/sipgo/sip"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/internal/limit"
	"github.com/interactionledger/ledger/internal/pii"
)

// Config configures the phone channel.
type Config struct {
	// Addr is the HOST:PORT the channel listens on, UDP and TCP (port 0:
	// any free port, the same for both).
	Addr string
	// TLSAddr, when set, is the HOST:PORT of a SIP-over-TLS listener
	// (RFC 3261 section 26.3.1) beside the plain UDP and TCP ones; it
	// needs TLSConfig with a certificate. Phones that register over TLS
	// cannot be overheard or have their REGISTER captured on the way.
	TLSAddr string
	// TLSConfig is the TLS listener's configuration (certificates).
	TLSConfig *tls.Config
	// Advertise is the host written into our Contact and Via headers;
	// default the host of Addr, or, when that is a wildcard, this
	// machine's outbound address.
	Advertise string
	// Realm is the digest realm agents authenticate in (default
	// "ledger"); credentials are per realm.
	Realm string
	// Credentials holds the agents' HA1 digests (required).
	Credentials *CredentialStore
	// Chooser picks the agent for a waiting call; default FirstAvailable
	// on Directory.
	Chooser AgentChooser
	// Directory tells agents' presence to the default chooser.
	Directory Directory
	// Numbers maps dialled service numbers to queues. Empty: every
	// dialled number is the service number and goes to DefaultQueue;
	// otherwise other numbers are answered 404.
	Numbers map[string]string
	// DefaultQueue is where calls wait (default commands.DefaultQueue).
	DefaultQueue string
	// RingTimeout is how long an agent's phone rings before the call goes
	// back to the queue (default 20s).
	RingTimeout time.Duration
	// QueueTimeout is how long a caller waits for an agent before being
	// let go with 480 (default 5m).
	QueueTimeout time.Duration
	// NoAnswerCooldown keeps an agent whose phone did not answer out of
	// routing for a while (default 10s).
	NoAnswerCooldown time.Duration
	// TransferorGrace is how long a transferring agent's leg may stay up
	// after the transfer target answered before we hang it up (default
	// 10s).
	TransferorGrace time.Duration
	// NonceTTL is how long a digest nonce stays valid (default 5m).
	NonceTTL time.Duration
	// MinExpiry and MaxExpiry bound registrations (defaults 30s and 1h).
	MinExpiry, MaxExpiry time.Duration
	// MaxPendingCalls bounds the new calls being written to the ledger
	// at once (default 256); beyond it new INVITEs are answered 503 with
	// Retry-After at once, so an overloaded ledger sheds calls instead of
	// timing every caller out.
	MaxPendingCalls int
	// Trunks are the addresses (carriers, the PBX) INVITEs are taken from
	// as they come, and the only ones whose P-Asserted-Identity counts
	// (RFC 3325: an asserted identity means something only inside the
	// trust domain). An INVITE from anywhere else must authenticate as an
	// agent's device (digest, as REGISTER); its P-Asserted-Identity is
	// ignored and its number recorded as only claimed.
	Trunks []netip.Prefix
	// Limits bound INVITEs and REGISTERs per source address (PerSource:
	// a trunk sends every caller's calls from one address, so size it for
	// the trunk) and new calls per caller (PerIdentity, the caller's
	// number). Over either the request is answered 503 with Retry-After.
	// nil: no limits.
	Limits *limit.Guard
	// Logger receives the channel's logs (default slog.Default()).
	Logger *slog.Logger
}

func (c *Config) defaults() error {
	if c.Credentials == nil {
		return errors.New("sip: no credentials store")
	}
	if c.Chooser == nil {
		if c.Directory == nil {
			return errors.New("sip: neither an agent chooser nor a directory")
		}
		c.Chooser = FirstAvailable{Directory: c.Directory}
	}
	if c.TLSAddr != "" && (c.TLSConfig == nil || len(c.TLSConfig.Certificates) == 0 && c.TLSConfig.GetCertificate == nil) {
		return errors.New("sip: a TLS listener needs a certificate")
	}
	if c.Realm == "" {
		c.Realm = "ledger"
	}
	if err := validRealm(c.Realm); err != nil {
		return fmt.Errorf("sip: %w", err)
	}
	if c.DefaultQueue == "" {
		c.DefaultQueue = commands.DefaultQueue
	}
	setDefault(&c.RingTimeout, 20*time.Second)
	setDefault(&c.QueueTimeout, 5*time.Minute)
	setDefault(&c.NoAnswerCooldown, 10*time.Second)
	setDefault(&c.TransferorGrace, 10*time.Second)
	setDefault(&c.NonceTTL, 5*time.Minute)
	setDefault(&c.MinExpiry, 30*time.Second)
	setDefault(&c.MaxExpiry, time.Hour)
	if c.MaxPendingCalls <= 0 {
		c.MaxPendingCalls = 256
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Server is the phone channel: a SIP registrar for agents' softphones and
// a B2BUA between callers and agents (see the package documentation).
type Server struct {
	cfg Config
	h   *commands.Handler
	log *slog.Logger
	// ctx is the lifetime of calls and their journals; it is not
	// cancelled at shutdown, which ends calls explicitly instead, so the
	// steps already accepted are still written.
	ctx context.Context

	ua         *sipgo.UserAgent
	sip        *sipgo.Server
	dialogUA   *sipgo.DialogUA
	registrar  *registrar
	dispatcher *dispatcher
	udp        net.PacketConn
	tcp        net.Listener
	tls        net.Listener // nil without Config.TLSAddr
	udpLaddr   siplib.Addr
	host       string
	port       int

	closing  atomic.Bool
	pending  chan struct{}  // one token per new call being recorded
	journals sync.WaitGroup // ledger appends: waited for in full at shutdown
	tasks    sync.WaitGroup // offers, BYEs, NOTIFYs: waited for a while

	mu    sync.Mutex
	calls map[string]*call  // by the caller's Call-ID
	legs  map[string]legRef // by an agent leg's Call-ID
}

type legRef struct {
	call *call
	leg  *leg
}

// Listen binds the UDP and TCP listeners and readies the server; Serve
// then runs it.
func Listen(h *commands.Handler, cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, h: h, log: pii.Logger(cfg.Logger), ctx: context.Background(),
		pending: make(chan struct{}, cfg.MaxPendingCalls), calls: map[string]*call{}, legs: map[string]legRef{},
	}
	if err := s.listen(); err != nil {
		return nil, err
	}
	if err := s.build(); err != nil {
		s.closeListeners()
		return nil, err
	}
	return s, nil
}

// udpBufferBytes is the socket buffer asked for on the UDP listener.
const udpBufferBytes = 8 << 20

// listen binds UDP and TCP on the same port.
func (s *Server) listen() error {
	host, port, err := net.SplitHostPort(s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("sip: listen address %q: %w", s.cfg.Addr, err)
	}
	for attempt := 0; ; attempt++ {
		udp, err := net.ListenPacket("udp", s.cfg.Addr)
		if err != nil {
			return fmt.Errorf("sip: listen udp %s: %w", s.cfg.Addr, err)
		}
		bound := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(bound)))
		if err != nil {
			_ = udp.Close()
			if port == "0" && attempt < 10 {
				continue // the free UDP port is taken on TCP: try another
			}
			return fmt.Errorf("sip: listen tcp %s: %w", s.cfg.Addr, err)
		}
		if uc, ok := udp.(*net.UDPConn); ok {
			// One socket carries every phone's datagrams: a burst of calls
			// must queue in the kernel, not overflow it (a dropped INVITE
			// costs the caller a 500 ms retransmission, a dropped response
			// can cost a whole transaction). The kernel caps the size at
			// net.core.rmem_max / wmem_max.
			_ = uc.SetReadBuffer(udpBufferBytes)
			_ = uc.SetWriteBuffer(udpBufferBytes)
		}
		s.udp, s.tcp, s.port = udp, tcp, bound
		laddr := udp.LocalAddr().(*net.UDPAddr)
		s.udpLaddr = siplib.Addr{IP: laddr.IP, Port: laddr.Port}
		break
	}
	if s.cfg.TLSAddr != "" {
		l, err := tls.Listen("tcp", s.cfg.TLSAddr, s.cfg.TLSConfig)
		if err != nil {
			_ = s.udp.Close()
			_ = s.tcp.Close()
			return fmt.Errorf("sip: listen tls %s: %w", s.cfg.TLSAddr, err)
		}
		s.tls = l
	}
	s.host = s.cfg.Advertise
	if s.host == "" {
		s.host = advertiseHost(host)
	}
	return nil
}

// advertiseHost is the host peers reach us at when none was configured.
func advertiseHost(listenHost string) string {
	if ip := net.ParseIP(listenHost); listenHost != "" && (ip == nil || !ip.IsUnspecified()) {
		return listenHost
	}
	// The address the kernel would send from; no packet is sent.
	if conn, err := net.Dial("udp", "192.0.2.1:5060"); err == nil {
		defer conn.Close()
		return conn.LocalAddr().(*net.UDPAddr).IP.String()
	}
	return "127.0.0.1"
}

// build creates the sipgo user agent and the channel's parts.
func (s *Server) build() error {
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent("interaction-ledger"),
		sipgo.WithUserAgentHostname(s.host),
		sipgo.WithUserAgentParser(siplib.NewParser(siplib.WithHeadersParsers(lenientHeaderParsers()))),
		// sipgo logs what fails to parse whole (From, Contact, body):
		// its layers log through the redacting logger.
		sipgo.WithUserAgentTransportLayerOptions(siplib.WithTransportLayerLogger(s.log)),
		sipgo.WithUserAgentTransactionLayerOptions(siplib.WithTransactionLayerLogger(s.log)),
	)
	if err != nil {
		return fmt.Errorf("sip: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(s.log))
	if err != nil {
		return fmt.Errorf("sip: server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(s.host), sipgo.WithClientPort(s.port), sipgo.WithClientLogger(s.log))
	if err != nil {
		return fmt.Errorf("sip: client: %w", err)
	}
	auth, err := newDigestAuth(s.cfg.Realm, s.cfg.Credentials, s.cfg.NonceTTL, time.Now)
	if err != nil {
		return err
	}
	// Responses reach sipgo's transactions on a goroutine each, so a 200
	// OK right behind a 180 can be handled first and the 180 dropped; the
	// transport sees them in order (notedRinging).
	ua.TransportLayer().OnMessage(s.noteRinging)
	s.ua, s.sip = ua, srv
	s.dialogUA = &sipgo.DialogUA{
		Client:     client,
		ContactHDR: siplib.ContactHeader{Address: siplib.Uri{Scheme: "sip", User: "ledger", Host: s.host, Port: s.port}},
	}
	s.registrar = &registrar{
		auth: auth, agents: agentExists(s.h.LoadAgent), now: time.Now,
		minExpiry: s.cfg.MinExpiry, maxExpiry: s.cfg.MaxExpiry, log: s.log,
		bindings: map[string]*binding{},
	}
	s.dispatcher = newDispatcher(s.cfg.Chooser, s.registrar.registeredAgents, time.Now, s.cfg.NoAnswerCooldown, s.log)
	s.registrar.changed = s.dispatcher.wake
	s.routes()
	return nil
}

func (s *Server) routes() {
	s.sip.OnInvite(s.limited(s.handleInvite))
	s.sip.OnAck(s.handleAck)
	s.sip.OnRegister(s.limited(s.registrar.handleRegister))
	s.sip.OnBye(s.inDialog)
	s.sip.OnRefer(s.inDialog)
	s.sip.OnNotify(s.inDialog)
	s.sip.OnInfo(s.inDialog)
	s.sip.OnOptions(s.handleOptions)
	s.sip.OnCancel(func(req *siplib.Request, tx siplib.ServerTransaction) {
		// sipgo answers a CANCEL that matches an INVITE itself; this one
		// matched nothing.
		reply(tx, req, 481, "Call/Transaction Does Not Exist")
	})
	s.sip.OnNoRoute(func(req *siplib.Request, tx siplib.ServerTransaction) {
		res := siplib.NewResponseFromRequest(req, 405, "Method Not Allowed", nil)
		res.AppendHeader(siplib.NewHeader("Allow", allowed))
		respond(tx, res)
	})
}

// limited answers a request from a source over its rate with 503 and
// Retry-After (RFC 3261 section 21.5.4) before next sees it.
func (s *Server) limited(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *siplib.Request, tx siplib.ServerTransaction) {
		if err := s.cfg.Limits.Source(req.Source()); err != nil {
			s.refuseLimited(req, tx, err)
			return
		}
		next(req, tx)
	}
}

// refuseLimited answers 503 with the Retry-After of a *limit.Error.
func (s *Server) refuseLimited(req *siplib.Request, tx siplib.ServerTransaction, err error) {
	s.log.Debug("sip: request refused over a rate limit", "method", req.Method, "source", req.Source(), "reason", err)
	var le *limit.Error
	retry := "5"
	if errors.As(err, &le) {
		retry = limit.RetryAfterSeconds(le.RetryAfter)
	}
	res := siplib.NewResponseFromRequest(req, 503, "Service Unavailable", nil)
	res.AppendHeader(siplib.NewHeader("Retry-After", retry))
	respond(tx, res)
}

const allowed = "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, OPTIONS, INFO, REGISTER"

// Addr returns the address the channel listens on (UDP and TCP).
func (s *Server) Addr() string {
	return s.udp.LocalAddr().String()
}

// TLSAddr returns the address of the TLS listener, "" without one.
func (s *Server) TLSAddr() string {
	if s.tls == nil {
		return ""
	}
	return s.tls.Addr().String()
}

// ActiveCalls returns how many callers' calls are in progress (queued,
// ringing or talking, including ones still writing their last events).
func (s *Server) ActiveCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// Serve runs the channel until ctx ends, then stops taking calls, ends
// the calls in progress (BYE or 503, recorded as ended or abandoned) and
// waits until their events are written.
func (s *Server) Serve(ctx context.Context) error {
	dctx, stopDispatcher := context.WithCancel(context.Background())
	defer stopDispatcher()
	go s.dispatcher.run(dctx)
	errc := make(chan error, 3)
	go func() { errc <- s.sip.ServeUDP(s.udp) }()
	go func() { errc <- s.sip.ServeTCP(s.tcp) }()
	if s.tls != nil {
		go func() { errc <- s.sip.ServeTLS(s.tls) }()
	}
	s.log.Info("sip: phone channel listening", "addr", s.Addr(), "udp", true, "tcp", true, "tls", s.TLSAddr(), "contact", s.dialogUA.ContactHDR.Address.String())
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("sip: listener stopped: %w", err)
	}
	s.shutdown()
	return err
}

// shutdownWait bounds how long shutdown waits for calls to hang up.
const shutdownWait = 10 * time.Second

func (s *Server) shutdown() {
	s.closing.Store(true)
	s.mu.Lock()
	calls := make([]*call, 0, len(s.calls))
	for _, c := range s.calls {
		calls = append(calls, c)
	}
	s.mu.Unlock()
	for _, c := range calls {
		c.postAsync(evShutdown{})
	}
	deadline := time.Now().Add(shutdownWait)
	for s.ActiveCalls() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	s.journals.Wait()
	waitFor(&s.tasks, 2*time.Second)
	s.closeListeners()
	_ = s.ua.Close()
}

func (s *Server) closeListeners() {
	_ = s.udp.Close()
	_ = s.tcp.Close()
	if s.tls != nil {
		_ = s.tls.Close()
	}
}

func waitFor(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// fromListener makes a UDP request leave from the listening socket. Left
// to itself sipgo dials a fresh UDP socket per new destination and closes
// it by reference count, which under load closes sockets that other
// transactions still wait on (their responses are then lost); and peers
// expect requests from the address they registered with or called.
func (s *Server) fromListener(req *siplib.Request, transport string) {
	req.SetTransport(transport)
	if strings.EqualFold(transport, "udp") {
		s.udpLaddr.Copy(&req.Laddr)
	}
}

// goRun runs f as a background task of a call.
func (s *Server) goRun(f func()) {
	s.tasks.Add(1)
	go func() {
		defer s.tasks.Done()
		f()
	}()
}

// claim registers a new call under its Call-ID. A second INVITE with the
// Call-ID of a call in progress but another transaction is a merged
// request or a loop (RFC 3261 8.2.2.2): 482.
func (s *Server) claim(callID string, req *siplib.Request, tx siplib.ServerTransaction) (*call, bool) {
	s.mu.Lock()
	_, dup := s.calls[callID]
	var c *call
	if !dup {
		c = &call{
			srv: s, id: callID, invite: req, log: s.log,
			events: make(chan callEvent, 32), done: make(chan struct{}),
		}
		s.calls[callID] = c
	}
	s.mu.Unlock()
	if dup {
		reply(tx, req, 482, "Loop Detected")
		return nil, false
	}
	return c, true
}

func (s *Server) forget(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls[c.id] == c {
		delete(s.calls, c.id)
	}
}

func (s *Server) remember(legCallID string, c *call, l *leg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.legs[legCallID] = legRef{call: c, leg: l}
}

// noteRinging marks an agent leg whose phone answered its INVITE with 180
// Ringing or 183 Session Progress, as the transport reads the response:
// before any later response of the leg is read, so before its answer can
// be handled (see legAnswered).
func (s *Server) noteRinging(msg siplib.Message) {
	res, ok := msg.(*siplib.Response)
	if !ok || res.StatusCode != 180 && res.StatusCode != 183 {
		return
	}
	cseq, id := res.CSeq(), res.CallID()
	if cseq == nil || cseq.MethodName != siplib.INVITE || id == nil {
		return
	}
	s.mu.Lock()
	ref, ok := s.legs[id.Value()]
	s.mu.Unlock()
	if ok && ref.leg != nil {
		ref.leg.ringing.Store(true)
	}
}

func (s *Server) forgetLeg(legCallID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.legs, legCallID)
}

// find returns the call (and agent leg, if it is one) a Call-ID belongs
// to.
func (s *Server) find(callID string) (*call, *leg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.calls[callID]; ok {
		return c, nil
	}
	if r, ok := s.legs[callID]; ok {
		return r.call, r.leg
	}
	return nil, nil
}

// inDialog hands an in-dialog request to its call's loop and waits for
// the loop to answer it.
func (s *Server) inDialog(req *siplib.Request, tx siplib.ServerTransaction) {
	callID := req.CallID()
	if callID == nil || req.CSeq() == nil || req.From() == nil || req.To() == nil {
		reply(tx, req, 400, "Missing From, To, Call-ID or CSeq")
		return
	}
	c, l := s.find(callID.Value())
	if c == nil {
		reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	ev := evRequest{leg: l, req: req, tx: tx, done: make(chan struct{})}
	if !c.post(ev) {
		reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	select {
	case <-ev.done:
	case <-c.done:
		select {
		case <-ev.done:
		default:
			reply(tx, req, 481, "Call/Transaction Does Not Exist")
		}
	}
}

// handleAck confirms the caller's dialog: the ACK to our 200 OK. The
// caller's answer SDP, if its INVITE carried none, rides on it.
func (s *Server) handleAck(req *siplib.Request, tx siplib.ServerTransaction) {
	callID := req.CallID()
	if callID == nil {
		return
	}
	c, l := s.find(callID.Value())
	if c == nil || l != nil {
		return
	}
	dlg := c.dialog()
	if dlg == nil {
		return
	}
	c.setAckBody(req.Body())
	if err := dlg.ReadAck(req, tx); err != nil {
		s.log.Debug("sip: ACK not for the current INVITE", "call_id", c.id, "err", err)
	}
}

// handleOptions answers OPTIONS (keep-alive or capability query) inside or
// outside a call.
func (s *Server) handleOptions(req *siplib.Request, tx siplib.ServerTransaction) {
	res := siplib.NewResponseFromRequest(req, 200, "OK", nil)
	res.AppendHeader(siplib.NewHeader("Allow", allowed))
	res.AppendHeader(siplib.NewHeader("Accept", "application/sdp"))
	respond(tx, res)
}
