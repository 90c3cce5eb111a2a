package sqlite

import (
	"errors"
	"syscall"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/interactionledger/ledger/eventstore"
)

// isDiskFull reports whether err is a write SQLite could not make for
// lack of space. SQLite's unix VFS turns ENOSPC from write(2) into
// SQLITE_FULL, also when growing the WAL index (it writes a byte per page
// rather than touch an unbacked mmap); the I/O error codes below are what
// the other calls that allocate (ftruncate, fsync of a file that had to
// grow) give on a full tmpfs or quota, and an ENOSPC of Go's own file
// calls arrives as the errno itself.
func isDiskFull(err error) bool {
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR_WRITE, sqlite3.SQLITE_IOERR_FSYNC,
			sqlite3.SQLITE_IOERR_TRUNCATE, sqlite3.SQLITE_IOERR_SHMSIZE, sqlite3.SQLITE_IOERR_DIR_FSYNC:
			return true
		}
		return se.Code()&0xff == sqlite3.SQLITE_FULL
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// classify returns err as an *eventstore.UnavailableError when it is a
// full disk, so that callers answer "try again later"; other errors as
// they are.
func classify(err error) error {
	if err != nil && isDiskFull(err) {
		return eventstore.StorageFull(err)
	}
	return err
}
