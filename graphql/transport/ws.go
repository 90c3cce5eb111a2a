package transport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// subprotocol is the WebSocket subprotocol of graphql-transport-ws.
const subprotocol = "graphql-transport-ws"

// Close codes of graphql-transport-ws.
const (
	closeInvalidMessage     = 4400
	closeUnauthorized       = 4401
	closeForbidden          = 4403
	closeSubprotocol        = 4406
	closeInitTimeout        = 4408
	closeSubscriberExists   = 4409
	closeTooManyInitRequest = 4429
)

// WebSocket timing and size.
const (
	wsMaxMessageBytes = 64 << 10
	wsWriteTimeout    = 10 * time.Second
	wsPingEvery       = 30 * time.Second
	wsReadTimeout     = 75 * time.Second // more than a ping round
)

var upgrader = websocket.Upgrader{
	Subprotocols: []string{subprotocol},
	// A token in connection_init or the Authorization header gives a
	// page of another origin nothing it did not have, so any origin may
	// connect; the session cookie is used only when the Origin names this
	// host (serveWebSocket).
	CheckOrigin: func(*http.Request) bool { return true },
}

// serveWebSocket runs one graphql-transport-ws connection.
func (h *Handler) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	if !h.trackConn() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer h.conns.Done()
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade answered the client
	}
	c := &wsConn{h: h, conn: conn, headerAuth: r.Header.Get("Authorization"), ops: map[string]context.CancelFunc{}}
	if token, ok := auth.SessionToken(r); ok && c.headerAuth == "" {
		// Cross-site WebSocket hijacking: a browser sends the cookie
		// with an upgrade from any page, so it counts only from a page
		// of this server.
		if auth.OriginMatchesHost(r) {
			c.cookieToken = token
		} else {
			c.cookieRefused = true
		}
	}
	c.ctx, c.cancel = context.WithCancel(WithClientIP(h.life, r)) // the access ledger records where reads come from
	c.serve()
}

// wsConn is one WebSocket connection and the operations it runs.
type wsConn struct {
	h          *Handler
	conn       *websocket.Conn
	headerAuth string
	// cookieToken is the session cookie's token, sent with an upgrade
	// whose Origin names this host; cookieRefused tells that a cookie came
	// from another origin (or none).
	cookieToken   string
	cookieRefused bool
	ctx           context.Context // ends when the connection does
	cancel        context.CancelFunc

	writeMu   sync.Mutex
	closeOnce sync.Once

	mu     sync.Mutex
	viewer auth.Viewer
	acked  bool
	ops    map[string]context.CancelFunc
	wg     sync.WaitGroup
	timers []*time.Timer
}

func (c *wsConn) serve() {
	defer c.teardown()
	if c.conn.Subprotocol() != subprotocol {
		c.closeWith(closeSubprotocol, "Subprotocol not acceptable")
		return
	}
	c.conn.SetReadLimit(wsMaxMessageBytes)
	c.after(c.h.limits.ConnectionInitTimeout, func() {
		if !c.isAcked() {
			c.closeWith(closeInitTimeout, "Connection initialisation timeout")
		}
	})
	go c.keepAlive()
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(wsReadTimeout))
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		if kind != websocket.TextMessage {
			c.closeWith(closeInvalidMessage, "Invalid message: binary frames are not part of the protocol")
			return
		}
		if !c.handle(data) {
			return
		}
	}
}

// handle acts on one client message; false ends the connection.
func (c *wsConn) handle(data []byte) bool {
	m, err := decodeClientMessage(data)
	if err != nil {
		c.closeWith(closeInvalidMessage, truncate(err.Error(), 100))
		return false
	}
	switch m.typ {
	case msgConnectionInit:
		return c.init(m.token)
	case msgPing:
		return c.send(wsMessage{Type: msgPong, Payload: m.payload})
	case msgPong:
		return true
	case msgSubscribe:
		return c.subscribe(m.id, m.req)
	case msgComplete:
		c.finish(m.id)
		return true
	}
	return true
}

// init authenticates the connection with connection_init's token (or the
// upgrade request's Authorization header) and acknowledges it.
func (c *wsConn) init(token string) bool {
	c.mu.Lock()
	if c.acked {
		c.mu.Unlock()
		c.closeWith(closeTooManyInitRequest, "Too many initialisation requests")
		return false
	}
	c.mu.Unlock()
	header := c.headerAuth
	if token != "" {
		header = "Bearer " + token
	}
	var v auth.Viewer
	var err error
	switch {
	case header == "" && c.cookieToken != "":
		v, err = c.h.auth.Verify(c.cookieToken)
	case header == "" && c.cookieRefused:
		err = apierror.Forbidden("a session cookie counts only from a page of this server's origin")
	default:
		v, err = c.h.auth.Authenticate(header)
	}
	if err != nil {
		c.closeForbidden(err)
		return false
	}
	c.mu.Lock()
	c.viewer, c.acked = v, true
	c.mu.Unlock()
	// The connection lives no longer than the token that opened it.
	c.after(time.Until(v.ExpiresAt), func() { c.closeWith(closeForbidden, "Forbidden: the token has expired") })
	return c.send(wsMessage{Type: msgConnectionAck})
}

func (c *wsConn) isAcked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.acked
}

// subscribe starts an operation.
func (c *wsConn) subscribe(id string, req Request) bool {
	c.mu.Lock()
	if !c.acked {
		c.mu.Unlock()
		c.closeWith(closeUnauthorized, "Unauthorized")
		return false
	}
	if _, exists := c.ops[id]; exists {
		c.mu.Unlock()
		c.closeWith(closeSubscriberExists, truncate("Subscriber for "+id+" already exists", 120))
		return false
	}
	if err := c.h.auth.Recheck(c.viewer); err != nil {
		c.mu.Unlock()
		c.closeForbidden(err)
		return false
	}
	if len(c.ops) >= c.h.limits.MaxOperationsPerConnection {
		c.mu.Unlock()
		return c.sendErrors(id, apierror.RequestErrors(apierror.CodeBadUserInput, "at most %d operations at once on one connection", c.h.limits.MaxOperationsPerConnection))
	}
	ctx, cancel := context.WithCancel(c.ctx)
	c.ops[id] = cancel
	viewer := c.viewer
	c.mu.Unlock()
	p, errs := c.h.exec.Prepare(ctx, viewer, req)
	if errs != nil {
		c.removeOp(id)
		return c.sendErrors(id, errs)
	}
	c.wg.Add(1)
	if p.Kind != "subscription" {
		// A query or mutation runs on its own, so a slow one does not hold
		// up the connection's other messages, and within the request
		// timeout, as over HTTP.
		qctx, qcancel := context.WithTimeout(p.Context, c.h.limits.RequestTimeout)
		p.Context = qctx
		go func() {
			defer c.wg.Done()
			defer qcancel()
			c.stream(qctx, id, p, req)
		}()
		return true
	}
	// A subscription registers before the next message is read, so a
	// client knows it is live once any later message was answered; its
	// setup gets the request timeout, its life is the connection's.
	started := c.start(p, req)
	select {
	case s := <-started:
		go func() {
			defer c.wg.Done()
			c.forward(ctx, id, p, s.responses, s.err)
		}()
		return true
	case <-time.After(c.h.limits.RequestTimeout):
		c.removeOp(id) // ends the setup's context
		go func() {
			defer c.wg.Done()
			<-started
		}()
		return c.sendErrors(id, c.timeoutErrors("the subscription did not start"))
	}
}

// startedOp is what the executor's Subscribe returned.
type startedOp struct {
	responses <-chan any
	err       error
}

// start runs the executor's Subscribe on its own, so the caller can stop
// waiting for it.
func (c *wsConn) start(p Prepared, req Request) <-chan startedOp {
	started := make(chan startedOp, 1)
	go func() {
		responses, err := c.h.exec.Subscribe(p, req)
		started <- startedOp{responses, err}
	}()
	return started
}

// stream runs a query or mutation and forwards its result, or a TIMEOUT
// error when ctx's deadline passes first.
func (c *wsConn) stream(ctx context.Context, id string, p Prepared, req Request) {
	started := c.start(p, req)
	select {
	case s := <-started:
		c.forward(ctx, id, p, s.responses, s.err)
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && c.removeOp(id) {
			c.h.metrics.requests.WithLabelValues(p.Kind, outcome(true)).Inc()
			c.sendErrors(id, c.timeoutErrors("the operation did not finish"))
		}
		<-started // its resolvers saw ctx end: wait for them
	}
}

func (c *wsConn) timeoutErrors(what string) []*gqlerrors.QueryError {
	return apierror.RequestErrors(apierror.CodeTimeout, "%s within %s", what, c.h.limits.RequestTimeout)
}

// forward streams an operation's results: "next" for each, then
// "complete"; "error" alone when it could not start.
func (c *wsConn) forward(ctx context.Context, id string, p Prepared, responses <-chan any, err error) {
	if err != nil {
		c.h.log.ErrorContext(ctx, "graphql subscribe failed", "err", err)
		c.removeOp(id)
		c.sendErrors(id, apierror.RequestErrors(apierror.CodeInternal, "internal error"))
		return
	}
	first := true
	for out := range responses {
		resp, ok := out.(*gql.Response)
		if !ok {
			continue
		}
		apierror.Present(ctx, c.h.log, resp.Errors)
		c.h.metrics.requests.WithLabelValues(p.Kind, outcome(len(resp.Errors) > 0)).Inc()
		if first && len(resp.Data) == 0 && len(resp.Errors) > 0 {
			// Refused before it ran (invalid, forbidden): "error" ends it.
			c.removeOp(id)
			c.sendErrors(id, resp.Errors)
			return
		}
		first = false
		payload, err := json.Marshal(resp)
		if err != nil || !c.send(wsMessage{ID: id, Type: msgNext, Payload: payload}) {
			return
		}
	}
	// It ended on its own (not by the client's complete): say so.
	if c.removeOp(id) {
		c.send(wsMessage{ID: id, Type: msgComplete})
	}
}

// finish stops an operation the client completed.
func (c *wsConn) finish(id string) { c.removeOp(id) }

// removeOp forgets an operation and cancels it; false if it was gone.
func (c *wsConn) removeOp(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	cancel, ok := c.ops[id]
	if ok {
		cancel()
		delete(c.ops, id)
	}
	return ok
}

func (c *wsConn) sendErrors(id string, errs []*gqlerrors.QueryError) bool {
	payload, err := json.Marshal(errs)
	if err != nil {
		return false
	}
	return c.send(wsMessage{ID: id, Type: msgError, Payload: payload})
}

// send writes one message; false when the connection is broken (then it
// is closed).
func (c *wsConn) send(m wsMessage) bool {
	data, err := json.Marshal(m)
	if err != nil {
		return false
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
	if err := c.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		c.cancel()
		_ = c.conn.Close()
		return false
	}
	return true
}

// closeForbidden closes the connection with 4403 and why the token was
// refused.
func (c *wsConn) closeForbidden(err error) {
	_, msg, _ := apierror.Classify(err)
	c.closeWith(closeForbidden, truncate("Forbidden: "+msg, 120))
}

// keepAlive pings the client so a vanished one is noticed (its pongs stop
// and the read deadline passes), closes the connection once its token is
// revoked, and closes the socket when the server shuts down.
func (c *wsConn) keepAlive() {
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(wsReadTimeout))
	})
	tick := time.NewTicker(wsPingEvery)
	defer tick.Stop()
	recheck := time.NewTicker(c.h.limits.RecheckEvery)
	defer recheck.Stop()
	for {
		select {
		case <-c.ctx.Done():
			if c.h.life.Err() != nil {
				c.closeWith(websocket.CloseGoingAway, "server shutting down")
			}
			return
		case <-recheck.C:
			c.mu.Lock()
			v, acked := c.viewer, c.acked
			c.mu.Unlock()
			if acked {
				if err := c.h.auth.Recheck(v); err != nil {
					c.closeForbidden(err)
					return
				}
			}
		case <-tick.C:
			c.writeMu.Lock()
			err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteTimeout))
			c.writeMu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// after runs f after d unless the connection ended first.
func (c *wsConn) after(d time.Duration, f func()) {
	t := time.AfterFunc(max(d, 0), f)
	c.mu.Lock()
	c.timers = append(c.timers, t)
	c.mu.Unlock()
}

// closeWith sends a close frame with code and reason, then closes the
// socket, which ends the read loop.
func (c *wsConn) closeWith(code int, reason string) {
	c.closeOnce.Do(func() {
		c.writeMu.Lock()
		_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		c.writeMu.Unlock()
		_ = c.conn.Close()
	})
}

// teardown ends every operation and waits for them.
func (c *wsConn) teardown() {
	c.cancel()
	c.mu.Lock()
	for _, t := range c.timers {
		t.Stop()
	}
	c.mu.Unlock()
	_ = c.conn.Close()
	c.wg.Wait()
}

// truncate keeps a close reason within the 123 bytes a close frame holds,
// without cutting a character in two.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
