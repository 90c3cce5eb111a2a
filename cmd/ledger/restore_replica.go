package main

import (
	"context"
	"errors"
	"io"
	"time"
)

// restoreFromReplica fills staging with the ledger replicated to from (an
// s3:// URL) as it was at asOf (the zero time: the latest): events.db,
// and datakeys.db for an encrypted ledger, nothing else. runRestore then
// checks and rebuilds it as it does a backup, without a manifest.
//
// Continuous replication is built separately (#19, item 2); until then
// this says so.
func restoreFromReplica(ctx context.Context, from string, asOf time.Time, staging string, out io.Writer) error {
	return errors.New("restore from an s3:// replica is not built yet: restore a backup directory written by `ledger backup`")
}
