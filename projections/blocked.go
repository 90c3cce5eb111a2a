package projections

import (
	"errors"
	"fmt"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// Why an event cannot be decoded: the Reason of an UndecodableEventError
// and the reason label of ledger_projection_batch_failures_total.
const (
	// ReasonUnknownType: the event's type is not one this build knows
	// (written by a newer binary, say during a rolling upgrade).
	ReasonUnknownType = "unknown_type"
	// ReasonNewerSchema: a known type, in a schema version newer than
	// this build reads.
	ReasonNewerSchema = "newer_schema"
	// ReasonBadData: a known type and schema whose data does not decode.
	ReasonBadData = "bad_data"
	// ReasonUpcasters: this build's upcasters are incomplete (a type's
	// schema was bumped without one) or stray, so it decodes nothing
	// (domain.CheckUpcasters).
	ReasonUpcasters = "upcasters"
	// reasonApply labels a projection's failure to apply or flush a batch
	// (a read-model bug, a full disk).
	reasonApply = "apply"
)

// UndecodableEventError reports an event the projections cannot decode.
// The runner never skips such an event: a read model that silently missed
// a fact would be wrong for good, with nothing to show it. It stops just
// before it instead (every event before it applied, none from it on), Run
// and Rebuild return this error, and ledger_projection_blocked says so,
// until a build that reads the event (one that knows the type or schema,
// or upcasts the bad data) carries on from there.
type UndecodableEventError struct {
	Position uint64
	Stream   string
	Type     string
	Schema   int
	Reason   string // ReasonUnknownType, ReasonNewerSchema, ReasonBadData or ReasonUpcasters
	Err      error  // what the decoder said
}

// Error names the event, the reason and the decoder's error.
func (e *UndecodableEventError) Error() string {
	return fmt.Sprintf("projections stopped before the event at position %d (stream %s, type %s, schema %d), which this build cannot decode (%s): %v",
		e.Position, e.Stream, e.Type, e.Schema, e.Reason, e.Err)
}

// Unwrap returns the decoder's error.
func (e *UndecodableEventError) Unwrap() error { return e.Err }

func undecodable(e eventstore.LeanEvent, err error) *UndecodableEventError {
	reason := ReasonBadData
	var (
		missing *domain.MissingUpcasterError
		stray   *domain.StrayUpcasterError
	)
	switch {
	case errors.As(err, &missing) || errors.As(err, &stray):
		reason = ReasonUpcasters
	case !knownTypes[e.Type]:
		reason = ReasonUnknownType
	case e.Schema > domain.SchemaOf(e.Type):
		reason = ReasonNewerSchema
	}
	return &UndecodableEventError{Position: e.Position, Stream: e.Stream, Type: e.Type, Schema: e.Schema, Reason: reason, Err: err}
}

var knownTypes = func() map[string]bool {
	m := make(map[string]bool)
	for _, t := range domain.EventTypes() {
		m[t] = true
	}
	return m
}()

// applyError is a projection's failure to apply or flush a batch.
type applyError struct {
	projection int // index in Runner.projs
	err        error
}

func (e *applyError) Error() string { return e.err.Error() }
func (e *applyError) Unwrap() error { return e.err }

// noteFailure records why a batch failed in the metrics: the failure
// counter, and the blocked gauge of every projection the failure stops
// (all of them for an event that cannot be decoded, the failing one for an
// apply error). The error itself goes back to Run's caller, which logs it.
// Cancellation is not a failure.
func (r *Runner) noteFailure(err error) {
	var ue *UndecodableEventError
	var ae *applyError
	switch {
	case errors.As(err, &ue):
		r.metrics.failures.WithLabelValues(ue.Reason).Inc()
		for i := range r.projs {
			r.blocked[i].Set(1)
		}
	case errors.As(err, &ae):
		r.metrics.failures.WithLabelValues(reasonApply).Inc()
		r.blocked[ae.projection].Set(1)
	}
}
