# The two commands of the README: `make run` and `make test`.
GO        ?= go
BIN       := bin/ledger
RUN_DATA  ?= data-run
RUN_HTTP  ?= 127.0.0.1:8080
RUN_ADMIN ?= 127.0.0.1:9090

.PHONY: run test build lint test-deps bench clean ui ui-app

build: ui-app
	$(GO) build -o $(BIN) ./cmd/ledger

# ui: every web front end the binary embeds.
ui: ui-app

# ui-app: the agent desktop (ui/app), built into ui/app/dist, which the
# binary embeds; without it the binary serves a page saying to run this.
ui-app:
	cd ui/app && npm ci --no-audit --no-fund && npm run build

# run: a fresh ledger with a month of demo history, then serve it with live
# demo traffic on the embedded defaults (SQLite ledger and read models);
# /metrics, /healthz and /readyz on the admin listener, RUN_ADMIN.
run: build
	rm -rf $(RUN_DATA)
	./$(BIN) demo --data $(RUN_DATA) --customers 300 --interactions 3000 --seed 1
	./$(BIN) serve --data $(RUN_DATA) --http $(RUN_HTTP) --admin-http $(RUN_ADMIN) --demo

# test: everything CI runs. Installs the servers integration tests need when
# they are absent, then formatting, vet and every test under the race
# detector.
test: test-deps ui-app lint
	CI=$${CI:-} $(GO) test -race -count=1 -timeout 30m ./...

test-deps:
	./scripts/test-deps.sh

lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3x ./eventstore/sqlite ./projections

clean:
	rm -rf bin $(RUN_DATA)
