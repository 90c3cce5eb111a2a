package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/interactionledger/ledger/eventstore"
)

// writer is the one goroutine that writes: it owns the write connection,
// drains every queued request into one transaction, commits it with one
// fsync and then has each caller answered. Batching needs no timer:
// requests queue up while the previous commit waits for the disk, and
// those that arrive while a batch is being written join it.
type writer struct {
	conn    *sql.Conn
	ctx     context.Context // for database calls; never cancelled
	cfg     config
	log     *slog.Logger
	metrics *metrics
	notify  func()
	// checkpoint asks the background checkpointer to run.
	checkpoint func()
	// sinceCheckpoint counts events committed since the last request.
	sinceCheckpoint int
	queue           chan *request
	answers         chan answer   // committed batches for answerCallers
	done            chan struct{} // closed when run returns and every caller is answered
	carry           *request      // taken from the queue but left for the next batch
	stmts           *writeStmts

	// Committed state, trusted while valid: the end of the log (position,
	// stream number, recorded_at) and stream heads. It is reloaded when
	// another connection wrote to the file (PRAGMA data_version) or after
	// a failed batch.
	valid       bool
	dataVersion int64
	tail        tail
	heads       *headCache
	// committed, if set, is told every commit's stream heads (see
	// WithSoleWriter).
	committed *committedHeads
	// recent, if set, is given every commit's events (see
	// WithSoleWriter).
	recent *recentEvents
	// full is set while batches fail for lack of space: the episode is
	// logged once when it starts and once when a commit succeeds again,
	// not for every refused batch.
	full bool
}

func newWriter(ctx context.Context, conn *sql.Conn, cfg config, m *metrics, log *slog.Logger, notify, checkpoint func()) (*writer, error) {
	stmts, err := prepareWrites(ctx, conn)
	if err != nil {
		return nil, err
	}
	return &writer{
		conn:       conn,
		ctx:        context.Background(),
		cfg:        cfg,
		log:        log,
		metrics:    m,
		notify:     notify,
		checkpoint: checkpoint,
		queue:      make(chan *request, defaultQueueLen),
		answers:    make(chan answer, answerQueueLen),
		done:       make(chan struct{}),
		stmts:      stmts,
		heads:      newHeadCache(cfg.streamCacheSize),
	}, nil
}

func (w *writer) closeStmts() {
	if w.stmts != nil {
		w.stmts.close()
	}
}

// answer is a committed batch whose callers are still to be told.
type answer struct {
	reqs []*request
	b    *batch
}

// answerQueueLen bounds the committed batches waiting to be answered.
const answerQueueLen = 16

// run serves batches until the queue is closed and drained.
func (w *writer) run() {
	answered := make(chan struct{})
	go w.answerCallers(answered)
	defer func() {
		close(w.answers)
		<-answered
		close(w.done)
	}()
	for {
		first, ok := w.next()
		if !ok {
			return
		}
		w.process(first)
	}
}

// next blocks for the first request of a batch: the one the last batch
// had no room for, or the next in the queue.
func (w *writer) next() (*request, bool) {
	if r := w.carry; r != nil {
		w.carry = nil
		return r, true
	}
	r, ok := <-w.queue
	return r, ok
}

// drain adds to reqs, which hold n events, every request already queued,
// without waiting, up to the batch bound; a request that does not fit is
// carried over to the next batch. A request whose caller has given up is
// answered at once and left out.
func (w *writer) drain(reqs []*request, n int) []*request {
	for w.carry == nil && n < w.cfg.maxBatchEvents {
		select {
		case r, ok := <-w.queue:
			if !ok {
				return reqs // closed: the next call to next sees it
			}
			if n > 0 && n+len(r.events) > w.cfg.maxBatchEvents {
				w.carry = r
				return reqs
			}
			if w.gone(r) {
				continue
			}
			reqs = append(reqs, r)
			n += len(r.events)
		default:
			return reqs
		}
	}
	return reqs
}

// gone answers r with its context's error if its caller has given up.
func (w *writer) gone(r *request) bool {
	err := r.ctx.Err()
	if err == nil {
		return false
	}
	w.metrics.observeAppend(resultError)
	r.done <- response{err: fmt.Errorf("append %s: %w", r.stream, err)}
	return true
}

// process writes one batch, starting with first, and hands it to
// answerCallers once it is committed.
func (w *writer) process(first *request) {
	start := time.Now()
	var reqs []*request
	n := 0
	if !w.gone(first) {
		reqs, n = append(reqs, first), len(first.events)
	}
	reqs = w.drain(reqs, n)
	if len(reqs) == 0 {
		return
	}
	b, reqs, err := w.write(reqs)
	if err != nil {
		w.fail(reqs, err)
		return
	}
	w.resumed()
	w.publish(b)
	if len(b.rows) > 0 {
		w.notify()
		w.metrics.observeBatch(len(b.rows), time.Since(start))
	}
	w.answers <- answer{reqs: reqs, b: b}
}

// answerCallers tells the callers of committed batches their results, in
// commit order, so that the writer can go on to the next batch: waking a
// hundred goroutines is work the writer need not wait for. Every batch it
// is handed is already committed and synced. It closes answered when
// answers is closed and drained.
func (w *writer) answerCallers(answered chan<- struct{}) {
	defer close(answered)
	for a := range w.answers {
		for i, r := range a.reqs {
			w.metrics.observeAppend(a.b.kinds[i]) // before the caller can look
			r.done <- a.b.results[i]
		}
	}
}

// fail answers every request of a failed batch with its error. Nothing of
// the batch was published; the committed state is reloaded before the next
// batch in case the failure left it uncertain.
func (w *writer) fail(reqs []*request, err error) {
	w.valid = false
	w.forgetCommitted()
	err = classify(err)
	switch _, unavailable := eventstore.Unavailable(err); {
	case unavailable && !w.full:
		w.full = true
		w.log.Error("event store disk full: appends are refused until space is freed", "requests", len(reqs), "err", err)
	case unavailable:
		w.log.Debug("event store disk still full", "requests", len(reqs))
	default:
		w.log.Error("event store group commit failed", "requests", len(reqs), "err", err)
	}
	for _, r := range reqs {
		w.metrics.observeAppend(resultError)
		r.done <- response{err: fmt.Errorf("append %s: %w", r.stream, err)}
	}
}

// resumed ends a disk-full episode after a successful batch.
func (w *writer) resumed() {
	if w.full {
		w.full = false
		w.log.Warn("event store writes resumed: the disk has space again")
	}
}

// publish makes a committed batch's effects the committed state.
func (w *writer) publish(b *batch) {
	if len(b.rows) == 0 {
		return
	}
	for stream, h := range b.heads {
		w.heads.put(stream, h)
	}
	if w.committed != nil {
		w.committed.publish(b.heads)
	}
	if w.recent != nil {
		w.recent.add(b.recorded())
	}
	w.tail = b.tail()
	w.heads.trim()
	w.sinceCheckpoint += len(b.rows)
	if w.sinceCheckpoint >= checkpointEveryEvents {
		w.sinceCheckpoint = 0
		w.checkpoint()
	}
}

// errNeedsLookup stops a transaction decided without looking up event
// ids when a request that joined late was not accepted: it may be the
// retry of a stored append (see decide).
var errNeedsLookup = errors.New("a request was not accepted; the batch must be decided with its ids looked up")

// write runs the batch's transaction: decide every request, insert the
// accepted rows, commit. It first decides without looking up the batch's
// event ids, which almost never are stored already, and lets the unique
// index on event_id catch the exceptions: if an insert hits it, the
// transaction is rolled back and the batch written again, deciding with
// the stored ids in view. See decide for why that gives the same outcome
// as looking them up every time. It returns the batch's requests: those
// given and those that joined it while it was written.
func (w *writer) write(reqs []*request) (*batch, []*request, error) {
	b, reqs, err := w.transact(reqs, false)
	if isStoredIDError(err) || errors.Is(err, errNeedsLookup) {
		w.log.Debug("event store batch carried a stored event id or a rejected request; writing it again with an id lookup", "requests", len(reqs))
		return w.transact(reqs, true)
	}
	return b, reqs, err
}

// transact runs one attempt at the batch's transaction, rolled back on
// error. lookup says whether to look up the batch's ids first.
//
// Requests that reach the queue while the batch's rows are being inserted
// join the batch before COMMIT, so that they share its fsync instead of
// waiting for it and paying for one of their own. Without that, callers
// answered by one commit come back while the next is being written, and
// the writers settle into two cohorts that take turns: twice the fsyncs
// for the same work. A batch decided with the id lookup takes no late
// requests: it is the rare path and stays simple, and so a late request
// that is not accepted can only come after requests that all were (see
// join).
func (w *writer) transact(reqs []*request, lookup bool) (b *batch, _ []*request, err error) {
	if _, err := w.conn.ExecContext(w.ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, reqs, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			// SQLite rolls back by itself after some failures (SQLITE_FULL
			// at COMMIT): then there is nothing left to roll back.
			if _, rbErr := w.conn.ExecContext(w.ctx, "ROLLBACK"); rbErr != nil && !strings.Contains(rbErr.Error(), "no transaction is active") {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
			}
		}
	}()
	if b, err = w.decide(reqs, lookup); err != nil {
		return nil, reqs, err
	}
	for len(b.rows) > b.written {
		if err = w.stmts.insert(w.ctx, b); err != nil {
			return nil, reqs, err
		}
		if b.lookedUp {
			break
		}
		if w.cfg.afterInsert != nil {
			w.cfg.afterInsert()
		}
		late := w.drain(nil, b.events())
		reqs = append(reqs, late...)
		if err = w.join(b, late); err != nil {
			return nil, reqs, err
		}
	}
	if len(b.rows) == 0 {
		_, err = w.conn.ExecContext(w.ctx, "ROLLBACK") // nothing to write, nothing to sync
		if err != nil {
			return nil, reqs, fmt.Errorf("end read-only batch: %w", err)
		}
		return b, reqs, nil
	}
	if w.cfg.beforeCommit != nil {
		if err = w.cfg.beforeCommit(); err != nil {
			return nil, reqs, err
		}
	}
	if _, err = w.conn.ExecContext(w.ctx, "COMMIT"); err != nil {
		return nil, reqs, fmt.Errorf("commit: %w", err)
	}
	return b, reqs, nil
}

// join decides requests that reached the queue while b was being written,
// against b as it stands. Their streams' heads come from b when b changed
// them, else from the cache or the database, which inside the transaction
// also shows b's own rows: those must not reach the cache of committed
// heads.
func (w *writer) join(b *batch, late []*request) error {
	if len(late) == 0 {
		return nil
	}
	if err := w.loadHeads(late, b.heads); err != nil {
		return err
	}
	for _, r := range late {
		b.add(r)
	}
	if b.rejected > 0 {
		return errNeedsLookup
	}
	return nil
}

// isStoredIDError reports whether err is an insert refused by the unique
// index on events.event_id. Any other constraint failure (stream heads out
// of step with the file, say) fails the batch as before.
func isStoredIDError(err error) bool {
	var se *sqlitedrv.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE &&
		strings.Contains(se.Error(), "events.event_id")
}

// decide loads what the batch needs from the database (inside the
// transaction) and decides every request in order.
//
// Without lookup, the batch's event ids are taken to be new. The decisions
// are then exactly those a lookup would give as long as every request is
// accepted and no accepted id is stored: an id found in the lookup is the
// only way the two can differ. So a batch in which some request is not
// accepted (it may be the retry of a stored append, which a stale expected
// version would otherwise turn into a conflict) is decided again with the
// lookup, and a stored id among the accepted ones makes the insert fail
// on the unique index, which write answers the same way.
func (w *writer) decide(reqs []*request, lookup bool) (*batch, error) {
	if err := w.sync(); err != nil {
		return nil, err
	}
	if err := w.loadHeads(reqs, nil); err != nil {
		return nil, err
	}
	b, err := w.decideAll(reqs, lookup)
	if err == nil && !lookup && b.rejected > 0 {
		return w.decideAll(reqs, true)
	}
	return b, err
}

// decideAll decides every request in order, against the committed state
// loaded into the cache.
func (w *writer) decideAll(reqs []*request, lookup bool) (*batch, error) {
	var stored map[string]storedEvent
	if lookup {
		var err error
		if stored, err = w.stmts.lookupIDs(w.ctx, reqs); err != nil {
			return nil, err
		}
	}
	events := 0
	for _, r := range reqs {
		events += len(r.events)
	}
	b := newBatch(w.tail, w.now(), stored, w.heads, len(reqs), events)
	b.lookedUp = lookup
	for _, r := range reqs {
		b.add(r)
	}
	return b, nil
}

// now is the batch's recorded_at: the clock, but never before the last
// recorded event.
func (w *writer) now() time.Time {
	t := w.cfg.clock().UTC()
	if t.Before(w.tail.at) {
		return w.tail.at
	}
	return t
}

// sync reloads the committed state if it may be stale.
func (w *writer) sync() error {
	dv, err := w.stmts.dataVersion(w.ctx)
	if err != nil {
		return err
	}
	if w.valid && dv == w.dataVersion {
		return nil
	}
	if w.valid {
		w.log.Warn("event store file changed by another connection; reloading stream heads")
		w.forgetCommitted()
	}
	w.heads.reset()
	if w.tail, err = w.stmts.tail(w.ctx); err != nil {
		return err
	}
	w.dataVersion, w.valid = dv, true
	return nil
}

// loadHeads puts the committed head of every stream of reqs into the
// cache, except the streams in pending, whose heads a batch has changed.
func (w *writer) loadHeads(reqs []*request, pending map[string]streamHead) error {
	var missing []string
	seen := make(map[string]bool)
	for _, r := range reqs {
		if _, changed := pending[r.stream]; changed {
			continue
		}
		if _, ok := w.heads.get(r.stream); !ok && !seen[r.stream] {
			seen[r.stream] = true
			missing = append(missing, r.stream)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	found, err := w.stmts.streamHeads(w.ctx, missing)
	if err != nil {
		return err
	}
	for _, s := range missing {
		h, ok := found[s]
		if !ok {
			h = noStream
		}
		w.heads.put(s, h)
	}
	return nil
}

// forgetCommitted empties the sole writer's view of committed heads when
// the committed state is uncertain: reads go to the database until later
// commits fill it again.
func (w *writer) forgetCommitted() {
	if w.committed != nil {
		w.committed.reset()
	}
	if w.recent != nil {
		w.recent.reset()
	}
}
