package replica

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// keyShipper ships the data key rows that changed since it last did.
type keyShipper struct {
	target *Target
	store  *datakeys.Store // nil: a ledger in clear
	// changes is the key store's change count when last shipped (-1:
	// never), so that an unchanged store costs one count, not a read.
	changes int64
	// shipped is what the replica holds of each customer: whether their
	// tombstone is there (else their wrapped key is).
	shipped map[string]bool
	objects []keyObject // the replica's key objects, in order
	stale   []keyObject // made obsolete by a "-full" object, to delete
}

// resume reads what the replica holds: every key object from the last
// "-full" one on; earlier ones are obsolete and deleted.
func (k *keyShipper) resume(ctx context.Context) error {
	if k.store == nil {
		return nil
	}
	if err := k.target.put(ctx, encryptedMarker, nil); err != nil {
		return err
	}
	objs, err := k.target.keyObjects(ctx)
	if err != nil {
		return err
	}
	k.objects, k.stale = liveKeyObjects(objs)
	k.shipped = map[string]bool{}
	rows, err := k.target.readKeyObjects(ctx, k.objects)
	if err != nil {
		return err
	}
	for _, r := range rows {
		k.shipped[r.Customer] = r.ErasedAt != 0
	}
	return nil
}

// liveKeyObjects splits objs (in order) at the last "-full" one.
func liveKeyObjects(objs []keyObject) (live, stale []keyObject) {
	from := 0
	for i, o := range objs {
		if o.full {
			from = i
		}
	}
	return objs[from:], objs[:from]
}

// ship puts a key object with what changed: the rows of new keys and of
// new erasures. An erasure of a customer whose wrapped key the replica
// holds writes a "-full" object instead and deletes every earlier one, so
// that the erased key does not outlive its erasure in the replica; so
// does a pile of more than maxKeyObjects objects.
func (k *keyShipper) ship(ctx context.Context, log *slog.Logger) error {
	if k.store == nil {
		return nil
	}
	if err := k.deleteStale(ctx); err != nil {
		return err
	}
	changes, err := k.store.Changes(ctx)
	if err != nil || changes == k.changes {
		return err
	}
	rows, err := k.store.Rows(ctx)
	if err != nil {
		return err
	}
	var changed []datakeys.Row
	full := len(k.objects) >= maxKeyObjects
	for _, r := range rows {
		erased, known := k.shipped[r.Customer]
		if known && (erased || r.ErasedAt == 0) {
			continue
		}
		changed = append(changed, r)
		if known && r.ErasedAt != 0 {
			full = true // the replica holds the wrapped key of someone erased
		}
	}
	if len(changed) > 0 {
		if full {
			changed = rows
		}
		if err := k.put(ctx, changed, full); err != nil {
			return err
		}
		if full {
			log.Info("data keys replicated whole, earlier key objects deleted", "keys", len(rows))
		}
	}
	k.changes = changes
	return k.deleteStale(ctx)
}

func (k *keyShipper) put(ctx context.Context, rows []datakeys.Row, full bool) error {
	lines := newGzipLines()
	for _, r := range rows {
		if err := lines.add(toWireKey(r)); err != nil {
			return fmt.Errorf("replicate data keys: %w", err)
		}
	}
	body, err := lines.bytes()
	if err != nil {
		return fmt.Errorf("replicate data keys: %w", err)
	}
	seq := uint64(1)
	if n := len(k.objects); n > 0 {
		seq = k.objects[n-1].seq + 1
	}
	obj := keyObject{seq: seq, full: full, name: keyObjectName(seq, full)}
	if err := k.target.put(ctx, obj.name, body); err != nil {
		return err
	}
	if full {
		k.stale = append(k.stale, k.objects...)
		k.objects = nil
	}
	k.objects = append(k.objects, obj)
	for _, r := range rows {
		k.shipped[r.Customer] = r.ErasedAt != 0
	}
	return nil
}

func (k *keyShipper) deleteStale(ctx context.Context) error {
	for len(k.stale) > 0 {
		if err := k.target.remove(ctx, k.stale[0].name); err != nil {
			return err
		}
		k.stale = k.stale[1:]
	}
	return nil
}

// readKeyObjects reads objs in order: each customer's last row.
func (t *Target) readKeyObjects(ctx context.Context, objs []keyObject) (map[string]datakeys.Row, error) {
	rows := map[string]datakeys.Row{}
	for _, o := range objs {
		body, err := t.get(ctx, o.name)
		if err != nil {
			return nil, err
		}
		err = readLines(body, func(w wireKey) (bool, error) {
			if prev, ok := rows[w.Customer]; !ok || prev.ErasedAt == 0 {
				rows[w.Customer] = w.row() // an erasure is never undone
			}
			return true, nil
		})
		_ = body.Close()
		if err != nil {
			return nil, fmt.Errorf("replica: read %s: %w", o.name, err)
		}
	}
	return rows, nil
}
