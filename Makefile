# The two commands of README.md, and the checks CI runs.
export PATH := $(PATH):/usr/local/go/bin

DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alliance?sslmode=disable

.PHONY: run test generate check-generated vet fmt-check build seed-bench

## run: create the database if missing, migrate, load the demo on first start, serve on :8080
run:
	go run ./cmd/alliance serve

## test: every test, against the local PostgreSQL, with the race detector
test:
	go test -race -count=1 ./...

## build: the alliance binary in bin/
build:
	go build -o bin/alliance ./cmd/alliance

## generate: regenerate the gqlgen executor and models from schema.graphqls
generate:
	go tool gqlgen generate

## check-generated: fail if the committed generated code differs from what the schema gives
check-generated: generate
	@git diff --exit-code -- graph go.mod go.sum || (echo "generated code is out of date: run 'make generate' and commit" && exit 1)
	@test -z "$$(git status --porcelain -- graph)" || (git status --porcelain -- graph; echo "generate left untracked files" && exit 1)

vet:
	go vet ./...

fmt-check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "run gofmt -w" && exit 1)

.PHONY: fuzz soak

## fuzz: run every fuzz target for FUZZTIME each (go test runs one target at a time)
FUZZTIME ?= 30s
FUZZ_TARGETS := \
	internal/relay:FuzzParseID internal/relay:FuzzParseCursor internal/relay:FuzzIDRoundTrip \
	internal/relay:FuzzCursorRoundTrip internal/relay:FuzzPageArgs \
	internal/server:FuzzRequestDecoding internal/server:FuzzFilterInputs
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== $${t#*:} (./$${t%%:*}) for $(FUZZTIME)"; \
		go test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) ./$${t%%:*}; \
	done

## soak: the long runs: the reliability suite cycling database outages for SOAKTIME, the
## hostile-input suite, then every fuzz target for SOAK_FUZZTIME
SOAKTIME ?= 10m
SOAK_FUZZTIME ?= 5m
soak:
	ALLIANCE_SOAK=$(SOAKTIME) go test -count=1 -timeout 0 -run 'Reliab|Recovers|Hostile' ./internal/server
	$(MAKE) fuzz FUZZTIME=$(SOAK_FUZZTIME)
