package graphql

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/transport"
)

// The access ledger: every query that returns a customer's personal data
// (names, identities, message text, ticket subjects and descriptions,
// interaction summaries and CSAT comments) is recorded, with who asked,
// for which customers, which fields, through which operation, from where
// and whether the answer was masked. Resolvers of those fields note what
// they return (noteAccess); when the operation has run, its notes become
// one domain.DataAccess per masking, and the recorder appends them in
// batches (CustomerDataAccessed on the day's access stream).

type accessNotesKey struct{}

// accessNotes are an operation's reads of personal data, by masking.
type accessNotes struct {
	operation string
	mu        sync.Mutex
	reads     map[bool]*noted
}

type noted struct {
	customers map[string]bool
	fields    map[string]bool
}

// withAccessNotes starts noting the reads of the operation called
// operation.
func withAccessNotes(ctx context.Context, operation string) context.Context {
	return context.WithValue(ctx, accessNotesKey{}, &accessNotes{operation: operation, reads: map[bool]*noted{}})
}

// noteAccess records that the operation in ctx returned field of
// customer's personal data, masked or not.
func noteAccess(ctx context.Context, customerID, field string, masked bool) {
	n, _ := ctx.Value(accessNotesKey{}).(*accessNotes)
	if n == nil || customerID == "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.reads[masked]
	if r == nil {
		r = &noted{customers: map[string]bool{}, fields: map[string]bool{}}
		n.reads[masked] = r
	}
	r.customers[customerID], r.fields[field] = true, true
}

// accesses turns the operation's notes into access records and starts
// afresh: a subscription is recorded response by response.
func accesses(ctx context.Context, at time.Time) []domain.DataAccess {
	n, _ := ctx.Value(accessNotesKey{}).(*accessNotes)
	if n == nil {
		return nil
	}
	v, _ := auth.ViewerFrom(ctx)
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []domain.DataAccess
	for _, masked := range []bool{false, true} {
		r := n.reads[masked]
		if r == nil {
			continue
		}
		out = append(out, domain.DataAccess{Subject: v.Subject, Role: string(v.Role), CustomerIDs: sortedKeys(r.customers),
			Fields: sortedKeys(r.fields), Operation: n.operation, Masked: masked, ClientAddr: transport.ClientIP(ctx), At: at})
	}
	clear(n.reads)
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// accessRecorder appends the access records in batches: one append per
// accessBatch records or accessFlushEvery, whichever comes first.
type accessRecorder struct {
	store eventstore.Store
	in    chan domain.DataAccess
	log   *slog.Logger
	now   func() time.Time
	done  chan struct{}
}

const (
	accessBatch      = 512
	accessFlushEvery = 200 * time.Millisecond
)

func newAccessRecorder(store eventstore.Store, now func() time.Time, log *slog.Logger) *accessRecorder {
	return &accessRecorder{store: store, in: make(chan domain.DataAccess, 4*accessBatch), log: log, now: now, done: make(chan struct{})}
}

// record queues the accesses, waiting while the queue is full: a read
// is answered only once its record is queued. A client that went away
// meanwhile still read the data, so its record is queued all the same;
// only a recorder stuck for recordWait loses one, and says so.
func (a *accessRecorder) record(accesses []domain.DataAccess) {
	for _, x := range accesses {
		select {
		case a.in <- x:
			continue
		default:
		}
		timer := time.NewTimer(recordWait)
		select {
		case a.in <- x:
		case <-timer.C:
			a.log.Error("access record dropped: the access ledger has not taken a record for a while", "wait", recordWait, "subject", x.Subject, "customers", x.CustomerIDs)
		}
		timer.Stop()
	}
}

// recordWait bounds how long a read waits for the access ledger.
const recordWait = 30 * time.Second

// run appends batches until ctx ends, then appends what is queued.
func (a *accessRecorder) run(ctx context.Context) {
	defer close(a.done)
	var batch []domain.DataAccess
	tick := time.NewTicker(accessFlushEvery)
	defer tick.Stop()
	for {
		select {
		case x := <-a.in:
			if batch = append(batch, x); len(batch) >= accessBatch {
				batch = a.flush(ctx, batch)
			}
		case <-tick.C:
			batch = a.flush(ctx, batch)
		case <-ctx.Done():
			for {
				select {
				case x := <-a.in:
					batch = append(batch, x)
				default:
					a.flush(context.WithoutCancel(ctx), batch)
					return
				}
			}
		}
	}
}

// flush appends batch, retrying while the store refuses; it returns the
// records still to append (none once appended).
func (a *accessRecorder) flush(ctx context.Context, batch []domain.DataAccess) []domain.DataAccess {
	if len(batch) == 0 {
		return batch
	}
	if err := a.append(ctx, batch); err != nil {
		a.log.Error("access records not appended yet; trying again", "records", len(batch), "err", err)
		return batch
	}
	return batch[:0]
}

func (a *accessRecorder) append(ctx context.Context, batch []domain.DataAccess) error {
	typ, schema, data, err := domain.EncodeEvent(domain.CustomerDataAccessed{Accesses: batch})
	if err != nil {
		return err
	}
	meta, err := json.Marshal(eventstore.Metadata{Actor: "system:access-log"})
	if err != nil {
		return err
	}
	stream := domain.AccessStream(a.now())
	_, err = a.store.Append(ctx, stream, eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: typ, Schema: schema, Data: data, Metadata: meta}})
	if err != nil {
		return fmt.Errorf("append %s: %w", stream, err)
	}
	return nil
}

// AccessLog returns the recorded reads of a customer's personal data.
func (r *resolver) AccessLog(ctx context.Context, args struct {
	CustomerID gql.ID
	From, To   *gql.Time
	First      *int32
}) ([]*dataAccessResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadAuditTrail); err != nil {
		return nil, err
	}
	first, err := r.listFirst(args.First)
	if err != nil {
		return nil, err
	}
	var from, to time.Time
	if args.From != nil {
		from = args.From.Time
	}
	if args.To != nil {
		to = args.To.Time
	}
	list, err := r.db.AccessLog(ctx, string(args.CustomerID), from, to, first)
	if err != nil {
		return nil, err
	}
	out := make([]*dataAccessResolver, len(list))
	for i, a := range list {
		out[i] = &dataAccessResolver{a: a}
	}
	return out, nil
}

type dataAccessResolver struct{ a domain.DataAccess }

func (d *dataAccessResolver) At() gql.Time           { return gql.Time{Time: d.a.At} }
func (d *dataAccessResolver) Subject() string        { return d.a.Subject }
func (d *dataAccessResolver) Role() string           { return d.a.Role }
func (d *dataAccessResolver) Fields() []string       { return d.a.Fields }
func (d *dataAccessResolver) Operation() string      { return d.a.Operation }
func (d *dataAccessResolver) Masked() bool           { return d.a.Masked }
func (d *dataAccessResolver) ClientAddress() *string { return strOf(d.a.ClientAddr) }
