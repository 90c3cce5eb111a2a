package graphql

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/transport/transporttest"
	"github.com/interactionledger/ledger/internal/tracing"
)

// traceStages are the spans one customer message makes, in the order it
// goes through the ledger (the command's span is named after it).
var traceStages = []string{"channel.receive", "command ", "eventstore.append", "projection.apply", "graphql.subscription.push"}

// TestOneTraceFromIntakeToSubscriptionPush: with tracing on, one customer
// message is one trace, from the channel intake through its commands and
// appends to the projections' transaction and the push to a queue's
// subscriber, which run asynchronously and pick the trace up from the
// events' metadata. Every span carries the message's correlation id. The
// events keep verifying, and with tracing off they carry no trace context.
func TestOneTraceFromIntakeToSubscriptionPush(t *testing.T) {
	e := newEnv(t)
	c := e.dialWS()
	c.Init(e.token(auth.RoleSupervisor, "s-1"))
	c.Subscribe("q", `subscription { queueChanged(name: "general") { name waitingCount } }`, nil)
	c.Send(map[string]any{"type": transporttest.Ping}) // answered once the subscription is registered
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}

	// A message before tracing is on carries no trace context.
	untraced := e.inbound("untraced-1", "+8613900139001", "Qian Yu", "hello")
	if m := c.Read(); m.Type != transporttest.Next || m.ID != "q" {
		t.Fatalf("got %+v, want the queue's update", m)
	}

	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tracing.Use(tp)
	t.Cleanup(func() {
		tracing.Use(nil)
		_ = tp.Shutdown(context.Background())
	})
	traced := e.inbound("traced-1", "+8613900139002", "Sun Li", "Is anyone there?")
	if m := c.Read(); m.Type != transporttest.Next || m.ID != "q" {
		t.Fatalf("got %+v, want the queue's update", m)
	}

	receive := waitForSpans(t, exp, "graphql.subscription.push")
	var root *tracetest.SpanStub
	for i := range receive {
		if receive[i].Name == "channel.receive" {
			root = &receive[i]
		}
	}
	if root == nil {
		t.Fatalf("no channel.receive span among %v", spanNames(receive))
	}
	correlation := attr(*root, tracing.CorrelationID)
	if correlation == "" || attr(*root, tracing.Channel) != string(domain.ChannelWebchat) {
		t.Fatalf("channel.receive attributes %v: want the channel and a correlation id", root.Attributes)
	}
	trace := root.SpanContext.TraceID()
	byStage := map[string]int{}
	appends := map[string]bool{} // span ids of the trace's appends
	for _, s := range receive {
		if s.SpanContext.TraceID() != trace {
			continue
		}
		if got := attr(s, tracing.CorrelationID); got != correlation {
			t.Errorf("span %s of the trace has correlation id %q, want %q", s.Name, got, correlation)
		}
		for _, stage := range traceStages {
			if strings.HasPrefix(s.Name, stage) {
				byStage[stage]++
			}
		}
		if s.Name == "eventstore.append" {
			appends[s.SpanContext.SpanID().String()] = true
		}
	}
	for _, stage := range traceStages {
		if byStage[stage] == 0 {
			t.Errorf("trace %s has no %q span; it has %v", trace, stage, spanNames(receive))
		}
	}
	// The asynchronous stages continue an append of the message, not a
	// trace of their own.
	for _, s := range receive {
		if s.Name == "projection.apply" || s.Name == "graphql.subscription.push" {
			if s.SpanContext.TraceID() == trace && !appends[s.Parent.SpanID().String()] {
				t.Errorf("%s's parent %s is not an append of the trace", s.Name, s.Parent.SpanID())
			}
		}
	}

	checkTraceParents(t, e, untraced, traced)
}

// checkTraceParents: the traced message's events carry a traceparent in
// their metadata, the untraced one's none, and the ledger still verifies.
func checkTraceParents(t *testing.T, e *env, untraced, traced commands.InboundResult) {
	t.Helper()
	events, err := e.store.ReadAll(e.ctx, 0, 1000)
	must(t, err, "read the ledger")
	carried := map[string]bool{}
	for _, ev := range events {
		md, err := eventstore.ParseMetadata(ev.Metadata)
		must(t, err, "metadata of %d", ev.Position)
		if strings.HasPrefix(ev.Stream, "interaction-") {
			carried[strings.TrimPrefix(ev.Stream, "interaction-")] = md.TraceParent != ""
		}
	}
	if carried[untraced.InteractionID] || !carried[traced.InteractionID] {
		t.Errorf("trace context in the interactions' events: %v; want it in %s's only", carried, traced.InteractionID)
	}
	rep, err := eventstore.Verify(e.ctx, e.store, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify with trace contexts in the metadata: %+v, %v", rep, err)
	}
}

// waitForSpans returns the exporter's spans once one named name ended:
// the asynchronous stages end after the subscriber got its update.
func waitForSpans(t *testing.T, exp *tracetest.InMemoryExporter, name string) tracetest.SpanStubs {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans := exp.GetSpans()
		for _, s := range spans {
			if s.Name == name {
				return spans
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s span within 10s; spans: %v", name, spanNames(spans))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// attr is the span's string attribute key, "" when it has none.
func attr(s tracetest.SpanStub, key attribute.Key) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value.AsString()
		}
	}
	return ""
}

func spanNames(spans tracetest.SpanStubs) []string {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name
	}
	return names
}
