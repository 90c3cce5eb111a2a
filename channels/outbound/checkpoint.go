package outbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Checkpoints persists how far the dispatcher got through the ledger.
type Checkpoints interface {
	// Load returns the saved position; ok is false when none was saved.
	Load(ctx context.Context) (pos uint64, ok bool, err error)
	// Save records pos.
	Save(ctx context.Context, pos uint64) error
}

// FileCheckpoints keeps the checkpoint in a small SQLite file of its own
// (the read models can be dropped and rebuilt at any time; the outbound
// position must not be reset with them).
type FileCheckpoints struct {
	db   *sql.DB
	name string
}

// OpenCheckpoints opens (creating if needed) the checkpoint file at path;
// name tells apart several dispatchers sharing it.
func OpenCheckpoints(ctx context.Context, path, name string) (*FileCheckpoints, error) {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	db, err := sql.Open("sqlite", "file:"+esc.Replace(path)+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("open checkpoints %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	const schema = `CREATE TABLE IF NOT EXISTS checkpoints (
		name       TEXT PRIMARY KEY,
		position   INTEGER NOT NULL,
		updated_at TEXT NOT NULL
	)`
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, errors.Join(fmt.Errorf("create checkpoints in %s: %w", path, err), db.Close())
	}
	return &FileCheckpoints{db: db, name: name}, nil
}

// Load implements Checkpoints.
func (c *FileCheckpoints) Load(ctx context.Context) (uint64, bool, error) {
	var pos int64
	err := c.db.QueryRowContext(ctx, `SELECT position FROM checkpoints WHERE name = ?`, c.name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("load checkpoint %s: %w", c.name, err)
	}
	return uint64(pos), true, nil
}

// Save implements Checkpoints.
func (c *FileCheckpoints) Save(ctx context.Context, pos uint64) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
		c.name, int64(pos), time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("save checkpoint %s at %d: %w", c.name, pos, err)
	}
	return nil
}

// Close closes the file.
func (c *FileCheckpoints) Close() error { return c.db.Close() }

// MemoryCheckpoints keeps the checkpoint in memory (tests, or a dispatcher
// that should start at the head on every start).
type MemoryCheckpoints struct {
	mu  sync.Mutex
	pos uint64
	ok  bool
}

// Load implements Checkpoints.
func (m *MemoryCheckpoints) Load(context.Context) (uint64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pos, m.ok, nil
}

// Save implements Checkpoints.
func (m *MemoryCheckpoints) Save(_ context.Context, pos uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pos, m.ok = pos, true
	return nil
}
