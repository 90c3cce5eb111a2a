package commands

import (
	"context"
	"strconv"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// Resolution is the customer an identity belongs to.
type Resolution struct {
	CustomerID string
	// Created is true when this call registered the customer.
	Created bool
	// Identity is the normalised identity.
	Identity domain.Identity
	// Position is the last ledger position written (0 if nothing was).
	Position uint64
}

// maxMergeHops bounds how far resolution follows chains of merges.
const maxMergeHops = 8

// ResolveCustomer returns the customer that owns identity, registering a
// new customer when nobody does. Ownership is decided by the identity's
// reservation stream, appended with "no stream" expected: of two channels
// racing with the same first message from one phone number, exactly one
// reservation is written and both calls return the same customer.
//
// The new customer's id is derived from the identity and the reservation
// stream's version, so racers propose the same id, and a call that crashed
// between reserving and registering is completed by the next one. When the
// owner was merged into another customer (and the merge has not moved the
// reservation yet), resolution follows the merge.
func (h *Handler) ResolveCustomer(ctx context.Context, identity domain.Identity, displayName string, meta Meta) (Resolution, error) {
	return runFlow(ctx, h, "ResolveCustomer", func() (Resolution, Result, error) {
		claim, err := h.claimIdentity(ctx, identity, displayName, meta)
		if err != nil {
			return Resolution{}, Result{Position: claim.Position}, err
		}
		registered, err := claim.register(ctx)
		res := claim.Resolution
		res.Created = registered.Position != 0
		res.Position = max(res.Position, registered.Position)
		return res, Result{Position: res.Position}, err
	})
}

// identityClaim is an identity's owner once the reservation stream has
// decided it: a customer already registered (followed through merges), or
// one still to register. Registration may run concurrently with appends
// that name the customer, such as a first message's interaction: readers
// meet the customer's id before its registration at worst for one group
// commit, and a flow that failed half-way is completed by its retry.
type identityClaim struct {
	Resolution
	// pending registers the new customer; nil when it is registered.
	pending func(ctx context.Context) (Result, error)
}

// register registers the claimed customer if that is still to be done.
func (c identityClaim) register(ctx context.Context) (Result, error) {
	if c.pending == nil {
		return Result{}, nil
	}
	return c.pending(ctx)
}

// claimIdentity reserves identity for a new customer unless somebody owns
// it: the one durable wait resolution cannot do without. It leaves the new
// customer's registration to the caller (identityClaim.register).
func (h *Handler) claimIdentity(ctx context.Context, identity domain.Identity, displayName string, meta Meta) (identityClaim, error) {
	norm, err := h.NormalizeIdentity(identity)
	if err != nil {
		return identityClaim{}, err
	}
	reserved, owner, err := h.reserveIdentity(ctx, h.names.Identity(norm), norm, meta.withKey("reserve"))
	if err != nil {
		return identityClaim{Resolution: Resolution{Position: reserved.Position}}, err
	}
	claim := identityClaim{Resolution: Resolution{CustomerID: owner, Identity: norm, Position: reserved.Position}}
	customer, err := load(ctx, h, customers, owner, uuid.Nil)
	if err != nil {
		return claim, err
	}
	if !customer.state.Registered {
		claim.pending = func(ctx context.Context) (Result, error) {
			res, _, err := h.ensureRegistered(ctx, owner, norm, displayName, meta.withKey("register"))
			return res, err
		}
		return claim, nil
	}
	claim.CustomerID, err = h.followMerges(ctx, customer.state)
	return claim, err
}

// reserveIdentity returns the identity's owner, reserving it for a new
// customer id when it has none.
func (h *Handler) reserveIdentity(ctx context.Context, stream string, id domain.Identity, meta Meta) (Result, string, error) {
	plan := func(cur loaded[domain.IdentityReservation]) []domain.ReservationCommand {
		if cur.state.Owner != "" {
			return nil
		}
		// One candidate per reservation epoch: an identity released and
		// claimed again gets a new customer, not the old one back.
		candidate := DeriveID("customer", stream+"#"+strconv.FormatInt(cur.version, 10))
		return []domain.ReservationCommand{domain.ReserveIdentity{Kind: id.Kind, CustomerID: candidate}}
	}
	res, state, err := executePlan(ctx, h, reservations, stream, meta, "ReserveIdentity", plan)
	return res, state.Owner, err
}

// ensureRegistered registers customerID with its identity unless it
// exists: a concurrent or earlier attempt may have done it already.
func (h *Handler) ensureRegistered(ctx context.Context, customerID string, id domain.Identity, displayName string, meta Meta) (Result, domain.Customer, error) {
	plan := func(cur loaded[domain.Customer]) []domain.CustomerCommand {
		if cur.state.Registered {
			return nil
		}
		return []domain.CustomerCommand{domain.RegisterCustomer{CustomerID: customerID, DisplayName: displayName, Identity: &id}}
	}
	return executePlan(ctx, h, customers, customerID, meta, "RegisterCustomer", plan)
}

// followMerges returns the customer that c lives on as: c itself, or the
// end of its chain of merges.
func (h *Handler) followMerges(ctx context.Context, c domain.Customer) (string, error) {
	for range maxMergeHops {
		if c.MergedInto == "" {
			return c.ID, nil
		}
		next, err := load(ctx, h, customers, c.MergedInto, uuid.Nil)
		if err != nil {
			return "", err
		}
		c = next.state
	}
	return "", domain.Errorf(domain.ECONFLICT, "customer %s: more than %d merges in a row", c.ID, maxMergeHops)
}
