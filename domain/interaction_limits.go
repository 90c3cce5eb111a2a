package domain

import (
	"fmt"
	"time"
)

// ELIMITED refuses input for exceeding a limit: a rate or a cap. Edges
// answer it with 429 or their protocol's equivalent.
const ELIMITED = "limited"

// The caps InteractionLimitReached names.
const (
	LimitMessages     = "MESSAGES"
	LimitBytesPerHour = "BYTES_PER_HOUR"
)

// InteractionLimits caps what a customer may append to one interaction.
// Zero fields mean no cap.
type InteractionLimits struct {
	// MaxMessages caps the customer's messages on one interaction.
	MaxMessages int
	// MaxBytesPerHour caps the customer's message text received on one
	// interaction in an hour (counted from the window's first message).
	MaxBytesPerHour int64
}

// InteractionLimitError refuses a customer's message over one of the
// interaction's caps. Its code is ELIMITED.
type InteractionLimitError struct {
	InteractionID string
	Limit         string // LimitMessages or LimitBytesPerHour
	Max           int64
	// RetryAfter is when the byte window passes; 0 for the message cap,
	// which lasts as long as the interaction.
	RetryAfter time.Duration
}

func (e *InteractionLimitError) Error() string {
	if e.Limit == LimitMessages {
		return fmt.Sprintf("this conversation reached its limit of %d messages; start a new one later or wait for an agent", e.Max)
	}
	return fmt.Sprintf("this conversation reached its limit of %d bytes of messages an hour; try again later", e.Max)
}

// Unwrap gives the error its domain code, ELIMITED.
func (e *InteractionLimitError) Unwrap() error { return &Error{Code: ELIMITED, Message: e.Error()} }

// checkInteractionLimits refuses a customer's message of n text bytes that
// would take interaction i over limits at now.
func checkInteractionLimits(i Interaction, limits InteractionLimits, n int64, now time.Time) error {
	if limits.MaxMessages > 0 && i.Received >= limits.MaxMessages {
		return &InteractionLimitError{InteractionID: i.ID, Limit: LimitMessages, Max: int64(limits.MaxMessages)}
	}
	if limits.MaxBytesPerHour <= 0 {
		return nil
	}
	used, ends := i.windowBytes, i.windowStart.Add(time.Hour)
	if i.windowStart.IsZero() || !now.Before(ends) {
		used, ends = 0, now.Add(time.Hour)
	}
	if used+n > limits.MaxBytesPerHour {
		return &InteractionLimitError{InteractionID: i.ID, Limit: LimitBytesPerHour, Max: limits.MaxBytesPerHour, RetryAfter: ends.Sub(now)}
	}
	return nil
}

// decideReportLimit records InteractionLimitReached once per cap: the
// message cap once, the byte cap once per hour window.
func decideReportLimit(i Interaction, cmd ReportInteractionLimit, now time.Time) ([]Event, error) {
	switch cmd.Limit {
	case LimitMessages:
		if i.reportedMessages {
			return nil, nil
		}
	case LimitBytesPerHour:
		if !i.reportedBytes.IsZero() && i.reportedBytes.Equal(i.windowStart) {
			return nil, nil
		}
	default:
		return nil, invalid("unknown interaction limit %q", cmd.Limit)
	}
	return []Event{InteractionLimitReached{InteractionID: i.ID, Limit: cmd.Limit, Max: cmd.Max, At: now}}, nil
}
