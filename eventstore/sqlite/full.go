package sqlite

import "github.com/interactionledger/ledger/internal/diskfull"

// classify returns err as an *eventstore.UnavailableError when it is a
// full disk, so that callers answer "try again later"; other errors as
// they are.
func classify(err error) error { return diskfull.Classify(err) }
