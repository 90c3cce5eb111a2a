package webchat

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/interactionledger/ledger/channels/internal/edge"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
	"github.com/interactionledger/ledger/internal/pii"
)

// session is one customer socket. Only its writer goroutine writes frames
// to the connection; everyone else queues them with offer or enqueue,
// which never wait: a client that does not keep up is disconnected.
type session struct {
	srv      *Server
	conn     *websocket.Conn
	key      string          // the conversation
	identity domain.Identity // normalised; whom the conversation is with
	// device is the visitor id's digest (VisitorDigest): the visitor id
	// itself is a credential and is kept nowhere, not even here.
	device   string
	remote   string // the client's address
	source   string // its limit key ("": unlimited)
	name     string
	verified bool

	send      chan []byte
	done      chan struct{} // closed by kill
	closeOnce sync.Once
	closeCode int
	closeText string
	wrote     chan struct{} // closed when the writer has finished

	mu         sync.Mutex
	ready      bool     // the welcome is queued
	pending    []queued // frames offered before the welcome
	historyPos uint64   // frames at or before it were in the welcome

	deviceLinked bool // reader goroutine only
}

type queued struct {
	frame []byte
	pos   uint64
}

func newSession(srv *Server, conn *websocket.Conn, key string, identity domain.Identity, device string, verified bool, name string) *session {
	return &session{
		srv: srv, conn: conn, key: key, identity: identity, device: device, name: name, verified: verified,
		send: make(chan []byte, srv.cfg.SendQueue), done: make(chan struct{}), wrote: make(chan struct{}),
	}
}

// offer queues a frame at ledger position pos (0: none) from elsewhere (an
// agent's reply, another tab's message). Before the welcome is queued it
// is held back; afterwards frames the welcome already held are dropped.
func (s *session) offer(frame []byte, pos uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		if len(s.pending) >= s.srv.cfg.SendQueue {
			s.kill(websocket.ClosePolicyViolation, "send queue full: the client reads too slowly")
			return false
		}
		s.pending = append(s.pending, queued{frame, pos})
		return true
	}
	if pos != 0 && pos <= s.historyPos {
		return true
	}
	return s.enqueue(frame)
}

// welcome queues the welcome and then whatever arrived meanwhile that it
// does not hold.
func (s *session) welcome(t transcript) {
	s.mu.Lock()
	defer s.mu.Unlock()
	history := t.messages
	if history == nil {
		history = []MessageFrame{}
	}
	s.enqueue(encode(WelcomeFrame{Type: "welcome", InteractionID: t.interactionID, Status: t.status, History: history}))
	for _, q := range s.pending {
		if q.pos == 0 || q.pos > t.position {
			s.enqueue(q.frame)
		}
	}
	s.ready, s.pending, s.historyPos = true, nil, t.position
}

// enqueue queues a frame without waiting, dropping the session when its
// queue is full.
func (s *session) enqueue(frame []byte) bool {
	select {
	case <-s.done:
		return false
	default:
	}
	select {
	case s.send <- frame:
		return true
	default:
		s.srv.metrics.slow.Inc()
		s.kill(websocket.ClosePolicyViolation, "send queue full: the client reads too slowly")
		return false
	}
}

// kill ends the session; the writer sends the close frame.
func (s *session) kill(code int, text string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeText = code, text
		close(s.done)
	})
}

// writeLoop is the session's only writer: frames, pings, the close.
func (s *session) writeLoop() {
	defer close(s.wrote)
	defer s.conn.Close()
	ping := time.NewTicker(s.srv.cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case frame := <-s.send:
			_ = s.conn.SetWriteDeadline(time.Now().Add(s.srv.cfg.WriteWait))
			if err := s.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				s.kill(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.srv.cfg.WriteWait)); err != nil {
				s.kill(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-s.done:
			if s.closeCode != websocket.CloseAbnormalClosure {
				msg := websocket.FormatCloseMessage(s.closeCode, s.closeText)
				_ = s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.srv.cfg.WriteWait))
			}
			return
		}
	}
}

// readLoop handles the client's frames until it leaves or is dropped.
// Silence longer than PongWait (no frame, no pong) ends it.
func (s *session) readLoop(ctx context.Context) {
	extend := func() { _ = s.conn.SetReadDeadline(time.Now().Add(s.srv.cfg.PongWait)) }
	extend()
	s.conn.SetPongHandler(func(string) error { extend(); return nil })
	for {
		kind, data, err := s.conn.ReadMessage()
		if err != nil {
			s.kill(closeFor(err))
			return
		}
		extend()
		if kind != websocket.TextMessage {
			s.enqueue(encode(ErrorFrame{Type: "error", Code: domain.EINVALID, Message: "frames are JSON text, not binary"}))
			continue
		}
		s.handle(ctx, data)
	}
}

// closeFor picks the close frame for a read error.
func closeFor(err error) (int, string) {
	var ce *websocket.CloseError
	switch {
	case errors.Is(err, websocket.ErrReadLimit):
		return websocket.CloseMessageTooBig, "frame too large"
	case errors.As(err, &ce):
		return websocket.CloseNormalClosure, ""
	default:
		return websocket.CloseAbnormalClosure, "" // the connection is gone or silent: nothing to say
	}
}

func (s *session) handle(ctx context.Context, data []byte) {
	f, err := ParseClientFrame(data)
	switch {
	case err != nil:
		s.refuse("", err)
	case f.Type == framePing:
		s.enqueue([]byte(`{"type":"pong"}`))
	case f.Type == frameHello:
		s.refuse("", domain.Errorf(domain.EINVALID, "hello was already said"))
	default:
		s.receive(ctx, f)
	}
}

// receive records a customer's message, acknowledges it, and shows it on
// the customer's other tabs.
func (s *session) receive(ctx context.Context, f ClientFrame) {
	msg := commands.InboundMessage{
		Channel: domain.ChannelWebchat, From: s.identity, DisplayName: s.name,
		ProviderMessageID: s.device + ":" + f.ID, ConversationKey: s.key, Text: f.Text,
	}
	if f.SentAt != nil {
		msg.SentAt = *f.SentAt
	}
	if err := s.srv.cfg.Limits.SourceKey(s.source); err != nil {
		s.srv.metrics.limited.Inc()
		s.refuse(f.ID, err)
		return
	}
	start := time.Now()
	res, err := edge.ReceiveWithin(ctx, s.srv.cfg.Ledger, s.srv.cfg.Limits, s.remote, msg)
	s.srv.metrics.receive.Observe(time.Since(start).Seconds())
	if err != nil {
		s.refuse(f.ID, err)
		return
	}
	s.enqueue(encode(AckFrame{Type: "ack", ID: f.ID, InteractionID: res.InteractionID, Position: res.Position}))
	echo := MessageFrame{Type: frameMessage, ID: msg.ProviderMessageID, Direction: DirectionIn, Text: f.Text, At: s.srv.cfg.Now().UTC(), Position: res.Position}
	s.srv.hub.offer(s.key, encode(echo), res.Position, s)
	if s.verified && !s.deviceLinked {
		s.deviceLinked = true
		s.linkDevice(ctx, res.CustomerID)
	}
}

// linkDevice links the visitor's device to the verified customer, so the
// customer 360 knows it. A device already known as someone else's (they
// chatted before logging in) stays where it is: merging two customers is
// an agent's decision.
func (s *session) linkDevice(ctx context.Context, customerID string) {
	device := domain.Identity{Kind: domain.IdentityDevice, Value: s.device}
	_, err := s.srv.cfg.Ledger.LinkIdentity(ctx, customerID, device, commands.Meta{
		Actor: "customer:" + customerID, Channel: domain.ChannelWebchat,
		IdempotencyKey: "webchat-device:" + s.device + "|" + customerID,
	})
	if err != nil {
		s.srv.cfg.Logger.Info("web chat device not linked to the verified customer", "customer", customerID, "err", err)
	}
}

// refuse answers a frame with an error frame; the socket stays open.
func (s *session) refuse(id string, err error) {
	code, msg := domain.ErrorCode(err), domain.ErrorMessage(err)
	if m, ok := edge.UnavailableMessage(err); ok {
		// The ledger cannot write now (a full disk, logged by the store):
		// the widget keeps the message and sends it again after RetryAfter.
		code, msg = CodeUnavailable, m
	} else if code == domain.EINTERNAL {
		s.srv.cfg.Logger.Error("web chat message failed", "device_digest", pii.Digest(s.device), "err", pii.RedactErr(err))
	}
	frame := ErrorFrame{Type: "error", ID: id, Code: code, Message: msg}
	if d, ok := edge.RetryAfter(err); ok {
		frame.RetryAfter, _ = strconv.ParseInt(limit.RetryAfterSeconds(d), 10, 64)
	}
	s.enqueue(encode(frame))
}
