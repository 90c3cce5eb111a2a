package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
)

// Checkpoint tuning. A checkpoint copies committed WAL frames into the
// database file. Done by SQLite's auto-checkpoint it runs inside the
// writer's commit and stalls every append queued behind it; here a
// separate goroutine and connection do it, on the other core, while the
// writer goes on appending. The writer's own auto-checkpoint stays as a
// backstop that bounds the WAL: it finds the frames already copied and
// lets the next transaction restart the WAL from its beginning.
const (
	// checkpointEveryEvents is how many committed events wake the
	// background checkpointer: some 600 WAL frames when appends go to
	// streams in progress, a few thousand when they are scattered.
	checkpointEveryEvents = 2000
	// writerAutoCheckpointPages is the writer's backstop, in WAL frames.
	writerAutoCheckpointPages = 16000
)

// checkpointer runs PASSIVE checkpoints on its own connection when kicked.
type checkpointer struct {
	db   *sql.DB
	conn *sql.Conn
	kick chan struct{}
	done chan struct{}
	log  *slog.Logger
}

func newCheckpointer(ctx context.Context, path string, log *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(10000)", "_pragma=synchronous(FULL)"))
	if err != nil {
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	c := &checkpointer{db: db, conn: conn, kick: make(chan struct{}, 1), done: make(chan struct{}), log: log}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	for range c.kick {
		c.checkpoint()
	}
}

func (c *checkpointer) checkpoint() {
	var busy, frames, copied int64
	err := c.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	if err != nil {
		c.log.Warn("event store checkpoint failed", "err", err)
		return
	}
	c.log.Debug("event store checkpoint", "wal_frames", frames, "copied", copied, "busy", busy != 0)
}

// request asks for a checkpoint without waiting for it.
func (c *checkpointer) request() {
	select {
	case c.kick <- struct{}{}:
	default: // one is already pending
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.kick)
	<-c.done
	cerr := c.conn.Close()
	if err := c.db.Close(); err != nil {
		return err
	}
	return cerr
}
