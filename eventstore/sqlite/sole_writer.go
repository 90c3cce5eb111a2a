package sqlite

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// A sole writer is a store that knows every append to its file: it holds
// an exclusive lock beside the file for as long as it is open, and any
// other store takes the same lock shared before its first append, so the
// two never write at once. Knowing every commit, it can answer a stream
// read that starts past the stream's last committed version without a
// read transaction: the command layer's cached aggregates ask exactly that
// on every command ("anything after version v?"), and each such read
// otherwise opens a snapshot whose page cache every commit invalidated.

// ErrWriterLocked is returned by Open with WithSoleWriter when another
// process has the ledger open for writing, and by Append of any store
// while a sole writer holds it.
var ErrWriterLocked = errors.New("the ledger is open for writing in another process (a running `ledger serve`?)")

// writerLock is the lock file beside the database.
type writerLock struct {
	path string
	once sync.Once
	err  error
	f    *os.File
}

func newWriterLock(dbPath string) *writerLock { return &writerLock{path: dbPath + "-writer.lock"} }

// take locks the file (exclusively or shared) without waiting; it is
// taken once and held until release.
func (l *writerLock) take(exclusive bool) error {
	l.once.Do(func() {
		f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			l.err = fmt.Errorf("writer lock: %w", err)
			return
		}
		how := syscall.LOCK_SH
		if exclusive {
			how = syscall.LOCK_EX
		}
		if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				l.err = ErrWriterLocked
			} else {
				l.err = fmt.Errorf("writer lock %s: %w", l.path, err)
			}
			return
		}
		l.f = f
	})
	return l.err
}

// release drops the lock, if it was taken.
func (l *writerLock) release() error {
	l.once.Do(func() {}) // a later take fails instead of locking again
	if l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor drops the flock
	l.f = nil
	return err
}

// committedHeads is the last committed version of the streams a sole
// writer has written, and of streams a read found empty, safe for
// concurrent use. The writer sets it after each commit, before any caller
// of the batch is answered or the commit is announced, so a read that
// finds a stream here at version v cannot miss an event that anyone was
// told about. It is bounded like the writer's head cache: emptied when it
// outgrows max, then refilled by later commits and reads; a stream missing
// from it is read from the database.
type committedHeads struct {
	mu       sync.RWMutex
	max      int
	versions map[string]int64 // -1: no events
	// gen counts the times the map was emptied: a read may only record
	// what it found in the generation it started in.
	gen uint64
}

func newCommittedHeads(max int) *committedHeads {
	return &committedHeads{max: max, versions: make(map[string]int64)}
}

// version returns the stream's last committed version, if known, and the
// generation to pass to markEmpty after reading the database.
func (c *committedHeads) version(stream string) (v int64, known bool, gen uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, known = c.versions[stream]
	return v, known, c.gen
}

// publish records a committed batch's stream heads.
func (c *committedHeads) publish(heads map[string]streamHead) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.versions)+len(heads) > c.max {
		c.clear()
	}
	for stream, h := range heads {
		c.versions[stream] = h.version
	}
}

// markEmpty records that a read of the database, begun after version
// returned gen, found no events in stream. The writer's heads win: if it
// published the stream meanwhile, the stream is in the map already (its
// commit came after the read's snapshot, or the read would have found
// it), and if the map was emptied meanwhile, the read's finding may be
// older than a head that was dropped, so it is not recorded.
func (c *committedHeads) markEmpty(stream string, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || len(c.versions) >= c.max {
		return
	}
	if _, known := c.versions[stream]; !known {
		c.versions[stream] = -1
	}
}

// reset forgets every head: the file changed in a way the writer did not
// see coming.
func (c *committedHeads) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
}

func (c *committedHeads) clear() {
	c.versions = make(map[string]int64)
	c.gen++
}

// SoleWriterActive reports whether a process holds the ledger at dbPath
// open as its sole writer (a running `ledger serve`), without waiting and
// without taking anything a writer would then miss.
func SoleWriterActive(dbPath string) (bool, error) {
	l := newWriterLock(dbPath)
	switch err := l.take(false); {
	case errors.Is(err, ErrWriterLocked):
		return true, nil
	case err != nil:
		return false, err
	}
	return false, l.release()
}
