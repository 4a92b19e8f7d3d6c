# TierChain build and test entry points. `make test` is the one CI runs.
GO ?= go
GOTEST_FLAGS ?= -race -shuffle=on -count=1

.PHONY: all build test test-deps test-all test-unit vet lint bench-crypto bench-zk bench-network up down test-services-pg test-consortium bench-consortium images

all: build

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...

# lint: formatting, vet and staticcheck (installed at a pinned version).
STATICCHECK_VERSION ?= v0.7.0
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
lint: vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(STATICCHECK) ./...

test-unit:
	$(GO) test $(GOTEST_FLAGS) ./...

# test: everything a change must pass (lint, unit, fuzz seeds, integration
# against real networks, PostgreSQL, the browser). It installs what is
# missing (scripts/testdeps.sh), starts a throwaway PostgreSQL for the run
# and makes every test that still lacks what it needs fail, never skip
# (TIERCHAIN_TEST_STRICT, internal/testenv). The same on a laptop and in CI.
test: test-deps
	TIERCHAIN_TEST_STRICT=1 services/store/testdb.sh run $(MAKE) test-all
	$(MAKE) test-consortium

test-deps:
	scripts/testdeps.sh

test-all: lint test-unit

# test-consortium: the five organisations as docker-compose hosts
# (docker-compose.yml, internal/consortium): installs and starts Docker if
# missing (scripts/docker.sh, root), builds the images FROM scratch from
# static Go builds, brings the consortium up, survives three faults, brings
# it down. The last line starts "consortium:". Images and build caches are
# reused between runs.
test-consortium:
	scripts/docker.sh >/dev/null
	network/docker/build.sh
	$(GO) test -tags consortium -count=1 -timeout 30m -v -run '^TestConsortium$$' ./internal/consortium

# bench-consortium: the confidential split (REST) against the plaintext
# transfer on the compose consortium, one run, with CPU per committed
# operation per organisation from the containers' cgroups (figures in
# docs/BENCHMARKS.md, "Compose consortium").
bench-consortium:
	scripts/docker.sh >/dev/null
	network/docker/build.sh
	$(GO) test -tags consortium -count=1 -timeout 25m -v -run '^TestConsortiumBenchmark$$' ./internal/consortium

# images: the compose consortium's images (network/docker/build.sh).
images:
	network/docker/build.sh

# test-services-pg: the services' tests against both SQLite and a throwaway
# PostgreSQL server started (and stopped) by services/store/testdb.sh.
test-services-pg:
	services/store/testdb.sh run $(GO) test $(GOTEST_FLAGS) ./services/...

# bench-crypto: range proofs side by side with kryptology and circl, one run
# (3 interleaved rounds, fastest kept, ratios on CPU time: the machine is
# shared). The comparison lives in its own module (bench/peers) so kryptology
# never becomes a dependency of the product. The last line is the summary.
bench-crypto:
	cd bench/peers && $(GO) run ./cmd/benchcrypto

# bench-zk: the in-package benchmarks of zk/.
bench-zk:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./zk/...

# bench-network: saturation throughput of the plaintext baseline on a real
# network (figures in docs/BENCHMARKS.md, "Network").
bench-network:
	$(GO) test -run '^$$' -bench 'Baseline(Mint|Transfer)' -benchtime 600x -v ./internal/fabnet/

# up / down: the platform on this machine (see README). The binary is built
# first: up leaves the gateway running from it in the background.
TIERCHAIN_BIN ?= .tierchain/bin/tierchain
up:
	$(GO) build -o $(TIERCHAIN_BIN) ./cmd/tierchain
	$(TIERCHAIN_BIN) up

down:
	$(GO) build -o $(TIERCHAIN_BIN) ./cmd/tierchain
	$(TIERCHAIN_BIN) down
