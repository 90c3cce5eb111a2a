package sip

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/sipgo"
	siplib "github.com/emiago/sipgo/sip"
)

// request answers an in-dialog request from the caller (ev.leg nil) or an
// agent's phone. It returns true when it answers later, from another
// goroutine, which then closes ev.done itself.
func (c *call) request(ctx context.Context, ev evRequest) bool {
	switch ev.req.Method {
	case siplib.BYE:
		if ev.leg == nil {
			c.callerBye(ev)
		} else {
			c.legBye(ev)
		}
	case siplib.REFER:
		c.refer(ctx, ev)
	case siplib.INVITE:
		return c.reinvite(ev)
	case siplib.OPTIONS, siplib.INFO:
		// Keep-alives and DTMF relays need no action from a call centre
		// that does not carry the media.
		reply(ev.tx, ev.req, 200, "OK")
	case siplib.NOTIFY:
		reply(ev.tx, ev.req, 200, "OK")
	default:
		reply(ev.tx, ev.req, 501, "Not Implemented")
	}
	return false
}

// callerBye: the customer hung up.
func (c *call) callerBye(ev evRequest) {
	if err := c.dlg.ReadBye(ev.req, ev.tx); err != nil {
		reply(ev.tx, ev.req, 200, "OK")
	}
	if c.state == stateEnded {
		return
	}
	if !c.answered {
		c.abandon("CALLER_HUNG_UP", c.actorCustomer())
		return
	}
	c.endCall("CUSTOMER")
}

// legBye: an agent's phone hung up. The agent the caller talks to ends
// the call; a transferor leaving during a blind transfer does not.
func (c *call) legBye(ev evRequest) {
	l := ev.leg
	if l.dlg == nil || l.dlg.ReadBye(ev.req, ev.tx) != nil {
		reply(ev.tx, ev.req, 200, "OK")
	}
	wasGone := l.gone
	l.gone, l.closed = true, true
	c.srv.forgetLeg(l.callID)
	if !wasGone {
		c.srv.dispatcher.release(l.agentID, c, false)
	}
	if l == c.referrer {
		c.referrer = nil
	}
	switch {
	case c.state == stateEnded || wasGone:
	case l == c.agent && c.pending != nil:
		// The transferor left before the target answered: the caller
		// waits for the target.
		c.agent = nil
	case l == c.agent && c.state == stateTalking:
		c.endCall("AGENT")
	case l == c.agent || l == c.pending:
		c.legFailed(l, 480, fmt.Errorf("agent phone hung up an early dialog"))
	}
}

// reinvite relays a re-INVITE (a session refresh, hold, codec change)
// from one side to the other and the answer back, so the two phones keep
// negotiating media directly.
func (c *call) reinvite(ev evRequest) bool {
	l := c.agent
	if c.state != stateTalking || l == nil || !l.acked || l.closed || c.pending != nil || c.reinviting {
		reply(ev.tx, ev.req, 491, "Request Pending")
		return false
	}
	c.reinviting = true
	fromCaller := ev.leg == nil
	if !fromCaller && ev.leg != l {
		c.reinviting = false
		reply(ev.tx, ev.req, 481, "Call Does Not Exist")
		return false
	}
	callerTarget := remoteTarget(c.invite.Contact(), c.invite.Recipient)
	agentTarget := remoteTarget(l.answer.Contact(), l.dlg.InviteRequest.Recipient)
	out := siplib.NewRequest(siplib.INVITE, agentTarget)
	c.srv.fromListener(out, l.dlg.InviteRequest.Transport())
	if !fromCaller {
		out = siplib.NewRequest(siplib.INVITE, callerTarget)
		c.srv.fromListener(out, c.invite.Transport())
	}
	copyBody(ev.req, out)
	callerDlg, agentDlg := c.dlg, l.dlg
	contact := c.srv.dialogUA.ContactHDR
	c.srv.goRun(func() {
		defer close(ev.done)
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		var res *siplib.Response
		var err error
		if fromCaller {
			res, err = agentDlg.Do(ctx, out)
		} else {
			res, err = callerDlg.Do(ctx, out)
		}
		if err != nil {
			reply(ev.tx, ev.req, 500, "Other Side Did Not Answer")
			c.post(evReinviteDone{leg: l, err: err})
			return
		}
		back := siplib.NewResponseFromRequest(ev.req, res.StatusCode, res.Reason, res.Body())
		if ct := res.ContentType(); ct != nil {
			back.AppendHeader(siplib.HeaderClone(ct))
		}
		back.AppendHeader(siplib.HeaderClone(&contact))
		respond(ev.tx, back)
		if res.IsSuccess() {
			target := agentTarget
			if !fromCaller {
				target = callerTarget
			}
			transport := agentDlg.InviteRequest.Transport()
			if !fromCaller {
				transport = c.invite.Transport()
			}
			err = c.writeInDialogAck(fromCaller, agentDlg, callerDlg, target, transport)
		}
		c.post(evReinviteDone{leg: l, err: err})
	})
	return true
}

// reinviteCaller points the caller's media at the phone that took a
// transferred call: a re-INVITE carrying that phone's session description.
func (c *call) reinviteCaller(_ context.Context, l *leg) {
	if c.reinviting {
		c.log.Warn("sip: re-INVITE already in flight; the caller keeps its media target", "call_id", c.id)
		return
	}
	c.reinviting = true
	target := remoteTarget(c.invite.Contact(), c.invite.Recipient)
	req := siplib.NewRequest(siplib.INVITE, target)
	c.srv.fromListener(req, c.invite.Transport())
	if l.answer != nil {
		copyResponseBody(l.answer, req)
	}
	dlg := c.dlg
	c.srv.goRun(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		res, err := dlg.Do(ctx, req)
		if err == nil && !res.IsSuccess() {
			err = fmt.Errorf("caller answered the re-INVITE with %d", res.StatusCode)
		}
		if err == nil {
			err = c.writeInDialogAck(false, nil, dlg, remoteTarget(res.Contact(), target), c.invite.Transport())
		}
		c.post(evReinviteDone{leg: l, err: err})
	})
}

// writeInDialogAck acknowledges a 2xx to a re-INVITE we sent on the agent
// leg (toAgent) or the caller leg.
func (c *call) writeInDialogAck(toAgent bool, agent *sipgo.DialogClientSession, caller *sipgo.DialogServerSession, target siplib.Uri, transport string) error {
	ack := siplib.NewRequest(siplib.ACK, target)
	c.srv.fromListener(ack, transport)
	if toAgent {
		return agent.WriteRequest(ack)
	}
	return caller.WriteRequest(ack)
}

// notifyReferrer reports a REFER's progress to the agent who sent it, as
// RFC 3515 asks: a NOTIFY with the transfer leg's status line as
// message/sipfrag. NOTIFYs to one leg go out one after the other.
func (c *call) notifyReferrer(code int, reason string, final bool) {
	l := c.referrer
	if final {
		c.referrer = nil
	}
	if l == nil || l.closed || l.dlg == nil || l.answer == nil {
		return
	}
	req := siplib.NewRequest(siplib.NOTIFY, remoteTarget(l.answer.Contact(), l.dlg.InviteRequest.Recipient))
	c.srv.fromListener(req, l.dlg.InviteRequest.Transport())
	req.AppendHeader(siplib.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if final {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(siplib.NewHeader("Subscription-State", state))
	ct := siplib.ContentTypeHeader("message/sipfrag;version=2.0")
	req.AppendHeader(&ct)
	req.SetBody(fmt.Appendf(nil, "SIP/2.0 %d %s\r\n", code, reason))
	previous := l.notified
	done := make(chan struct{})
	l.notified = done
	dlg := l.dlg
	c.srv.goRun(func() {
		defer close(done)
		if previous != nil {
			<-previous
		}
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		if _, err := dlg.Do(ctx, req); err != nil {
			c.log.Debug("sip: NOTIFY to the transferring agent failed", "call_id", c.id, "agent", l.agentID, "err", err)
		}
	})
}

// remoteTarget is a dialog's remote target: the peer's Contact, or
// fallback when it sent none.
func remoteTarget(contact *siplib.ContactHeader, fallback siplib.Uri) siplib.Uri {
	if contact != nil {
		return *contact.Address.Clone()
	}
	return *fallback.Clone()
}

// copyBody copies a request's body and its Content-Type onto out.
func copyBody(in, out *siplib.Request) {
	if len(in.Body()) == 0 {
		return
	}
	if ct := in.ContentType(); ct != nil {
		out.AppendHeader(siplib.HeaderClone(ct))
	}
	out.SetBody(in.Body())
}

func copyResponseBody(in *siplib.Response, out *siplib.Request) {
	if len(in.Body()) == 0 {
		return
	}
	if ct := in.ContentType(); ct != nil {
		out.AppendHeader(siplib.HeaderClone(ct))
	}
	out.SetBody(in.Body())
}
