#!/usr/bin/env python3
"""Fleet policy benchmark (the `policy` part of `make bench`), each figure next to its target and, where one
makes sense, a reference measured in the same run on the same PostgreSQL. Started by bench/run.sh, which owns
the server process and clean-up; the helpers (HTTP client, PG, CPU sampler, report) are fleetbench.py's.

1. A policy PUT that changes the desired state of every one of --devices devices (rows inserted in SQL with
   label bench=policy): the PUT renders them before it answers, so its round trip is the time until every
   rendering is stored. Reference: the same rows written by PostgreSQL alone (\\copy, and an upsert over
   existing rows as the server's write is).
2. --executors simulated executors (real device tokens, raw asyncio connections) hold
   GET /v1/executor/desired?known_revision=<current>&wait=60 during that PUT: wake-up latency from the PUT's
   answer to each long-poll's 200.
3. GET /v1/policies/{name}/status with every device matched, after the devices reported through
   PUT /v1/executor/status with their own tokens (converged, failed, reporting an older revision; some never
   report) and with presence written in SQL (seen lately or a day ago): p50/p99 over many sequential GETs.
   Reference: pgbench -f with a plain count(*) over the policy's rows and with the endpoint's counting statement.
4. One more policy PUT over the same devices after those reports: their outcome rows go back to pending, the write
   that part 1 (devices that never reported) does not need.
"""
import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import fleetbench as fb  # noqa: E402  (the shared helpers)
from fleetbench import Conn, PG, CPUSampler, Report, HTTPError, checked, log, percentile, held_long_polls, run_cmd  # noqa: E402

POLICY = "bench-policy"
PROGRAM = "bench-policy-prog"
LABEL = ("bench", "policy")

# A tracepoint program small enough to compile anywhere clang has the bpf target (as the tests do).
TINY_BPF = r"""
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
typedef unsigned int __u32;
typedef unsigned long long __u64;
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
SEC("tracepoint/syscalls/sys_enter_getpid")
int count_getpid(void *ctx) {
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&counts, &key);
    if (value) __sync_fetch_and_add(value, 1);
    return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""


# --------------------------------------------------------------------------------------------- set-up

def bpf_object(work_dir):
    """bpf/build/syscall_count.bpf.o when `make -C bpf` ran, else a tiny object compiled here."""
    built = os.path.join(ROOT, "bpf", "build", "syscall_count.bpf.o")
    if os.path.exists(built):
        return built, "bpf/build/syscall_count.bpf.o"
    clang = "/opt/swift/usr/bin/clang" if os.path.exists("/opt/swift/usr/bin/clang") else "clang"
    source = os.path.join(work_dir, "policybench.bpf.c")
    out = os.path.join(work_dir, "policybench.bpf.o")
    with open(source, "w") as f:
        f.write(TINY_BPF)
    run_cmd([clang, "-target", "bpf", "-O2", "-g", "-c", source, "-o", out])
    return out, "a tiny tracepoint object compiled with clang -target bpf"


def upload_program(base, admin, name, version, path):
    out = run_cmd(["curl", "-sS", "--max-time", "120", "-o", "/dev/stdout", "-w", "\n%{http_code}",
                   "-H", f"Authorization: Bearer {admin}", "--form-string", f"name={name}", "--form-string", f"version={version}",
                   "-F", f"object=@{path};type=application/octet-stream", base + "/v1/programs"]).stdout
    body, _, status = out.rpartition("\n")
    if status.strip() != "201":
        raise HTTPError(f"POST /v1/programs {name}@{version}: HTTP {status.strip()}: {body[:300]}")
    return json.loads(body)


def insert_policy_devices(pg, count, executors, out_path):
    """`count` active devices labelled bench=policy, inserted in SQL with token hashes as fleetbench does. Returns
    every (id, token) in insertion order; the first `executors` are the simulated executors."""
    pg.psql("fleet", f"""
        CREATE TABLE bench_policy_tokens AS
            SELECT gen_random_uuid() AS id, 'fld_' || md5(random()::text) || md5(random()::text) AS token, g
            FROM generate_series(1, {count}) g;
        INSERT INTO devices (id, name, hardware_id, status, token_hash, labels)
            SELECT id, 'policy-' || g, 'policy-' || g, 'active', sha256(convert_to(token, 'UTF8')),
                   jsonb_build_object('{LABEL[0]}', '{LABEL[1]}', 'rack', 'r' || (g % 50))
            FROM bench_policy_tokens;
        ANALYZE devices;""")
    rows = pg.psql("fleet", "SELECT id || ' ' || token FROM bench_policy_tokens ORDER BY g")
    pg.psql("fleet", "DROP TABLE bench_policy_tokens")
    with open(out_path, "w") as f:
        f.write(rows + "\n")
    return [tuple(line.split()) for line in rows.splitlines() if line.strip()]


def document(version, telemetry=None):
    doc = {"selector": f"{LABEL[0]}={LABEL[1]}", "programs": [{"name": "syscalls", "program": f"{PROGRAM}@{version}"}]}
    if telemetry:
        doc["telemetry"] = {"interval_seconds": telemetry}
    return doc


async def put_policy(host, port, admin, doc):
    conn = Conn(host, port)
    t0 = time.perf_counter()
    status, body = await conn.request("PUT", f"/v1/policies/{POLICY}", admin, doc)
    t1 = time.perf_counter()
    conn.close()
    if status not in (200, 201):
        raise HTTPError(f"PUT /v1/policies/{POLICY}: HTTP {status}: {body[:300]!r}")
    return t0, t1, json.loads(body)


def psql_timed(pg, sql, db="fleet"):
    """Runs `sql` (one statement) with \\timing; returns the server-side time psql reports, in seconds."""
    out = run_cmd([pg.psql_bin, *pg.conn_args(db), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "\\timing on", "-c", sql]).stdout
    times = re.findall(r"Time: ([0-9.]+) ms", out)
    if not times:
        raise RuntimeError(f"psql printed no timing for {sql[:80]!r}: {out[-300:]}")
    return float(times[-1]) / 1e3


# --------------------------------------------------------------------------------------------- 1+2: render and wake-ups

async def render_round(args, executors, admin, doc):
    """One measured PUT with every executor holding a long-poll on its current revision."""
    host, port = args.host, args.port
    # Before the long-polls start: their 60 s must not run out while the machine quietens.
    await asyncio.get_running_loop().run_in_executor(None, lambda: fb.wait_for_quiet(limit=30))
    conns = await fb.ramp_connections(host, port, len(executors))
    known = [None] * len(executors)

    async def current(i):
        status, body = await conns[i].request("GET", "/v1/executor/desired?known_revision=none&wait=0", executors[i][1])
        if status != 200:
            raise HTTPError(f"GET desired (device {executors[i][0]}): HTTP {status}: {body[:200]!r}")
        known[i] = json.loads(body)["revision"]

    await asyncio.gather(*(current(i) for i in range(len(executors))))
    held0 = held_long_polls(args.base)
    arrived = [None] * len(executors)
    answers = [None] * len(executors)

    async def hold(i):
        conns[i].send("GET", f"/v1/executor/desired?known_revision={known[i]}&wait=60", executors[i][1])
        status, body = await conns[i].receive()
        arrived[i] = time.perf_counter()
        answers[i] = (status, body)

    tasks = [asyncio.create_task(hold(i)) for i in range(len(executors))]
    deadline = time.monotonic() + 60
    while held_long_polls(args.base) < held0 + len(executors) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    held = held_long_polls(args.base) - held0
    await asyncio.sleep(0.5)
    with CPUSampler(args.server_pid, os.getpid()) as sampler:
        t_sent, t_answer, answer = await put_policy(host, port, admin, doc)
        done, pending = await asyncio.wait(tasks, timeout=30)
    for t in pending:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for c in conns:
        c.close()
    woken, errors, stale = [], [], 0
    for i, result in enumerate(answers):
        if result is None:
            continue
        status, body = result
        if status != 200:
            errors.append(f"HTTP {status}: {body[:200]!r}")
            continue
        if json.loads(body)["revision"] == known[i]:
            stale += 1
        woken.append(arrived[i])
    from_answer = [t - t_answer for t in woken]
    from_sent = [t - t_sent for t in woken]
    return {
        "put_seconds": t_answer - t_sent, "answer": answer, "held": held, "woken": len(woken), "errors": errors,
        "stale": stale, "missing": len(executors) - len(woken) - len(errors), "sampler": sampler,
        "p50": percentile(from_answer, 50), "p99": percentile(from_answer, 99),
        "max": max(from_answer) if from_answer else float("nan"), "min": min(from_answer) if from_answer else float("nan"),
        "sent_p99": percentile(from_sent, 99), "early": sum(1 for x in from_answer if x < 0),
    }


def stored_check(pg, revision, generation_after):
    """Rows of the policy's devices carrying `revision` of the policy, and the span of their rendered_at."""
    row = pg.psql("fleet", f"""
        SELECT count(*) FILTER (WHERE (sources->'program/syscalls'->>'revision')::int = {revision}),
               count(*),
               coalesce(extract(epoch FROM max(rendered_at) FILTER (WHERE generation > {generation_after})
                                   - min(rendered_at) FILTER (WHERE generation > {generation_after})), 0)
        FROM device_desired WHERE policies @> ARRAY['{POLICY}']::text[]""")
    a, b, span = row.split("|")
    return int(a), int(b), float(span)


async def current_revision(args, device):
    conn = Conn(args.host, args.port)
    status, body = await conn.request("GET", "/v1/executor/desired?wait=0", device[1])
    conn.close()
    if status != 200:
        raise HTTPError(f"GET /v1/executor/desired: HTTP {status}: {body[:200]!r}")
    return json.loads(body)["revision"]


def last_generation(pg):
    return int(pg.psql("fleet", "SELECT coalesce(max(generation), 0) FROM device_desired"))


# --------------------------------------------------------------------------------------------- 3: status

async def report_statuses(args, devices, revision, concurrency=32):
    """Every device reports through PUT /v1/executor/status with its own token, by bucket of 100 (in id order):
    0-69 ready at the desired revision, 70-79 failed there, 80-89 at an older revision, 90-99 never report. Then
    presence in SQL: buckets below 85 seen now, the rest a day ago. Returns the counts and the reports' timing."""
    ordered = sorted(devices)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    older = "ab" * 16
    jobs = []
    for n, (device_id, token) in enumerate(ordered):
        b = n % 100
        if b >= 90:
            continue
        state = "ready" if b < 70 else "failed" if b < 80 else "applying"
        item = {"kind": "program", "name": "syscalls", "state": state, "version": f"{PROGRAM}@1.0.0", "since": since}
        if state == "failed":
            item["error"] = "program.load: the verifier rejected count_getpid"
        jobs.append((token, {"revision": revision if b < 80 else older, "items": [item]}))
    errors = []
    queue = iter(jobs)

    async def worker():
        conn = Conn(args.host, args.port)
        for token, body in queue:
            status, answer = await conn.request("PUT", "/v1/executor/status", token, body)
            if status != 204:
                errors.append(f"HTTP {status}: {answer[:200]!r}")
        conn.close()

    t = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - t
    if errors:
        raise HTTPError(f"{len(errors)} status reports failed, first: {errors[0]}")
    # The same buckets in SQL: PostgreSQL orders uuids as Python orders their lower-case text.
    args.pg.psql("fleet", f"""
        INSERT INTO device_presence AS p (device_id, last_seen_at)
            SELECT device_id, CASE WHEN b < 85 THEN now() ELSE now() - interval '1 day' END
            FROM (SELECT device_id, (row_number() OVER (ORDER BY device_id) - 1) % 100 AS b
                  FROM policy_devices WHERE policy = '{POLICY}') AS buckets
        ON CONFLICT (device_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at""")
    for table in ("device_status", "device_presence", "device_desired", "policy_devices"):
        args.pg.psql("fleet", f"VACUUM ANALYZE {table}")
    n = len(ordered)
    counts = (n, sum(1 for i in range(n) if i % 100 < 70), sum(1 for i in range(n) if 70 <= i % 100 < 80),
              sum(1 for i in range(n) if 80 <= i % 100 < 90), sum(1 for i in range(n) if i % 100 >= 90))
    return counts, len(jobs), seconds, concurrency


# The endpoint's counting statement (FleetService+Desired.swift, getPolicyStatus), for the SQL-only reference.
STATUS_COUNTS_SQL = f"""SELECT held_revision, outcome, conflicted, offline, sum(n)::bigint AS n FROM policy_counts WHERE policy = '{POLICY}'
GROUP BY held_revision, outcome, conflicted, offline HAVING sum(n) <> 0;"""

PLAIN_COUNT_SQL = f"SELECT count(*) FROM policy_devices WHERE policy = '{POLICY}';"


def pgbench_latencies(args, pg, sql, runs):
    """pgbench -c1 -t runs -f <sql> -l: per-transaction latencies in seconds (and the sampler)."""
    with tempfile.TemporaryDirectory(dir=args.work_dir) as tmp:
        script = os.path.join(tmp, "q.sql")
        with open(script, "w") as f:
            f.write(sql.replace("\n", " ").replace("; ", ";\n") + "\n")
        fb.wait_for_quiet()
        command = [pg.pgbench, *pg.conn_args("fleet"), "-n", "-c", "1", "-j", "1", "-t", str(runs), "-f", script,
                   "-l", "--log-prefix", os.path.join(tmp, "log")]
        out, sampler = fb.run_with_cpu(command, args.server_pid)
        latencies = []
        for name in os.listdir(tmp):
            if name.startswith("log"):
                for line in open(os.path.join(tmp, name)):
                    fields = line.split()
                    if len(fields) >= 3:
                        latencies.append(int(fields[2]) / 1e6)
    return latencies, sampler


async def status_gets(args, admin, runs, warmup=10):
    conn = Conn(args.host, args.port)
    path = f"/v1/policies/{POLICY}/status"
    last = None
    for _ in range(warmup):
        last = await checked(conn, "GET", path, admin)
    times = []
    with CPUSampler(args.server_pid, os.getpid()) as sampler:
        for _ in range(runs):
            t0 = time.perf_counter()
            status, body = await conn.request("GET", path, admin)
            times.append(time.perf_counter() - t0)
            if status != 200:
                raise HTTPError(f"GET {path}: HTTP {status}: {body[:300]!r}")
        last = json.loads(body)
    conn.close()
    return times, last, sampler


# --------------------------------------------------------------------------------------------- main

def verdict(ok):
    return "PASS" if ok else "MISS"


def ms(seconds):
    return f"{seconds * 1e3:.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--devices", type=int, default=100000, help="devices the policy matches [100000]")
    parser.add_argument("--executors", type=int, default=1000, help="simulated executors holding long-polls [1000]")
    parser.add_argument("--rounds", type=int, default=3, help="measured policy PUTs [3]")
    parser.add_argument("--status-runs", type=int, default=300, help="timed GET /v1/policies/{name}/status [300]")
    parser.add_argument("--render-target", type=float, default=10.0)
    parser.add_argument("--wake-target", type=float, default=1.0)
    parser.add_argument("--status-target", type=float, default=0.050)
    parser.add_argument("--quiet-budget", type=float, default=fb.QUIET_BUDGET,
                        help="seconds of waiting, over the whole part, for an idle machine before measurements [%(default)s]")
    args = parser.parse_args()
    fb.QUIET_BUDGET = args.quiet_budget
    args.base = f"http://{args.host}:{args.port}"
    args.executors = min(args.executors, args.devices)
    report = R = Report(args.out)
    started = time.monotonic()
    pg = PG(args.data_dir)
    admin = open(os.path.join(args.data_dir, "admin-token")).read().strip()
    load0 = os.getloadavg()

    # ---- set-up
    obj, obj_what = bpf_object(args.work_dir)
    for version in ("1.0.0", "1.0.1"):
        upload_program(args.base, admin, PROGRAM, version, obj)
    t = time.monotonic()
    devices = insert_policy_devices(pg, args.devices, args.executors, os.path.join(args.work_dir, "policy-devices.txt"))
    executors = devices[:args.executors]
    args.pg = pg
    insert_seconds = time.monotonic() - t
    total_devices = int(pg.psql("fleet", "SELECT count(*) FROM devices"))
    log(f"inserted {args.devices} devices labelled {LABEL[0]}={LABEL[1]} in {insert_seconds:.1f} s ({total_devices} devices in all)")
    fb.wait_for_quiet()
    t_sent, t_answer, first = asyncio.run(put_policy(args.host, args.port, admin, document("1.0.0")))
    initial_seconds = t_answer - t_sent
    log(f"revision 1 (first rendering of {first.get('devices_affected')} devices) took {initial_seconds:.2f} s")

    R("=" * 100)
    R("Fleet policy benchmark  " + time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    R("=" * 100)
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    R(f"machine    nproc={os.cpu_count()}  cpu={cpu_model}  kernel={platform.release()}  load average at start {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    R(f"data       {args.devices} devices labelled {LABEL[0]}={LABEL[1]} inserted with SQL ({total_devices} devices in the table);"
      f" policy '{POLICY}' selects them with one program item ({obj_what}, registered as {PROGRAM}@1.0.0 and @1.0.1)")
    R(f"           revision 1, the first rendering of all {first.get('devices_affected')} devices (inserts): PUT answered in {initial_seconds:.2f} s")
    R("The client runs on the same 2-core machine as the server and PostgreSQL; CPU shares are per phase.")
    R()
    summary = []

    # ---- 1 + 2: measured PUTs with executors waiting
    R(f"1. Policy PUT that changes the desired state of {args.devices} devices (program version switched each round),")
    R(f"   with {args.executors} executors holding GET /v1/executor/desired?known_revision=<current>&wait=60")
    rounds = []
    versions = ["1.0.1", "1.0.0"]
    for n in range(args.rounds):
        generation0 = last_generation(pg)
        rd = asyncio.run(render_round(args, executors, admin, document(versions[n % 2])))
        revision = rd["answer"]["revision"]
        stored, matched, span = stored_check(pg, revision, generation0)
        rd.update(stored=stored, matched=matched, span=span)
        rounds.append(rd)
        log(f"round {n + 1}: PUT {rd['put_seconds']:.2f} s, affected {rd['answer'].get('devices_affected')}, stored {stored}/{matched};"
            f" woken {rd['woken']}/{args.executors}, p50 {ms(rd['p50'])}, p99 {ms(rd['p99'])}")
        R(f"   round {n + 1}   revision {revision}: PUT answered in {rd['put_seconds']:6.2f} s, devices_affected {rd['answer'].get('devices_affected')},"
          f" rows at the new revision right after the answer {stored}/{matched} (first to last rendered_at {rd['span']:.2f} s)")
        R(f"              wake-ups after the answer: {rd['woken']}/{args.executors} (held {rd['held']}) p50 {ms(rd['p50'])}  p99 {ms(rd['p99'])}"
          f"  max {ms(rd['max'])}  (min {ms(rd['min'])}, {rd['early']} before the answer arrived; p99 from the PUT's send {rd['sent_p99']:.2f} s);"
          f" errors {len(rd['errors'])}, stale {rd['stale']}, not woken {rd['missing']}" + (f" (first: {rd['errors'][0]})" if rd["errors"] else ""))
        R(f"              {rd['sampler'].describe('client (python)')}")
    put_median = statistics.median(r["put_seconds"] for r in rounds)
    put_worst = max(r["put_seconds"] for r in rounds)
    all_stored = all(r["stored"] == args.devices and r["answer"].get("devices_affected") == args.devices for r in rounds)

    # References: PostgreSQL alone writing the same rows.
    pg.psql("fleet", "DROP TABLE IF EXISTS bench_desired_copy; CREATE TABLE bench_desired_copy (LIKE device_desired INCLUDING ALL)")
    dump = os.path.join(args.work_dir, "desired.copy")
    run_cmd([pg.psql_bin, *pg.conn_args("fleet"), "-X", "-q", "-c",
             f"\\copy (SELECT * FROM device_desired WHERE policies @> ARRAY['{POLICY}']::text[]) TO '{dump}'"])
    dump_mib = os.path.getsize(dump) / 1048576
    pg.psql("fleet", "CHECKPOINT")
    fb.wait_for_quiet()
    t = time.perf_counter()
    run_cmd([pg.psql_bin, *pg.conn_args("fleet"), "-X", "-q", "-c", f"\\copy bench_desired_copy FROM '{dump}'"])
    copy_seconds = time.perf_counter() - t
    pg.psql("fleet", "CHECKPOINT")
    fb.wait_for_quiet()
    upsert_seconds = psql_timed(pg, """
        INSERT INTO bench_desired_copy AS dd SELECT device_id, revision || '', state, sources, conflicts, policies, generation + 1, now()
        FROM device_desired WHERE policies @> ARRAY['%s']::text[]
        ON CONFLICT (device_id) DO UPDATE SET revision = EXCLUDED.revision, state = EXCLUDED.state, sources = EXCLUDED.sources,
            conflicts = EXCLUDED.conflicts, policies = EXCLUDED.policies, rendered_at = now(),
            generation = CASE WHEN dd.revision = EXCLUDED.revision THEN dd.generation ELSE EXCLUDED.generation END""" % POLICY)
    pg.psql("fleet", "DROP TABLE bench_desired_copy")
    R(f"   reference  PostgreSQL alone, the same {args.devices} rows ({dump_mib:.1f} MiB as COPY text):"
      f" psql \\copy into an empty copy of device_desired {copy_seconds:.2f} s;"
      f" one INSERT ... ON CONFLICT DO UPDATE over them (the server's write) {upsert_seconds:.2f} s")
    ok = put_median <= args.render_target and all_stored
    R(f"   figure     time until every rendering is stored (the PUT's round trip): median {put_median:.2f} s, worst {put_worst:.2f} s"
      f" over {len(rounds)} rounds = {put_median / max(upsert_seconds, 1e-9):.1f}x the upsert reference")
    R(f"   target     <= {args.render_target:.0f} s   {verdict(ok)}")
    summary.append((f"render {args.devices} devices (PUT round trip)", f"{put_median:.2f} s (worst {put_worst:.2f})",
                    f"{put_median / max(upsert_seconds, 1e-9):.1f}x", f"<= {args.render_target:.0f} s", ok))
    wake_p99 = max(r["p99"] for r in rounds)
    wake_p50 = statistics.median(r["p50"] for r in rounds)
    all_woken = all(r["woken"] == args.executors and not r["errors"] and r["stale"] == 0 for r in rounds)
    ok = wake_p99 <= args.wake_target and all_woken
    R(f"   figure     wake-up latency from the PUT's answer, {args.executors} executors: p50 {ms(wake_p50)} (median of rounds),"
      f" p99 {ms(wake_p99)} (worst round)")
    R(f"   target     p99 <= {args.wake_target:.0f} s, every executor woken   {verdict(ok)}")
    summary.append((f"wake-up p99, {args.executors} executors", f"{ms(wake_p99)} (p50 {ms(wake_p50)})", "", f"<= {args.wake_target:.0f} s", ok))
    R()

    # ---- 3: status
    R(f"3. GET /v1/policies/{POLICY}/status at {args.devices} matched devices ({args.status_runs} sequential GETs, one keep-alive connection)")
    revision = asyncio.run(current_revision(args, devices[0]))
    (matched, converged, failed, older, never), reports, report_seconds, concurrency = asyncio.run(report_statuses(args, devices, revision))
    times, answer, sampler = asyncio.run(status_gets(args, admin, args.status_runs))
    plain, plain_cpu = pgbench_latencies(args, pg, PLAIN_COUNT_SQL, args.status_runs)
    counts, counts_cpu = pgbench_latencies(args, pg, STATUS_COUNTS_SQL, args.status_runs)
    right = answer["matched"] == matched and answer["converged"] == converged and answer["failed"] == failed
    R(f"   data       {reports} reports through PUT /v1/executor/status ({concurrency} connections, {reports / report_seconds:.0f} reports/s):"
      f" {converged} ready, {failed} failed, {older} at an older revision; {never} never reported; 15% not seen within the offline threshold")
    R(f"   answer     matched {answer['matched']} converged {answer['converged']} failed {answer['failed']} offline {answer['offline']}"
      f" pending {answer['pending']} conflicted {answer['conflicted']}, {len(answer['failing'])} failing devices on the page"
      f"  ({'as written' if right else 'NOT as written: expected %d/%d/%d' % (matched, converged, failed)})")
    R(f"   reference  pgbench -c1 -f, plain count(*) over the policy's policy_devices rows: p50 {ms(percentile(plain, 50))}  p99 {ms(percentile(plain, 99))}")
    R(f"              pgbench -c1 -f, the endpoint's counting statement alone:         p50 {ms(percentile(counts, 50))}  p99 {ms(percentile(counts, 99))}")
    R(f"              {counts_cpu.describe('pgbench')}")
    p50, p99 = percentile(times, 50), percentile(times, 99)
    R(f"   figure     GET .../status: p50 {ms(p50)}  p99 {ms(p99)}  max {ms(max(times))}"
      f"  = {p99 / max(percentile(plain, 99), 1e-9):.1f}x the plain count(*) p99")
    R(f"              {sampler.describe('client (python)')}")
    ok = p99 <= args.status_target and right
    R(f"   target     p99 <= {args.status_target * 1e3:.0f} ms   {verdict(ok)}")
    summary.append((f"policy status p99 at {args.devices} devices", f"{ms(p99)} (p50 {ms(p50)})",
                    f"{p99 / max(percentile(plain, 99), 1e-9):.1f}x", f"<= {args.status_target * 1e3:.0f} ms", ok))
    if not ok:
        for statement in STATUS_COUNTS_SQL.split(";\n"):
            plan = pg.psql("fleet", "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement.rstrip(";"))
            R("   plan       EXPLAIN ANALYZE of a counting statement:")
            for line in plan.splitlines():
                R("              " + line)
    R()

    # ---- 4: a PUT over devices that reported (their outcome rows go back to pending: the write part 1 skips)
    R(f"4. Policy PUT over the same {args.devices} devices after part 3's reports ({converged} converged, {failed} failed):"
      " every outcome row that is not pending goes back to pending")
    fb.wait_for_quiet()
    version = versions[args.rounds % 2]  # the one the last round of part 1 did not set
    t_sent, t_answer, answer = asyncio.run(put_policy(args.host, args.port, admin, document(version)))
    reported_seconds = t_answer - t_sent
    pending_after = int(pg.psql("fleet", f"SELECT count(*) FROM policy_devices WHERE policy = '{POLICY}' AND outcome = 'pending'"))
    ok = reported_seconds <= args.render_target and answer.get("devices_affected") == args.devices and pending_after == args.devices
    R(f"   figure     PUT answered in {reported_seconds:.2f} s, devices_affected {answer.get('devices_affected')},"
      f" pending afterwards {pending_after}/{args.devices}")
    R(f"   target     <= {args.render_target:.0f} s   {verdict(ok)}")
    summary.append((f"render {args.devices} devices that reported", f"{reported_seconds:.2f} s",
                    f"{reported_seconds / max(upsert_seconds, 1e-9):.1f}x", f"<= {args.render_target:.0f} s", ok))
    R()

    R("Summary (policy)")
    for name, value, ratio, target, ok in summary:
        R(f"   {name:<42} {value:<28} {ratio:>7}  target {target:<10} {verdict(ok)}")
    if fb.INTERFERENCE:
        R(f"   WARNING: {len(fb.INTERFERENCE)} measurement(s) shared the machine with other work (up to {max(fb.INTERFERENCE):.0f}% of a core);"
          " rerun on an idle machine before trusting them")
    load1 = os.getloadavg()
    R(f"   load average at the end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; total policy bench time {time.monotonic() - started:.0f} s")
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
