# parley: `make run` opens the TUI, `make test` runs every test. Both install
# what is missing first (scripts/setup.sh: idempotent, quiet when complete).
SHELL := /bin/bash
BIN := bin/parley
# go-nvml's header marks many calls deprecated; keep cgo builds quiet.
export CGO_CFLAGS ?= -O2 -g -Wno-deprecated-declarations
GOTEST_FLAGS ?= -race -count=1 -timeout 30m

.PHONY: all setup setup-dev build run test check bench gpu-bundle clean

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

# test runs vet and the whole suite with -race. Each test binary that needs
# audio starts its own private headless PulseAudio (internal/testenv), so
# packages tested in parallel never hear each other; PARLEY_REQUIRE_AUDIO=1
# turns a missing real part into a failure instead of a skip. The end-to-end
# tests run after the rest, alone: on 2 cores, racing unit tests starve the
# audio server and garble what the virtual microphone hears.
test: setup-dev check
	@PARLEY_REQUIRE_AUDIO=1 go test $(GOTEST_FLAGS) $$(go list ./... | grep -v /e2e)
	@PARLEY_REQUIRE_AUDIO=1 go test $(GOTEST_FLAGS) ./e2e/

bench: setup-dev
	@go test -run '^$$' -bench . -benchtime 3x ./...

# gpu-bundle builds what scripts/gpu-check.sh carries to a GPU host: the ONNX
# Runtime CUDA bundle (scripts/ort-cuda-bundle.sh, from npm) and the pack
# (stripped parley, its libraries, speech; scripts/gpucheck/pack.sh) under
# .ort-cuda/, checks that one device call stays under 64 MiB, then loads the
# bundle here through PARLEY_ORT_LIB with the pack's parley: the core must
# run, and the CUDA provider must fail only for the CUDA runtime this
# machine lacks.
gpu-bundle: setup-dev
	@scripts/ort-cuda-bundle.sh .ort-cuda
	@scripts/gpucheck/pack.sh .ort-cuda .ort-cuda/ort-1.29.0-cuda13-sm90.tar.xz
	@scripts/gpu-check.sh --pack --steps gpu --out .ort-cuda/check

clean:
	rm -rf bin
