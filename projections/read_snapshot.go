package projections

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// readSnapshot is one read transaction shared by every read of a ReadDB
// under a context (WithSnapshot): begun at the first read, ended by the
// function WithSnapshot returned.
type readSnapshot struct {
	db   *ReadDB
	ctx  context.Context
	once sync.Once
	tx   *sql.Tx
	err  error
	// epoch is the view cache's epoch taken before the transaction began
	// (viewcache.go): every read of the snapshot is at least that recent.
	epoch uint64
	ended bool
	mu    sync.Mutex // guards ended and the end of tx
}

type snapshotKey struct{}

// WithSnapshot returns a context under which every read of db shares one
// read transaction, begun at the first read: a request made of several
// reads (a customer, their timeline, their tickets) then costs one
// transaction instead of one per read, and sees one moment of the read
// models throughout. end releases the transaction; call it when the
// request is answered. A context that already carries a snapshot of db
// keeps it.
//
// Only for reads that need nothing newer than the moment of their first
// read: a request that writes and then waits to read its own writes must
// not share a snapshot begun before the write.
func (db *ReadDB) WithSnapshot(ctx context.Context) (context.Context, func()) {
	if s, ok := ctx.Value(snapshotKey{}).(*readSnapshot); ok && s.db == db {
		return ctx, func() {}
	}
	s := &readSnapshot{db: db, ctx: ctx}
	return context.WithValue(ctx, snapshotKey{}, s), s.end
}

// snapshotOf returns the snapshot of db that ctx carries, nil if none.
func (db *ReadDB) snapshotOf(ctx context.Context) *readSnapshot {
	s, ok := ctx.Value(snapshotKey{}).(*readSnapshot)
	if !ok || s.db != db {
		return nil
	}
	return s
}

// begin returns the snapshot's transaction, beginning it on first use.
func (s *readSnapshot) begin() (*sql.Tx, error) {
	s.once.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.ended {
			s.err = fmt.Errorf("begin read: the request's snapshot was released")
			return
		}
		s.epoch = s.db.views.currentEpoch()
		if s.tx, s.err = s.db.r.BeginTx(s.ctx, &sql.TxOptions{ReadOnly: true}); s.err != nil {
			s.err = fmt.Errorf("begin read: %w", s.err)
		}
	})
	return s.tx, s.err
}

// viewEpoch is the view cache's epoch a read under ctx is at least as
// recent as: its snapshot's, begun now if it was not (so that no read of
// the snapshot can predate the epoch returned), or the current one.
func (db *ReadDB) viewEpoch(ctx context.Context) uint64 {
	if s := db.snapshotOf(ctx); s != nil {
		if _, err := s.begin(); err == nil {
			return s.epoch
		}
	}
	return db.views.currentEpoch()
}

// end rolls the transaction back (it only read), if it was begun.
func (s *readSnapshot) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	if s.tx != nil {
		_ = s.tx.Rollback()
	}
}
