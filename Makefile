# Two commands set everything up on a fresh machine:
#   make demo   build assay and run it on the bundled quickstart example
#   make test   lint, then every test (what CI runs)

GO       ?= go
BIN      := bin/assay
PKGS     := ./...
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# disable_grpc_modules leaves out the GCS client's DirectPath gRPC
# resolvers, which assay never uses (it reads GCS over HTTP): 19 MB less
# binary and 14 ms less start-up on every command.
TAGS     := disable_grpc_modules
# Each target fuzzes for a count of executions, about 15 s on two cores
# (set FUZZTIME=10m, or 1000000x, for a longer run). A count and not a
# duration: with -fuzztime=15s, Go 1.26's fuzzing coordinator sometimes
# reports its own deadline as a failure ("context deadline exceeded", no
# crasher written; go.dev/issue/75804, fixed in Go 1.27).
FUZZTIME ?=
# Minimising each new interesting input takes up to a minute by default,
# which left a 15 s run almost no time to fuzz; crashers stay as found.
FUZZMINIMIZETIME ?= 0

# Pinned tools, built from the Go module proxy into bin/tools and kept
# there: GoReleaser and gremlins from modules of their own (.tools/*, so
# their dependency trees stay out of assay's go.mod), act by version.
TOOLS       := bin/tools
GORELEASER  := $(TOOLS)/goreleaser
GREMLINS    := $(TOOLS)/gremlins
ACT_VERSION := v0.2.89
ACT         := $(TOOLS)/act-$(ACT_VERSION)/act

.PHONY: build test lint unit e2e e2e-workflow fuzz bench demo clean release release-snapshot release-check

build:
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/assay

test: lint unit e2e e2e-workflow fuzz bench-smoke mutate-smoke

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS) ./.ci/gotest
	$(GO) vet -tags e2e ./cmd/assay

# go test's usual output, plus one line per skipped test with its reason
# (.ci/gotest).
unit:
	$(GO) build -o bin/gotest ./.ci/gotest && bin/gotest -count=1 $(PKGS) ./.ci/gotest

# The GitOps loop end to end with the real binary: a git daemon origin, the
# fake GitHub, plan -> concurrent shards -> report, the merge, and nights
# of drift (cmd/assay/rehearsal_test.go).
e2e:
	$(GO) test -count=1 -tags e2e -run '^TestRehearsal$$' -v ./cmd/assay

# The shipped workflows executed by act on this machine, offline: assay
# init's caller -> the reusable workflow -> assay installed from snapshot
# release archives (or go install from a module zip), a git daemon origin,
# the fake GitHub (cmd/assay/workflow_rehearsal_test.go); and assay built
# from a module zip of this checkout renders an HTML report
# (cmd/assay/install_test.go).
e2e-workflow: $(ACT) $(GORELEASER)
	ASSAY_ACT=$(CURDIR)/$(ACT) ASSAY_GORELEASER=$(CURDIR)/$(GORELEASER) \
	$(GO) test -count=1 -tags e2e -run '^(TestInstallFromModuleZip|TestWorkflow)$$' -timeout 60m -v ./cmd/assay

$(ACT):
	GOBIN=$(CURDIR)/$(dir $(ACT)) $(GO) install github.com/nektos/act@$(ACT_VERSION)

$(GORELEASER): .tools/goreleaser/go.mod .tools/goreleaser/go.sum
	cd .tools/goreleaser && $(GO) build -o $(CURDIR)/$(GORELEASER) github.com/goreleaser/goreleaser/v2

$(GREMLINS): .tools/gremlins/go.mod .tools/gremlins/go.sum
	cd .tools/gremlins && $(GO) build -o $(CURDIR)/$(GREMLINS) github.com/go-gremlins/gremlins/cmd/gremlins

# Mutation testing of the core (docs/testing.md): gremlins plants small
# bugs one at a time in each package below and runs its tests against
# each; prints the efficacy per package and every mutant that lived, with
# its place. Hours, not minutes: a weekly workflow runs it
# (.github/workflows/mutate.yml). One package: make mutate
# MUTATE_PKGS=reporter/drift. Configuration: .gremlins.yaml.
MUTATE_PKGS  ?= spec runner runner/local reporter/compare reporter/results reporter/github reporter/drift
MUTATE_FLAGS ?= --workers 2
MUTATE_FILES ?=
.PHONY: mutate
mutate: $(GREMLINS)
	MUTATE_FLAGS="$(MUTATE_FLAGS)" MUTATE_FILES="$(MUTATE_FILES)" .tools/gremlins/mutate.sh $(CURDIR)/$(GREMLINS) $(MUTATE_PKGS)

# make mutate at its smallest, in make test so that the script, the pinned
# gremlins and the summary it prints cannot rot unnoticed: one small file
# of spec (8 mutants, 3 of them a - between strings), whose line must
# count mutants killed and, apart, the ones that do not build.
.PHONY: mutate-smoke
mutate-smoke: $(GREMLINS)
	@MUTATE_FLAGS="--workers 2" MUTATE_FILES="artifact_func.go" .tools/gremlins/mutate.sh $(CURDIR)/$(GREMLINS) spec | tee bin/mutate-smoke.txt
	@grep -Eq '^spec +[0-9.]+% +[1-9][0-9]* killed +[0-9]+ lived +[0-9]+ timed out +[0-9]+ not covered +[1-9][0-9]* not viable' bin/mutate-smoke.txt || { echo "mutate-smoke: make mutate's line for spec lacks its killed or not-viable mutants"; exit 1; }

# Releases: .goreleaser.yaml says what is built; a v* tag runs make
# release in .github/workflows/release.yml. release-snapshot builds every
# archive into dist/ without publishing.
release: $(GORELEASER)
	$(GORELEASER) release --clean

release-snapshot: $(GORELEASER)
	$(GORELEASER) release --snapshot --clean

release-check: $(GORELEASER)
	$(GORELEASER) check

# A short run of each fuzz target; CI keeps it brief, run longer by hand
# with FUZZTIME=10m (and FUZZMINIMIZETIME=1m to minimise what it finds).
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(or $(FUZZTIME),60000x) -fuzzminimizetime=$(FUZZMINIMIZETIME) ./spec
	$(GO) test -run='^$$' -fuzz='^FuzzLimits$$' -fuzztime=$(or $(FUZZTIME),800x) -fuzzminimizetime=$(FUZZMINIMIZETIME) ./spec
	$(GO) test -run='^$$' -fuzz='^FuzzPackHeader$$' -fuzztime=$(or $(FUZZTIME),200000x) -fuzzminimizetime=$(FUZZMINIMIZETIME) ./runner/gitrepo
	$(GO) test -run='^$$' -fuzz='^FuzzReadEvents$$' -fuzztime=$(or $(FUZZTIME),100000x) -fuzzminimizetime=$(FUZZMINIMIZETIME) ./runner/metrics/tfevents
	$(GO) test -run='^$$' -fuzz='^FuzzParseLine$$' -fuzztime=$(or $(FUZZTIME),80000x) -fuzzminimizetime=$(FUZZMINIMIZETIME) ./runner/metrics
	$(GO) test -run='^$$' -fuzz='^FuzzParseApprovals$$' -fuzztime=$(or $(FUZZTIME),60000x) -fuzzminimizetime=$(FUZZMINIMIZETIME) ./reporter/github

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# The quickstart runs in a copy made a git repository of its own, as a
# user's would be, so the demo leaves this checkout untouched.
demo: build
	@set -e; dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	cp -R examples/quickstart/. "$$dir"; bin=$$PWD/$(BIN); cd "$$dir"; \
	git init -q; git add -A; \
	git -c user.name=demo -c user.email=demo@example.com commit -q -m quickstart; \
	echo "== assay validate (examples/quickstart)"; $$bin validate; echo; \
	echo "== assay plan --all"; $$bin plan --all; echo; \
	echo "== assay run --all"; $$bin run --all; echo; \
	echo "== assay run --all again: every trial is recorded, nothing runs"; $$bin run --all; echo; \
	base=$$(git rev-parse HEAD); git checkout -q -b change; \
	sed -i.orig 's/base_lr = 0.1/base_lr = 0.3/' experiments/logreg.hcl; rm -f experiments/logreg.hcl.orig; \
	git -c user.name=demo -c user.email=demo@example.com commit -q -am 'lr 0.1 -> 0.3'; \
	echo "== a change (lr 0.1 -> 0.3): assay run runs the trials it touches"; $$bin run --base $$base; echo; \
	echo "== assay compare: the baseline against the change"; $$bin compare --base $$base --head HEAD

clean:
	rm -rf bin

# Every benchmark under bench/ at a tiny size (BENCH_SMOKE=1): fails when a
# script breaks or stops printing the figures its header declares, never
# on a number (bench/smoke.sh). A script this machine cannot run (no
# Slurm, no Chromium) exits 77 and is reported as skipped, naming what is
# missing.
.PHONY: bench-smoke
bench-smoke:
	bench/smoke.sh

# The plan benchmark: 100,000 files, 1,000 experiments; assay plan beside
# git ls-tree on the same repository (bench/plan.sh).
.PHONY: bench-plan
bench-plan:
	bench/plan.sh

# Reading a 1 GiB TensorBoard event file through metrics_from beside cat
# of the same file (bench/tfevents.sh).
.PHONY: bench-tfevents
bench-tfevents:
	bench/tfevents.sh

# The Python helper's tests (python/), with the standard library's
# unittest and no packages; the end-to-end one runs a real assay run with
# the binary built here. make unit (and so make test) runs them.
PYTHON ?= python3
.PHONY: test-python
# Passing tests are left out of what it prints; each skip is a line with
# its reason, as make unit prints Go's.
test-python: build
	@echo "python3 -m unittest discover -s python/tests"; out=$$(mktemp); \
	ASSAY_BIN=$(CURDIR)/$(BIN) $(PYTHON) -m unittest discover -v -s python/tests -t python >$$out 2>&1; rc=$$?; \
	grep -Ev ' \.\.\. ok$$' $$out; rm -f $$out; exit $$rc
unit: test-python

# The verdicts' error rates by simulation through the real comparison and
# drift code, every scenario at full replicates (bench/stats; figures in
# docs/compare.md). An hour or two; SCALE=0.1 for a quick look.
SCALE ?= 1
.PHONY: bench-stats
bench-stats:
	$(GO) run ./bench/stats -scale $(SCALE)

# Adaptive search: assay's TPE beside random search and Optuna's TPE, and
# early stopping's savings (bench/search.sh; docs/search.md has figures).
# REPS=2 BUDGET=8 make bench-search is a quick look; go test
# ./bench/cmd/searchbench runs it at that size.
.PHONY: bench-search
bench-search:
	bench/search.sh

# The results site at 100,000 runs over 200 experiments: assay site beside
# git ls-tree, then transfer size, first paint and a search in Chromium
# (bench/site.sh).
.PHONY: bench-site
bench-site:
	bench/site.sh
