#!/usr/bin/env bash
# The EventStoreDB protocol figures (BENCHMARKS.md, "EventStoreDB"):
# appends and a $all catch-up through `ledger serve --esdb-listen`, next to
# the same on the embedded store, each three times with the load average
# before it. The client and the server share the machine's cores. Run it
# on a quiet machine; it takes about two minutes. CPU profile of the
# server: $work/server.prof (printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/ledger}
RUNS=${RUNS:-3}
EVENTS=${EVENTS:-20000}
WRITERS=${WRITERS:-16}
PORT=${PORT:-12113}
work=$(mktemp -d)
url="esdb://127.0.0.1:$PORT?tls=false"
LEDGER_CPUPROFILE="$work/server.prof" "$BIN" serve --data "$work/node" --http 127.0.0.1:0 --esdb-listen "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do "$BIN" bench catchup --store "$url" >/dev/null 2>&1 && break || sleep 0.2; done

step() {
	echo
	echo "== $* (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
}

for _ in $(seq "$RUNS"); do
	step "append through the endpoint, $WRITERS writers"
	"$BIN" bench append --store "$url" --writers "$WRITERS" --events "$EVENTS" --quiet
done
for _ in $(seq "$RUNS"); do
	step "append on the embedded store, $WRITERS writers"
	rm -rf "$work/scratch" && "$BIN" bench append --data "$work/scratch" --writers "$WRITERS" --events "$EVENTS" --quiet
done
for _ in $(seq "$RUNS"); do
	step "\$all catch-up through the endpoint"
	"$BIN" bench catchup --store "$url"
done
for _ in $(seq "$RUNS"); do
	step "\$all catch-up on the embedded store"
	"$BIN" bench catchup --data "$work/node"
done
kill -INT $server && wait $server || true
echo
go tool pprof -top -cum -nodecount=40 "$BIN" "$work/server.prof" 2>/dev/null | grep -v 'runtime\.' | head -30
