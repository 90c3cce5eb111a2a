package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/interactionledger/ledger/eventstore"
)

// The one retry policy for version conflicts, used by every command,
// flow step and channel write. Writers racing on one stream land one per
// commit, so a loser decides again after a short pause that grows and is
// jittered, spreading the racers over several commits: 1 ms, then ×1.5
// per try up to 50 ms, each ±50 %, at most defaultMaxAttempts tries in
// all: 31 pauses, about 1.2 s together (at most 1.75 s with the jitter)
// for a command that loses every race.
const (
	conflictInitialPause = time.Millisecond
	conflictMaxPause     = 50 * time.Millisecond
	conflictMultiplier   = 1.5
	conflictJitter       = 0.5
	defaultMaxAttempts   = 32
)

// newConflictBackOff returns the pauses between tries after a version
// conflict; each call gets its own (a BackOff is not safe for concurrent
// use).
func newConflictBackOff() backoff.BackOff {
	return &backoff.ExponentialBackOff{
		InitialInterval:     conflictInitialPause,
		RandomizationFactor: conflictJitter,
		Multiplier:          conflictMultiplier,
		MaxInterval:         conflictMaxPause,
	}
}

// retryConflicts runs attempt until it ends with anything but a version
// conflict, pausing between tries (newConflictBackOff), at most
// h.maxAttempts tries. It returns attempt's last error (nil on success),
// or the context's cause when ctx ended during a pause. Every retry is
// counted under command.
func (h *Handler) retryConflicts(ctx context.Context, command string, attempt func() error) error {
	var last error
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		last = attempt()
		if eventstore.IsVersionConflict(last) {
			return struct{}{}, last
		}
		return struct{}{}, nil
	},
		backoff.WithBackOff(newConflictBackOff()),
		backoff.WithMaxTries(uint(max(h.maxAttempts, 1))),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(error, time.Duration) { h.metrics.retries.WithLabelValues(command).Inc() }),
	)
	if err != nil && !eventstore.IsVersionConflict(err) {
		// ctx ended while waiting for the next try.
		return fmt.Errorf("retry after a version conflict: %w", err)
	}
	return last
}
