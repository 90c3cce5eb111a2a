package webchat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/channels/internal/edge"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/internal/limit"
)

// Ledger is what web chat needs of the command side; *commands.Handler
// implements it.
type Ledger interface {
	edge.Receiver
	LinkIdentity(ctx context.Context, customerID string, identity domain.Identity, meta commands.Meta) (commands.Result, error)
	Store() eventstore.Store
	StreamNames() domain.StreamNames
}

// Config configures the server. Zero values pick the defaults named on
// each field.
type Config struct {
	Ledger Ledger
	// Secret verifies identity assertions; while it is "" a hello carrying
	// one is refused (anonymous visitors still chat).
	Secret string
	// VisitorKey (at least MinVisitorKeyBytes, required) keys the digest
	// the ledger knows visitors by (see VisitorDigest). It must stay the
	// same across restarts, and on every node serving one ledger: with
	// another key, visitors no longer find their conversations.
	VisitorKey []byte
	// AllowedOrigins are the web origins (e.g. "https://www.example.com")
	// whose pages may open a socket; "*" allows any. The server's own
	// origin and clients sending no Origin (not browsers) are always
	// allowed.
	AllowedOrigins []string
	Logger         *slog.Logger
	Registerer     prometheus.Registerer // optional
	Now            func() time.Time
	// PingInterval (default 30 s) and PongWait (default 60 s): a client
	// silent for PongWait is dropped.
	PingInterval time.Duration
	PongWait     time.Duration
	// WriteWait bounds one write (default 10 s); HelloWait the wait for
	// the hello (default 10 s).
	WriteWait time.Duration
	HelloWait time.Duration
	// MaxFrameBytes is the read limit (default 96 KiB: the largest message
	// with room for JSON escapes).
	MaxFrameBytes int64
	// SendQueue is how many frames may wait for a slow client (default 64).
	SendQueue int
	// HistoryLimit bounds the messages of the welcome (default 200).
	HistoryLimit int
	// Limits bound messages per client address (PerSource) and per
	// visitor or verified identity (PerIdentity); Connects bounds new
	// sockets per address and Sockets the sockets one address holds open.
	// Addresses are keyed as Limits.Sources says (IPv6 by /64, exempt
	// prefixes unlimited). nil: no limit.
	Limits   *limit.Guard
	Connects *limit.Limiter
	Sockets  *limit.Counter
	// Files keeps the files customers upload and opens those of their
	// conversation (see files.go); nil: the file endpoints answer 503.
	// MaxFileBytes bounds one upload (default 10 MiB).
	Files        FileStore
	MaxFileBytes int64
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	setDefault(&c.PingInterval, 30*time.Second)
	setDefault(&c.PongWait, 60*time.Second)
	setDefault(&c.WriteWait, 10*time.Second)
	setDefault(&c.HelloWait, 10*time.Second)
	setDefault(&c.MaxFrameBytes, 96<<10)
	setDefault(&c.SendQueue, 64)
	setDefault(&c.HistoryLimit, 200)
	setDefault(&c.MaxFileBytes, 10<<20)
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Server is the /channels/webchat endpoint and the web chat sender of
// agents' replies.
type Server struct {
	cfg      Config
	hub      *hub
	upgrader websocket.Upgrader
	metrics  *metrics

	mu     sync.Mutex
	closed bool
	conns  sync.WaitGroup
}

// NewServer returns the endpoint.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Secret != "" && len(cfg.Secret) < MinSecretBytes {
		return nil, ErrShortSecret
	}
	if len(cfg.VisitorKey) < MinVisitorKeyBytes {
		return nil, fmt.Errorf("webchat: the visitor key is %d bytes; it needs at least %d", len(cfg.VisitorKey), MinVisitorKeyBytes)
	}
	cfg.defaults()
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("webchat metrics: %w", err)
	}
	s := &Server{cfg: cfg, hub: newHub(), metrics: m}
	s.upgrader = websocket.Upgrader{
		// 0: reuse the HTTP server's read buffer; writes borrow a buffer
		// from the pool only while writing, so an idle socket holds none.
		ReadBufferSize:  0,
		WriteBufferSize: 4096,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     s.checkOrigin,
	}
	m.sessions.Set(0)
	return s, nil
}

// Sessions returns the number of live sockets.
func (s *Server) Sessions() int { return s.hub.size() }

// ServeHTTP upgrades the request to a WebSocket and serves the customer
// until they leave.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.track() {
		http.Error(w, "the server is shutting down", http.StatusServiceUnavailable)
		return
	}
	defer s.conns.Done()
	source := s.sourceKey(r.RemoteAddr)
	release, err := s.admit(source)
	if err != nil {
		s.metrics.limited.Inc()
		edge.WriteText(w, r, s.cfg.Logger, err)
		return
	}
	defer release()
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade answered the request with the reason
	}
	s.serveConn(context.WithoutCancel(r.Context()), conn, r.RemoteAddr, source)
}

// sourceKey is the key a client address is limited under ("": none).
func (s *Server) sourceKey(addr string) string {
	if s.cfg.Limits == nil {
		return limit.Sources{}.Key(addr)
	}
	return s.cfg.Limits.Sources.Key(addr)
}

// admit counts a new socket from source against the connect rate and the
// cap on open sockets: the release function, or an *limit.Error (429).
func (s *Server) admit(source string) (func(), error) {
	if source == "" {
		return func() {}, nil
	}
	if err := s.cfg.Connects.Allow(source); err != nil {
		return nil, err
	}
	return s.cfg.Sockets.Acquire(source)
}

// track counts a connection in, unless the server is closing.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns.Add(1)
	return true
}

// Close says goodbye (1001) to every socket and waits until each is done.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	for _, sess := range s.hub.all() {
		sess.kill(websocket.CloseGoingAway, "the server is shutting down")
	}
	s.conns.Wait()
}

func (s *Server) serveConn(ctx context.Context, conn *websocket.Conn, remote, source string) {
	conn.SetReadLimit(s.cfg.MaxFrameBytes)
	sess, err := s.open(ctx, conn, remote, source)
	if err != nil {
		s.reject(conn, err)
		return
	}
	s.hub.add(sess)
	s.metrics.sessions.Inc()
	defer func() {
		s.hub.remove(sess)
		s.metrics.sessions.Dec()
	}()
	t, err := loadTranscript(ctx, s.cfg.Ledger.Store(), s.cfg.Ledger.StreamNames(), sess.key, s.cfg.HistoryLimit)
	if err != nil {
		s.cfg.Logger.Error("web chat history unavailable", "err", err)
		sess.kill(websocket.CloseInternalServerErr, "the conversation could not be loaded; try again")
	} else {
		sess.welcome(t)
	}
	go sess.writeLoop()
	if err == nil {
		sess.readLoop(ctx)
	}
	<-sess.wrote
}

// open reads the hello and works out whom the socket is with.
func (s *Server) open(ctx context.Context, conn *websocket.Conn, remote, source string) (*session, error) {
	_ = conn.SetReadDeadline(time.Now().Add(s.cfg.HelloWait))
	kind, data, err := conn.ReadMessage()
	if err != nil {
		return nil, fmt.Errorf("read hello: %w", err)
	}
	if kind != websocket.TextMessage {
		return nil, invalid("the first frame must be a JSON hello")
	}
	hello, err := ParseClientFrame(data)
	if err != nil {
		return nil, err
	}
	if hello.Type != frameHello {
		return nil, invalid("the first frame must be a hello, not %q", hello.Type)
	}
	id, name, verified, err := s.identify(hello)
	if err != nil {
		return nil, err
	}
	norm, err := s.cfg.Ledger.NormalizeIdentity(id)
	if err != nil {
		return nil, err
	}
	sess := newSession(s, conn, ConversationKey(norm), norm, VisitorDigest(s.cfg.VisitorKey, hello.VisitorID), verified, name)
	sess.remote, sess.source = remote, source
	return sess, nil
}

// identify returns the identity the conversation is with: the asserted
// one, or the visitor's device (named by the visitor id's digest).
func (s *Server) identify(hello ClientFrame) (domain.Identity, string, bool, error) {
	if hello.Identity == "" {
		return s.Device(hello.VisitorID), hello.Name, false, nil
	}
	if s.cfg.Secret == "" {
		return domain.Identity{}, "", false, domain.Errorf(domain.EFORBIDDEN, "verified identities are not accepted: no web chat secret is configured")
	}
	a, err := VerifyAssertion([]byte(s.cfg.Secret), hello.Identity, hello.VisitorID, s.cfg.Now())
	if err != nil {
		return domain.Identity{}, "", false, domain.Errorf(domain.EFORBIDDEN, "%v", err)
	}
	return a.Identity, a.Name, true, nil
}

// rejectUnavailable answers a hello the ledger could not serve for now (a
// full disk) with an "unavailable" error frame carrying RetryAfter, and
// closes with 1013 Try Again Later, so the widget reconnects after the
// wait rather than giving up.
func (s *Server) rejectUnavailable(conn *websocket.Conn, err error, msg string) {
	frame := ErrorFrame{Type: "error", Code: CodeUnavailable, Message: msg}
	if d, ok := edge.RetryAfter(err); ok {
		frame.RetryAfter, _ = strconv.ParseInt(limit.RetryAfterSeconds(d), 10, 64)
	}
	deadline := time.Now().Add(s.cfg.WriteWait)
	_ = conn.SetWriteDeadline(deadline)
	_ = conn.WriteMessage(websocket.TextMessage, encode(frame))
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "try again later"), deadline)
}

// ConversationKey names the web chat conversation with a (normalised)
// identity: one running conversation per customer identity.
func ConversationKey(id domain.Identity) string { return "webchat|" + id.String() }

// reject answers a failed hello with an error frame and closes the socket.
func (s *Server) reject(conn *websocket.Conn, err error) {
	defer conn.Close()
	code := domain.ErrorCode(err)
	if msg, ok := edge.UnavailableMessage(err); ok {
		s.rejectUnavailable(conn, err, msg)
		return
	}
	if code == domain.EINTERNAL {
		// The client left, stayed silent or sent too much (the library
		// answered that with 1009): nobody to tell.
		s.cfg.Logger.Debug("web chat hello failed", "err", err)
		return
	}
	deadline := time.Now().Add(s.cfg.WriteWait)
	_ = conn.SetWriteDeadline(deadline)
	_ = conn.WriteMessage(websocket.TextMessage, encode(ErrorFrame{Type: "error", Code: code, Message: domain.ErrorMessage(err)}))
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, closeReason(err)), deadline)
}

// closeReason fits a message into a close frame (at most 123 bytes).
func closeReason(err error) string {
	msg := domain.ErrorMessage(err)
	for len(msg) > 123 {
		_, size := utf8.DecodeLastRuneInString(msg)
		msg = msg[:len(msg)-size]
	}
	return msg
}

// checkOrigin lets browsers connect from the server's own origin and the
// allowed ones; clients sending no Origin are not browsers and may.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, allowed := range s.cfg.AllowedOrigins {
		if allowed == "*" || strings.EqualFold(strings.TrimRight(allowed, "/"), origin) {
			return true
		}
	}
	return false
}

// ErrNoLiveSession is why a reply could not be shown live: the customer
// has no socket open. They get it in the welcome when they come back.
var ErrNoLiveSession = errors.New("no live web chat session; the customer sees the reply when they reconnect")

// Send implements outbound.Sender: it shows an agent's reply on every live
// socket of the conversation.
func (s *Server) Send(_ context.Context, d outbound.Delivery) (outbound.Receipt, error) {
	frame := MessageFrame{Type: frameMessage, ID: replyID(d.MessageID, d.SourceEventID), Direction: DirectionOut,
		AgentID: d.AgentID, Text: d.Text, Attachments: frameAttachments(d.Attachments), At: d.SentAt, Position: d.Position}
	n := s.hub.offer(ConversationKey(d.To), encode(frame), d.Position, nil)
	if n == 0 {
		return outbound.Receipt{}, outbound.ReachesLater(ErrNoLiveSession)
	}
	return outbound.Receipt{Detail: fmt.Sprintf("%d live session(s)", n)}, nil
}
