# ipassan-connector: `make test` and `make demo` are all a newcomer needs.
GO       ?= go
BIN      := bin
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/ipassan-connector/ipassan-connector/internal/cli.Version=$(VERSION)
GOBUILD  := $(GO) build -trimpath -buildvcs=auto -ldflags '$(LDFLAGS)'

.PHONY: all build test demo vet clean windows fuzz bench

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

## vet: static checks
vet:
	$(GO) vet ./...

## test: vet, then every test with the race detector
test: vet
	$(GO) test -race ./...

## demo: the whole lifecycle for two persons against a local fake IPassan
demo: build
	$(BIN)/ipassan-demo --bin $(BIN) --testdata testdata

## bench: large-site scans against the public connector's strategy, in one run (a few minutes)
bench: build
	$(BIN)/ipassan-bench --bin $(BIN) --testdata testdata

## fuzz: each fuzz target for FUZZTIME (default a minute); `make test` runs their seeds
FUZZTIME ?= 60s
FUZZ_TARGETS := FuzzDecode:./internal/object FuzzDecodeContext:./internal/helloid FuzzParse:./internal/accessprofile FuzzFormRoundTrip:./internal/ipassan
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

clean:
	rm -rf $(BIN)
