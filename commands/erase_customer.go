package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// KeyEraser destroys customers' data keys: what an encrypted ledger's
// store offers besides sealing (eventstore/unseal.Store).
type KeyEraser interface {
	EraseKey(ctx context.Context, customerID string, at time.Time) error
}

// EraseCustomer honours a customer's request to erase their personal data
// (domain.CustomerErased), in an order that a retry after a crash at any
// step completes:
//  1. the erasure starts (domain.CustomerErasureStarted): from then on the
//     customer takes no link and no merge, so what the next steps release
//     and destroy cannot grow behind their back;
//  2. the identities of the customer and of every customer merged into
//     them, at any depth, are released, so that the same phone number or
//     address may be claimed afresh (while they can still be read: their
//     stream names are digests of the values);
//  3. the data keys of all those customers are destroyed: from then on
//     every personal field they sealed reads as domain.ErasedText, in
//     every read of the ledger;
//  4. CustomerErased is appended, naming exactly the customers whose keys
//     step 3 destroyed; the read models, analytics and the outbound queue
//     act on it.
//
// Only an encrypted ledger can erase: a ledger in clear answers with an
// error saying to migrate it first.
func (h *Handler) EraseCustomer(ctx context.Context, customerID, reason string, meta Meta) (Result, error) {
	return runFlow(ctx, h, "EraseCustomer", func() (Result, Result, error) {
		res, err := h.eraseCustomer(ctx, customerID, reason, meta)
		return res, res, err
	})
}

func (h *Handler) eraseCustomer(ctx context.Context, customerID, reason string, meta Meta) (Result, error) {
	eraser, ok := h.sealer.(KeyEraser)
	if !ok {
		return Result{}, domain.Errorf(domain.ECONFLICT, "this ledger keeps personal data in clear, so nothing can be erased from it: migrate it to an encrypted copy first (ledger migrate --encrypt)")
	}
	if _, err := domain.DecideCustomer(domain.Customer{ID: customerID, Registered: true}, domain.EraseCustomer{Reason: reason}, h.now()); err != nil {
		return Result{}, err // the reason is checked before anything changes
	}
	started, root, err := execute(ctx, h, customers, customerID, meta.withKey("erase-start"), domain.CustomerCommand(domain.StartErasure{}))
	if err != nil {
		return started, err
	}
	scope, err := h.erasureScope(ctx, root)
	if err != nil {
		return started, err
	}
	finished, err := h.finishMerges(ctx, scope, meta)
	if err != nil {
		return finished, err
	}
	released, err := h.releaseAll(ctx, scope, meta)
	if err != nil {
		return released, err
	}
	if !root.Erased {
		for _, id := range scope.customers {
			if err := eraser.EraseKey(ctx, id, h.now()); err != nil {
				return released, fmt.Errorf("destroy the data key of %s: %w", id, err)
			}
		}
		// Cached states hold what the keys opened: they go with the keys.
		h.cache.evictCustomers(scope.member, "erased")
	}
	erased, _, err := execute(ctx, h, customers, customerID, meta.withKey("erase"), domain.CustomerCommand(domain.EraseCustomer{
		Reason: reason, ErasedBy: meta.Actor, Sources: scope.customers[1:], Identities: len(root.Identities),
	}))
	// Again: a load that read before the keys went may have cached since.
	h.cache.evictCustomers(scope.member, "erased")
	erased.Position = maxPosition(started, finished, released, erased)
	if err != nil {
		return erased, err
	}
	// The files go last: their keys are gone, so they are unreadable
	// already, and a blob store that is down does not hold the erasure
	// up. A rerun deletes what is left.
	if err := h.eraseFiles(ctx, scope.customers); err != nil {
		return erased, fmt.Errorf("the customer is erased (their data keys are destroyed), but deleting their unreadable files failed; erase again to delete them: %w", err)
	}
	return erased, nil
}

// erasureScope is what an erasure releases and destroys.
type erasureScope struct {
	// customers are the erased customer first, then every customer merged
	// into it, into those, and so on.
	customers []string
	// identities are those any of them holds, as far as they still read.
	identities []domain.Identity
	member     map[string]bool
	// unfinished are merges into the scope that recorded the absorption
	// but not yet the source's side: source -> target.
	unfinished map[string]string
}

// erasureScope follows the merges into root to any depth: a customer
// merged into one that was merged into root is root's as much.
func (h *Handler) erasureScope(ctx context.Context, root domain.Customer) (erasureScope, error) {
	scope := erasureScope{member: map[string]bool{}, unfinished: map[string]string{}}
	for queue := []domain.Customer{root}; len(queue) > 0; queue = queue[1:] {
		c := queue[0]
		if scope.member[c.ID] {
			continue
		}
		scope.member[c.ID] = true
		scope.customers = append(scope.customers, c.ID)
		scope.identities = append(scope.identities, c.Identities...)
		for _, id := range c.AbsorbedSources() {
			source, err := h.LoadCustomer(ctx, id)
			if err != nil {
				return scope, fmt.Errorf("customer %s, merged into %s: %w", id, c.ID, err)
			}
			// A source marked merged into another customer lost a race
			// of opposite merges and is about to be released from c: it
			// is not c's. One not marked at all is a merge into c still
			// under way: its identities are already c's.
			if source.MergedInto == "" {
				scope.unfinished[id] = c.ID
			}
			if source.MergedInto == "" || source.MergedInto == c.ID {
				queue = append(queue, source)
			}
		}
	}
	return scope, nil
}

// finishMerges marks the sources of merges under way merged, as the
// merge would have: their conversations then lead to the erased customer,
// so that the next message from a released number starts afresh.
func (h *Handler) finishMerges(ctx context.Context, scope erasureScope, meta Meta) (Result, error) {
	var last Result
	for source, target := range scope.unfinished {
		res, _, err := execute(ctx, h, customers, source, meta.withKey("erase-merge"),
			domain.CustomerCommand(domain.MergeInto{TargetID: target}))
		if err != nil {
			return last, fmt.Errorf("finish the merge of %s into %s: %w", source, target, err)
		}
		last.Position = maxPosition(last, res)
	}
	return last, nil
}

// releaseAll gives back the reservations of the scope's identities, held
// by whichever customer of the scope holds them (a merge under way may not
// have moved them to the erased customer yet). Identities that already
// read as erased were released by an earlier attempt, before the keys
// went.
func (h *Handler) releaseAll(ctx context.Context, scope erasureScope, meta Meta) (Result, error) {
	var last Result
	for _, id := range scope.identities {
		if id.Value == domain.ErasedText {
			continue
		}
		res, _, err := executePlan(ctx, h, reservations, h.names.Identity(id), meta.withKey("erase-release"), "ReleaseIdentity",
			func(cur loaded[domain.IdentityReservation]) []domain.ReservationCommand {
				if !scope.member[cur.state.Owner] {
					return nil // claimed by nobody, or by a customer outside the erasure
				}
				return []domain.ReservationCommand{domain.ReleaseIdentity{Kind: id.Kind, CustomerID: cur.state.Owner}}
			})
		if err != nil {
			return last, fmt.Errorf("release %s identity of %s: %w", id.Kind, scope.customers[0], err)
		}
		last.Position = maxPosition(last, res)
	}
	return last, nil
}

// eraseFiles deletes the kept files of the customers. Their keys are gone
// already, so what is left is unreadable; deleting it frees the space and
// leaves no ciphertext behind. A rerun after a crash deletes the rest.
func (h *Handler) eraseFiles(ctx context.Context, customerIDs []string) error {
	if h.files == nil {
		return nil
	}
	for _, id := range customerIDs {
		if err := h.files.Erase(ctx, id); err != nil {
			return fmt.Errorf("delete the files of %s: %w", id, err)
		}
	}
	return nil
}
