package follow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Lease grants leadership: a singleton follower runs only while it holds
// the lease of its name, so of several `ledger serve` nodes following one
// ledger, one runs the router, the SLA timers, notifications, outbound
// delivery, QA scoring and the analytics sink.
type Lease interface {
	// Acquire blocks until the caller holds the lease called name, or ctx
	// ends. The returned context ends when the lease is lost; release
	// gives the lease up (and ends that context).
	Acquire(ctx context.Context, name string) (held context.Context, release func(), err error)
}

// FileLease is the embedded Lease: an exclusive flock on <Dir>/<name>.lease.
// Every process on the machine that opens the same data directory
// contends for it, and the kernel releases it when its holder exits, even
// by kill -9, so a waiting node takes over at once. It cannot be lost
// while its holder runs. A lease shared across machines (on the
// distributed store) implements the same interface.
type FileLease struct {
	Dir string
	// Poll is how often a waiting node tries again (default 200 ms).
	Poll time.Duration
}

// Acquire implements Lease.
func (l FileLease) Acquire(ctx context.Context, name string) (context.Context, func(), error) {
	path := filepath.Join(l.Dir, name+".lease")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("lease %s: %w", name, err)
	}
	poll := l.Poll
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, nil, fmt.Errorf("lease %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, nil, ctx.Err()
		case <-time.After(poll):
		}
	}
	held, cancel := context.WithCancel(ctx)
	release := func() {
		cancel()
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}
	return held, release, nil
}
