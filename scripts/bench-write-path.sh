#!/usr/bin/env bash
# The figures of the write path (BENCHMARKS.md, "The write path"): every
# measure three times, one after another, with the load average before
# each run. Run it on a quiet machine (nothing else building or testing):
# on 2 cores a concurrent build turns every figure into noise. Takes
# about 25 minutes. SIP needs sipp (make test-deps installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/ledger}
RUNS=${RUNS:-3}
SIP_SECONDS=${SIP_SECONDS:-60}
SIP_RATE=${SIP_RATE:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() {
	echo
	echo "== $* (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
}

for _ in $(seq "$RUNS"); do
	step "store append, 256 writers, conversations"
	rm -rf "$work/append" && "$BIN" bench append --data "$work/append" --writers 256 --events 300000 --workload conversations
done
for _ in $(seq "$RUNS"); do
	step "store append, 16 writers, conversations"
	rm -rf "$work/append" && "$BIN" bench append --data "$work/append" --writers 16 --events 50000 --workload conversations
done
for _ in $(seq "$RUNS"); do
	step "ledger demo through the command layer"
	rm -rf "$work/demo" && "$BIN" demo --data "$work/demo" --customers 5000 --interactions 20000 --workers 64 --seed 3 --quiet
done
step "routed assignments, one after another"
go test -count="$RUNS" -run '^$' -bench 'BenchmarkAssignRouted$' -benchtime 2000x ./commands | grep -E 'Benchmark|ok'
for _ in $(seq "$RUNS"); do
	step "app channel, 64 clients, 1,000 returning customers"
	"$BIN" bench app --data "$work/app" --clients 64 --customers 1000 --duration 30s --quiet
done
for _ in $(seq "$RUNS"); do
	step "web chat, 10,000 sockets, 1,000 msg/s offered"
	"$BIN" bench webchat --data "$work/webchat" --clients 10000 --messages 10 --interval 10s --quiet
done
for _ in $(seq "$RUNS"); do
	step "channel message to the agent's inbox (GraphQL subscription, Chromium), 500 msg/s background"
	CI=true LEDGER_DESKTOP_PERF_SECONDS=30 LEDGER_DESKTOP_PERF_SIGNINS=1 LEDGER_DESKTOP_PERF_RATE=500 \
		go test -count=1 -timeout 10m -run '^TestDesktopPerformanceInBrowser$' -v ./cmd/ledger/ | grep -E 'PERF (background|inbox)|FAIL|^ok'
done
for _ in $(seq "$RUNS"); do
	step "SIP, sipp, router on, 1 s wrap-up, $SIP_RATE call attempts/s for $SIP_SECONDS s"
	LEDGER_BIN="$PWD/$BIN" LEDGER_SIP_LOAD=1 LEDGER_SIP_LOAD_RATE="$SIP_RATE" LEDGER_SIP_LOAD_CALLS=$((SIP_RATE * SIP_SECONDS)) \
		go test -count=1 -timeout 30m -run '^TestSippLoadServe$' -v ./cmd/ledger/ | grep -E 'serve_sip_load_test|FAIL|^ok' || true
done
