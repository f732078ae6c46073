# ipassan-connector: `make test` and `make demo` are all a newcomer needs.
GO       ?= go
BIN      := bin
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/ipassan-connector/ipassan-connector/internal/cli.Version=$(VERSION)
GOBUILD  := $(GO) build -trimpath -buildvcs=auto -ldflags '$(LDFLAGS)'
# staticcheck, pinned: `go run` fetches and builds it, so nothing needs installing.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Test packages run at once. Most tests wait (on servers that answer late, on
# deadlines), so more packages than cores finish sooner: measured on 2 cores,
# 8 at once ran the tests in 37 s where one per core took 55 s.
TEST_PACKAGES ?= 8

.PHONY: all build test unit demo lint vet staticcheck clean windows fuzz bench

all: test build

## build: the connector, the fake IPassan, the demo and bench drivers into bin/
build:
	$(GOBUILD) -o $(BIN)/ipassan-connector ./cmd/ipassan-connector
	$(GOBUILD) -o $(BIN)/ipassan-fake ./cmd/ipassan-fake
	$(GOBUILD) -o $(BIN)/ipassan-demo ./cmd/ipassan-demo
	$(GOBUILD) -o $(BIN)/ipassan-bench ./cmd/ipassan-bench

## windows: the connector for the HelloID agent
windows:
	GOOS=windows GOARCH=amd64 $(GOBUILD) -o $(BIN)/windows/ipassan-connector.exe ./cmd/ipassan-connector

# Measured on this project's 2-core machine with an empty build cache (modules
# downloaded): most of `make test` was compiling the dependencies (goja,
# net/http, the standard library) twice, once for vet and once with -race for
# the tests, and each test run vetted them again: 204 s. Now vet and the tests
# share one -race build of every package (vet builds it, 68 s; the tests skip
# their own vet and take 41 s after it): 109 s. staticcheck needs a build of
# its own tools (65 s cold), so it is `make lint`, which CI runs as well.

## test: go vet, then every test with the race detector
test: vet unit

## unit: every test with the race detector (make test runs go vet first)
unit:
	$(GO) test -race -vet=off -p $(TEST_PACKAGES) ./...

## lint: go vet and staticcheck; zero findings (exclusions in staticcheck.conf, each with its reason)
lint: vet staticcheck

vet:
	$(GO) vet -race ./...

# The tool itself is built without -race (-race=false wins over GOFLAGS); the
# packages it loads through `go list` get GOFLAGS, so they come from the race build.
staticcheck:
	GOFLAGS="$(GOFLAGS) -race" $(GO) run -race=false $(STATICCHECK) ./...

## demo: the whole lifecycle for two persons against a local fake IPassan
demo: build
	$(BIN)/ipassan-demo --bin $(BIN) --testdata testdata

## bench: issue 14's measurements against the public connector's strategy, in one run (about 7 minutes)
bench: build
	$(BIN)/ipassan-bench --bin $(BIN) --testdata testdata

## fuzz: each fuzz target for FUZZTIME (default a minute); `make test` runs their seeds
FUZZTIME ?= 60s
FUZZ_TARGETS := FuzzDecode:./internal/object FuzzReader:./internal/object \
	FuzzDecodeContext:./internal/helloid FuzzParse:./internal/accessprofile \
	FuzzFormRoundTrip:./internal/ipassan FuzzDecodeAnswers:./internal/ipassan \
	FuzzNoSecretInMessages:./internal/ipassan FuzzRedact:./internal/secret \
	FuzzLookup:./internal/siteindex FuzzLookupRehashed:./internal/siteindex
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

clean:
	rm -rf $(BIN)
