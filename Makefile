# istio-mab: see README.md. `make up` / `make down` manage the local stack,
# `make test` runs every test on it, `make demo` runs the main job end to end.
SHELL := /bin/bash
GO ?= go

.PHONY: build up down test lint unit e2e demo bench docs lint-workflows real release soak

build:
	$(GO) build -o bin/istio-mab ./cmd/istio-mab

# istio-mab's own release into dist/: the CLI cross-compiled for
# linux/darwin/windows x amd64/arm64 with RELEASE_VERSION stamped (default:
# the last v* tag, or v0.0.0-<commit>; -dirty for uncommitted changes), one archive per target, checked for
# its platform, and checksums.txt. RELEASE_IMAGE=REPO also builds the CLI's
# linux/amd64+linux/arm64 image on $$BUILDKIT_HOST (the local stack's, after
# `make up`), pushes it as one list tagged RELEASE_VERSION (RELEASE_TAGS to
# choose), and runs `istio-mab version` in it on both platforms.
RELEASE_VERSION ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || \
  echo v0.0.0-$$(git rev-parse --short=12 HEAD)$$(git diff --quiet HEAD || echo -dirty))
RELEASE_IMAGE ?=
RELEASE_TAGS ?=
release:
	[ -n "$${BUILDKIT_HOST:-}" ] || [ ! -f .stack/env ] || { set -a && . .stack/env && set +a; }; \
	  $(GO) run ./tools/release -version $(RELEASE_VERSION) -commit $$(git rev-parse HEAD) \
	  -date $$(git log -1 --format=%ct) -out dist -image "$(RELEASE_IMAGE)" -tags "$(RELEASE_TAGS)"

up:
	bash scripts/stack-up.sh

down:
	bash scripts/stack-down.sh

# -race: a run compiles, builds images and writes archives concurrently.
unit:
	bash scripts/install-deps.sh
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /e2e)

# The e2e packages share one stack (one BuildKit, the registries) and some of
# them time what they run, so they run one at a time (-p 1); e2e/lifecycle
# stops and restarts the stack, so it runs alone, after all the others. Each
# test binary has 45 minutes.
e2e: up
	set -a && source .stack/env && set +a && \
	  $(GO) test -p 1 -count=1 -timeout 45m $$($(GO) list ./e2e/... | grep -v '/e2e/lifecycle$$') && \
	  $(GO) test -count=1 -timeout 45m ./e2e/lifecycle

# Sustained faults and load, outside `make test` (whose e2e run holds a 5-build slice of the
# soak): SOAK_RUNS consecutive pilot builds through the fault proxy with
# faults drawn from SOAK_SEED (default: from the clock, printed), then the
# load test (four releases at once, two runs on one tag) and BuildKit's
# disk filling up; the tables go to .stack/soak.md and .stack/load.md for
# docs/reliability.md.
SOAK_RUNS ?= 30
SOAK_SEED ?=
soak: up
	set -a && . .stack/env && set +a && SOAK_RUNS=$(SOAK_RUNS) SOAK_SEED=$(SOAK_SEED) SOAK_OUT=$(CURDIR)/.stack/soak.md \
	  $(GO) test -count=1 -v -run '^TestSoak$$' -timeout 300m ./e2e/soak
	set -a && . .stack/env && set +a && SOAK_LOAD=1 SOAK_LOAD_OUT=$(CURDIR)/.stack/load.md \
	  $(GO) test -count=1 -v -run '^(TestLoad|TestDiskFull)$$' -timeout 60m ./e2e/soak

# What reviewers check: formatting, vet, a tidy go.mod.
lint:
	@files=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$files" ]; then echo "gofmt needed: $$files"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

# The CLI reference check (docs/cli) is a unit test; `make docs` regenerates it.
test: lint unit lint-workflows e2e

docs:
	$(GO) test -count=1 -run TestCLIReferenceIsCurrent ./cmd/istio-mab/ -update-docs

# actionlint, built from the Go module proxy and cached like BuildKit, checks
# the project's CI and the example rebuild workflow users copy.
lint-workflows:
	bash scripts/install-actionlint.sh
	bash scripts/lint-workflows.sh

demo: up build
	bash scripts/demo.sh

# Cross-compiling vs compiling under QEMU, side by side (about 4 minutes), then
# the real-size fixture (client-go, gRPC, go-control-plane): its gated e2e and
# BenchmarkRealSize (limit, istio-mab, host build + COPY, emulated; cold,
# no-op on a warm and on a fresh builder, one file changed), hours on 2 cores.
# BENCH_WAYS, BENCH_SCENARIOS, BENCH_PLATFORMS pick a subset; the table goes to
# BENCH_OUT (default .stack/bench-realsize.md) for docs/benchmarks.md.
# The emulated way runs cold only by default: its arm64 rebuilds start from
# scratch under QEMU, and no target concerns them.
BENCH_OUT ?= $(CURDIR)/.stack/bench-realsize.md
BENCH_EMULATED_SCENARIOS ?= cold
bench: up
	set -a && . .stack/env && set +a && $(GO) test -run '^$$' -bench BenchmarkCompile -benchtime 3x -timeout 30m ./e2e/bench
	set -a && . .stack/env && set +a && BENCH_ROUNDS=2 BENCH_TRUST_OUT=$(CURDIR)/.stack/bench-trust.md \
	  $(GO) test -run '^$$' -bench BenchmarkTrustOverhead -benchtime 1x -timeout 90m ./e2e/bench
	set -a && . .stack/env && set +a && BENCH_REALSIZE=1 $(GO) test -count=1 -v -run '^TestRealSize' -timeout 60m ./e2e/bench
	set -a && . .stack/env && set +a && BENCH_REALSIZE=1 BENCH_OUT=$(BENCH_OUT) BENCH_EMULATED_SCENARIOS=$(BENCH_EMULATED_SCENARIOS) \
	  $(GO) test -run '^$$' -bench BenchmarkRealSize -benchtime 1x -timeout 600m ./e2e/bench

# The real-Istio lane, outside CI: builds upstream tag
# VERSION from ISTIO_SRC (a local clone of istio/istio) end to end on the local
# stack, with stand-ins for what this machine cannot reach, and checks the
# result. LIMIT=1 also times the host's go build of the same binaries; COLD=1
# starts from empty caches; DRY_RUN=1 prepares everything and builds nothing.
real: up build
	VERSION=$(VERSION) ISTIO_SRC=$(ISTIO_SRC) bash scripts/real.sh
