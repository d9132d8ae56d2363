#!/usr/bin/env bash
# Fleet benchmark: starts a release fleet-server on a throwaway data directory (embedded PostgreSQL), runs
# bench/fleetbench.py against it and prints/saves the report (bench-results/latest.txt).
#
# Environment knobs (defaults in brackets):
#   FLEET_SERVER   server binary [.build/release/fleet-server]
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

if [ ! -x "$SERVER" ]; then
    echo "bench: $SERVER is missing; run 'swift build -c release' (or 'make bench')" >&2
    exit 1
fi
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
{ [ -x /usr/lib/postgresql/15/bin/pgbench ] || command -v pgbench >/dev/null 2>&1; } || need="$need postgresql-contrib"
if [ -n "$need" ]; then
    echo "bench: installing$need" >&2
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
command -v python3 >/dev/null || { echo "bench: python3 is required" >&2; exit 1; }

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

# shellcheck disable=SC2086
python3 "$ROOT/bench/fleetbench.py" --port "$PORT" --data-dir "$DATA" --work-dir "$WORK" \
    --server-pid "$SERVER_PID" --server-args "$SERVER_ARGS" --out "$OUT" \
    --duration "$DURATION" --connections "$CONNECTIONS" ${BENCH_ARGS:-}
echo "bench: report saved to $OUT" >&2
if grep -qiE "error|fatal|panic" "$WORK/server.log"; then
    echo "bench: the server logged errors during the run:" >&2
    grep -iE "error|fatal|panic" "$WORK/server.log" | sort | uniq -c | sort -rn | head -20 >&2
fi
