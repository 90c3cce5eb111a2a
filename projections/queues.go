package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Queues is the projection of the routing queues: which interactions wait
// in which queue, since when, at what priority. InteractionQueued adds an
// interaction; assignment and a transfer to an agent take it out; a
// transfer to a queue moves it; closing or abandoning removes it.
type Queues struct {
	sqlSchema
	seen  map[string]bool // queues known to have a row in queues
	items *rowCache[queueItem]
}

// queueItem is a row of queue_items.
type queueItem struct {
	queue    string
	priority domain.Priority
	queuedAt int64
	waiting  bool
}

// queueCacheSize bounds the queue items kept in memory between batches.
const queueCacheSize = rowCacheSize

var queueItemColumns = []string{"interaction_id", "queue", "priority", "priority_rank", "queued_at", "waiting"}

// NewQueues returns the queues projection.
func NewQueues() *Queues {
	return &Queues{
		sqlSchema: loadSchema("queues"),
		seen:      make(map[string]bool),
		items: newRowCache(queueCacheSize, newRowBuffer("queue_items", queueItemColumns, upsertTail(queueItemColumns, 1)),
			`DELETE FROM queue_items WHERE interaction_id IN `, loadQueueItem, saveQueueItem),
	}
}

func loadQueueItem(ctx context.Context, tx *Tx, id string) (queueItem, bool, error) {
	var q queueItem
	row, err := tx.QueryRow(ctx, `SELECT queue, priority, queued_at, waiting FROM queue_items WHERE interaction_id = ?`, id)
	if err != nil {
		return q, false, err
	}
	switch err := row.Scan(&q.queue, &q.priority, &q.queuedAt, &q.waiting); {
	case errors.Is(err, sql.ErrNoRows):
		return q, false, nil
	case err != nil:
		return q, false, fmt.Errorf("load queue item %s: %w", id, err)
	}
	return q, true, nil
}

func saveQueueItem(b *rowBuffer, id string, q queueItem) {
	b.add(id, q.queue, string(q.priority), int64(priorityRank(q.priority)), q.queuedAt, q.waiting)
}

// Name implements Projection.
func (*Queues) Name() string { return "queues" }

// Reset implements Resetter.
func (q *Queues) Reset() {
	clear(q.seen)
	q.items.reset()
}

// Flush implements Flusher.
func (q *Queues) Flush(ctx context.Context, tx *Tx) error { return q.items.flush(ctx, tx) }

const sqlQueueInsert = `INSERT INTO queues (name, first_seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING`

// Apply implements Projection.
func (q *Queues) Apply(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.InteractionQueued:
		at := eventTime(d.At, e)
		if err := q.ensureQueue(ctx, tx, d.Queue, at); err != nil {
			return err
		}
		q.items.create(d.InteractionID, queueItem{queue: d.Queue, priority: d.Priority, queuedAt: at, waiting: true})
		return nil
	case domain.InteractionTransferred:
		if d.ToQueue == "" {
			return q.take(ctx, tx, d.InteractionID)
		}
		return q.requeue(ctx, tx, d.InteractionID, d.ToQueue, eventTime(d.At, e))
	case domain.InteractionAssigned:
		return q.take(ctx, tx, d.InteractionID)
	case domain.InteractionAbandoned:
		return q.remove(ctx, tx, d.InteractionID)
	case domain.InteractionClosed:
		return q.remove(ctx, tx, d.InteractionID)
	}
	return nil
}

// take marks an interaction as no longer waiting; it keeps its row (and
// priority) until it ends.
func (q *Queues) take(ctx context.Context, tx *Tx, id string) error {
	r, err := q.items.get(ctx, tx, id)
	if err != nil || !r.live {
		return err
	}
	r.val.waiting = false
	q.items.touch(id, r)
	return nil
}

// requeue puts an interaction back in a queue; it keeps the priority it
// had, or NORMAL if it was never queued.
func (q *Queues) requeue(ctx context.Context, tx *Tx, id, queue string, at int64) error {
	if err := q.ensureQueue(ctx, tx, queue, at); err != nil {
		return err
	}
	r, err := q.items.get(ctx, tx, id)
	if err != nil {
		return err
	}
	priority := domain.PriorityNormal
	if r.live {
		priority = r.val.priority
	}
	q.items.create(id, queueItem{queue: queue, priority: priority, queuedAt: at, waiting: true})
	return nil
}

func (q *Queues) remove(ctx context.Context, tx *Tx, id string) error {
	r, err := q.items.get(ctx, tx, id)
	if err != nil || !r.live {
		return err
	}
	q.items.remove(id, r)
	return nil
}

// ensureQueue records a queue the first time it is seen, so an empty
// queue still shows.
func (q *Queues) ensureQueue(ctx context.Context, tx *Tx, name string, at int64) error {
	if q.seen[name] {
		return nil
	}
	if err := tx.Exec(ctx, sqlQueueInsert, name, at); err != nil {
		return err
	}
	q.seen[name] = true
	return nil
}

// Queue is a routing queue and what waits in it.
type Queue struct {
	Name string
	// Waiting is ordered by priority (highest first), then by how long
	// each has waited (longest first).
	Waiting            []QueueEntry
	LongestWaitSeconds float64
}

// QueueEntry is an interaction waiting in a queue.
type QueueEntry struct {
	InteractionID string
	CustomerID    string         // "" if the interactions read model does not know it
	Channel       domain.Channel // likewise
	Priority      domain.Priority
	QueuedAt      time.Time
	WaitSeconds   float64 // at the now passed to Queues
}

// Queues returns every queue ever used, by name, with the interactions
// waiting in it; wait times are computed at now (passed in, so a caller can
// render one consistent snapshot and tests need no clock).
func (db *ReadDB) Queues(ctx context.Context, now time.Time) ([]Queue, error) {
	var out []Queue
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		names, err := queryStrings(ctx, tx, `SELECT name FROM queues ORDER BY name`)
		if err != nil {
			return err
		}
		out = make([]Queue, len(names))
		byName := make(map[string]*Queue, len(names))
		for i, name := range names {
			out[i].Name = name
			byName[name] = &out[i]
		}
		return loadQueueEntries(ctx, tx, byName, now)
	})
	if err != nil {
		return nil, fmt.Errorf("queues: %w", err)
	}
	return out, nil
}

func loadQueueEntries(ctx context.Context, tx *sql.Tx, byName map[string]*Queue, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT q.queue, q.interaction_id, COALESCE(i.customer_id, ''), COALESCE(i.channel, ''), q.priority, q.queued_at
		FROM queue_items q LEFT JOIN interactions i ON i.id = q.interaction_id
		WHERE q.waiting = 1 ORDER BY q.queue, q.priority_rank DESC, q.queued_at, q.interaction_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var queue string
		var e QueueEntry
		var at int64
		if err := rows.Scan(&queue, &e.InteractionID, &e.CustomerID, &e.Channel, &e.Priority, &at); err != nil {
			return err
		}
		e.QueuedAt = fromNanos(at)
		e.WaitSeconds = max(now.Sub(e.QueuedAt).Seconds(), 0)
		if q := byName[queue]; q != nil {
			q.Waiting = append(q.Waiting, e)
			q.LongestWaitSeconds = max(q.LongestWaitSeconds, e.WaitSeconds)
		}
	}
	return rows.Err()
}
