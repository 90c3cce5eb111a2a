package treehead

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/interactionledger/ledger/eventstore"
)

// LogFile keeps, in the data directory, the tree's leaves and its signed
// heads.
const LogFile = "treeheads.db"

// Origin names the ledger's tree in its heads.
const Origin = "interactionledger.example/ledger"

// Log is the tree of a ledger as recorded beside it: every leaf (with the
// event's id and position, to name an event that differs later) and the
// signed heads.
type Log struct {
	db     *sql.DB
	signer note.Signer
	tree   *Tree
	ids    []uuid.UUID
	// positions are where the leaves' events were when recorded.
	positions []uint64
	// index finds a leaf by event id; built when first asked.
	index map[uuid.UUID]uint64
	// after is the $all position of the last leaf.
	after uint64
	// signingOnly logs keep no leaves in memory (SigningOnly).
	signingOnly bool
}

// LogOption configures OpenLog.
type LogOption func(*Log)

// SigningOnly opens a log that records leaves and signs heads but keeps
// in memory only the hashes the next root needs, not every leaf with its
// event's id and position: what a server that signs a head every minute
// needs, at a few hundred bytes instead of about 60 bytes per event. It
// cannot prove, check or find an event (Tree, Check, IndexOf, Position).
func SigningOnly() LogOption { return func(l *Log) { l.signingOnly = true } }

const logSchema = `
CREATE TABLE IF NOT EXISTS leaves (
	idx      INTEGER PRIMARY KEY,
	position INTEGER NOT NULL,
	id       BLOB    NOT NULL,
	hash     BLOB    NOT NULL
);
CREATE TABLE IF NOT EXISTS heads (
	size   INTEGER PRIMARY KEY,
	signed BLOB    NOT NULL
);`

// OpenLog opens (creating if needed) the log in dir, with its signing key.
func OpenLog(ctx context.Context, dir string, opts ...LogOption) (*Log, error) {
	signer, err := LoadOrCreateSigner(dir, Origin)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LogFile)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, fmt.Errorf("tree log %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	l := &Log{db: db, signer: signer, tree: NewTree()}
	for _, o := range opts {
		o(l)
	}
	if l.signingOnly {
		l.tree = newFrontier()
	}
	if _, err := db.ExecContext(ctx, logSchema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("tree log %s: %w", path, err)
	}
	if err := l.load(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return l, nil
}

// load reads the leaves recorded since the last one loaded (by this
// process or another: `ledger tree-head` beside `ledger serve`).
func (l *Log) load(ctx context.Context) error {
	rows, err := l.db.QueryContext(ctx, `SELECT idx, position, id, hash FROM leaves WHERE idx >= ? ORDER BY idx`, l.tree.Size())
	if err != nil {
		return fmt.Errorf("tree log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx, pos uint64
		var id, hash []byte
		if err := rows.Scan(&idx, &pos, &id, &hash); err != nil {
			return fmt.Errorf("tree log: %w", err)
		}
		if idx != l.tree.Size() {
			return fmt.Errorf("tree log: leaf %d missing (found %d next)", l.tree.Size(), idx)
		}
		if len(hash) != HashSize {
			return fmt.Errorf("tree log: leaf %d: a hash of %d bytes, not %d", idx, len(hash), HashSize)
		}
		uid, err := uuid.FromBytes(id)
		if err != nil {
			return fmt.Errorf("tree log: leaf %d: %w", idx, err)
		}
		l.tree.Append(hash)
		l.keep(uid, pos)
		l.after = pos
	}
	return rows.Err()
}

// keep remembers a leaf's event, unless the log only signs.
func (l *Log) keep(id uuid.UUID, position uint64) {
	if !l.signingOnly {
		l.ids = append(l.ids, id)
		l.positions = append(l.positions, position)
	}
}

// Close closes the file.
func (l *Log) Close() error { return l.db.Close() }

// Tree is the recorded tree.
func (l *Log) Tree() *Tree { return l.tree }

// CatchUp adds the leaves of the events store recorded since the last
// leaf.
func (l *Log) CatchUp(ctx context.Context, store eventstore.Store) error {
	if err := l.load(ctx); err != nil {
		return err
	}
	for {
		page, err := store.ReadAll(ctx, l.after, 1000)
		if err != nil {
			return fmt.Errorf("tree log: read after %d: %w", l.after, err)
		}
		if len(page) == 0 {
			return nil
		}
		if err := l.record(ctx, page); err != nil {
			return err
		}
	}
}

// record adds a page's leaves in one transaction.
func (l *Log) record(ctx context.Context, page []eventstore.RecordedEvent) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("tree log: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	leaves := make([][]byte, len(page))
	for i, e := range page {
		leaves[i] = LeafHash(e)
		if _, err := tx.ExecContext(ctx, `INSERT INTO leaves (idx, position, id, hash) VALUES (?, ?, ?, ?)`,
			l.tree.Size()+uint64(i), e.Position, e.ID[:], leaves[i]); err != nil {
			return fmt.Errorf("tree log: leaf of position %d: %w", e.Position, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("tree log: %w", err)
	}
	for i, e := range page {
		l.tree.Append(leaves[i])
		l.keep(e.ID, e.Position)
	}
	l.after = page[len(page)-1].Position
	return nil
}

// SignHead signs the head of the recorded tree as of now and keeps it;
// a head of a size already signed is returned again, not signed twice.
func (l *Log) SignHead(ctx context.Context, now time.Time) ([]byte, error) {
	size := l.tree.Size()
	var signed []byte
	err := l.db.QueryRowContext(ctx, `SELECT signed FROM heads WHERE size = ?`, size).Scan(&signed)
	if err == nil {
		return signed, nil
	}
	if err != sql.ErrNoRows {
		return nil, fmt.Errorf("tree log: %w", err)
	}
	signed, err = Sign(Head{Origin: Origin, Size: size, Root: l.tree.Root(), Time: now}, l.signer)
	if err != nil {
		return nil, fmt.Errorf("sign tree head: %w", err)
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO heads (size, signed) VALUES (?, ?)`, size, signed); err != nil {
		return nil, fmt.Errorf("tree log: %w", err)
	}
	return signed, nil
}

// SignedHeads returns the signed heads, smallest first.
func (l *Log) SignedHeads(ctx context.Context) ([][]byte, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT signed FROM heads ORDER BY size`)
	if err != nil {
		return nil, fmt.Errorf("tree log: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var s []byte
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("tree log: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Position is where leaf i's event was in $all when it was recorded.
func (l *Log) Position(i uint64) uint64 { return l.positions[i] }

// IndexOf returns the leaf index of the event id, false when the tree has
// no leaf for it.
func (l *Log) IndexOf(id uuid.UUID) (uint64, bool) {
	if l.signingOnly {
		return 0, false
	}
	if len(l.index) < len(l.ids) {
		if l.index == nil {
			l.index = make(map[uuid.UUID]uint64, len(l.ids))
		}
		for i := len(l.index); i < len(l.ids); i++ {
			l.index[l.ids[i]] = uint64(i)
		}
	}
	i, ok := l.index[id]
	return i, ok
}
