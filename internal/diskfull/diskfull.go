// Package diskfull recognises a write refused for lack of space, by
// SQLite (modernc.org/sqlite) or by the operating system, so that every
// store under the data directory answers it the same way: as an
// *eventstore.UnavailableError ("try again later"), not an internal error.
package diskfull

import (
	"errors"
	"syscall"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/interactionledger/ledger/eventstore"
)

// Is reports whether err is a write refused for lack of space. SQLite's
// unix VFS turns ENOSPC from write(2) into SQLITE_FULL, also when growing
// the WAL index (it writes a byte per page rather than touch an unbacked
// mmap); the I/O error codes below are what the other calls that allocate
// (ftruncate, fsync of a file that had to grow) give on a full tmpfs or
// quota, and an ENOSPC of Go's own file calls arrives as the errno
// itself. An error already classified counts too.
func Is(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, eventstore.ErrStorageFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var se *sqlitedrv.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_IOERR_WRITE, sqlite3.SQLITE_IOERR_FSYNC, sqlite3.SQLITE_IOERR_TRUNCATE,
		sqlite3.SQLITE_IOERR_SHMSIZE, sqlite3.SQLITE_IOERR_DIR_FSYNC:
		return true
	}
	return se.Code()&0xff == sqlite3.SQLITE_FULL // the primary code of an extended one
}

// Classify returns err as an *eventstore.UnavailableError when it is a
// full disk (unless it is one already), and other errors as they are.
func Classify(err error) error {
	if _, ok := eventstore.Unavailable(err); ok || !Is(err) {
		return err
	}
	return eventstore.StorageFull(err)
}
