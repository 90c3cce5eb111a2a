package sip

import (
	"context"
	"errors"
	"strings"
	"time"

	siplib "github.com/emiago/sipgo/sip"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/internal/limit"
)

// maxBodyBytes bounds the session description we pass on; real SDP is a
// few hundred bytes.
const maxBodyBytes = 16 << 10

// handleInvite answers an INVITE: a re-INVITE within a call goes to that
// call; a new INVITE from a caller is checked, recorded (the interaction
// opened or continued, and queued) and then lives as a call until it ends.
// Nothing is appended for an INVITE refused here.
func (s *Server) handleInvite(req *siplib.Request, tx siplib.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		s.inDialog(req, tx)
		return
	}
	if s.closing.Load() {
		reply(tx, req, 503, "Service Unavailable")
		return
	}
	in, ok := s.checkInvite(req, tx)
	if !ok {
		return
	}
	if err := s.cfg.Limits.Identity(req.Source(), in.identity.String()); err != nil {
		s.refuseLimited(req, tx, err)
		return
	}
	if !s.admit(req, tx, in.callID) {
		return
	}
	c, ok := s.claim(in.callID, req, tx)
	if !ok {
		<-s.pending
		return
	}
	ok = s.setUp(c, in, req, tx)
	<-s.pending
	if !ok {
		c.finishEarly()
		return
	}
	c.run(s.ctx)
}

// admit takes a token for a new call being recorded, or answers 503 with
// Retry-After when MaxPendingCalls are already in flight: the ledger is
// behind, and a caller told to retry later is better served than one kept
// waiting until the recording times out.
func (s *Server) admit(req *siplib.Request, tx siplib.ServerTransaction, callID string) bool {
	select {
	case s.pending <- struct{}{}:
		return true
	default:
	}
	s.log.Warn("sip: ledger busy, new call refused", "call_id", callID, "pending", cap(s.pending))
	res := siplib.NewResponseFromRequest(req, 503, "Service Unavailable", nil)
	res.AppendHeader(siplib.NewHeader("Retry-After", "5"))
	respond(tx, res)
	return false
}

// setUp makes the INVITE a queued call: the dialog, 100 Trying, the
// interaction in the ledger, 182 Queued. It answers the caller and
// returns false when the call cannot go on.
func (s *Server) setUp(c *call, in inviteInfo, req *siplib.Request, tx siplib.ServerTransaction) bool {
	dlg, err := s.dialogUA.ReadInvite(req, tx)
	if err != nil {
		reply(tx, req, 400, "Bad Request")
		return false
	}
	c.setDialog(dlg)
	if !tx.OnCancel(func(*siplib.Request) { c.postAsync(evCallerCancelled{}) }) {
		return false // cancelled before anything was recorded
	}
	if err := dlg.Respond(100, "Trying", nil); err != nil {
		return false
	}
	if !s.record(c, in) {
		return false
	}
	if err := dlg.Respond(182, "Queued", nil); err != nil {
		s.log.Debug("sip: 182 to the caller failed", "call_id", c.id, "err", err)
	}
	return true
}

// inviteInfo is what a checked INVITE carries for the ledger.
type inviteInfo struct {
	callID   string
	caller   Caller
	identity domain.Identity
	check    domain.IdentityCheck
	queue    string
	sdp      []byte
	sdpType  string
}

// checkInvite validates a new INVITE and answers it (400, 403, 404, 413,
// 433, 483, 481) when it cannot become a call.
func (s *Server) checkInvite(req *siplib.Request, tx siplib.ServerTransaction) (inviteInfo, bool) {
	var in inviteInfo
	from, callID, cseq := req.From(), req.CallID(), req.CSeq()
	if from == nil || req.To() == nil || callID == nil || cseq == nil || req.Contact() == nil {
		reply(tx, req, 400, "Missing From, To, Call-ID, CSeq or Contact")
		return in, false
	}
	if !from.Params.Has("tag") {
		reply(tx, req, 400, "From Has No Tag")
		return in, false
	}
	in.callID = callID.Value()
	if len(in.callID) > 256 {
		reply(tx, req, 400, "Call-ID Too Long")
		return in, false
	}
	if mf := req.MaxForwards(); mf != nil && mf.Val() == 0 {
		reply(tx, req, 483, "Too Many Hops")
		return in, false
	}
	if len(req.Body()) > maxBodyBytes {
		reply(tx, req, 413, "Request Entity Too Large")
		return in, false
	}
	queue, ok := s.queueFor(req.Recipient.User)
	if !ok {
		reply(tx, req, 404, "Not Found")
		return in, false
	}
	in.queue = queue
	trunk := s.fromTrunk(req)
	if !trunk && !s.authenticDevice(req, tx) {
		return in, false
	}
	var pai []string
	if trunk { // elsewhere the header is whatever the caller wrote
		for _, h := range req.GetHeaders("P-Asserted-Identity") {
			pai = append(pai, h.Value())
		}
	}
	caller, err := CallerIdentity(from.Value(), pai)
	switch {
	case errors.Is(err, errAnonymous):
		reply(tx, req, 433, "Anonymity Disallowed")
		return in, false
	case err != nil:
		s.log.Info("sip: INVITE without a usable caller number", "call_id", in.callID, "source", req.Source(), "err", err)
		reply(tx, req, 400, "Caller Number Invalid")
		return in, false
	}
	identity, err := s.h.NormalizeIdentity(domain.Identity{Kind: domain.IdentityPhone, Value: caller.Number})
	if err != nil {
		s.log.Info("sip: caller number does not normalise", "call_id", in.callID, "err", err)
		reply(tx, req, 400, "Caller Number Invalid")
		return in, false
	}
	in.caller, in.identity = caller, identity
	in.caller.Number = identity.Value
	in.check = domain.IdentityClaimed
	if caller.Asserted {
		in.check = domain.IdentityAsserted
	}
	if body := req.Body(); len(body) > 0 {
		in.sdp = body
		in.sdpType = "application/sdp"
		if ct := req.ContentType(); ct != nil {
			in.sdpType = ct.Value()
		}
	}
	return in, true
}

// queueFor maps the dialled number to its queue. Without configured
// numbers every number is the service number and goes to the default
// queue.
func (s *Server) queueFor(dialled string) (string, bool) {
	if len(s.cfg.Numbers) == 0 {
		return s.cfg.DefaultQueue, true
	}
	q, ok := s.cfg.Numbers[strings.TrimSpace(dialled)]
	return q, ok
}

// record opens (or, for a retried INVITE, finds) the caller's interaction
// on channel PHONE through the command layer and fills the call. The
// Call-ID is the provider message id and the conversation key, so an
// INVITE retried with the same Call-ID lands on the same interaction and
// appends nothing new. It answers the caller and returns false when the
// call cannot go on.
func (s *Server) record(c *call, in inviteInfo) bool {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	if ended, err := s.endedBefore(ctx, in.callID); err != nil {
		s.log.Error("sip: looking up the call's interaction failed", "call_id", in.callID, "err", err)
		c.rejectEarly(500, "Server Internal Error")
		return false
	} else if ended {
		// A retry of a call that already ended must not open a new
		// interaction: Call-IDs are unique per call.
		c.rejectEarly(481, "Call Already Ended")
		return false
	}
	res, err := s.h.ReceiveInbound(ctx, commands.InboundMessage{
		Channel:           domain.ChannelPhone,
		From:              in.identity,
		DisplayName:       in.caller.DisplayName,
		ProviderMessageID: in.callID,
		ConversationKey:   in.callID,
		IdentityCheck:     in.check,
		Queue:             in.queue,
	}, commands.Meta{})
	if d, unavailable := eventstore.Unavailable(err); unavailable {
		// The ledger's disk is full (logged once by the store): the
		// caller's side may try again later, as with a busy ledger.
		s.log.Debug("sip: ledger cannot record now, new call refused", "call_id", in.callID, "err", err)
		c.rejectEarly(503, "Service Unavailable", siplib.NewHeader("Retry-After", limit.RetryAfterSeconds(d)))
		return false
	}
	if err != nil {
		code, reason := 500, "Server Internal Error"
		if domain.ErrorCode(err) == domain.EINVALID {
			code, reason = 400, "Bad Request"
		}
		s.log.Error("sip: recording the call failed", "call_id", in.callID, "err", err)
		c.rejectEarly(code, reason)
		return false
	}
	var it domain.Interaction
	if !res.NewInteraction {
		// The Call-ID was seen before (this server restarted mid-call):
		// continue the interaction from where it is.
		if it, err = s.h.LoadInteraction(ctx, res.InteractionID); err != nil {
			s.log.Error("sip: loading the call's interaction failed", "call_id", in.callID, "err", err)
			c.rejectEarly(500, "Server Internal Error")
			return false
		}
		if !it.AnsweredAt.IsZero() || it.Status.Ended() {
			c.rejectEarly(481, "Call Already Answered")
			return false
		}
	}
	now := time.Now()
	c.interactionID, c.customerID = res.InteractionID, res.CustomerID
	c.caller, c.sdp, c.sdpType = in.caller, in.sdp, in.sdpType
	c.setQueue(in.queue)
	c.queuedAt, c.deadline = now, now.Add(s.cfg.QueueTimeout)
	c.journal = newJournal(s.ctx, s.h, &s.journals, c.log, c.id, c.interactionID)
	if it.AgentID != "" {
		// The call was with an agent when this server went away (a
		// restart): it waits in the queue again.
		c.journal.record("requeue#0", actorSystem, domain.QueueInteraction{Queue: in.queue})
	}
	return true
}

// endedBefore reports whether the Call-ID names a call whose interaction
// already ended. The command layer names a conversation's first
// interaction DeriveID("interaction", <conversation stream>#0); a test
// pins this so a change there is noticed here.
func (s *Server) endedBefore(ctx context.Context, callID string) (bool, error) {
	it, err := s.h.LoadInteraction(ctx, firstInteractionID(s.h.StreamNames(), callID))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return it.Status.Ended() || !it.CallEndedAt.IsZero(), nil
}

func firstInteractionID(names domain.StreamNames, callID string) string {
	return commands.DeriveID("interaction", names.Conversation(domain.ChannelPhone, callID)+"#0")
}

// rejectEarly answers a call that never got to the queue, with headers
// (a Retry-After, say).
func (c *call) rejectEarly(code int, reason string, headers ...siplib.Header) {
	if err := c.dlg.Respond(code, reason, nil, headers...); err != nil {
		c.log.Debug("sip: final response failed", "call_id", c.id, "err", err)
	}
}

// finishEarly ends a call whose loop never ran.
func (c *call) finishEarly() {
	c.state = stateEnded
	if c.journal != nil {
		<-c.journal.idle()
	}
	c.srv.forget(c)
	close(c.done)
}
