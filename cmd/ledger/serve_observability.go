package main

import (
	"context"
	"flag"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/internal/tracing"
)

// observabilityComponent is what `ledger serve` offers the operator's
// monitoring beyond each package's own metrics: OpenTelemetry traces over
// OTLP (--otlp-endpoint) and the data directory's free space, for the disk
// alert (deploy/prometheus/ledger-alerts.yml).
type observabilityComponent struct{ otlpEndpoint string }

func newObservabilityComponent() serveComponent { return &observabilityComponent{} }

// traceFlushTimeout bounds the flush of buffered spans at shutdown: an
// unreachable collector must not hold the shutdown up.
const traceFlushTimeout = 5 * time.Second

func (c *observabilityComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.otlpEndpoint, "otlp-endpoint", envOr("LEDGER_OTLP_ENDPOINT", ""),
		"OpenTelemetry collector (OTLP over gRPC, in clear) to send traces to, e.g. 127.0.0.1:4317 (env LEDGER_OTLP_ENDPOINT); empty: no traces")
}

func (c *observabilityComponent) start(core *serveCore, _ offers) error {
	if err := registerDiskMetrics(core.registry, core.dataDir); err != nil {
		return err
	}
	if c.otlpEndpoint == "" {
		return nil
	}
	shutdown, err := tracing.Setup(core.ctx, c.otlpEndpoint, "ledger", ledgerVersion())
	if err != nil {
		return err
	}
	slog.Info("tracing enabled", "otlp_endpoint", c.otlpEndpoint)
	core.goRun(func() {
		<-core.ctx.Done()
		ctx, cancel := context.WithTimeout(context.Background(), traceFlushTimeout)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			slog.Warn("traces not flushed", "err", err)
		}
	})
	return nil
}

// ledgerVersion is the binary's module version, for the traces' resource.
func ledgerVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "unknown"
}

// registerDiskMetrics exports the data directory's file system's free and
// total bytes, read at each scrape. The ledger refuses writes once the
// disk is full (internal/diskfull), so the alert must fire well before.
func registerDiskMetrics(reg prometheus.Registerer, dir string) error {
	if reg == nil {
		return nil
	}
	for _, g := range []struct {
		name, help string
		value      func(diskSpace) uint64
	}{
		{"ledger_data_free_bytes", "Bytes available to the ledger on the data directory's file system.", func(d diskSpace) uint64 { return d.free }},
		{"ledger_data_size_bytes", "Size in bytes of the data directory's file system.", func(d diskSpace) uint64 { return d.size }},
	} {
		if err := reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: g.name, Help: g.help}, func() float64 {
			d, err := statDisk(dir)
			if err != nil {
				return -1 // not a size: the alert's expression ignores it
			}
			return float64(g.value(d))
		})); err != nil {
			return err
		}
	}
	return nil
}

// diskSpace is a file system's size and what an unprivileged writer may
// still use of it.
type diskSpace struct{ free, size uint64 }
