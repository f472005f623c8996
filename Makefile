# apibuilder: `make help` lists the targets. `make test` is what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO_PACKAGES := ./...
# The apibuilder command, built once into .tools/ (gitignored) by the
# apibuilder target, which every target that runs it depends on.
APIBUILDER := .tools/bin/apibuilder
# terraform as the tool installer resolved it (PATH, or the pinned fallback build).
TERRAFORM = $(shell $(APIBUILDER) local tools -which terraform)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: apibuilder
apibuilder: ## build the apibuilder command into .tools/bin (go build relinks only what changed)
	go build -o $(APIBUILDER) ./cmd/apibuilder

.PHONY: tools
tools: apibuilder ## find or install terraform, the aws provider mirror, moto and kumo
	$(APIBUILDER) local tools

.PHONY: generate
generate: apibuilder ## generate envs/ and the function zips from routes.yaml
	$(APIBUILDER) generate

.PHONY: local
local: apibuilder ## run the example API on the local stack (Ctrl-C to stop)
	$(APIBUILDER) local up

.PHONY: lint
lint: apibuilder ## gofmt, go vet, terraform fmt, generated envs and module READMEs up to date
	@unformatted=$$(git ls-files -z '*.go' | xargs -0 gofmt -l); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	cd test && go vet ./...
	@# fmt needs no provider: an empty CLI config (the machine's may name a missing file).
	TF_CLI_CONFIG_FILE= $(TERRAFORM) fmt -check -recursive -diff .
	$(APIBUILDER) generate -check
	go run ./devtools/cmd/moduledocs -check

.PHONY: check
check: lint ## what to run before a commit: lint and the unit tests (-short: no tool installed, about a minute)
	go test -short $(GO_PACKAGES)

# Releases: make release VERSION=v0.9.0 [DIST=dir]; docs/install.md.
DIST ?= dist
.PHONY: release
release: ## cross-compile a release into dist/ (DIST=dir) with checksums, Homebrew and Scoop files (VERSION=vX.Y.Z)
	@if [ -z "$(VERSION)" ]; then echo "usage: make release VERSION=v0.9.0 [DIST=dist]"; exit 2; fi
	go run ./devtools/cmd/release -version $(VERSION) -out $(DIST)

.PHONY: cross
cross: ## go build for every release platform, go vet with each GOOS (CI)
	go run ./devtools/cmd/release -cross

# End-to-end tests run one at a time: on 2 cores, concurrent applies starve the
# emulators and an SDK retry of a request that had succeeded surfaces as
# "already exists" or a lost state lock.
.PHONY: test
test: lint ## everything CI runs: lint, unit tests, end-to-end tests on the local stack
	go test -count=1 $(GO_PACKAGES)
	cd test && go test -count=1 -parallel 1 -timeout 80m ./...
