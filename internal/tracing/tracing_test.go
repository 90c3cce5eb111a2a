package tracing

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestOffCostsNothing: with tracing off a span is the no-op one, the
// context comes back unchanged, nothing allocates, and there is no trace
// context to write or read.
func TestOffCostsNothing(t *testing.T) {
	Use(nil)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		got, span := Start(ctx, "x")
		span.End()
		if got != ctx {
			t.Fatal("Start changed the context with tracing off")
		}
	})
	if allocs != 0 {
		t.Errorf("Start with tracing off: %v allocations, want 0", allocs)
	}
	if tp := TraceParent(ctx); tp != "" {
		t.Errorf("TraceParent with tracing off = %q", tp)
	}
	if _, ok := FromMetadata([]byte(`{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}`)); ok {
		t.Error("FromMetadata read a trace context with tracing off")
	}
	if spans := Continue(ctx, "x", time.Time{}, []byte(`{"traceparent":"x"}`)); spans != nil {
		t.Errorf("Continue with tracing off started %d spans", len(spans))
	}
}

// TestTraceParentRoundTrip: the traceparent written into an event's
// metadata continues the writer's trace, once per distinct parent.
func TestTraceParentRoundTrip(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	Use(tp)
	t.Cleanup(func() { Use(nil) })

	ctx, span := Start(context.Background(), "append")
	parent := TraceParent(ctx)
	span.End()
	if parent == "" {
		t.Fatal("no traceparent for a sampled span")
	}
	md, _ := json.Marshal(map[string]string{"correlationId": "c-1", "traceparent": parent})
	p, ok := FromMetadata(md)
	if !ok || p.TraceParent != parent || p.CorrelationID != "c-1" {
		t.Fatalf("FromMetadata = %+v, %v", p, ok)
	}
	if _, ok := FromMetadata([]byte(`{"correlationId":"c-2"}`)); ok {
		t.Error("FromMetadata found a trace context in metadata without one")
	}
	EndAll(Continue(context.Background(), "apply", time.Time{}, md, md, []byte(`{}`)), nil)
	var applies []tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == "apply" {
			applies = append(applies, s)
		}
	}
	want := trace.SpanContextFromContext(ctx)
	if len(applies) != 1 || applies[0].SpanContext.TraceID() != want.TraceID() || applies[0].Parent.SpanID() != want.SpanID() {
		t.Fatalf("apply spans %+v: want one, a child of the append %s", applies, want.SpanID())
	}
}
