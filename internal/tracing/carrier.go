package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Why the trace context travels in the event's metadata: the projections
// and the subscription hub act on an event after its append returned, in
// other goroutines, and on a shared ledger possibly on another node that
// reads the event from the store. The event is the only thing that reaches
// them all, so the W3C traceparent of the append's span is written into
// its metadata (eventstore.Metadata.TraceParent), only when tracing is on
// and the span is sampled. The metadata is part of what the event's hash
// covers, so `ledger verify` checks those bytes like any others; an
// idempotent retry compares only stream, type and data, so a retry with
// another trace id is still the same event. A process-local map by event
// id would have left the other node's spans out of the trace, and lost
// nothing else.

// TraceParent returns the W3C traceparent of ctx's span, or "" when
// tracing is off or the span is not sampled (nothing to continue).
func TraceParent(ctx context.Context) string {
	if !Enabled() {
		return ""
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() || !sc.IsSampled() {
		return ""
	}
	c := propagation.MapCarrier{}
	w3c.Inject(ctx, c)
	return c["traceparent"]
}

// WithTraceParent returns ctx with the remote span context tp names as its
// parent; ctx itself when tp is empty or malformed.
func WithTraceParent(ctx context.Context, tp string) context.Context {
	if tp == "" {
		return ctx
	}
	return w3c.Extract(ctx, propagation.MapCarrier{"traceparent": tp})
}

// traceParentKey is the metadata field that holds it (see
// eventstore.Metadata); a cheap byte search skips the events without it.
var traceParentKey = []byte(`"traceparent"`)

// Parent is the trace an event continues: its append's span context and
// the correlation id of the request that wrote it.
type Parent struct {
	TraceParent   string
	CorrelationID string
}

// FromMetadata returns the trace an event's JSON metadata carries; ok is
// false when tracing is off or the event carries none. Events without one
// cost a byte search, not a JSON parse.
func FromMetadata(md []byte) (p Parent, ok bool) {
	if !Enabled() || !bytes.Contains(md, traceParentKey) {
		return Parent{}, false
	}
	var m struct {
		TraceParent   string `json:"traceparent"`
		CorrelationID string `json:"correlationId"`
	}
	if json.Unmarshal(md, &m) != nil || m.TraceParent == "" {
		return Parent{}, false
	}
	return Parent{TraceParent: m.TraceParent, CorrelationID: m.CorrelationID}, true
}

// Continue starts a span named name, begun at start, in the trace of each
// distinct parent among mds (events' metadata), for work done once for a
// batch of events (a projection transaction, a push to subscribers). It
// returns the spans to end; none while tracing is off.
func Continue(ctx context.Context, name string, start time.Time, mds ...[]byte) []trace.Span {
	if !Enabled() {
		return nil
	}
	var spans []trace.Span
	seen := map[string]bool{}
	for _, md := range mds {
		p, ok := FromMetadata(md)
		if !ok || seen[p.TraceParent] {
			continue
		}
		seen[p.TraceParent] = true
		_, span := StartAt(WithTraceParent(ctx, p.TraceParent), name, start)
		span.SetAttributes(CorrelationID.String(p.CorrelationID))
		spans = append(spans, span)
	}
	return spans
}

// EndAll ends spans, recording err on each.
func EndAll(spans []trace.Span, err error) {
	for _, s := range spans {
		Fail(s, err)
		s.End()
	}
}
