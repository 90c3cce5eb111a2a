# The two commands of the README: `make run` and `make test`.
SHELL     := /bin/bash
GO        ?= go
BIN       := bin/ledger
RUN_DATA  ?= data-run
RUN_HTTP  ?= 127.0.0.1:8080
RUN_ADMIN ?= 127.0.0.1:9090

.PHONY: run test build lint test-deps faults soak bench bench-blobs bench-desktop bench-write-path bench-esdb bench-access-ledger bench-encryption drill-replica clean ui ui-widget ui-app

# build: the UI first (node and npm), then the binary that embeds it. A
# plain `go build ./cmd/ledger` works without node: it embeds placeholders.
build: ui
	$(GO) build -o $(BIN) ./cmd/ledger

# ui: every web front end under ui/, built into its dist/ for go:embed.
ui: ui-widget ui-app

# ui-widget: the customer's web chat widget, /widget.js (ui/widget). npm ci
# reruns only when the lockfile changed, the build when a source did.
ui-widget: ui/widget/dist/widget.js

ui/widget/node_modules/.package-lock.json: ui/widget/package-lock.json ui/widget/package.json
	cd ui/widget && npm ci

ui/widget/dist/widget.js: ui/widget/node_modules/.package-lock.json ui/widget/tsconfig.json $(wildcard ui/widget/src/*.ts)
	cd ui/widget && npm run build

# ui-app: the agent desktop, served at / (ui/app), built into ui/app/dist.
ui-app: ui/app/dist/index.html

ui/app/node_modules/.package-lock.json: ui/app/package-lock.json ui/app/package.json
	cd ui/app && npm ci --no-audit --no-fund

ui/app/dist/index.html: ui/app/node_modules/.package-lock.json ui/app/index.html ui/app/vite.config.ts ui/app/tsconfig.json $(shell find ui/app/src -type f 2>/dev/null)
	cd ui/app && npm run build

# run: a fresh ledger with a month of demo history and the starter
# knowledge base (config/knowledge/starter), then serve it with live
# demo traffic on the embedded defaults (SQLite ledger and read models);
# /metrics, /healthz and /readyz on the admin listener, RUN_ADMIN.
run: build
	rm -rf $(RUN_DATA)
	./$(BIN) demo --data $(RUN_DATA) --customers 300 --interactions 3000 --seed 1 --knowledge config/knowledge/starter
	./$(BIN) serve --data $(RUN_DATA) --http $(RUN_HTTP) --admin-http $(RUN_ADMIN) --demo

# test: everything CI runs. Installs the servers and the browser
# integration tests need when they are absent, builds the UI (the browser
# tests drive it), then formatting, vet and every test under the race
# detector.
test: test-deps ui lint
	CI=$${CI:-} $(GO) test -race -count=1 -timeout 30m ./...

test-deps:
	./scripts/test-deps.sh

lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# faults: the fault drills (issue #17) at full length: disk full, outside
# services down or slow, slow and abusive clients, ClickHouse stopped and
# killed, read models damaged, SIGKILL and SIGTERM under load. The test
# command runs the same tests with short durations.
FAULT_TESTS := TestFault|TestServeKilledUnderChannelLoad|TestServeStoppedUnderChannelLoad|TestServeRebuildsDamagedReadModels|TestClickHouseStoppedMidStream|TestClickHouseKilled
faults: test-deps ui
	CI=true LEDGER_FAULTS_FULL=1 $(GO) test -race -count=1 -timeout 80m -run '^($(FAULT_TESTS))' -v ./cmd/ledger/ ./analytics/clickhouse/ 2>&1 | tee faults.log | grep -E '^(=== RUN|--- |ok|FAIL|PASS)|FAULT'; exit $${PIPESTATUS[0]}

# drill-replica: the replication drill (issue #19) at length: `ledger
# serve --replicate` on SeaweedFS under channel load for five minutes,
# killed, its data deleted, restored from the replica and served again;
# prints the recovery point and time measured (README, "Continuous
# replication"). The test command runs a six-second version.
drill-replica: test-deps
	CI=true LEDGER_DRILL_REPLICA_DURATION=$${LEDGER_DRILL_REPLICA_DURATION:-5m} $(GO) test -count=1 -timeout 30m -run '^TestReplicaDrill$$' -v ./cmd/ledger/ 2>&1 | tee drill-replica.log | grep -E '^(=== RUN|--- |ok|FAIL)|DRILL'; exit $${PIPESTATUS[0]}

# soak: an hour of mixed load on every channel against `ledger serve`
# (TestSoak), sampled every ten seconds; the samples and their plot go to
# soak/ (soak.csv, soak.png; BENCHMARKS.md). Quiet machine. The test
# command runs a 90-second version.
soak:
	mkdir -p soak
	CI=true LEDGER_SOAK_DURATION=$${LEDGER_SOAK_DURATION:-1h} LEDGER_SOAK_OUT=$(CURDIR)/soak LEDGER_SOAK_CPUPROFILE=$(CURDIR)/soak/cpu.prof \
		$(GO) test -count=1 -timeout 80m -run '^TestSoak$$' -v ./cmd/ledger/ 2>&1 | tee soak/soak.log | grep -E '^(=== RUN|--- |ok|FAIL)|SOAK|_test.go'; exit $${PIPESTATUS[0]}

# bench-desktop: the agent desktop in Chromium against a real server: five
# cold sign-ins and a minute of inbox probes under 50 messages/s of
# background traffic, failing when a goal is missed (BENCHMARKS.md). Run
# it on a quiet machine; make test runs a five-second version.
bench-desktop: ui
	CI=true LEDGER_DESKTOP_PERF_SECONDS=60 LEDGER_DESKTOP_PERF_SIGNINS=5 LEDGER_DESKTOP_PERF_GOALS=1 \
		LEDGER_DESKTOP_PERF_CPUPROFILE=$(CURDIR)/desktop-perf.prof \
		$(GO) test -count=1 -timeout 10m -run '^TestDesktopPerformanceInBrowser$$' -v ./cmd/ledger/ >desktop-perf.log 2>&1; \
		status=$$?; grep -E 'PERF|FAIL|^ok|_test.go' desktop-perf.log; exit $$status

# bench-blobs: uploading (Put: hash, seal, store) and downloading (Open:
# read, open, check) a 16 MiB attachment through the blob store, on the
# embedded directory, with clamd scanning every put, and on SeaweedFS's S3
# gateway; then the streaming tests' heap peaks (BENCHMARKS.md). Quiet
# machine.
bench-blobs: test-deps
	CI=true $(GO) test -run '^$$' -bench '^BenchmarkStore$$' -benchtime 10x -count 3 ./eventstore/blobs/
	CI=true $(GO) test -count=1 -v -run 'StreamsWithoutBuffering' ./eventstore/blobs/ | grep -E 'heap|^(--- |ok)'

# bench-access-ledger: the screen-pop query with and without the access
# ledger (BENCHMARKS.md), three runs each; about five minutes.
bench-access-ledger:
	./scripts/bench-access-ledger.sh 2>&1 | tee bench-access-ledger.log

# bench-encryption: appends and rebuilds with personal data in clear and
# encrypted (BENCHMARKS.md, "Encryption"; about ten minutes, quiet machine).
bench-encryption: build
	./scripts/bench-encryption.sh 2>&1 | tee bench-encryption.log

# bench-esdb: appends and $all catch-up through the EventStoreDB protocol
# endpoint, next to the embedded store (BENCHMARKS.md, "EventStoreDB").
bench-esdb: build
	./scripts/bench-esdb.sh 2>&1 | tee bench-esdb.log

# bench-write-path: every figure of the write path's table in BENCHMARKS.md,
# three runs each (about 25 minutes; a quiet machine only).
bench-write-path: build ui
	./scripts/bench-write-path.sh 2>&1 | tee bench-write-path.log

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3x ./eventstore/sqlite ./projections

clean:
	rm -rf bin $(RUN_DATA)
	find ui -path '*/dist/*' ! -name .keep -delete
