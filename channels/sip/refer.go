package sip

import (
	"context"
	"errors"
	"fmt"
	"time"

	siplib "github.com/emiago/sipgo/sip"

	"github.com/interactionledger/ledger/domain"
)

// refer handles a blind transfer (RFC 3515) asked by the agent on the
// call: REFER with Refer-To naming another agent or a queue. The B2BUA
// performs it itself instead of letting the agent's phone call the target:
// the caller's leg stays ours, so the transfer is recorded and the target
// is a phone we know. The transferor hears the outcome by NOTIFY and is
// expected to hang up; the caller's media moves to the target by
// re-INVITE once the target answers.
func (c *call) refer(ctx context.Context, ev evRequest) {
	l := ev.leg
	switch {
	case l == nil:
		reply(ev.tx, ev.req, 403, "Callers Cannot Transfer")
		return
	case l != c.agent || c.state != stateTalking || !l.answered || l.gone:
		reply(ev.tx, ev.req, 403, "Not The Agent On This Call")
		return
	case c.pending != nil || c.reinviting:
		reply(ev.tx, ev.req, 491, "Request Pending")
		return
	}
	target, err := ParseReferTo(referToValue(ev.req))
	switch {
	case errors.Is(err, errAttendedTransfer):
		reply(ev.tx, ev.req, 403, "Attended Transfer Not Supported")
		return
	case err != nil:
		c.log.Info("sip: malformed REFER", "call_id", c.id, "agent", l.agentID, "err", err)
		reply(ev.tx, ev.req, 400, "Bad Refer-To")
		return
	}
	if target.Queue != "" {
		c.referToQueue(ev, l, target.Queue)
		return
	}
	switch {
	case target.AgentID == l.agentID:
		reply(ev.tx, ev.req, 400, "Cannot Transfer To Yourself")
		return
	case !c.srv.registrar.registered(target.AgentID):
		reply(ev.tx, ev.req, 404, "Agent Not Registered")
		return
	case !c.srv.dispatcher.reserve(target.AgentID, c):
		reply(ev.tx, ev.req, 486, "Agent Busy")
		return
	}
	reply(ev.tx, ev.req, 202, "Accepted")
	c.transfers++
	c.journal.record(fmt.Sprintf("transfer#%d", c.transfers), actorAgent(l.agentID),
		domain.TransferInteraction{ToAgentID: target.AgentID, Reason: "REFER"})
	c.offers++
	n := c.offers
	c.journal.record(fmt.Sprintf("offer#%d", n), actorSystem, domain.OfferCall{AgentID: target.AgentID})
	c.referrer = l
	c.notifyReferrer(100, "Trying", false)
	c.pending = c.offer(ctx, target.AgentID, n, true)
}

// referToQueue sends the call back to a queue: the transferor's part is
// done at once, the caller waits (still answered) for the next agent.
func (c *call) referToQueue(ev evRequest, l *leg, queue string) {
	reply(ev.tx, ev.req, 202, "Accepted")
	c.transfers++
	c.journal.record(fmt.Sprintf("transfer#%d", c.transfers), actorAgent(l.agentID),
		domain.TransferInteraction{ToQueue: queue, Reason: "REFER"})
	c.referrer = l
	c.notifyReferrer(200, "OK", true)
	c.agent = nil
	c.retire(l)
	c.setQueue(queue)
	c.deadline = time.Now().Add(c.srv.cfg.QueueTimeout)
	c.state = stateQueued
	c.srv.dispatcher.enqueue(c)
}

// referToValue returns the Refer-To header value, in its long or compact
// form.
func referToValue(req *siplib.Request) string {
	for _, name := range []string{"Refer-To", "r"} {
		if h := req.GetHeader(name); h != nil {
			return h.Value()
		}
	}
	return ""
}
