#!/bin/bash
# The cost of encrypting personal data (BENCHMARKS.md, "Encryption"): the
# same demo traffic appended through the command layer into a ledger kept
# in clear (--encrypt=false) and into an encrypted one, then every read
# model rebuilt from each, three runs of each, alternating; then a CPU
# profile of one encrypted append run and one encrypted rebuild. Run it
# on a quiet machine; it takes about ten minutes.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(git rev-parse --show-toplevel)
(cd "$root" && go build -o "$work/ledger" ./cmd/ledger)
demo() { "$work/ledger" demo --data "$1" --customers 20000 --interactions 90000 --workers 64 --seed 42 --encrypt="$2" --quiet; }
for run in 1 2 3; do
  for encrypt in false true; do
    rm -rf "$work/$encrypt"
    echo "== run $run append encrypt=$encrypt (load $(cut -d' ' -f1-3 /proc/loadavg))"
    demo "$work/$encrypt" "$encrypt"
  done
  for encrypt in false true; do
    echo "== run $run rebuild encrypt=$encrypt (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$work/ledger" projections rebuild --data "$work/$encrypt" --quiet
  done
done
echo "== profiles (load $(cut -d' ' -f1-3 /proc/loadavg))"
rm -rf "$work/p"
LEDGER_CPUPROFILE="$root/bench-encryption-append.prof" demo "$work/p" true
LEDGER_CPUPROFILE="$root/bench-encryption-rebuild.prof" "$work/ledger" projections rebuild --data "$work/p" --quiet
for p in append rebuild; do
  echo "== $p profile: encryption's share"
  go tool pprof -top -cum "$work/ledger" "$root/bench-encryption-$p.prof" 2>/dev/null |
    grep -E 'Duration|Total samples|unseal|datakeys|sealing|MapPersonal|aes|gcm' | head -14
done
