// Package apierror is the GraphQL API's error vocabulary and its edge
// mapping: the codes of extensions.code, the API's own Error, and the one
// place Go errors (the domain's, the API's, context errors) become the
// errors a caller sees. Internal details are logged, never shown.
//
// It is a package of its own so that the resolvers (package graphql), the
// authentication (graphql/auth) and the transports (graphql/transport)
// share one set of codes without importing each other.
package apierror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// Codes of extensions.code.
const (
	CodeBadUserInput     = "BAD_USER_INPUT"
	CodeNotFound         = "NOT_FOUND"
	CodeConflict         = "CONFLICT"
	CodeForbidden        = "FORBIDDEN"
	CodeUnauthenticated  = "UNAUTHENTICATED"
	CodeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	CodeTimeout          = "TIMEOUT"
	CodeUnavailable      = "UNAVAILABLE"
	CodeInternal         = "INTERNAL"
	// CodeRateLimited refuses a request for coming too often from one
	// client.
	CodeRateLimited = "RATE_LIMITED"
)

// domainCodes maps the domain's error codes to the API's.
var domainCodes = map[string]string{
	domain.EINVALID:   CodeBadUserInput,
	domain.ENOTFOUND:  CodeNotFound,
	domain.ECONFLICT:  CodeConflict,
	domain.EFORBIDDEN: CodeForbidden,
}

// Error is an error of the API's own with its extensions.code. Domain
// errors need no wrapping: they are mapped by code at the edge.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Extensions implements graphql-go's extensions hook, so the code reaches
// the response even where the edge mapping is not applied.
func (e *Error) Extensions() map[string]any { return map[string]any{"code": e.Code} }

// New returns an *Error with code and the formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Forbidden returns a FORBIDDEN *Error.
func Forbidden(format string, args ...any) *Error { return New(CodeForbidden, format, args...) }

// Unauthenticated returns an UNAUTHENTICATED *Error with msg.
func Unauthenticated(msg string) *Error { return &Error{Code: CodeUnauthenticated, Message: msg} }

// BadInput returns a BAD_USER_INPUT *Error.
func BadInput(format string, args ...any) *Error { return New(CodeBadUserInput, format, args...) }

// NotFound returns a NOT_FOUND *Error.
func NotFound(format string, args ...any) *Error { return New(CodeNotFound, format, args...) }

// Classify returns the code and the message to show for a resolver's
// error, and whether it is internal (then the message is generic and the
// error must be logged).
func Classify(err error) (code, message string, internal bool) {
	var api *Error
	if errors.As(err, &api) {
		return api.Code, api.Message, false
	}
	if code, ok := domainCodes[domain.ErrorCode(err)]; ok {
		return code, domain.ErrorMessage(err), false
	}
	if _, ok := eventstore.Unavailable(err); ok {
		// Nothing was written; the store logs the episode once.
		if errors.Is(err, eventstore.ErrStorageFull) {
			return CodeUnavailable, "the ledger's disk is full; try again later", false
		}
		return CodeUnavailable, "the ledger cannot record changes now; try again later", false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return CodeTimeout, "the request ran out of time", false
	}
	if errors.Is(err, context.Canceled) {
		return CodeTimeout, "the request was cancelled", false
	}
	return CodeInternal, "internal error", true
}

// Present gives every error of a response its extensions.code and
// the message the caller may see: the one mapping from Go errors to API
// errors. Errors without a resolver error are the document's own (syntax,
// validation, depth) unless they wrap a context error.
func Present(ctx context.Context, log *slog.Logger, errs []*gqlerrors.QueryError) {
	for _, qe := range errs {
		cause := qe.ResolverError
		if cause == nil && qe.Err != nil && (errors.Is(qe.Err, context.Canceled) || errors.Is(qe.Err, context.DeadlineExceeded)) {
			cause = qe.Err
		}
		if cause == nil && len(qe.Path) > 0 {
			// Raised while executing, not by a resolver: the server's
			// own fault (a nil for a non-null field, say).
			log.ErrorContext(ctx, "graphql execution failed", "path", qe.Path, "err", qe.Message)
			qe.Extensions = map[string]any{"code": CodeInternal}
			continue
		}
		if cause == nil {
			if _, ok := qe.Extensions["code"]; !ok {
				qe.Extensions = map[string]any{"code": CodeValidationFailed}
			}
			continue
		}
		code, msg, internal := Classify(cause)
		if internal {
			log.ErrorContext(ctx, "graphql resolver failed", "path", qe.Path, "err", cause)
		}
		qe.Message = msg
		qe.Extensions = map[string]any{"code": code}
	}
}

// RequestErrors returns a response's errors holding one error of the
// request itself, with code.
func RequestErrors(code, format string, args ...any) []*gqlerrors.QueryError {
	return []*gqlerrors.QueryError{{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}}
}
