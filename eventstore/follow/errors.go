package follow

import (
	"errors"
	"fmt"
)

// PoisonError is an event no retry can help with: the consumer (or its
// Source) rejects it. The follower halts on it instead of skipping it.
type PoisonError struct {
	Position uint64
	Err      error
}

// Poison marks err, about the event at position, as one no retry can
// help with.
func Poison(position uint64, err error) error { return &PoisonError{Position: position, Err: err} }

// Error names the position and the reason.
func (e *PoisonError) Error() string {
	return fmt.Sprintf("event at position %d rejected: %v", e.Position, e.Err)
}

// Unwrap returns the reason.
func (e *PoisonError) Unwrap() error { return e.Err }

// IsPoison reports whether err is, or wraps, a *PoisonError.
func IsPoison(err error) bool {
	var p *PoisonError
	return errors.As(err, &p)
}

// HaltError is what Run returns when a follower halts on a poison event.
type HaltError struct {
	Follower string
	Position uint64
	Err      error
}

// Error names the follower, the position and the reason.
func (e *HaltError) Error() string {
	return fmt.Sprintf("follower %s halted at position %d: %v", e.Follower, e.Position, e.Err)
}

// Unwrap returns the reason.
func (e *HaltError) Unwrap() error { return e.Err }

// ErrRestart, wrapped in a consumer's error, makes the follower start over
// from its checkpoint at once, without counting a failure: the consumer's
// state moved under it (a read model rebuilt by another process, say).
var ErrRestart = errors.New("start over")
