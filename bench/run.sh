#!/usr/bin/env bash
# Fleet benchmark: starts a release fleet-server on a throwaway data directory (embedded PostgreSQL), runs
# bench/fleetbench.py (server), bench/executorbench.py (executor, needs root) and bench/policybench.py (policy
# rendering, long-poll wake-ups and status counts) against it, then bench/inference/run.py (FleetInference against onnxruntime through `fleet-executor infer --repeat`), and
# prints/saves the reports (bench-results/latest.txt).
#
# Environment knobs (defaults in brackets):
#   FLEET_SERVER   server binary [.build/release/fleet-server]
#   FLEET_EXECUTOR executor binary [.build/release/fleet-executor]
#   BENCH_PARTS    which reports: "server", "executor", "policy", "inference" ["server executor policy inference"]
#   POLICY_DEVICES devices the policy part's policy matches [100000]
#   POLICY_BENCH_ARGS extra arguments for policybench.py (e.g. "--rounds 1 --executors 500")
#   INFERENCE_BENCH_ARGS extra arguments for bench/inference/run.py (e.g. "--runs 5000 --models mlp")
#   EXECUTOR_BENCH_ARGS extra arguments for executorbench.py (e.g. "--skip ingest --runs 5")
#   BENCH_DURATION seconds per measured throughput run [15]
#   BENCH_CONNECTIONS  client connections for wrk and pgbench [32]
#   BENCH_THREADS  --threads of the server [unset: the server's default, one per core]
#   BENCH_ARGS     extra arguments for fleetbench.py (e.g. "--skip hold")
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SERVER=${FLEET_SERVER:-$ROOT/.build/release/fleet-server}
DURATION=${BENCH_DURATION:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
OUT=$ROOT/bench-results/latest.txt
EXECUTOR=${FLEET_EXECUTOR:-$ROOT/.build/release/fleet-executor}
PARTS=${BENCH_PARTS:-server executor policy inference}
part() { case " $PARTS " in *" $1 "*) return 0;; esac; return 1; }
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH

# Only the server, executor and policy parts need a running server.
needs_server() { part server || part executor || part policy; }
if needs_server && [ ! -x "$SERVER" ]; then
    echo "bench: $SERVER is missing; run 'swift build -c release' (or 'make bench')" >&2
    exit 1
fi
need=""
# wrk for the server part, pgbench for the server and policy parts.
if part server; then command -v wrk >/dev/null 2>&1 || need="$need wrk"; fi
if part server || part policy; then
    { [ -x /usr/lib/postgresql/15/bin/pgbench ] || command -v pgbench >/dev/null 2>&1; } || need="$need postgresql-contrib"
fi
if [ -n "$need" ]; then
    echo "bench: installing$need" >&2
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
command -v python3 >/dev/null || { echo "bench: python3 is required" >&2; exit 1; }

# The executor part: root for eBPF, the release executor, bpf/build/*.bpf.o, a --static-swift-stdlib build
# (its own scratch path, so the normal build stays as it is) for the size figure, and the stack floor
# (bench/stack-floor, scratch .build-floor) as the reference for size and idle RSS. Built before the server
# starts, so that the compiler does not share the machine with a measurement.
STATIC_BUILD_SECONDS=""
FAILED=0
STATIC_BUILD_FAILED=""
FLOOR_BUILD_SECONDS=""
FLOOR_BUILD_FAILED=""
if part executor; then
    if [ "$(id -u)" != 0 ]; then
        echo "bench: the executor part loads eBPF programs and needs root; skipping it" >&2
        PARTS=${PARTS//executor/}
    else
        [ -x "$EXECUTOR" ] || { echo "bench: $EXECUTOR is missing; run 'swift build -c release' (or 'make bench')" >&2; exit 1; }
        for p in syscall_count exec_events tcp_retransmit xdp_counter runq_latency; do
            [ -f "$ROOT/bpf/build/$p.bpf.o" ] || { echo "bench: bpf/build/$p.bpf.o is missing; run 'make -C bpf'" >&2; exit 1; }
        done
        echo "bench: swift build -c release --static-swift-stdlib --product fleet-executor --scratch-path .build-static" >&2
        t0=$SECONDS
        # Twice at most: "input file was modified during the build" is transient while sources are edited.
        if swift build -c release --static-swift-stdlib --product fleet-executor --scratch-path "$ROOT/.build-static" >&2 \
           || swift build -c release --static-swift-stdlib --product fleet-executor --scratch-path "$ROOT/.build-static" >&2; then
            STATIC_BUILD_SECONDS=$((SECONDS - t0))
        else
            echo "bench: the static executor build failed; its size is not measured" >&2
            STATIC_BUILD_FAILED=1
        fi
        # The reference for the executor's size and idle RSS: bench/stack-floor links the executor's fixed stack
        # (swift-argument-parser, swift-crypto, swift-protobuf, libcurl, libbpf, jansson) and none of Fleet's code,
        # built the way the static executor is.
        echo "bench: swift build -c release --static-swift-stdlib --package-path bench/stack-floor --scratch-path .build-floor" >&2
        t0=$SECONDS
        if swift build -c release --static-swift-stdlib --package-path "$ROOT/bench/stack-floor" --scratch-path "$ROOT/.build-floor" -Xlinker --no-export-dynamic >&2 \
           || swift build -c release --static-swift-stdlib --package-path "$ROOT/bench/stack-floor" --scratch-path "$ROOT/.build-floor" -Xlinker --no-export-dynamic >&2; then
            FLOOR_BUILD_SECONDS=$((SECONDS - t0))
        else
            echo "bench: the stack-floor build failed; the executor's size and RSS are reported without their reference" >&2
            FLOOR_BUILD_FAILED=1
        fi
    fi
fi

# 10,000 held connections plus the server's own: the client needs far more than the default 1024 fds.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d /tmp/fleet-bench.XXXXXX)
chmod 755 "$WORK"   # the embedded PostgreSQL runs as user postgres when we are root
DATA=$WORK/data
SERVER_PID=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "bench: server did not stop in 30 s; killing it" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
    fi
    # A PostgreSQL left behind (server killed hard) is stopped by its own postmaster.pid.
    if [ -f "$DATA/postgres/postmaster.pid" ]; then
        pm=$(head -1 "$DATA/postgres/postmaster.pid" 2>/dev/null || true)
        if [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null; then
            kill -INT "$pm" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pm" 2>/dev/null || break; sleep 0.2; done
        fi
    fi
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if needs_server; then
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    SERVER_ARGS="--data-dir $DATA --listen 127.0.0.1:$PORT${BENCH_THREADS:+ --threads $BENCH_THREADS}"
    echo "bench: starting $SERVER serve $SERVER_ARGS" >&2
    mkdir -p "$DATA"
    # shellcheck disable=SC2086
    "$SERVER" serve $SERVER_ARGS >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!

    for _ in $(seq 1 300); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "bench: the server exited during start-up:" >&2
            cat "$WORK/server.log" >&2
            exit 1
        fi
        grep -q "listening on" "$WORK/server.log" 2>/dev/null && [ -s "$DATA/admin-token" ] && break
        sleep 0.2
    done
    grep -q "listening on" "$WORK/server.log" || { echo "bench: the server did not start in 60 s" >&2; cat "$WORK/server.log" >&2; exit 1; }
fi

if part server; then
    # shellcheck disable=SC2086
    python3 "$ROOT/bench/fleetbench.py" --port "$PORT" --data-dir "$DATA" --work-dir "$WORK" \
        --server-pid "$SERVER_PID" --server-args "$SERVER_ARGS" --out "$WORK/server-report.txt" \
        --duration "$DURATION" --connections "$CONNECTIONS" ${BENCH_ARGS:-} || { echo "bench: the server part failed" >&2; FAILED=1; }
fi
if part executor; then
    # shellcheck disable=SC2086
    python3 "$ROOT/bench/executorbench.py" --port "$PORT" --data-dir "$DATA" --work-dir "$WORK" \
        --server-pid "$SERVER_PID" --out "$WORK/executor-report.txt" --executor "$EXECUTOR" \
        --static-executor "$ROOT/.build-static/release/fleet-executor" ${STATIC_BUILD_FAILED:+--static-build-failed} \
        ${STATIC_BUILD_SECONDS:+--static-build-seconds $STATIC_BUILD_SECONDS} \
        --stack-floor "$ROOT/.build-floor/release/stack-floor" ${FLOOR_BUILD_FAILED:+--stack-floor-build-failed} \
        ${FLOOR_BUILD_SECONDS:+--stack-floor-build-seconds $FLOOR_BUILD_SECONDS} ${EXECUTOR_BENCH_ARGS:-} \
        || { echo "bench: the executor part failed" >&2; FAILED=1; }
fi
if part policy; then
    # shellcheck disable=SC2086
    python3 "$ROOT/bench/policybench.py" --port "$PORT" --data-dir "$DATA" --work-dir "$WORK" \
        --server-pid "$SERVER_PID" --out "$WORK/policy-report.txt" --devices "${POLICY_DEVICES:-100000}" ${POLICY_BENCH_ARGS:-} \
        || { echo "bench: the policy part failed" >&2; FAILED=1; }
fi
if part inference; then
    # The server is not involved: stop it first so that it does not share the machine with the timings.
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    fi
    [ -x "$EXECUTOR" ] || { echo "bench: $EXECUTOR is missing; run 'swift build -c release' (or 'make bench')" >&2; exit 1; }
    # shellcheck disable=SC2086
    python3 "$ROOT/bench/inference/run.py" --fleet-executor "$EXECUTOR" ${INFERENCE_BENCH_ARGS:-} >"$WORK/inference-report.txt" \
        || { echo "bench: the inference part failed" >&2; FAILED=1; }
fi
mkdir -p "$(dirname "$OUT")"
: >"$OUT"
for report in "$WORK/server-report.txt" "$WORK/executor-report.txt" "$WORK/policy-report.txt" "$WORK/inference-report.txt"; do
    if [ -f "$report" ]; then
        if [ -s "$OUT" ]; then echo >>"$OUT"; fi
        cat "$report" >>"$OUT"
    fi
done
echo "bench: report saved to $OUT" >&2
if [ -f "$WORK/server.log" ] && grep -qiE "error|fatal|panic" "$WORK/server.log"; then
    echo "bench: the server logged errors during the run:" >&2
    grep -iE "error|fatal|panic" "$WORK/server.log" | sort | uniq -c | sort -rn | head -20 >&2
fi
exit "$FAILED"
