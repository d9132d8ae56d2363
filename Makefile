# Fleet: build, run and test. `make run` and `make test` install what they need from Debian first.

SWIFT        ?= swift
DATA_DIR     ?= .fleet
LISTEN       ?= 127.0.0.1:8080
SERVER_PACKAGES := libmicrohttpd-dev libpq-dev libjansson-dev libcurl4-openssl-dev libbpf-dev pkg-config
BUILD_PACKAGES  := $(SERVER_PACKAGES)
DEB_PACKAGES    := $(BUILD_PACKAGES) bpftool postgresql postgresql-contrib curl jq util-linux iproute2 libonnx-testdata
# onnx and onnxruntime build the models of the equivalence tests and give their reference outputs.
PY_PACKAGES  := openapi-spec-validator onnx onnxruntime numpy

export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: deps build release run test readme-test bpf proto openapi-check docker-check bench clean

## deps: install the Debian packages the build and the tests need (only those missing).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@python3 -c 'import openapi_spec_validator, onnx, onnxruntime, numpy' 2>/dev/null || python3 -m pip install -q $(PY_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## run: start the server on its embedded PostgreSQL at http://$(LISTEN).
run: build
	$(SWIFT) run fleet-server serve --data-dir $(DATA_DIR) --listen $(LISTEN)

## test: the whole suite (unit and integration tests against real PostgreSQL and HTTP, OpenAPI check, README).
test: deps openapi-check docker-check bpf
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) --no-print-directory readme-test

## readme-test: run README.md's shell blocks as written against a real fleet-server and executor (as root,
## in private namespaces and a scratch copy of the repository; see Tests/readme/run.py).
readme-test: deps
	$(SWIFT) build
	python3 Tests/readme/run.py

## bpf: compile the eBPF programs in bpf/ against this kernel's BTF.
bpf: deps
	$(MAKE) -C bpf

## proto: regenerate Sources/FleetInference/Proto/onnx.pb.swift from Debian's onnx.proto.
proto: deps
	@for p in libonnx-dev protobuf-compiler; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq $$missing; fi
	sh scripts/generate-onnx-proto.sh

openapi-check:
	python3 -m openapi_spec_validator openapi/fleet.yaml

# The server image must build with the same Debian packages as this Makefile.
docker-check:
	@for p in $(SERVER_PACKAGES); do grep -q -- "$$p" docker/server.Dockerfile || { echo "docker/server.Dockerfile lacks $$p"; exit 1; }; done

## bench: benchmark programs against references measured in the same run.
bench: deps
	$(SWIFT) build -c release
	$(MAKE) -C bpf
	bash bench/run.sh

clean:
	rm -rf .build
