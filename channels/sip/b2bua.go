package sip

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo"
	siplib "github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// actorSystem is the metadata actor of steps the channel decides itself.
const actorSystem = "system:sip"

func actorAgent(id string) string { return "agent:" + id }

func (c *call) actorCustomer() string { return "customer:" + c.customerID }

// agentChosen offers the call to the agent the dispatcher picked.
func (c *call) agentChosen(ctx context.Context, agentID string) {
	if c.state != stateQueued {
		c.srv.dispatcher.release(agentID, c, false)
		return
	}
	c.offers++
	n := c.offers
	c.journal.record(fmt.Sprintf("offer#%d", n), actorSystem, domain.AssignInteraction{AgentID: agentID}, domain.OfferCall{AgentID: agentID})
	l := c.offer(ctx, agentID, n, false)
	if c.answered {
		// A call transferred to a queue after it was answered: the caller
		// stays answered while the next agent rings.
		c.state = stateTalking
		c.pending = l
		return
	}
	c.state = stateOffering
	c.agent = l
}

// offer calls agentID's registered phone with the caller's session
// description and returns the leg; the answer arrives as an event.
func (c *call) offer(ctx context.Context, agentID string, n int, transfer bool) *leg {
	l := &leg{n: n, agentID: agentID, transfer: transfer, callID: uuid.NewString()}
	b, ok := c.srv.registrar.lookup(agentID)
	if !ok {
		c.postAsync(evLegFailed{leg: l, code: 480, err: errors.New("agent phone not registered")})
		return l
	}
	req := c.agentInvite(l, b)
	offerCtx, cancel := context.WithTimeout(ctx, c.srv.cfg.RingTimeout)
	l.cancel = cancel
	c.srv.remember(l.callID, c, l)
	c.srv.goRun(func() {
		defer cancel()
		c.runOffer(offerCtx, l, req)
	})
	return l
}

// agentInvite builds the INVITE to an agent's phone: to its registered
// contact, showing the caller's number, carrying the caller's SDP
// unchanged so media flows between the two phones, not through us.
func (c *call) agentInvite(l *leg, b binding) *siplib.Request {
	req := siplib.NewRequest(siplib.INVITE, *b.contact.Clone())
	transport := "UDP"
	if b.transport != "" {
		transport = siplib.NetworkToUpper(b.transport)
	}
	c.srv.fromListener(req, transport)
	from := &siplib.FromHeader{
		DisplayName: c.caller.DisplayName,
		Address:     siplib.Uri{Scheme: "sip", User: c.caller.Number, Host: c.srv.host},
		Params:      siplib.NewParams(),
	}
	from.Params.Add("tag", siplib.GenerateTagN(16))
	to := &siplib.ToHeader{Address: siplib.Uri{Scheme: "sip", User: l.agentID, Host: c.srv.host}, Params: siplib.NewParams()}
	callID := siplib.CallIDHeader(l.callID)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(siplib.NewHeader("X-Interaction-ID", c.interactionID))
	if len(c.sdp) > 0 {
		ct := siplib.ContentTypeHeader(c.sdpType)
		req.AppendHeader(&ct)
		req.SetBody(c.sdp)
	}
	return req
}

// runOffer sends the INVITE and waits for the phone's answer, reporting
// progress to the loop. Cancelling ctx (caller hung up, ring timeout)
// makes sipgo send CANCEL.
func (c *call) runOffer(ctx context.Context, l *leg, req *siplib.Request) {
	dlg, err := c.srv.dialogUA.WriteInvite(ctx, req)
	if err != nil {
		c.post(evLegFailed{leg: l, code: 503, err: fmt.Errorf("send INVITE to %s: %w", l.agentID, err)})
		return
	}
	c.post(evLegSent{leg: l, dlg: dlg})
	err = dlg.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *siplib.Response) error {
		if res.IsProvisional() && res.StatusCode > 100 {
			c.post(evLegProgress{leg: l, res: res})
		}
		return nil
	}})
	if err == nil {
		c.post(evLegAnswered{leg: l, res: dlg.InviteResponse})
		return
	}
	if res := dlg.InviteResponse; res != nil && res.IsSuccess() {
		// The phone answered as we cancelled: the loop hangs it up.
		c.post(evLegAnswered{leg: l, res: res})
		return
	}
	code := 0
	var rejected *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &rejected):
		code = rejected.Res.StatusCode
	case errors.Is(err, context.DeadlineExceeded):
		code = 408
	}
	c.post(evLegFailed{leg: l, code: code, err: err})
}

// legProgress relays ringing (180) or early media (183 with SDP) from the
// agent's phone to the caller and records that the phone rings.
func (c *call) legProgress(l *leg, res *siplib.Response) {
	if l.gone || (l != c.agent && l != c.pending) {
		return
	}
	if !l.rang && (res.StatusCode == 180 || res.StatusCode == 183) {
		l.rang = true
		c.journal.record(fmt.Sprintf("ring#%d", l.n), actorAgent(l.agentID), domain.RingCall{AgentID: l.agentID})
	}
	if c.answered {
		return
	}
	var headers []siplib.Header
	body := res.Body()
	if len(body) > 0 {
		if ct := res.ContentType(); ct != nil {
			headers = append(headers, siplib.HeaderClone(ct))
		}
	}
	if err := c.dlg.Respond(res.StatusCode, res.Reason, body, headers...); err != nil {
		c.log.Debug("sip: relaying progress to the caller failed", "call_id", c.id, "err", err)
	}
}

// legAnswered bridges the caller to the phone that answered: the first
// answer is relayed to the caller as its 200 OK; a transfer target's
// answer is put to the caller in a re-INVITE.
func (c *call) legAnswered(ctx context.Context, l *leg, res *siplib.Response) {
	l.answer = res
	if l.gone || (l != c.agent && l != c.pending) || c.state == stateEnded {
		// Nobody wants this leg any more (the caller left as it answered).
		c.hangUp(l)
		return
	}
	l.answered = true
	if !l.rang && l.ringing.Load() {
		// The phone rang, but its 180 was overtaken by its 200 inside
		// sipgo: the ring is recorded all the same, before the answer.
		l.rang = true
		c.journal.record(fmt.Sprintf("ring#%d", l.n), actorAgent(l.agentID), domain.RingCall{AgentID: l.agentID})
	}
	if !c.answered {
		c.journal.record(fmt.Sprintf("answer#%d", l.n), actorAgent(l.agentID), domain.AnswerCall{AgentID: l.agentID})
		c.talkSince = true
		c.answered = true
		c.state = stateTalking
		ok := siplib.NewResponseFromRequest(c.dlg.InviteRequest, 200, "OK", res.Body())
		if ct := res.ContentType(); ct != nil {
			ok.AppendHeader(siplib.HeaderClone(ct))
		}
		c.srv.goRun(func() { c.post(evCallerAcked{err: c.dlg.WriteResponse(ok)}) })
		return
	}
	// A transfer (or a re-queued answered call) reached its new agent.
	c.ack(l, nil)
	previous := c.agent
	c.agent, c.pending = l, nil
	if previous != nil && previous != l {
		c.retire(previous)
	}
	if c.referrer != nil {
		c.notifyReferrer(200, "OK", true)
	}
	c.reinviteCaller(ctx, l)
}

// callerAcked completes the first answer once the caller acknowledged its
// 200 OK: the agent's phone gets its ACK (carrying the caller's answer
// when the caller's INVITE had no offer). A caller that never ACKs, or
// cancelled just before, ends the call.
func (c *call) callerAcked(err error) {
	l := c.agent
	if l == nil || l.gone {
		return
	}
	if err == nil {
		var body []byte
		if len(c.sdp) == 0 {
			body = c.takeAckBody()
		}
		c.ack(l, body)
		return
	}
	c.log.Warn("sip: caller did not take the answered call", "call_id", c.id, "err", err)
	endedBy := "SYSTEM"
	if errors.Is(err, siplib.ErrTransactionCanceled) {
		endedBy = "CUSTOMER"
	}
	c.ack(l, nil)
	c.hangUp(l)
	c.endCall(endedBy)
}

// ack acknowledges a leg's 200 OK once.
func (c *call) ack(l *leg, body []byte) {
	if l.acked || l.dlg == nil {
		return
	}
	l.acked = true
	ack := siplib.NewRequest(siplib.ACK, remoteTarget(l.dlg.InviteResponse.Contact(), l.dlg.InviteRequest.Recipient))
	c.srv.fromListener(ack, l.dlg.InviteRequest.Transport())
	if len(body) > 0 {
		// The caller's answer to an offer the agent's phone made in its
		// 200 OK (the caller's INVITE carried no SDP).
		ct := siplib.ContentTypeHeader("application/sdp")
		ack.AppendHeader(&ct)
		ack.SetBody(body)
	}
	if err := l.dlg.WriteAck(context.Background(), ack); err != nil {
		c.log.Warn("sip: ACK to agent phone failed", "call_id", c.id, "agent", l.agentID, "err", err)
	}
}

// legFailed handles an offer that did not end in an answer: the agent is
// freed (and rests a moment if the phone did not answer at all) and the
// call goes back to the queue, or, for a failed transfer, back to the
// transferring agent if they are still on the line.
func (c *call) legFailed(l *leg, code int, err error) {
	l.closed = true
	c.srv.forgetLeg(l.callID)
	if l.gone {
		return // we cancelled it ourselves
	}
	l.gone = true
	noAnswer := code == 0 || code == 408 || code == 480 || code >= 500
	c.srv.dispatcher.release(l.agentID, c, noAnswer)
	c.log.Info("sip: agent phone did not take the call", "call_id", c.id, "agent", l.agentID, "status", code, "err", err)
	if c.state == stateEnded {
		return
	}
	c.decline(l.agentID)
	switch l {
	case c.agent:
		c.agent = nil
		c.requeue(fmt.Sprintf("requeue#%d", l.n), actorSystem, domain.QueueInteraction{Queue: c.queue})
	case c.pending:
		c.pending = nil
		if c.referrer != nil {
			status, reason := failureStatus(code)
			c.notifyReferrer(status, reason, true)
		}
		c.transferFailed(l)
	}
}

// transferFailed puts a call whose transfer target did not answer back
// with the agent who transferred it, or in the queue if they hung up.
func (c *call) transferFailed(l *leg) {
	c.transfers++
	key := fmt.Sprintf("transfer#%d", c.transfers)
	if back := c.agent; back != nil && !back.gone {
		c.journal.record(key, actorSystem, domain.TransferInteraction{ToAgentID: back.agentID, Reason: "transfer to " + l.agentID + " not answered"})
		c.state = stateTalking
		return
	}
	c.agent = nil
	c.requeue(key, actorSystem, domain.TransferInteraction{ToQueue: c.queue, Reason: "transfer to " + l.agentID + " not answered"})
}

// requeue records cmd and puts the call back in the queue, keeping its
// place.
func (c *call) requeue(key, actor string, cmd domain.InteractionCommand) {
	c.journal.record(key, actor, cmd)
	c.state = stateQueued
	c.srv.dispatcher.enqueue(c)
}

func failureStatus(code int) (int, string) {
	switch {
	case code == 0 || code == 408:
		return 408, "Request Timeout"
	case code == 486 || code == 600:
		return 486, "Busy Here"
	case code == 603:
		return 603, "Decline"
	default:
		return 480, "Temporarily Unavailable"
	}
}

// hangUp ends a leg: CANCEL while it rings, BYE once answered (also when
// it answers after it was cancelled: its answer comes back here).
func (c *call) hangUp(l *leg) {
	if l == nil || l.closed {
		return
	}
	if !l.gone {
		l.gone = true
		c.srv.dispatcher.release(l.agentID, c, false)
	}
	if l.answer == nil {
		if l.cancel != nil {
			l.cancel() // WaitAnswer sends CANCEL
		}
		return
	}
	l.closed = true
	dlg := l.dlg
	if dlg == nil {
		return
	}
	c.ack(l, nil)
	bye := siplib.NewRequest(siplib.BYE, remoteTarget(dlg.InviteResponse.Contact(), dlg.InviteRequest.Recipient))
	c.srv.fromListener(bye, dlg.InviteRequest.Transport())
	c.srv.goRun(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		if err := dlg.WriteBye(ctx, bye); err != nil {
			c.log.Debug("sip: BYE to agent phone failed", "call_id", c.id, "agent", l.agentID, "err", err)
		}
		c.srv.forgetLeg(l.callID)
	})
}

// hangUpCaller sends the caller a BYE (answered) or a final error
// response (not answered yet).
func (c *call) hangUpCaller(status int, reason string) {
	if !c.answered {
		if err := c.dlg.Respond(status, reason, nil); err != nil {
			c.log.Debug("sip: final response to the caller failed", "call_id", c.id, "err", err)
		}
		return
	}
	dlg := c.dlg
	bye := siplib.NewRequest(siplib.BYE, remoteTarget(c.invite.Contact(), c.invite.Recipient))
	c.srv.fromListener(bye, c.invite.Transport())
	c.srv.goRun(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		if err := dlg.WriteBye(ctx, bye); err != nil {
			c.log.Debug("sip: BYE to the caller failed", "call_id", c.id, "err", err)
		}
	})
}

// retire keeps a replaced agent leg (the transferor) until its phone hangs
// up, and hangs it up itself if it lingers.
func (c *call) retire(l *leg) {
	c.others = append(c.others, l)
	if l.gone {
		return
	}
	c.srv.goRun(func() {
		t := time.NewTimer(c.srv.cfg.TransferorGrace)
		defer t.Stop()
		select {
		case <-t.C:
			c.post(evTransferorExpiry{leg: l})
		case <-c.done:
		}
	})
}

// endCall records the end of an answered call, hangs up every leg and
// ends the call.
func (c *call) endCall(endedBy string) {
	if c.talkSince {
		c.journal.record("end", c.actorFor(endedBy), domain.EndCall{EndedBy: endedBy})
	}
	for _, l := range c.legs() {
		c.hangUp(l)
	}
	c.end()
}

// abandon records that the caller left (or was let go) before any agent
// answered, stops every ringing phone and ends the call.
func (c *call) abandon(reason, actor string) {
	if c.talkSince {
		// An agent answered in the same instant: it is an ended call.
		c.endCall("CUSTOMER")
		return
	}
	c.journal.record("abandon", actor, domain.AbandonInteraction{Reason: reason})
	for _, l := range c.legs() {
		c.hangUp(l)
	}
	c.end()
}

func (c *call) actorFor(endedBy string) string {
	switch endedBy {
	case "CUSTOMER":
		return c.actorCustomer()
	case "AGENT":
		if c.agent != nil {
			return actorAgent(c.agent.agentID)
		}
	}
	return actorSystem
}

// callerCancelled: the caller hung up before being answered (CANCEL).
// sipgo has already answered the CANCEL with 200 and the INVITE with 487.
func (c *call) callerCancelled() {
	if c.state == stateEnded || c.answered && c.talkSince {
		return
	}
	c.abandon("CALLER_CANCELLED", c.actorCustomer())
}

// queueTimeout lets a caller go who waited longer than the queue allows.
func (c *call) queueTimeout() {
	if c.state != stateQueued {
		return
	}
	c.log.Info("sip: no agent within the queue timeout", "call_id", c.id, "queue", c.queue)
	c.hangUpCaller(480, "No Agent Available")
	if c.answered {
		c.endCall("SYSTEM")
		return
	}
	c.abandon("QUEUE_TIMEOUT", actorSystem)
}

// shutdown ends the call because the server stops.
func (c *call) shutdown() {
	if c.state == stateEnded {
		return
	}
	c.hangUpCaller(503, "Service Unavailable")
	if c.answered {
		c.endCall("SYSTEM")
		return
	}
	c.abandon("SERVICE_SHUTDOWN", actorSystem)
}
