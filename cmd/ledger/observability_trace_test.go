package main

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"

	"github.com/interactionledger/ledger/domain"
)

// otlpCollector is the receiving end of OTLP/gRPC traces: what an
// OpenTelemetry collector beside the ledger would get.
type otlpCollector struct {
	collectortrace.UnimplementedTraceServiceServer
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (c *otlpCollector) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			c.spans = append(c.spans, ss.GetSpans()...)
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

func (c *otlpCollector) received() []*tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*tracepb.Span(nil), c.spans...)
}

// TestServeMetricsAndTraces runs `ledger serve` as an operator would,
// with --otlp-endpoint, and sends one customer message through the SMS
// webhook. Then every metric the dashboard and the alerts read is on
// /metrics (checkMetricsServed), and the message's spans reach the OTLP
// collector (at the latest when the server shuts down: the exporter
// batches them), all in one trace. One binary and one server for both:
// the binary is big to build.
func TestServeMetricsAndTraces(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	collector := &otlpCollector{}
	gs := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(gs, collector)
	go func() { _ = gs.Serve(ln) }()
	t.Cleanup(gs.Stop)

	// Replicating, so that the replica's series the dashboard and the
	// alerts read are served too.
	w := newReplicaWorld(t)
	srv := startServeProcessEnv(t, crashLedgerBinary(t), "serve-observed", w.env(), "--data", t.TempDir(), "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0",
		"--limit-exempt", "127.0.0.0/8,::1", "--sms-auth-token", testSMSToken, "--otlp-endpoint", ln.Addr().String(), "--replicate", w.spec("observed"))
	req, err := crashRequest(t.Context(), srv.base, crashMessage{channel: domain.ChannelSMS, from: "+15555550199", id: "SMotlp1", text: "traced"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SMS webhook answered %d", resp.StatusCode)
	}
	checkMetricsServed(t, srv.admin)

	// The exporter sends its batch within 5 s; the projections' span ends
	// once they applied the message.
	deadline := time.Now().Add(20 * time.Second)
	for !hasSpan(collector.received(), "projection.apply") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	srv.stop(t)

	spans := collector.received()
	var root *tracepb.Span
	for _, s := range spans {
		if s.GetName() == "channel.receive" {
			root = s
		}
	}
	if root == nil {
		t.Fatalf("the collector got no channel.receive span; got %d spans", len(spans))
	}
	names := map[string]bool{}
	for _, s := range spans {
		if string(s.GetTraceId()) == string(root.GetTraceId()) {
			names[s.GetName()] = true
		}
	}
	for _, want := range []string{"channel.receive", "command ReceiveMessage", "eventstore.append", "projection.apply"} {
		if !names[want] {
			t.Errorf("the message's trace lacks %s; it has %v", want, names)
		}
	}
	correlation := ""
	for _, kv := range root.GetAttributes() {
		if kv.GetKey() == "ledger.correlation_id" {
			correlation = kv.GetValue().GetStringValue()
		}
	}
	if correlation == "" {
		t.Errorf("channel.receive has no ledger.correlation_id: %v", root.GetAttributes())
	}
}

func hasSpan(spans []*tracepb.Span, name string) bool {
	for _, s := range spans {
		if s.GetName() == name {
			return true
		}
	}
	return false
}
