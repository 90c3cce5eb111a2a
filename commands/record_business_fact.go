package commands

import (
	"context"
	"strconv"

	"github.com/interactionledger/ledger/domain"
)

// businessContexts are keyed by customer id (domain.BusinessContextStream).
var businessContexts = aggregate[domain.BusinessContext, domain.RecordBusinessFact]{
	stream:   domain.BusinessContextStream,
	initial:  func(id string) domain.BusinessContext { return domain.BusinessContext{CustomerID: id} },
	evolve:   domain.EvolveBusinessContext,
	clone:    domain.BusinessContext.Clone,
	decide:   domain.DecideBusinessContext,
	customer: func(c domain.BusinessContext) string { return c.CustomerID },
}

// FactResult is what recording a business fact did.
type FactResult struct {
	// CustomerID is the customer the fact was recorded for.
	CustomerID string
	// CustomerCreated is set when the identity was unknown and this call
	// registered its customer.
	CustomerCreated bool
	Outcome         domain.FactOutcome
	// Version is the fact's newest recorded version: the one sent, or,
	// when the one sent was stale, the newer one recorded before.
	Version int64
	// Position is the ledger position of the fact's event: the one
	// written, or for a retry the one written the first time; 0 for a
	// stale fact.
	Position uint64
}

// RecordBusinessFact records a fact a CRM or order system knows about the
// customer who holds identity (a phone number, an email address, an
// account id), registering that customer when nobody holds it, as an
// inbound message would (ResolveCustomer).
//
// It is idempotent by the fact's source, kind, external id and version:
// those make the event's id, so a retry, even one racing the first
// request, writes nothing and is answered with the first one's position.
// A version older than the newest recorded is stale (even when it was
// itself recorded once): nothing is written and the outcome says so with
// the newer version. An invalid fact is refused
// (EINVALID) before anything is written, a new customer included.
func (h *Handler) RecordBusinessFact(ctx context.Context, identity domain.Identity, fact domain.RecordBusinessFact, meta Meta) (FactResult, error) {
	return runFlow(ctx, h, "RecordBusinessFact", func() (FactResult, Result, error) {
		fact, err := domain.CleanBusinessFact(fact)
		if err != nil {
			return FactResult{}, Result{}, err
		}
		fact.Tier = h.planTiers.TierOf(fact)
		// The fact's own key, not the caller's, names the events: two
		// deliveries of one version are one fact whatever keys they carry.
		meta.IdempotencyKey = factKey(fact)
		owner, err := h.ResolveCustomer(ctx, identity, "", meta.withKey("resolve"))
		if err != nil {
			return FactResult{}, Result{Position: owner.Position}, err
		}
		fact.CustomerID = owner.CustomerID
		res, state, err := executePlan(ctx, h, businessContexts, owner.CustomerID, meta, "RecordBusinessFact",
			func(loaded[domain.BusinessContext]) []domain.RecordBusinessFact {
				return []domain.RecordBusinessFact{fact}
			})
		out := FactResult{CustomerID: owner.CustomerID, CustomerCreated: owner.Created, Position: res.Position}
		if err != nil {
			return out, res, err
		}
		current := state.VersionOf(fact.Key())
		out.Version = max(current, fact.Version)
		switch {
		case len(res.Events) > 0:
			out.Outcome = domain.FactRecorded
		case current > fact.Version:
			// Older than the newest, even if this version was recorded
			// once: the caller must learn its version is not the one kept.
			out.Outcome, out.Position = domain.FactStale, 0
		default:
			out.Outcome = domain.FactUnchanged
		}
		return out, res, nil
	})
}

// factKey is the idempotency key of one version of a fact.
func factKey(f domain.RecordBusinessFact) string {
	return "fact|" + string(f.Kind) + "|" + f.Source + "|" + f.ExternalID + "|" + strconv.FormatInt(f.Version, 10)
}
