package domain

import (
	"errors"
	"fmt"
)

// Error codes callers branch on. They are mapped once at the edge (GraphQL
// extensions.code, HTTP status, exit status).
const (
	EINVALID   = "invalid"   // the input is malformed or out of range
	ECONFLICT  = "conflict"  // the action is not allowed in the current state
	ENOTFOUND  = "not_found" // the aggregate does not exist
	EFORBIDDEN = "forbidden" // the actor may not do this
	EINTERNAL  = "internal"  // anything else
)

// Error is a domain error: a machine-readable code and a human message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's
// chain, or a generic text for other errors (which may hold internals).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// sameID refuses a creating command whose id differs from the id of the
// stream it is decided on (state id; "" when the caller did not set it), so
// one aggregate's events can never be written into another's stream.
func sameID(kind, stateID, commandID string) error {
	if stateID != "" && stateID != commandID {
		return invalid("%s id %q does not match the stream's %s %q", kind, commandID, kind, stateID)
	}
	return nil
}

func invalid(format string, args ...any) error  { return Errorf(EINVALID, format, args...) }
func conflict(format string, args ...any) error { return Errorf(ECONFLICT, format, args...) }
func notFound(format string, args ...any) error { return Errorf(ENOTFOUND, format, args...) }
