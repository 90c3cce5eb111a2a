package follow_test

import (
	"time"

	"github.com/cenkalti/backoff/v5"
)

type backoffPolicy = backoff.BackOff

// constant waits d between tries, without end.
type constant struct{ d time.Duration }

func (c *constant) NextBackOff() time.Duration { return c.d }
func (c *constant) Reset()                     {}
