#!/bin/bash
# The access ledger's cost on the screen-pop query (BENCHMARKS.md): the
# same ledger served by the binary before the access ledger (BEFORE, a
# commit) and by this tree's, three runs each, alternating. Run it on a
# quiet machine; it takes about five minutes.
set -euo pipefail
BEFORE=${BEFORE:-bf00e6c}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(git rev-parse --show-toplevel)
git -C "$root" worktree add -q "$work/before" "$BEFORE"
(cd "$work/before" && go build -o "$work/ledger-before" ./cmd/ledger)
git -C "$root" worktree remove --force "$work/before"
(cd "$root" && go build -o "$work/ledger-after" ./cmd/ledger)
"$work/ledger-after" demo --data "$work/data" --customers 20000 --interactions 30000 --workers 16 --seed 3 --encrypt=false --quiet
for run in 1 2 3; do
  for which in before after; do
    rm -rf "$work/d" && cp -r "$work/data" "$work/d"
    extra=""; [ "$which" = after ] && extra="--tree-head-every=0"
    "$work/ledger-$which" serve --data "$work/d" --http 127.0.0.1:18181 --admin-http 127.0.0.1:19191 \
      --qa=false --sla-policy=false --notify=false --router=false $extra >"$work/serve.log" 2>&1 &
    pid=$!
    echo "== run $run $which (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$work/ledger-after" bench graphql --data "$work/d" --url http://127.0.0.1:18181/graphql --admin http://127.0.0.1:19191 \
      --identities 5000 --clients 64 --duration 20s --warmup 5s --server-pid $pid 2>&1 | tail -4
    kill $pid; wait $pid 2>/dev/null || true
  done
done
