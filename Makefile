# parley: `make run` opens the TUI, `make test` runs every test. Both install
# what is missing first (scripts/setup.sh: idempotent, quiet when complete).
SHELL := /bin/bash
BIN := bin/parley
# go-nvml's header marks many calls deprecated; keep cgo builds quiet.
export CGO_CFLAGS ?= -O2 -g -Wno-deprecated-declarations
GOTEST_FLAGS ?= -race -count=1 -timeout 30m

.PHONY: all setup setup-dev build run test check bench clean

all: build

setup:
	@scripts/setup.sh

setup-dev:
	@scripts/setup.sh --dev

build: setup
	@go build -o $(BIN) .

run: build
	@./$(BIN) $(ARGS)

# check: formatting and vet, without running tests.
check:
	@out=$$(gofmt -l . | grep -v '^\.cache/' || true); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	@go vet ./...

# test starts a private headless PulseAudio (virtual mic and speaker) for the
# audio tests, runs vet and the whole suite with -race, and stops the server.
test: setup-dev check
	@eval "$$(scripts/pulse.sh start)"; \
	PARLEY_REQUIRE_AUDIO=1 go test $(GOTEST_FLAGS) ./...; rc=$$?; \
	scripts/pulse.sh stop; exit $$rc

bench: setup-dev
	@eval "$$(scripts/pulse.sh start)"; \
	go test -run '^$$' -bench . -benchtime 3x ./...; rc=$$?; scripts/pulse.sh stop; exit $$rc

clean:
	rm -rf bin
