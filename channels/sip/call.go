package sip

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	siplib "github.com/emiago/sipgo/sip"
)

// callState is where a call is; only the call's own loop changes it.
type callState int

const (
	// stateQueued: waiting for the dispatcher to pick an agent.
	stateQueued callState = iota
	// stateOffering: an agent's phone is being called; the caller has not
	// been answered yet.
	stateOffering
	// stateTalking: the caller is answered and bridged to an agent (or,
	// during a blind transfer, waiting for the transfer target).
	stateTalking
	// stateEnded: the call is over; the loop is cleaning up.
	stateEnded
)

// call is one caller's call through the B2BUA, keyed by the caller's
// Call-ID. A single goroutine (run) owns its state and handles events
// posted by the SIP handlers, the offer goroutines and the dispatcher, so
// CANCEL, BYE, REFER and answers never race each other.
type call struct {
	srv *Server
	log *slog.Logger

	id            string // the caller's Call-ID
	interactionID string
	customerID    string
	caller        Caller
	invite        *siplib.Request
	dlg           *sipgo.DialogServerSession
	sdp           []byte // the caller's session description, passed to agents
	sdpType       string
	journal       *journal
	queuedAt      time.Time // first arrival: the queue order
	deadline      time.Time // give up waiting for an agent after this

	events chan callEvent
	done   chan struct{} // closed when run returns

	// Owned by run.
	state      callState
	answered   bool // the caller got its 200 OK
	talkSince  bool // CallAnswered was recorded
	agent      *leg // the agent the caller talks to (or is being offered to)
	pending    *leg // the transfer target being offered, during a REFER
	referrer   *leg // the agent who REFERred, to NOTIFY of the outcome
	others     []*leg
	offers     int
	transfers  int
	reinviting bool // a re-INVITE is in flight on one side

	mu       sync.Mutex // guards the fields below, read from other goroutines
	queue    string
	declined map[string]bool
	ackBody  []byte
}

// leg is the B2BUA's call to one agent's phone.
type leg struct {
	n        int
	agentID  string
	callID   string
	transfer bool // offered because of a REFER
	cancel   context.CancelFunc
	dlg      *sipgo.DialogClientSession
	rang     bool
	// ringing is set by the transport when the phone sent 180 or 183
	// (Server.noteRinging), whether or not sipgo passed it on.
	ringing  atomic.Bool
	answered bool
	acked    bool
	gone     bool // no longer part of the call (cancelled, failed, hung up)
	closed   bool // its dialog is over: BYE sent or received, or never set up
	answer   *siplib.Response
	// notified is closed when the last NOTIFY sent to this leg (as the
	// transferor of a REFER) was answered; NOTIFYs go out in order.
	notified chan struct{}
}

// Events a call's loop handles.
type (
	callEvent     interface{}
	evAgentChosen struct{ agentID string }
	evLegSent     struct {
		leg *leg
		dlg *sipgo.DialogClientSession
	}
	evLegProgress struct {
		leg *leg
		res *siplib.Response
	}
	evLegAnswered struct {
		leg *leg
		res *siplib.Response
	}
	evLegFailed struct {
		leg  *leg
		code int
		err  error
	}
	evCallerCancelled struct{}
	evCallerAcked     struct{ err error }
	evReinviteDone    struct {
		leg *leg
		err error
	}
	evTransferorExpiry struct{ leg *leg }
	evShutdown         struct{}
	// evRequest is an in-dialog request for the loop to answer; the SIP
	// handler waits on done, because its transaction ends when it returns.
	evRequest struct {
		leg  *leg // nil: from the caller
		req  *siplib.Request
		tx   siplib.ServerTransaction
		done chan struct{}
	}
)

// post hands ev to the call's loop; false if the call is already over.
func (c *call) post(ev callEvent) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.events <- ev:
		return true
	case <-c.done:
		return false
	}
}

// postAsync posts from places that must not block (sipgo transaction
// callbacks run under the transaction's lock).
func (c *call) postAsync(ev callEvent) {
	go c.post(ev)
}

// waitingCall describes the call to the AgentChooser.
func (c *call) waitingCall() WaitingCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return WaitingCall{CallID: c.id, InteractionID: c.interactionID, CustomerID: c.customerID, Queue: c.queue, WaitingSince: c.queuedAt}
}

// setQueue moves the call to another queue (a REFER to a queue).
func (c *call) setQueue(q string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queue = q
}

// declinedBy returns the agents whose phones did not take this call, so
// it is not offered to them again.
func (c *call) declinedBy() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.declined
}

func (c *call) decline(agentID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := make(map[string]bool, len(c.declined)+1)
	for k := range c.declined {
		next[k] = true
	}
	next[agentID] = true
	c.declined = next
}

// setDialog and dialog guard the caller's dialog, which the ACK handler
// reads from its own goroutine.
func (c *call) setDialog(d *sipgo.DialogServerSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dlg = d
}

func (c *call) dialog() *sipgo.DialogServerSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dlg
}

func (c *call) setAckBody(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ackBody = b
}

func (c *call) takeAckBody() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ackBody
}

// run is the call's loop: from the queue to the end of the call. It runs
// on the goroutine of the caller's INVITE, which must live until the
// INVITE got its final response anyway.
func (c *call) run(ctx context.Context) {
	defer c.finish()
	c.srv.dispatcher.enqueue(c)
	timer := time.NewTimer(time.Until(c.deadline))
	defer timer.Stop()
	for c.state != stateEnded {
		select {
		case ev := <-c.events:
			c.handle(ctx, ev)
		case <-timer.C:
			c.queueTimeout()
		}
		if c.state == stateQueued {
			timer.Reset(time.Until(c.deadline))
		} else {
			timer.Stop()
		}
	}
	// Answer what is still addressed to the call, then stop.
	for {
		select {
		case ev := <-c.events:
			c.handleAfterEnd(ev)
		case <-c.journal.idle():
			return
		}
	}
}

func (c *call) handle(ctx context.Context, ev callEvent) {
	switch ev := ev.(type) {
	case evAgentChosen:
		c.agentChosen(ctx, ev.agentID)
	case evLegSent:
		ev.leg.dlg = ev.dlg
	case evLegProgress:
		c.legProgress(ev.leg, ev.res)
	case evLegAnswered:
		c.legAnswered(ctx, ev.leg, ev.res)
	case evLegFailed:
		c.legFailed(ev.leg, ev.code, ev.err)
	case evCallerCancelled:
		c.callerCancelled()
	case evCallerAcked:
		c.callerAcked(ev.err)
	case evTransferorExpiry:
		if !ev.leg.gone {
			c.hangUp(ev.leg)
		}
	case evShutdown:
		c.shutdown()
	case evRequest:
		if !c.request(ctx, ev) {
			close(ev.done)
		}
	case evReinviteDone:
		c.reinviting = false
		if ev.err != nil {
			c.log.Warn("sip: re-INVITE failed", "call_id", c.id, "err", ev.err)
		}
	}
}

// handleAfterEnd deals with events that arrive while the ended call waits
// for its journal: legs that answer late are hung up, requests answered.
func (c *call) handleAfterEnd(ev callEvent) {
	switch ev := ev.(type) {
	case evAgentChosen:
		c.srv.dispatcher.release(ev.agentID, c, false)
	case evLegSent:
		ev.leg.dlg = ev.dlg
	case evLegAnswered:
		ev.leg.answer = ev.res
		c.hangUp(ev.leg)
	case evLegFailed:
		ev.leg.closed = true
		c.srv.forgetLeg(ev.leg.callID)
	case evRequest:
		defer close(ev.done)
		if ev.req.IsInvite() || ev.req.Method == siplib.REFER {
			reply(ev.tx, ev.req, 481, "Call Does Not Exist")
			return
		}
		if ev.req.Method == siplib.BYE {
			if ev.leg != nil {
				ev.leg.gone, ev.leg.closed = true, true
				c.srv.forgetLeg(ev.leg.callID)
			}
			reply(ev.tx, ev.req, 200, "OK")
			return
		}
		reply(ev.tx, ev.req, 481, "Call Does Not Exist")
	}
}

// finish releases what the call holds once it ended.
func (c *call) finish() {
	for _, l := range c.legs() {
		c.srv.dispatcher.release(l.agentID, c, false)
	}
	c.srv.dispatcher.dequeue(c)
	c.srv.forget(c)
	close(c.done)
}

// legs lists every leg the call still knows.
func (c *call) legs() []*leg {
	var out []*leg
	for _, l := range append([]*leg{c.agent, c.pending, c.referrer}, c.others...) {
		if l != nil {
			out = append(out, l)
		}
	}
	return out
}

// end marks the call over.
func (c *call) end() {
	c.state = stateEnded
	c.srv.dispatcher.dequeue(c)
}
