package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// writer is the one goroutine that writes: it owns the write connection,
// drains every queued request into one transaction, commits it with one
// fsync and then answers each caller. Batching needs no timer: requests
// queue up while the previous commit waits for the disk.
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
	done            chan struct{} // closed when run returns
	carry           *request      // taken from the queue but left for the next batch
	stmts           *writeStmts

	// Committed state, trusted while valid: positions, stream heads and
	// the last recorded_at. It is reloaded when another connection wrote
	// to the file (PRAGMA data_version) or after a failed batch.
	valid       bool
	dataVersion int64
	head        uint64
	lastAt      time.Time
	heads       *headCache
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

// run serves batches until the queue is closed and drained.
func (w *writer) run() {
	defer close(w.done)
	for {
		reqs, ok := w.collect()
		if !ok {
			return
		}
		w.process(reqs)
	}
}

// collect blocks for one request, then takes every request already queued,
// up to the batch bound.
func (w *writer) collect() ([]*request, bool) {
	first := w.carry
	w.carry = nil
	if first == nil {
		r, ok := <-w.queue
		if !ok {
			return nil, false
		}
		first = r
	}
	reqs := []*request{first}
	n := len(first.events)
	for n < w.cfg.maxBatchEvents {
		select {
		case r, ok := <-w.queue:
			if !ok {
				return reqs, true
			}
			if n+len(r.events) > w.cfg.maxBatchEvents {
				w.carry = r
				return reqs, true
			}
			reqs = append(reqs, r)
			n += len(r.events)
		default:
			return reqs, true
		}
	}
	return reqs, true
}

// process writes one batch and answers its requests.
func (w *writer) process(reqs []*request) {
	start := time.Now()
	live := reqs[:0]
	for _, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			r.done <- response{err: fmt.Errorf("append %s: %w", r.stream, err)}
			w.metrics.observeAppend(resultError)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	b, err := w.write(live)
	if err != nil {
		w.fail(live, err)
		return
	}
	w.publish(b)
	if len(b.rows) > 0 {
		w.notify()
		w.metrics.observeBatch(len(b.rows), time.Since(start))
	}
	for i, r := range live {
		r.done <- b.results[i]
		w.metrics.observeAppend(b.kinds[i])
	}
}

// fail answers every request of a failed batch with its error. Nothing of
// the batch was published; the committed state is reloaded before the next
// batch in case the failure left it uncertain.
func (w *writer) fail(reqs []*request, err error) {
	w.valid = false
	w.log.Error("event store group commit failed", "requests", len(reqs), "err", err)
	for _, r := range reqs {
		r.done <- response{err: fmt.Errorf("append %s: %w", r.stream, err)}
		w.metrics.observeAppend(resultError)
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
	w.head = b.next - 1
	w.lastAt = b.at
	w.heads.trim()
	w.sinceCheckpoint += len(b.rows)
	if w.sinceCheckpoint >= checkpointEveryEvents {
		w.sinceCheckpoint = 0
		w.checkpoint()
	}
}

// write runs the batch's transaction: decide every request, insert the
// accepted rows, commit. On error the transaction is rolled back.
func (w *writer) write(reqs []*request) (b *batch, err error) {
	if _, err := w.conn.ExecContext(w.ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			if _, rbErr := w.conn.ExecContext(w.ctx, "ROLLBACK"); rbErr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
			}
		}
	}()
	if b, err = w.decide(reqs); err != nil {
		return nil, err
	}
	if len(b.rows) == 0 {
		_, err = w.conn.ExecContext(w.ctx, "ROLLBACK") // nothing to write, nothing to sync
		if err != nil {
			return nil, fmt.Errorf("end read-only batch: %w", err)
		}
		return b, nil
	}
	if err = w.stmts.insert(w.ctx, b.rows, b.atText); err != nil {
		return nil, err
	}
	if w.cfg.beforeCommit != nil {
		if err = w.cfg.beforeCommit(); err != nil {
			return nil, err
		}
	}
	if _, err = w.conn.ExecContext(w.ctx, "COMMIT"); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return b, nil
}

// decide loads what the batch needs from the database (inside the
// transaction) and decides every request in order.
func (w *writer) decide(reqs []*request) (*batch, error) {
	if err := w.sync(); err != nil {
		return nil, err
	}
	stored, err := w.stmts.lookupIDs(w.ctx, reqs)
	if err != nil {
		return nil, err
	}
	if err := w.loadHeads(reqs); err != nil {
		return nil, err
	}
	b := newBatch(w.head, w.now(), stored, w.heads, len(reqs))
	for _, r := range reqs {
		b.add(r)
	}
	return b, nil
}

// now is the batch's recorded_at: the clock, but never before the last
// recorded event.
func (w *writer) now() time.Time {
	t := w.cfg.clock().UTC()
	if t.Before(w.lastAt) {
		return w.lastAt
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
	}
	w.heads.reset()
	if w.head, w.lastAt, err = w.stmts.tail(w.ctx); err != nil {
		return err
	}
	w.dataVersion, w.valid = dv, true
	return nil
}

// loadHeads puts the head of every stream of the batch into the cache.
func (w *writer) loadHeads(reqs []*request) error {
	var missing []string
	seen := make(map[string]bool)
	for _, r := range reqs {
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
