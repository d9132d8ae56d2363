#!/usr/bin/env python3
"""Fleet benchmark driver: every phase of `make bench`, each figure next to a reference measured in the
same run on the same PostgreSQL. Started by bench/run.sh, which owns the server process and clean-up.

Standard library only (asyncio for the executor-side phases, wrk and pgbench for throughput).
"""
import argparse
import asyncio
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------------------------- HTTP client

class HTTPError(Exception):
    pass


class Conn:
    """One keep-alive HTTP/1.1 connection (asyncio streams), one request at a time."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def send(self, method, path, token=None, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + data)

    async def receive(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = b""
        return status, body

    async def request(self, method, path, token=None, body=None):
        if self.writer is None:
            await self.open()
        self.send(method, path, token, body)
        return await self.receive()


async def checked(conn, method, path, token=None, body=None, expect=(200, 201)):
    status, data = await conn.request(method, path, token, body)
    if status not in expect:
        raise HTTPError(f"{method} {path}: HTTP {status}: {data[:300]!r}")
    return json.loads(data) if data else None


def http_get_text(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def held_long_polls(base):
    text = http_get_text(base + "/metrics")
    match = re.search(r"^fleet_longpolls_held\s+([0-9.e+]+)", text, re.M)
    return int(float(match.group(1))) if match else -1


# --------------------------------------------------------------------------------------------- process facts

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)
    except (OSError, IndexError, ValueError):
        return None


def proc_comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def vm_rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def worker_ticks(pid):
    """CPU ticks per libmicrohttpd worker thread of the server, by thread id."""
    ticks = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            if proc_comm(f"{pid}/task/{tid}") == "MHD-worker":
                value = proc_ticks(f"{pid}/task/{tid}")
                if value is not None:
                    ticks[tid] = value
    except OSError:
        pass
    return ticks


def system_busy_ticks():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


class CPUSampler:
    """Samples CPU ticks of the server, of every PostgreSQL process and of the client while a phase runs.

    Processes that exit between two samples lose at most one interval (0.25 s) of their time, so the
    PostgreSQL share is a slight underestimate for short-lived backends (pgbench's exit at the end)."""

    def __init__(self, server_pid, client_pid=None, interval=0.25):
        self.server_pid, self.client_pid, self.interval = server_pid, client_pid, interval
        self.totals = {"server": 0, "postgres": 0, "client": 0}
        self.last = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def classify(self):
        groups = {self.server_pid: "server"}
        if self.client_pid:
            groups[self.client_pid] = "client"
        for entry in os.listdir("/proc"):
            if entry.isdigit() and proc_comm(entry) == "postgres":
                groups[int(entry)] = "postgres"
        return groups

    def sample(self):
        for pid, group in self.classify().items():
            ticks = proc_ticks(pid)
            if ticks is None:
                continue
            previous = self.last.get(pid)
            # A process first seen mid-phase is counted from zero (it started during the phase).
            self.totals[group] += ticks - previous if previous is not None else (ticks if self.started else 0)
            self.last[pid] = ticks

    def loop(self):
        while not self.stop_event.wait(self.interval):
            self.sample()

    def __enter__(self):
        self.started = False
        self.sample()
        self.started = True
        self.busy0, self.all0 = system_busy_ticks()
        self.workers0 = worker_ticks(self.server_pid)
        self.t0 = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()
        self.sample()
        busy1, all1 = system_busy_ticks()
        workers1 = worker_ticks(self.server_pid)
        self.seconds = time.monotonic() - self.t0
        self.workers = [100.0 * (workers1[t] - self.workers0.get(t, 0)) / CLOCK_TICKS / (time.monotonic() - self.t0)
                        for t in sorted(workers1)]
        ncpu = os.cpu_count() or 1
        self.percent = {k: 100.0 * v / CLOCK_TICKS / self.seconds for k, v in self.totals.items()}
        self.percent["machine"] = 100.0 * ncpu * (busy1 - self.busy0) / max(all1 - self.all0, 1)
        return False

    @property
    def other(self):
        p = self.percent
        return max(0.0, p["machine"] - p["server"] - p["postgres"] - p["client"])

    def describe(self, client_name="client"):
        p = self.percent
        text = (f"CPU (100% = one core, of {100 * (os.cpu_count() or 1)}%): "
                f"fleet-server {p['server']:.0f}%, postgres {p['postgres']:.0f}%, {client_name} {p['client']:.0f}%, "
                f"other/kernel {self.other:.0f}%; machine busy {p['machine']:.0f}%")
        if self.workers and p["server"] >= 20:
            text += "\n              server worker threads (MHD-worker) busy: " + " / ".join(f"{w:.0f}%" for w in self.workers)
            if max(self.workers) > 0 and min(self.workers) < 0.25 * max(self.workers):
                text += "  <- unbalanced: the keep-alive connections landed on few workers"
        if self.other > OTHER_WARN:
            INTERFERENCE.append(self.other)
            text += f"\n              WARNING: {self.other:.0f}% CPU went to processes outside this benchmark (or unattributed kernel work): not a clean figure"
        return text


OTHER_WARN = 30.0
INTERFERENCE = []


def busy_percent(seconds=1.0):
    busy0, all0 = system_busy_ticks()
    time.sleep(seconds)
    busy1, all1 = system_busy_ticks()
    return 100.0 * (os.cpu_count() or 1) * (busy1 - busy0) / max(all1 - all0, 1)


def wait_for_quiet(limit=90, threshold=20.0):
    """Waits (up to `limit` s) until the machine is idle before a measurement: other work on a 2-core
    machine (a build, a test suite) would be measured as ours. Returns the busy % last seen."""
    global QUIET_BUDGET
    deadline = time.monotonic() + min(limit, QUIET_BUDGET)
    started = time.monotonic()
    busy = busy_percent()
    while busy > threshold and time.monotonic() < deadline:
        log(f"machine busy {busy:.0f}% outside the benchmark; waiting for it to quieten")
        busy = busy_percent(2.0)
    QUIET_BUDGET = max(0.0, QUIET_BUDGET - (time.monotonic() - started))
    return busy


QUIET_BUDGET = 180.0  # seconds of waiting for an idle machine over the whole run


# --------------------------------------------------------------------------------------------- report

class Report:
    def __init__(self, path):
        self.path = path
        self.lines = []

    def __call__(self, text=""):
        print(text, flush=True)
        self.lines.append(text)

    def save(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")


def log(text):
    print(f"  .. {text}", file=sys.stderr, flush=True)


def run_cmd(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def run_with_cpu(args, server_pid, env=None):
    """Runs a load generator as a child, sampling CPU; returns (stdout, sampler, client CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    with CPUSampler(server_pid, process.pid) as sampler:
        out, err = process.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({process.returncode}): {err.strip()[-2000:]}")
    client_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # The exact client CPU comes from rusage (the sampler loses its last interval).
    sampler.percent["client"] = 100.0 * client_seconds / sampler.seconds
    return out, sampler


# --------------------------------------------------------------------------------------------- PostgreSQL

class PG:
    def __init__(self, data_dir):
        self.cluster = os.path.join(data_dir, "postgres")
        conf = {}
        for name in ("fleet.conf", "postgresql.conf"):
            path = os.path.join(self.cluster, name)
            if os.path.exists(path):
                for line in open(path):
                    m = re.match(r"\s*(unix_socket_directories|port)\s*=\s*'?([^'#\n]*)'?", line)
                    if m and m.group(1) not in conf:
                        conf[m.group(1)] = m.group(2).strip()
        self.socket_dir = conf.get("unix_socket_directories", "/tmp").split(",")[0].strip()
        self.port = conf.get("port", "5432")
        bindir = "/usr/lib/postgresql/15/bin"
        self.pgbench = os.path.join(bindir, "pgbench") if os.path.exists(os.path.join(bindir, "pgbench")) else shutil.which("pgbench")
        self.psql_bin = os.path.join(bindir, "psql") if os.path.exists(os.path.join(bindir, "psql")) else shutil.which("psql")
        self.createdb_bin = os.path.join(bindir, "createdb") if os.path.exists(os.path.join(bindir, "createdb")) else shutil.which("createdb")

    def conn_args(self, db):
        return ["-h", self.socket_dir, "-p", str(self.port), "-U", "fleet", "-d", db] if db else \
               ["-h", self.socket_dir, "-p", str(self.port), "-U", "fleet"]

    def psql(self, db, sql):
        return run_cmd([self.psql_bin, *self.conn_args(db), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]).stdout.strip()


# --------------------------------------------------------------------------------------------- set-up

async def enroll_devices(host, port, admin, count, concurrency, out_path):
    conn = Conn(host, port)
    token = (await checked(conn, "POST", "/v1/enrollment-tokens", admin, {"name": "bench", "auto_approve": True}))["token"]
    viewer = (await checked(conn, "POST", "/v1/tokens", admin, {"name": "bench-viewer", "role": "viewer"}))["token"]
    conn.close()
    results = [None] * count
    next_index = iter(range(count))

    async def worker():
        c = Conn(host, port)
        for i in next_index:
            answer = await checked(c, "POST", "/v1/enroll", None,
                                   {"enrollment_token": token, "hardware_id": f"bench-{i}", "inventory": {}})
            if answer.get("status") != "active":
                raise HTTPError(f"enrolled device is {answer.get('status')}, expected active")
            results[i] = (answer["device_id"], answer["device_token"])
        c.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    with open(out_path, "w") as f:
        for device_id, device_token in results:
            f.write(f"{device_id} {device_token}\n")
    return viewer


def insert_cold_devices(pg, count, out_path):
    """Devices inserted with SQL (token_hash = sha256 of the secret text) for the cache-cold heartbeat run."""
    pg.psql("fleet", f"""
        CREATE TABLE IF NOT EXISTS bench_cold_tokens AS
            SELECT gen_random_uuid() AS id, 'fld_' || md5(random()::text) || md5(random()::text) AS token, g
            FROM generate_series(1, {count}) g;
        INSERT INTO devices (id, name, hardware_id, status, token_hash)
            SELECT id, 'cold-' || g, 'cold-' || g, 'active', sha256(convert_to(token, 'UTF8')) FROM bench_cold_tokens;
        ANALYZE devices;""")
    rows = pg.psql("fleet", "SELECT id || ' ' || token FROM bench_cold_tokens ORDER BY g")
    pg.psql("fleet", "DROP TABLE bench_cold_tokens")
    with open(out_path, "w") as f:
        f.write(rows + "\n")


# --------------------------------------------------------------------------------------------- throughput

def parse_wrk(out):
    m = re.search(r"WRK_RESULT (.*)", out)
    if not m:
        raise RuntimeError("wrk printed no result line:\n" + out)
    values = dict(kv.split("=") for kv in m.group(1).split())
    values = {k: int(v) for k, v in values.items()}
    values["rps"] = values["requests"] / (values["duration_us"] / 1e6)
    values["errors"] = sum(values[k] for k in ("connect", "read", "write", "status", "timeout"))
    return values


def run_wrk(args, url, mode, file, duration, auth=None, warmup=3):
    base = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "--timeout", "5s",
            "-s", os.path.join(HERE, "requests.lua")]
    tail = [url, "--", mode, file] + ([auth] if auth else [])
    wait_for_quiet()
    if warmup:
        run_cmd(base + ["-d", f"{warmup}s"] + tail)
    out, sampler = run_with_cpu(base + ["-d", f"{duration}s"] + tail, args.server_pid)
    return parse_wrk(out), sampler


def run_pgbench(args, pg, mode, duration):
    pg.psql("bench", "CHECKPOINT")
    wait_for_quiet()
    command = [pg.pgbench, *pg.conn_args("bench"), mode, "-n", "-c", str(args.connections),
               "-j", str(args.pgbench_threads), "-T", str(duration)]
    out, sampler = run_with_cpu(command, args.server_pid)
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out) or re.search(r"tps = ([0-9.]+)", out)
    if not m:
        raise RuntimeError("pgbench printed no tps:\n" + out)
    lat = re.search(r"latency average = ([0-9.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {"tps": float(m.group(1)), "latency_ms": float(lat.group(1)) if lat else None,
            "failed": int(failed.group(1)) if failed else 0, "command": " ".join(command[:1] + command[9:])}, sampler


# --------------------------------------------------------------------------------------------- latency

def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


async def ramp_connections(host, port, n, batch=250):
    conns = [Conn(host, port) for _ in range(n)]
    for i in range(0, n, batch):
        await asyncio.gather(*(c.open() for c in conns[i:i + batch]))
    return conns


async def latency_phase(args, devices, admin):
    host, port = args.host, args.port
    executors = devices[:args.executors]
    waiting = {}            # device index -> True while its long-poll is held at the server
    pending = {}            # device index -> send time of the command not yet delivered
    latencies, post_times, errors = [], [], []
    unexpected = [0]
    lag = []
    stop = asyncio.Event()

    async def executor(index, conn):
        device_id, token = executors[index]
        try:
            while not stop.is_set():
                conn.send("GET", "/v1/executor/commands?wait=60", token)
                waiting[index] = True
                status, body = await conn.receive()
                arrived = time.perf_counter()
                waiting.pop(index, None)
                if status != 200:
                    errors.append(f"poll HTTP {status}: {body[:200]!r}")
                    await asyncio.sleep(0.5)
                    continue
                items = json.loads(body)["items"]
                if items:
                    sent = pending.pop(index, None)
                    if sent is not None:
                        latencies.append(arrived - sent)
                    else:
                        unexpected[0] += len(items)
                    for item in items:
                        st, answer = await conn.request("POST", f"/v1/executor/commands/{item['id']}/status", token,
                                                        {"state": "succeeded"})
                        if st != 200:
                            errors.append(f"status HTTP {st}: {answer[:200]!r}")
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
            pass

    async def lag_monitor():
        while not stop.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            lag.append(time.perf_counter() - t - 0.001)

    conns = await ramp_connections(host, port, len(executors))
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    tasks = [asyncio.create_task(executor(i, c)) for i, c in enumerate(conns)]
    deadline = time.monotonic() + 60
    while held_long_polls(args.base) < len(executors) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    held_before = held_long_polls(args.base)
    await asyncio.sleep(1)

    senders = asyncio.Queue()
    for _ in range(args.senders):
        senders.put_nowait(Conn(host, port))
    index_of = {i: executors[i][0] for i in range(len(executors))}

    async def send(index):
        c = await senders.get()
        try:
            pending[index] = t0 = time.perf_counter()
            st, body = await c.request("POST", f"/v1/devices/{index_of[index]}/commands", admin,
                                       {"type": "executor.ping", "payload": {}})
            post_times.append(time.perf_counter() - t0)
            if st != 201:
                errors.append(f"create HTTP {st}: {body[:200]!r}")
                pending.pop(index, None)
        finally:
            senders.put_nowait(c)

    await asyncio.get_running_loop().run_in_executor(None, wait_for_quiet)
    monitor = asyncio.create_task(lag_monitor())
    with CPUSampler(args.server_pid, os.getpid()) as sampler:
        sends = []
        start = time.perf_counter()
        for n in range(args.commands):
            target = start + n / args.rate
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            candidates = [i for i in waiting if i not in pending]
            if not candidates:
                await asyncio.sleep(0.005)
                continue
            chosen = random.choice(candidates)
            pending[chosen] = None   # reserved: the send time is set when the request is written
            sends.append(asyncio.create_task(send(chosen)))
        await asyncio.gather(*sends)
        drain = time.monotonic() + 5
        while pending and time.monotonic() < drain:
            await asyncio.sleep(0.01)
    measured = list(latencies)
    lost = len(pending)
    stop.set()
    monitor.cancel()
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    # Wake every executor still waiting with one last command, so that no suspended long-poll outlives
    # this phase (MHD does not watch suspended sockets: a client that just closed would stay "held" at the
    # server until its wait ran out, and inflate phase 4's count).
    drain_sends = []
    for index in list(waiting):
        if index not in pending:
            pending[index] = None
            drain_sends.append(asyncio.create_task(send(index)))
    await asyncio.gather(*drain_sends)
    done, _ = await asyncio.wait(tasks, timeout=15)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for c in conns:
        c.close()
    while not senders.empty():
        senders.get_nowait().close()
    held_after = held_long_polls(args.base)
    client_cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    return {
        "sent": len(sends), "delivered": len(measured), "held_after": held_after, "drained": len(drain_sends), "lost": lost, "unexpected": unexpected[0],
        "errors": errors, "held_before": held_before,
        "p50": percentile(measured, 50) * 1e3, "p90": percentile(measured, 90) * 1e3,
        "p99": percentile(measured, 99) * 1e3, "max": max(measured) * 1e3 if measured else float("nan"),
        "mean": statistics.mean(measured) * 1e3 if measured else float("nan"),
        "post_p50": percentile(post_times, 50) * 1e3, "post_p99": percentile(post_times, 99) * 1e3,
        "lag_p99": percentile(lag, 99) * 1e3, "lag_max": max(lag) * 1e3 if lag else float("nan"),
        "sampler": sampler, "client_cpu_seconds": client_cpu,
    }


# --------------------------------------------------------------------------------------------- held long-polls

async def hold_phase(args, devices):
    host, port, pid = args.host, args.port, args.server_pid
    targets = devices[:args.hold]
    answered = [0]
    errors = []
    stop = asyncio.Event()

    async def poller(conn, token):
        try:
            while not stop.is_set():
                status, body = await conn.request("GET", "/v1/executor/commands?wait=60", token)
                answered[0] += 1
                if status != 200:
                    errors.append(f"poll HTTP {status}: {body[:200]!r}")
                    await asyncio.sleep(1)
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
            pass

    held0 = held_long_polls(args.base)
    baseline = vm_rss_kib(pid)
    t0 = time.monotonic()
    conns = []
    tasks = []
    for i in range(0, len(targets), 500):
        batch = [Conn(host, port) for _ in targets[i:i + 500]]
        await asyncio.gather(*(c.open() for c in batch))
        for c, (_, token) in zip(batch, targets[i:i + 500]):
            tasks.append(asyncio.create_task(poller(c, token)))
        conns.extend(batch)
        await asyncio.sleep(0.05)
    held = 0
    deadline = time.monotonic() + 50
    while time.monotonic() < deadline:
        held = held_long_polls(args.base)
        if held >= len(targets):
            break
        await asyncio.sleep(0.25)
    ramp_seconds = time.monotonic() - t0
    await asyncio.sleep(1)
    samples = []
    for _ in range(12):
        samples.append(vm_rss_kib(pid))
        await asyncio.sleep(0.25)
    held_end = held_long_polls(args.base)
    threads = int(open(f"/proc/{pid}/status").read().split("Threads:")[1].split()[0])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for c in conns:
        c.close()
    await asyncio.sleep(3)
    after = vm_rss_kib(pid)
    return {"baseline_kib": baseline, "held_kib": max(samples), "after_kib": after, "held": min(held, held_end),
            "held_end": held_end, "ramp_seconds": ramp_seconds, "answered_early": answered[0], "errors": errors,
            "threads": threads, "fds": fds, "held0": held0, "hwm_kib": vm_rss_kib(pid, "VmHWM")}


# --------------------------------------------------------------------------------------------- main

def verdict(ok):
    return "PASS" if ok else "MISS"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--server-args", default="")
    parser.add_argument("--out", required=True)
    parser.add_argument("--devices", type=int, default=10000)
    parser.add_argument("--cold-devices", type=int, default=150000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--pgbench-threads", type=int, default=1)
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--executors", type=int, default=1000)
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--hold", type=int, default=10000)
    parser.add_argument("--skip", default="", help="comma-separated phases to skip: heartbeat,device,latency,hold")
    args = parser.parse_args()
    args.base = f"http://{args.host}:{args.port}"
    skip = set(filter(None, args.skip.split(",")))
    url = args.base
    report = Report(args.out)
    started = time.monotonic()
    pg = PG(args.data_dir)
    admin = open(os.path.join(args.data_dir, "admin-token")).read().strip()

    rss_start = vm_rss_kib(args.server_pid)
    pg_version = pg.psql("fleet", "SHOW server_version")
    pg_settings = pg.psql("fleet", "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ' ' ORDER BY name) FROM pg_settings "
                                   "WHERE name IN ('fsync','synchronous_commit','shared_buffers','max_connections','wal_level')")
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem_gib = int(open("/proc/meminfo").readline().split()[1]) / 1048576

    # ---- set-up: devices, tokens, pgbench database
    t = time.monotonic()
    devices_file = os.path.join(args.work_dir, "devices.txt")
    viewer = asyncio.run(enroll_devices(args.host, args.port, admin, args.devices, 16, devices_file))
    enroll_seconds = time.monotonic() - t
    log(f"enrolled {args.devices} devices through the API in {enroll_seconds:.1f} s")
    devices = [tuple(l.split()) for l in open(devices_file)]
    cold_file = os.path.join(args.work_dir, "cold-devices.txt")
    if "heartbeat" not in skip and args.cold_devices:
        insert_cold_devices(pg, args.cold_devices, cold_file)
        log(f"inserted {args.cold_devices} more devices with SQL for the cache-cold heartbeat run")
    run_cmd([pg.createdb_bin, *pg.conn_args(None), "bench"])
    run_cmd([pg.pgbench, *pg.conn_args("bench"), "-i", "-q", "-s", str(args.pgbench_scale)])
    log(f"pgbench -i -s {args.pgbench_scale} done")

    R = report
    R("=" * 100)
    R("Fleet benchmark  " + time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    R("=" * 100)
    R(f"machine    nproc={os.cpu_count()}  cpu={cpu_model}  mem={mem_gib:.1f} GiB  kernel={platform.release()}")
    R(f"server     fleet-server serve {args.server_args}  (pid {args.server_pid})")
    R(f"postgres   {pg_version} (the server's embedded cluster; pgbench uses database 'bench' of the same cluster)")
    R(f"           {pg_settings}")
    R(f"load       wrk -t{args.wrk_threads} -c{args.connections} (keep-alive, {args.duration} s after a 3 s warm-up);"
      f" pgbench -c{args.connections} -j{args.pgbench_threads} -T{args.duration}, scale {args.pgbench_scale}")
    R(f"data       {args.devices} devices enrolled through POST /v1/enroll ({args.devices / enroll_seconds:.0f}/s, 16 connections)"
      + (f"; {args.cold_devices} more inserted with SQL" if "heartbeat" not in skip and args.cold_devices else ""))
    R("All load generators run on the same 2-core machine as the server and PostgreSQL; CPU shares are per phase.")
    R()
    summary = []

    # ---- 1. heartbeats vs pgbench -N
    if "heartbeat" not in skip:
        R("1. Executor heartbeats vs pgbench -N")
        ref, ref_cpu = run_pgbench(args, pg, "-N", args.duration)
        R(f"   reference  pgbench -N (simple-update): {ref['tps']:10.0f} TPS   avg latency {ref['latency_ms']:.2f} ms, failed {ref['failed']}")
        R(f"              {ref_cpu.describe('pgbench')}")
        hb, hb_cpu = run_wrk(args, url + "/v1/executor/heartbeat", "heartbeat", devices_file, args.duration)
        ratio = hb["rps"] / ref["tps"]
        R(f"   figure     POST /v1/executor/heartbeat, {len(devices)} device tokens in rotation: {hb['rps']:10.0f} req/s"
          f"   p50 {hb['p50_us'] / 1e3:.2f} ms  p99 {hb['p99_us'] / 1e3:.2f} ms, errors {hb['errors']} (non-2xx {hb['status']})")
        R(f"              {hb_cpu.describe('wrk')}")
        R(f"   ratio      {ratio:.2f}x   target >= 2.5x   {verdict(ratio >= 2.5)}")
        summary.append(("heartbeats/s vs pgbench -N TPS", f"{hb['rps']:.0f} / {ref['tps']:.0f}", f"{ratio:.2f}x", ">= 2.5x", ratio >= 2.5 and hb["errors"] == 0))
        if args.cold_devices:
            cold, cold_cpu = run_wrk(args, url + "/v1/executor/heartbeat", "heartbeat", cold_file, args.duration)
            cratio = cold["rps"] / ref["tps"]
            repeat = args.cold_devices / max(cold["rps"], 1)
            where = "past the 5 s auth cache, as at a 60 s heartbeat" if repeat >= 5 else "WITHIN the 5 s auth cache: not cold, use more --cold-devices"
            R(f"   extra      same, {args.cold_devices} tokens (each token again only after ~{repeat:.0f} s, {where}):"
              f" {cold['rps']:10.0f} req/s   p99 {cold['p99_us'] / 1e3:.2f} ms, errors {cold['errors']}")
            R(f"              {cold_cpu.describe('wrk')}")
            R(f"   ratio      {cratio:.2f}x   (informative; same target >= 2.5x would be {verdict(cratio >= 2.5)})")
            summary.append(("  cache-cold heartbeats/s vs pgbench -N", f"{cold['rps']:.0f} / {ref['tps']:.0f}", f"{cratio:.2f}x", "(info)", None))
        R()

    # ---- 2. GET /v1/devices/{id} vs pgbench -S
    if "device" not in skip:
        R("2. GET /v1/devices/{id} vs pgbench -S")
        ref, ref_cpu = run_pgbench(args, pg, "-S", args.duration)
        R(f"   reference  pgbench -S (select-only):   {ref['tps']:10.0f} TPS   avg latency {ref['latency_ms']:.2f} ms")
        R(f"              {ref_cpu.describe('pgbench')}")
        dv, dv_cpu = run_wrk(args, url + "/v1/devices", "device", devices_file, args.duration, auth=viewer)
        ratio = dv["rps"] / ref["tps"]
        R(f"   figure     GET /v1/devices/{{id}}, viewer token, {len(devices)} ids in random order: {dv['rps']:10.0f} req/s"
          f"   p50 {dv['p50_us'] / 1e3:.2f} ms  p99 {dv['p99_us'] / 1e3:.2f} ms, errors {dv['errors']} (non-2xx {dv['status']})")
        R(f"              {dv_cpu.describe('wrk')}")
        R(f"   ratio      {ratio:.2f}x   target >= 0.5x   {verdict(ratio >= 0.5)}")
        summary.append(("GET device req/s vs pgbench -S TPS", f"{dv['rps']:.0f} / {ref['tps']:.0f}", f"{ratio:.2f}x", ">= 0.5x", ratio >= 0.5 and dv["errors"] == 0))
        R()

    # ---- 3. command delivery latency
    if "latency" not in skip:
        R(f"3. Command delivery latency, {args.executors} executors long-polling (wait=60, re-poll after each answer,"
          f" status 'succeeded' reported)")
        lt = asyncio.run(latency_phase(args, devices, admin))
        ok = lt["p99"] <= 5.0 and lt["lost"] == 0 and not lt["errors"]
        R(f"   load       {lt['sent']} x POST /v1/devices/{{id}}/commands at {args.rate:.0f}/s to random waiting devices,"
          f" {args.senders} sender connections; long-polls held before: {lt['held_before']}")
        R(f"   figure     send -> long-poll answer: p50 {lt['p50']:.2f} ms  p90 {lt['p90']:.2f} ms  p99 {lt['p99']:.2f} ms"
          f"  max {lt['max']:.2f} ms  (mean {lt['mean']:.2f} ms)")
        R(f"   reference  POST .../commands round trip (insert + audit + NOTIFY, committed): p50 {lt['post_p50']:.2f} ms  p99 {lt['post_p99']:.2f} ms")
        R(f"   checks     delivered {lt['delivered']}/{lt['sent']}, lost {lt['lost']}, unexpected {lt['unexpected']}, errors {len(lt['errors'])};"
          f" at the end {lt['drained']} waiting executors woken with a last command, long-polls still held {lt['held_after']}"
          + (f" (first: {lt['errors'][0]})" if lt["errors"] else ""))
        R(f"   client     asyncio loop lag p99 {lt['lag_p99']:.2f} ms, max {lt['lag_max']:.2f} ms (an upper bound of the client's share)")
        R(f"              {lt['sampler'].describe('client (python)')}")
        R(f"   target     p99 <= 5 ms   {verdict(ok)}")
        summary.append(("command delivery p99", f"{lt['p99']:.2f} ms (p50 {lt['p50']:.2f})", "", "<= 5 ms", ok))
        R()

    # ---- 4. RSS with held long-polls
    if "hold" not in skip:
        R(f"4. Server memory with {args.hold} long-polls held ({args.hold} devices, one GET /v1/executor/commands?wait=60 each)")
        hd = asyncio.run(hold_phase(args, devices))
        mib = lambda k: k / 1024.0
        per = (hd["held_kib"] - hd["baseline_kib"]) * 1024.0 / max(hd["held"], 1)
        ok = mib(hd["held_kib"]) <= 300 and hd["held"] >= args.hold
        R(f"   reference  VmRSS right after start {mib(rss_start):.1f} MiB; before the long-polls (after phases 1-3) {mib(hd['baseline_kib']):.1f} MiB")
        R(f"   figure     VmRSS with {hd['held']} long-polls held: {mib(hd['held_kib']):.1f} MiB"
          f"  (+{mib(hd['held_kib'] - hd['baseline_kib']):.1f} MiB, {per / 1024:.1f} KiB per held long-poll); VmHWM {mib(hd['hwm_kib']):.1f} MiB")
        R(f"   details    long-polls held before {hd['held0']}; ramp to all held {hd['ramp_seconds']:.1f} s; server threads {hd['threads']}, open fds {hd['fds']};"
          f" polls answered during the hold {hd['answered_early']}, errors {len(hd['errors'])}; VmRSS 3 s after release {mib(hd['after_kib']):.1f} MiB")
        R(f"   target     <= 300 MiB   {verdict(ok)}")
        summary.append((f"RSS with {args.hold} long-polls", f"{mib(hd['held_kib']):.1f} MiB (base {mib(hd['baseline_kib']):.1f})", "", "<= 300 MiB", ok))
        R()

    R("Summary")
    for name, value, ratio, target, ok in summary:
        R(f"   {name:<42} {value:<28} {ratio:>7}  target {target:<10} {'' if ok is None else verdict(ok)}")
    if INTERFERENCE:
        R(f"   WARNING: {len(INTERFERENCE)} measurement(s) shared the machine with other work (up to {max(INTERFERENCE):.0f}% of a core);"
          " rerun on an idle machine before trusting them")
    R(f"   total bench time {time.monotonic() - started:.0f} s (plus server start)")
    report.save()
    failed = [s for s in summary if s[4] is False]
    return 0


if __name__ == "__main__":
    sys.exit(main())
