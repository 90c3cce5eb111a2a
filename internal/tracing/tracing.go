// Package tracing owns the ledger's OpenTelemetry traces: setting up the
// tracer provider (an OTLP exporter when an endpoint is given, nothing
// otherwise), starting spans, and carrying a span's W3C trace context
// across the asynchronous hop from an append to the followers that act on
// the event (projections, subscription push), in the event's metadata.
//
// Tracing is off unless Setup is given an endpoint (or a test calls Use):
// then Start returns the context unchanged and a no-op span without
// allocating, and no trace context is written into events.
package tracing

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// instrumentation is the name spans are recorded under.
const instrumentation = "github.com/interactionledger/ledger"

// Span attribute keys the ledger sets.
const (
	// CorrelationID ties a span to every event of one outside request.
	CorrelationID = attribute.Key("ledger.correlation_id")
	Channel       = attribute.Key("ledger.channel")
	Command       = attribute.Key("ledger.command")
	Stream        = attribute.Key("ledger.stream")
	Position      = attribute.Key("ledger.position")
)

// tracer is the tracer in use; nil while tracing is off. It is swapped
// atomically so tests can install an in-memory provider while the hot
// paths read it without a lock.
var tracer atomic.Pointer[trace.Tracer]

var w3c = propagation.TraceContext{}

// Enabled reports whether spans are recorded: callers skip work that
// exists only for traces (parsing an event's trace context) when it is
// false.
func Enabled() bool { return tracer.Load() != nil }

// Use makes tp the provider of the ledger's spans (nil: tracing off). It
// is what Setup does with the OTLP provider; tests pass one with an
// in-memory exporter.
func Use(tp trace.TracerProvider) {
	if tp == nil {
		tracer.Store(nil)
		return
	}
	t := tp.Tracer(instrumentation)
	tracer.Store(&t)
}

// Setup starts exporting spans over OTLP/gRPC to endpoint (host:port, in
// clear: a collector beside the ledger). An empty endpoint leaves tracing
// off. The returned shutdown flushes the spans still buffered and turns
// tracing off; it is never nil.
func Setup(ctx context.Context, endpoint, service, version string) (shutdown func(context.Context) error, err error) {
	if endpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure())
	if err != nil {
		return nil, fmt.Errorf("otlp exporter for %s: %w", endpoint, err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(service), semconv.ServiceVersion(version)))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	Use(tp)
	return func(ctx context.Context) error {
		Use(nil)
		if err := tp.Shutdown(ctx); err != nil {
			return fmt.Errorf("flush traces to %s: %w", endpoint, err)
		}
		return nil
	}, nil
}

// Off is the span of work not traced: every call on it does nothing.
var Off trace.Span = noop.Span{}

// Start starts a span named name as a child of ctx's span (a new trace
// when ctx has none). With tracing off it returns ctx itself and a no-op
// span.
func Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	t := tracer.Load()
	if t == nil {
		return ctx, Off
	}
	return (*t).Start(ctx, name, opts...)
}

// StartAt is Start with the span's start time given: for work measured
// before it was known which traces it belonged to (a projection batch).
func StartAt(ctx context.Context, name string, at time.Time) (context.Context, trace.Span) {
	return Start(ctx, name, trace.WithTimestamp(at))
}

// Fail records err on span and marks it failed; a nil err does nothing.
func Fail(span trace.Span, err error) {
	if err == nil || !span.IsRecording() {
		return
	}
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}
