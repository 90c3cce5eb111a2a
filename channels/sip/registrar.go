package sip

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	siplib "github.com/emiago/sipgo/sip"

	"github.com/interactionledger/ledger/domain"
)

// binding is where an agent's softphone takes calls: the Contact of its
// last successful REGISTER. One phone per agent: a new registration
// replaces the old one (an agent has one desk phone at a time).
type binding struct {
	agentID   string
	contact   siplib.Uri
	transport string
	expires   time.Time
	callID    string
	cseq      uint32
}

// registrar holds the agents' registrations in memory: phones
// re-register every few minutes, so after a restart the table refills
// itself, and registrations never become ledger events (they are device
// state, not facts about customers).
type registrar struct {
	auth      *digestAuth
	agents    func(ctx context.Context, id string) (bool, error)
	now       func() time.Time
	minExpiry time.Duration
	maxExpiry time.Duration
	log       *slog.Logger
	changed   func() // tells the dispatcher a phone came or went

	mu       sync.Mutex
	bindings map[string]*binding
}

// lookup returns the agent's live registration.
func (r *registrar) lookup(agentID string) (binding, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.bindings[agentID]
	if !ok || !r.now().Before(b.expires) {
		return binding{}, false
	}
	return *b, true
}

// registered reports whether agentID's phone is registered.
func (r *registrar) registered(agentID string) bool {
	_, ok := r.lookup(agentID)
	return ok
}

// registeredAgents lists the agents whose registration is live.
func (r *registrar) registeredAgents() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	out := make([]string, 0, len(r.bindings))
	for id, b := range r.bindings {
		if now.Before(b.expires) {
			out = append(out, id)
		} else {
			delete(r.bindings, id)
		}
	}
	slices.Sort(out)
	return out
}

// handleRegister answers a REGISTER (RFC 3261 section 10.3): it
// challenges for digest credentials, checks that the user registers their
// own address of record and is an agent of the ledger, then adds, renews
// or removes the binding.
func (r *registrar) handleRegister(req *siplib.Request, tx siplib.ServerTransaction) {
	to, contacts, ok := r.parseRegister(req, tx)
	if !ok {
		return
	}
	var authz string
	if h := req.GetHeader("Authorization"); h != nil {
		authz = h.Value()
	}
	user, err := r.auth.verify(digestRequest{
		header: authz, method: string(siplib.REGISTER), requestURI: req.Recipient,
		source: req.Source(), aorUser: to.User,
	})
	switch {
	case errors.Is(err, errNoCredentials):
		r.challenge(req, tx, false)
		return
	case errors.Is(err, errStaleNonce) || errors.Is(err, errForgedNonce):
		// A nonce from before a restart, an old one, or one issued to
		// another address (the phone moved): ask again rather than fail
		// the phone (RFC 2617 stale=true for an expired one).
		r.challenge(req, tx, errors.Is(err, errStaleNonce))
		return
	case errors.Is(err, errReplayed):
		// A nonce count already used: a replayed request, or a phone that
		// lost count. A fresh challenge lets the phone go on; a replay
		// cannot answer it without the password. Nothing changes.
		r.log.Warn("sip: REGISTER with a nonce count already used (replay?)", "aor", to.User, "source", req.Source())
		r.challenge(req, tx, false)
		return
	case errors.Is(err, errBadCredentials):
		reply(tx, req, 400, "Bad Authorization Header")
		return
	case err != nil:
		r.log.Warn("sip: REGISTER refused", "aor", to.User, "source", req.Source(), "err", err)
		reply(tx, req, 403, "Forbidden")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	exists, err := r.agents(ctx, user)
	if err != nil {
		r.log.Error("sip: REGISTER: look up agent", "agent", user, "err", err)
		reply(tx, req, 500, "Server Internal Error")
		return
	}
	if !exists {
		r.log.Warn("sip: REGISTER from credentials of an agent the ledger does not know", "agent", user)
		reply(tx, req, 403, "Not An Agent")
		return
	}
	r.apply(req, tx, user, contacts)
}

// parseRegister validates the parts of a REGISTER the registrar needs;
// on a malformed request it answers 400 and returns ok false.
func (r *registrar) parseRegister(req *siplib.Request, tx siplib.ServerTransaction) (siplib.Uri, []*siplib.ContactHeader, bool) {
	to := req.To()
	if to == nil || req.From() == nil || req.CallID() == nil || req.CSeq() == nil {
		reply(tx, req, 400, "Missing To, From, Call-ID or CSeq")
		return siplib.Uri{}, nil, false
	}
	if to.Address.Scheme != "sip" && to.Address.Scheme != "sips" || ValidAgentID(to.Address.User) != nil {
		reply(tx, req, 400, "To Is Not An Agent Address")
		return siplib.Uri{}, nil, false
	}
	var contacts []*siplib.ContactHeader
	for _, h := range req.GetHeaders("Contact") {
		c, ok := h.(*siplib.ContactHeader)
		if !ok {
			reply(tx, req, 400, "Malformed Contact")
			return siplib.Uri{}, nil, false
		}
		contacts = append(contacts, c)
	}
	return to.Address, contacts, true
}

func (r *registrar) challenge(req *siplib.Request, tx siplib.ServerTransaction, stale bool) {
	res := siplib.NewResponseFromRequest(req, 401, "Unauthorized", nil)
	res.AppendHeader(siplib.NewHeader("WWW-Authenticate", r.auth.challenge(req.Source(), stale)))
	respond(tx, res)
}

// apply adds, refreshes or removes the agent's binding and answers 200
// with the current binding (RFC 3261 section 10.3 step 8).
func (r *registrar) apply(req *siplib.Request, tx siplib.ServerTransaction, agentID string, contacts []*siplib.ContactHeader) {
	headerExpiry := -1
	if h := req.GetHeader("Expires"); h != nil {
		n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
		if err != nil || n < 0 {
			reply(tx, req, 400, "Malformed Expires")
			return
		}
		headerExpiry = n
	}
	now := r.now()
	callID, cseq := req.CallID().Value(), req.CSeq().SeqNo
	r.mu.Lock()
	old := r.bindings[agentID]
	if old != nil && old.callID == callID && cseq <= old.cseq {
		// RFC 3261 10.3 step 7: an older or repeated request of the same
		// registration must not undo a newer one.
		r.mu.Unlock()
		r.ok(req, tx, agentID)
		return
	}
	changed := false
	for _, c := range contacts {
		expiry := headerExpiry
		if v, ok := c.Params.Get("expires"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				r.mu.Unlock()
				reply(tx, req, 400, "Malformed Contact Expires")
				return
			}
			expiry = n
		}
		if c.Address.Wildcard {
			if expiry != 0 || len(contacts) != 1 {
				r.mu.Unlock()
				reply(tx, req, 400, "Wildcard Contact Needs Expires 0")
				return
			}
			delete(r.bindings, agentID)
			changed = true
			continue
		}
		if expiry < 0 {
			expiry = int(r.maxExpiry / time.Second)
		}
		if expiry == 0 {
			if old != nil && sameContact(old.contact, c.Address) {
				delete(r.bindings, agentID)
				changed = true
			}
			continue
		}
		if d := time.Duration(expiry) * time.Second; d < r.minExpiry {
			r.mu.Unlock()
			res := siplib.NewResponseFromRequest(req, 423, "Interval Too Brief", nil)
			res.AppendHeader(siplib.NewHeader("Min-Expires", strconv.Itoa(int(r.minExpiry/time.Second))))
			respond(tx, res)
			return
		}
		d := min(time.Duration(expiry)*time.Second, r.maxExpiry)
		transport := strings.ToLower(req.Transport())
		if t, ok := c.Address.UriParams.Get("transport"); ok {
			transport = strings.ToLower(t)
		}
		r.bindings[agentID] = &binding{
			agentID: agentID, contact: *c.Address.Clone(), transport: transport,
			expires: now.Add(d), callID: callID, cseq: cseq,
		}
		changed = true
	}
	r.mu.Unlock()
	if changed {
		r.log.Info("sip: agent phone registration", "agent", agentID, "contacts", len(contacts), "source", req.Source())
		r.changed()
	}
	r.ok(req, tx, agentID)
}

func (r *registrar) ok(req *siplib.Request, tx siplib.ServerTransaction, agentID string) {
	res := siplib.NewResponseFromRequest(req, 200, "OK", nil)
	if b, ok := r.lookup(agentID); ok {
		c := &siplib.ContactHeader{Address: b.contact, Params: siplib.NewParams()}
		c.Params.Add("expires", strconv.Itoa(int(b.expires.Sub(r.now())/time.Second)))
		res.AppendHeader(c)
	}
	res.AppendHeader(siplib.NewHeader("Date", r.now().UTC().Format(time.RFC1123)))
	respond(tx, res)
}

func sameContact(a, b siplib.Uri) bool {
	return a.User == b.User && strings.EqualFold(a.Host, b.Host) && a.Port == b.Port
}

// agentExists adapts the command layer to the registrar: is there an
// agent with this id in the ledger?
func agentExists(load func(ctx context.Context, id string) (domain.Agent, error)) func(ctx context.Context, id string) (bool, error) {
	return func(ctx context.Context, id string) (bool, error) {
		a, err := load(ctx, id)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return a.Registered(), nil
	}
}
