#!/usr/bin/env python3
"""Fleet executor benchmark: the executor-side phases of `make bench`, each figure next to a reference measured
in the same run. Started by bench/run.sh after the server phases, against the same running fleet-server
(embedded PostgreSQL); run.sh owns the server process, this script owns everything it starts itself
(executor processes, pins under /sys/fs/bpf, a veth pair) and removes it on the way out.

  1. load + attach time of each bpf/ program through Fleet's loader (the executor's program.load result:
     load_ms + attach_ms, which exclude the download) vs `bpftool prog loadall` of the same object, and vs
     libbpf called in-process (ctypes) doing exactly open + load + attach;
  2. executor idle RSS and CPU over 60 s with three programs loaded and exporting (telemetry every 15 s), vs the
     stack floor idling through the same window;
  3. stripped size of the executor built with --static-swift-stdlib (built by run.sh into .build-static), vs the
     stack floor's;
  4. telemetry ingest points/s through POST /v1/executor/telemetry vs psql \\copy of the same rows.

The stack floor (bench/stack-floor, built by run.sh into .build-floor the way the static executor is built) links
the executor's fixed stack and none of Fleet's code: swift-argument-parser, swift-crypto and swift-protobuf (which
bring FoundationEssentials), libcurl (which initialises OpenSSL), libbpf and jansson. It touches each once, prints
`ready` and sleeps; what the executor has above it is Fleet's own share.

Needs root (eBPF), bpftool, ip, curl, strip and bpf/build/*.bpf.o (`make -C bpf`). Standard library only.
"""
import argparse
import asyncio
import csv
import ctypes
import datetime
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in bench/
import fleetbench as fb  # noqa: E402  (report, CPU attribution, idle wait, PostgreSQL helpers)

ROOT = os.path.dirname(HERE)
PROGRAMS = ["syscall_count", "exec_events", "tcp_retransmit", "xdp_counter", "runq_latency"]
IDLE_PROGRAMS = ["syscall_count", "exec_events", "runq_latency"]
TERMINAL = {"succeeded", "failed", "rejected", "expired", "canceled"}
log = fb.log


# --------------------------------------------------------------------------------------------- API (blocking)

class API:
    """Blocking keep-alive JSON client for the few control calls (commands, enrolment)."""

    def __init__(self, host, port, token):
        self.host, self.port, self.token = host, port, token
        self.conn = None

    def call(self, method, path, body=None, token=None):
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                headers = {"Authorization": f"Bearer {token or self.token}"}
                data = None
                if body is not None:
                    data = json.dumps(body).encode()
                    headers["Content-Type"] = "application/json"
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
            except (http.client.HTTPException, ConnectionError):
                self.conn = None
                if attempt == 2:
                    raise

    def checked(self, method, path, body=None, expect=(200, 201)):
        status, answer = self.call(method, path, body)
        if status not in expect:
            raise fb.HTTPError(f"{method} {path}: HTTP {status}: {str(answer)[:300]}")
        return answer

    def run_command(self, device, type_, payload, timeout=60):
        """Queues a command and waits (polling every 10 ms) until it is terminal; returns (command, seconds)."""
        t0 = time.perf_counter()
        command = self.checked("POST", f"/v1/devices/{device}/commands", {"type": type_, "payload": payload})
        deadline = time.monotonic() + timeout
        while command.get("state") not in TERMINAL:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{type_} did not finish in {timeout} s: {command}")
            time.sleep(0.01)
            command = self.checked("GET", f"/v1/commands/{command['id']}")
        return command, time.perf_counter() - t0


# --------------------------------------------------------------------------------------------- executors

class ChildProcess:
    """A child with its output in a log file; it dies with this script (PR_SET_PDEATHSIG), even when the script is
    killed hard, and runs in its own session so that a Ctrl-C on the terminal reaches only the script."""

    def __init__(self, log_path):
        self.log_path, self.process = log_path, None

    def spawn(self, argv, ready, what, death_signal):
        libc = ctypes.CDLL(None, use_errno=True)
        self.process = subprocess.Popen(argv, stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=lambda: libc.prctl(1, death_signal, 0, 0, 0))
        deadline = time.monotonic() + 20
        while ready not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{what} did not start (exit status {self.process.poll()}):\n{self.output()[-2000:]}")
            time.sleep(0.05)

    @property
    def pid(self):
        return self.process.pid

    def output(self):
        try:
            return open(self.log_path, errors="replace").read()
        except OSError:
            return ""

    def stop(self, grace=10):
        if self.process is None or self.process.poll() is not None:
            return
        if grace:
            self.process.terminate()
            try:
                self.process.wait(grace)
                return
            except subprocess.TimeoutExpired:
                pass
        self.process.kill()
        self.process.wait()


class Executor(ChildProcess):
    """One `fleet-executor run` child with its own state directory, enrolled against the bench server."""

    def __init__(self, binary, label, work, base, enrollment_token):
        super().__init__(os.path.join(work, f"executor-{label}.log"))
        self.binary, self.label = binary, label
        self.state = os.path.join(work, f"executor-{label}")
        os.makedirs(self.state, exist_ok=True)
        # The hardware id is the machine id, and a second enrolment with the same one takes the device over
        # (the first executor's token is revoked and it exits): each executor here enrols in its own mount
        # namespace with its own /etc/machine-id.
        machine_id = os.path.join(work, f"machine-id-{label}")
        with open(machine_id, "w") as f:
            f.write(uuid.uuid4().hex + "\n")
        fb.run_cmd(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                    'mount --bind "$0" /etc/machine-id && exec "$@"', machine_id,
                    binary, "enroll", "--server", base, "--token", enrollment_token, "--name", f"xbench-{label}",
                    "--state-dir", self.state])
        identity = json.load(open(os.path.join(self.state, "identity.json")))
        self.device_id = identity["device_id"]

    def start(self):
        # SIGTERM when the script dies: the executor stops cleanly; its programs stay pinned, as after any stop.
        self.spawn([self.binary, "run", "--state-dir", self.state], "running as device", f"fleet-executor ({self.label})",
                   signal.SIGTERM)


class StackFloor(ChildProcess):
    """The stack-floor program idling in a child process: the reference for the executor's idle RSS."""

    STACK = "swift-argument-parser + swift-crypto + swift-protobuf + libcurl/libbpf/jansson, no Fleet code"

    def __init__(self, binary, work, seconds):
        super().__init__(os.path.join(work, "stack-floor.log"))
        # It also ends by itself after `seconds`.
        self.spawn([binary, "--idle-seconds", str(int(seconds))], "ready", "stack-floor", signal.SIGKILL)

    def stop(self):
        super().stop(grace=0)


def resolved_versions(package_dir):
    """{package identity: version} from a Package.resolved, or {} when there is none."""
    try:
        pins = json.load(open(os.path.join(package_dir, "Package.resolved")))["pins"]
    except (OSError, ValueError, KeyError):
        return {}
    return {p["identity"]: p.get("state", {}).get("version") or p.get("state", {}).get("revision", "?")[:10] for p in pins}


# --------------------------------------------------------------------------------------------- libbpf reference

class LibBPF:
    """libbpf 1.x through ctypes: the reference for exactly what Fleet's load_ms and attach_ms cover
    (open + load, then attach every program), in-process, without a process start or pinning."""

    def __init__(self):
        lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
        vp = ctypes.c_void_p
        lib.libbpf_set_print.restype = vp
        lib.libbpf_set_print.argtypes = [vp]
        lib.libbpf_set_print(None)  # no warnings on stderr
        lib.bpf_object__open_file.restype = vp
        lib.bpf_object__open_file.argtypes = [ctypes.c_char_p, vp]
        lib.bpf_object__load.argtypes = [vp]
        lib.bpf_object__next_program.restype = vp
        lib.bpf_object__next_program.argtypes = [vp, vp]
        lib.bpf_program__attach.restype = vp
        lib.bpf_program__attach.argtypes = [vp]
        lib.bpf_program__attach_xdp.restype = vp
        lib.bpf_program__attach_xdp.argtypes = [vp, ctypes.c_int]
        lib.bpf_link__destroy.argtypes = [vp]
        lib.bpf_object__close.argtypes = [vp]
        self.lib = lib

    def load_attach(self, path, ifindex=None):
        """Returns (load seconds, attach seconds); everything is closed again before returning."""
        lib = self.lib
        t0 = time.perf_counter()
        obj = lib.bpf_object__open_file(path.encode(), None)
        if not obj:
            raise OSError(ctypes.get_errno(), f"bpf_object__open_file {path}")
        links = []
        try:
            if lib.bpf_object__load(obj) != 0:
                raise OSError(ctypes.get_errno(), f"bpf_object__load {path}")
            t1 = time.perf_counter()
            prog = lib.bpf_object__next_program(obj, None)
            while prog:
                link = lib.bpf_program__attach_xdp(prog, ifindex) if ifindex else lib.bpf_program__attach(prog)
                if not link:
                    raise OSError(ctypes.get_errno(), f"attach in {path}")
                links.append(link)
                prog = lib.bpf_object__next_program(obj, prog)
            t2 = time.perf_counter()
        finally:
            for link in links:
                lib.bpf_link__destroy(link)
            lib.bpf_object__close(obj)
        return t1 - t0, t2 - t1


# --------------------------------------------------------------------------------------------- helpers

def median(values):
    return statistics.median(values) if values else float("nan")


def spread(values):
    """min-max of a list of seconds, in ms, for the report."""
    return f"{min(values) * 1e3:.1f}-{max(values) * 1e3:.1f}" if values else "-"


def schedstat_ns(pid):
    """CPU time in ns of all the process's current threads (/proc/<pid>/schedstat is the main thread's only)."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                total += int(open(f"/proc/{pid}/task/{tid}/schedstat").read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        return None
    return total


def largest_mappings(pid, count=4):
    """The files (or [anon]) holding most of a process's RSS, from /proc/<pid>/smaps: [(name, KiB)]."""
    totals = {}
    current = None
    try:
        for line in open(f"/proc/{pid}/smaps"):
            m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
            if m:
                current = os.path.basename(m.group(1)) if m.group(1).startswith("/") else (m.group(1) or "[anon]")
            elif line.startswith("Rss:") and current is not None:
                totals[current] = totals.get(current, 0) + int(line.split()[1])
    except OSError:
        return []
    return sorted(totals.items(), key=lambda kv: -kv[1])[:count]


def proc_threads(pid):
    return int(open(f"/proc/{pid}/status").read().split("Threads:")[1].split()[0])


def sweep_stale_pins():
    """Pins of an earlier run that was killed hard (its clean-up never ran): their programs are still attached and
    would feed this run's measurements. Removed unless another executorbench is running. Returns their names."""
    others = subprocess.run(["pgrep", "-f", "executorbench.py"], capture_output=True, text=True).stdout.split()
    if any(int(pid) != os.getpid() for pid in others):
        return []
    roots = ["/sys/fs/bpf/fleet", "/sys/fs/bpf"]
    stale = [os.path.join(root, entry) for root in roots if os.path.isdir(root)
             for entry in os.listdir(root) if entry.startswith("xbench-")]
    for path in stale:
        remove_tree(path)
    return [os.path.basename(path) for path in stale]


def remove_tree(path):
    """rm -r for bpffs: unlinking a pin drops the kernel object once nothing else holds it."""
    if not os.path.isdir(path):
        return
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            remove_tree(entry.path)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass
    try:
        os.rmdir(path)
    except OSError:
        pass


def bpftool_supports_autoattach(bpftool):
    out = subprocess.run([bpftool, "prog", "help"], capture_output=True, text=True)
    return "autoattach" in (out.stdout + out.stderr)


def upload_program(base, admin, name, version, obj, manifest):
    out = fb.run_cmd(["curl", "-sS", "-w", "\n%{http_code}", "-H", f"Authorization: Bearer {admin}",
                      "-F", f"name={name}", "-F", f"version={version}", "-F", f"object=@{obj}",
                      "-F", f"manifest=<{manifest}", base + "/v1/programs"]).stdout
    body, code = out.rsplit("\n", 1)
    if code.strip() != "201":
        raise RuntimeError(f"upload of {obj}: HTTP {code}: {body[:500]}")
    return json.loads(body)


class Veth:
    """A veth pair in the root namespace, both ends up: the XDP target (native XDP works on veth)."""

    def __init__(self, tag):
        self.host, self.peer = f"xb{tag}", f"xbp{tag}"
        fb.run_cmd(["ip", "link", "add", self.host, "type", "veth", "peer", "name", self.peer])
        fb.run_cmd(["ip", "link", "set", self.host, "up"])
        fb.run_cmd(["ip", "link", "set", self.peer, "up"])
        self.ifindex = int(open(f"/sys/class/net/{self.host}/ifindex").read())

    def remove(self):
        subprocess.run(["ip", "link", "del", self.host], capture_output=True)


# --------------------------------------------------------------------------------------------- phase 1

def load_phase(args, api, executor, programs, veth, tag, libbpf, pin_base):
    """Interleaved per iteration: Fleet (program.load, then program.unload untimed), bpftool loadall (then
    the pins removed), libbpf in-process. The first `warmup` iterations are not counted."""
    autoattach = bpftool_supports_autoattach(args.bpftool)
    results = {}
    for prog in PROGRAMS:
        obj = os.path.join(ROOT, "bpf", "build", f"{prog}.bpf.o")
        name = f"xbench-{tag}-{prog}"
        payload = {"program_id": programs[prog]["id"], "name": name}
        if prog == "xdp_counter":
            payload["attach"] = {"type": "xdp", "iface": veth.host, "mode": "auto"}
        r = {"fleet_load": [], "fleet_attach": [], "fleet_total": [], "fleet_roundtrip": [], "bpftool": [],
             "lib_load": [], "lib_attach": [], "lib_total": [], "attach_text": ""}
        fb.wait_for_quiet(limit=30)
        for i in range(args.warmup + args.runs):
            counted = i >= args.warmup
            command, roundtrip = api.run_command(executor.device_id, "program.load", payload)
            if command["state"] != "succeeded":
                raise RuntimeError(f"program.load of {prog}: {json.dumps(command)[:3000]}\n{executor.output()[-3000:]}")
            result = command["result"]
            r["attach_text"] = ", ".join(p["attach"] for p in result.get("programs", []))
            unloaded, _ = api.run_command(executor.device_id, "program.unload", {"name": name})
            if unloaded["state"] != "succeeded":
                raise RuntimeError(f"program.unload of {prog}: {json.dumps(unloaded)[:2000]}")
            if counted:
                r["fleet_load"].append(result["load_ms"] / 1e3)
                r["fleet_attach"].append(result["attach_ms"] / 1e3)
                r["fleet_total"].append((result["load_ms"] + result["attach_ms"]) / 1e3)
                r["fleet_roundtrip"].append(roundtrip)

            pin = os.path.join(pin_base, f"{prog}-{i}")
            command = [args.bpftool, "prog", "loadall", obj, pin] + (["autoattach"] if autoattach else [])
            t0 = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode == 0 and prog == "xdp_counter" and not autoattach:
                # bpftool 7.1 can attach XDP (not tracepoints): a second process, timed with the first.
                command = [args.bpftool, "net", "attach", "xdp", "pinned", os.path.join(pin, "count_packets"), "dev", veth.host]
                done = subprocess.run(command, capture_output=True, text=True)
            elapsed = time.perf_counter() - t0
            if prog == "xdp_counter" and not autoattach:
                subprocess.run([args.bpftool, "net", "detach", "xdp", "dev", veth.host], capture_output=True)
            remove_tree(pin)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()[-2000:]}")
            if counted:
                r["bpftool"].append(elapsed)

            load_s, attach_s = libbpf.load_attach(obj, veth.ifindex if prog == "xdp_counter" else None)
            if counted:
                r["lib_load"].append(load_s)
                r["lib_attach"].append(attach_s)
                r["lib_total"].append(load_s + attach_s)
        results[prog] = r
        log(f"{prog}: Fleet {median(r['fleet_total']) * 1e3:.1f} ms, bpftool {median(r['bpftool']) * 1e3:.1f} ms,"
            f" libbpf {median(r['lib_total']) * 1e3:.1f} ms")
    # What a bpftool process costs before it loads anything.
    starts = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run([args.bpftool, "version"], capture_output=True)
        starts.append(time.perf_counter() - t0)
    return results, autoattach, median(starts)


# --------------------------------------------------------------------------------------------- phase 2

def idle_phase(args, api, executors, programs, tag, pg, floor=None):
    """Loads IDLE_PROGRAMS on every executor, lets them settle, then samples each (and the stack floor, when it
    runs) for `idle_seconds`."""
    before = {e.label: fb.vm_rss_kib(e.pid) for e in executors}
    names = []
    for e in executors:
        for prog in IDLE_PROGRAMS:
            name = f"xbench-{tag}-{e.label}-{prog}"
            command, _ = api.run_command(e.device_id, "program.load", {"program_id": programs[prog]["id"], "name": name})
            if command["state"] != "succeeded":
                raise RuntimeError(f"program.load of {prog} on {e.label}: {json.dumps(command)[:3000]}")
            names.append((e, name))
    time.sleep(args.settle)
    busy_before = fb.wait_for_quiet(limit=60)
    window_start = pg.psql("fleet", "SELECT now()")
    samples = {e.label: [] for e in executors}
    first = {e.label: (fb.proc_ticks(e.pid), schedstat_ns(e.pid)) for e in executors}
    busy0, all0 = fb.system_busy_ticks()
    forks0 = next(int(l.split()[1]) for l in open("/proc/stat") if l.startswith("processes"))
    t0 = time.monotonic()
    floor_samples = []
    while time.monotonic() - t0 < args.idle_seconds:
        for e in executors:
            samples[e.label].append(fb.vm_rss_kib(e.pid))
        if floor:
            floor_samples.append(fb.vm_rss_kib(floor.pid))
        time.sleep(1.0)
    seconds = time.monotonic() - t0
    busy1, all1 = fb.system_busy_ticks()
    forks1 = next(int(l.split()[1]) for l in open("/proc/stat") if l.startswith("processes"))
    machine = 100.0 * (os.cpu_count() or 1) * (busy1 - busy0) / max(all1 - all0, 1)
    out = {}
    for e in executors:
        ticks0, ns0 = first[e.label]
        ticks1, ns1 = fb.proc_ticks(e.pid), schedstat_ns(e.pid)
        rows = pg.psql("fleet", f"SELECT count(*) || ' ' || count(DISTINCT metric) || ' ' || count(DISTINCT date_trunc('second', ts))"
                                f" FROM telemetry WHERE device_id = '{e.device_id}' AND ts >= '{window_start}'::timestamptz")
        points, metrics, stamps = (int(x) for x in rows.split())
        out[e.label] = {
            "rss_before_programs": before[e.label], "rss_min": min(samples[e.label]), "rss_max": max(samples[e.label]),
            "rss_end": samples[e.label][-1], "hwm": fb.vm_rss_kib(e.pid, "VmHWM"),
            "cpu_ticks_pct": 100.0 * (ticks1 - ticks0) / fb.CLOCK_TICKS / seconds,
            "cpu_sched_pct": 100.0 * (ns1 - ns0) / 1e9 / seconds if ns0 is not None and ns1 is not None else float("nan"),
            "threads": proc_threads(e.pid), "points": points, "metrics": metrics, "stamps": stamps,
            "anon": fb.vm_rss_kib(e.pid, "RssAnon"), "file": fb.vm_rss_kib(e.pid, "RssFile"), "maps": largest_mappings(e.pid),
        }
    if floor and floor.process.poll() is not None:
        log(f"stack-floor exited during the idle window (status {floor.process.poll()}); no RSS reference")
    elif floor:
        out["floor"] = {
            "rss_min": min(floor_samples), "rss_max": max(floor_samples), "rss_end": floor_samples[-1],
            "hwm": fb.vm_rss_kib(floor.pid, "VmHWM"), "anon": fb.vm_rss_kib(floor.pid, "RssAnon"),
            "file": fb.vm_rss_kib(floor.pid, "RssFile"), "maps": largest_mappings(floor.pid), "threads": proc_threads(floor.pid),
        }
    return out, names, seconds, machine, busy_before, forks1 - forks0


# --------------------------------------------------------------------------------------------- phase 3

def size_phase(args, work):
    def stripped(path, label):
        copy = os.path.join(work, f"fleet-executor.{label}.stripped")
        fb.run_cmd(["strip", "-o", copy, path])
        return os.path.getsize(copy)

    def icu_bytes(path):
        out = subprocess.run(["nm", "-S", path], capture_output=True, text=True).stdout
        return sum(int(m.group(1), 16) for m in re.finditer(r"^[0-9a-f]+ ([0-9a-f]+) \S icudt\d+_dat$", out, re.M))

    def swift_runtime(path):
        """The Swift shared libraries the dynamic binary loads (not in its own size)."""
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        libs = [m.group(1) for m in re.finditer(r"=> (\S+) \(", out) if "swift" in m.group(1)]
        return len(libs), sum(os.path.getsize(l) for l in libs if os.path.exists(l))

    def system_libs(path):
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        return [os.path.basename(m.group(1)) for m in re.finditer(r"^\s*(\S+) => ", out, re.M)]

    s = {"static": args.static_executor, "dynamic": args.executor}
    info = {"static_raw": os.path.getsize(s["static"]), "static_stripped": stripped(s["static"], "static"),
            "dynamic_raw": os.path.getsize(s["dynamic"]), "dynamic_stripped": stripped(s["dynamic"], "dynamic"),
            "static_icu": icu_bytes(s["static"]), "static_needed": system_libs(s["static"])}
    info["swift_libs"], info["swift_libs_bytes"] = swift_runtime(s["dynamic"])
    return info


def floor_size(args, work):
    """Size of the stack floor, stripped the same way as the executor: {raw, stripped, icu}."""
    copy = os.path.join(work, "stack-floor.stripped")
    fb.run_cmd(["strip", "-o", copy, args.stack_floor])
    out = subprocess.run(["nm", "-S", args.stack_floor], capture_output=True, text=True).stdout
    icu = sum(int(m.group(1), 16) for m in re.finditer(r"^[0-9a-f]+ ([0-9a-f]+) \S icudt\d+_dat$", out, re.M))
    return {"raw": os.path.getsize(args.stack_floor), "stripped": os.path.getsize(copy), "icu": icu}


# --------------------------------------------------------------------------------------------- phase 4

async def enroll(host, port, admin, count):
    conn = fb.Conn(host, port)
    token = (await fb.checked(conn, "POST", "/v1/enrollment-tokens", admin, {"name": "xbench-ingest", "auto_approve": True}))["token"]
    devices = []
    for i in range(count):
        answer = await fb.checked(conn, "POST", "/v1/enroll", None,
                                  {"enrollment_token": token, "hardware_id": f"xbench-ingest-{uuid.uuid4().hex[:8]}-{i}", "inventory": {}})
        devices.append((answer["device_id"], answer["device_token"]))
    conn.close()
    return devices


def make_points(devices, batches_per_device, batch_size):
    """The same rows for both paths: per device, `batches_per_device` batches of `batch_size` points shaped like
    an executor's export (a per-key counter), stamped over the last two minutes of today (one day partition)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - datetime.timedelta(seconds=120), midnight + datetime.timedelta(seconds=1))
    span = (now - start).total_seconds()
    total = len(devices) * batches_per_device * batch_size
    per_device = []
    n = 0
    for device_id, token in devices:
        batches = []
        for b in range(batches_per_device):
            points = []
            for k in range(batch_size):
                ts = start + datetime.timedelta(seconds=span * n / total)
                n += 1
                points.append({"metric": "syscalls_by_id", "labels": {"program": "xbench", "syscall_id": str(k % 400)},
                               "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "value": float(n)})
            batches.append(points)
        per_device.append((device_id, token, batches))
    return per_device


async def ingest_run(host, port, per_device, tag):
    errors = []

    async def worker(token, bodies):
        conn = fb.Conn(host, port)
        await conn.open()
        accepted = 0
        for body in bodies:
            head = (f"POST /v1/executor/telemetry HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
            conn.writer.write(head.encode() + body)
            status, data = await conn.receive()
            if status != 200:
                errors.append(f"HTTP {status}: {data[:200]!r}")
                continue
            accepted += json.loads(data)["accepted"]
        conn.close()
        return accepted

    jobs = []
    for device_id, token, batches in per_device:
        bodies = [json.dumps({"batch_id": f"xbench-{tag}-{uuid.uuid4().hex}", "points": points}).encode() for points in batches]
        jobs.append((token, bodies))
    t0 = time.perf_counter()
    accepted = await asyncio.gather(*(worker(token, bodies) for token, bodies in jobs))
    return sum(accepted), time.perf_counter() - t0, errors


def ingest_phase(args, pg, tag):
    host, port = args.host, args.port
    admin = open(os.path.join(args.data_dir, "admin-token")).read().strip()
    devices = asyncio.run(enroll(host, port, admin, args.ingest_devices))
    per_device = make_points(devices, args.ingest_batches, args.batch_size)
    total = args.ingest_devices * args.ingest_batches * args.batch_size
    warm = make_points(devices, 1, args.batch_size)
    asyncio.run(ingest_run(host, port, warm, tag + "w"))   # auth cache and partition warm; not counted

    csv_path = os.path.join(args.work_dir, "telemetry.csv")
    with open(csv_path, "w", newline="") as f:
        writer = csv.writer(f)
        for device_id, _, batches in per_device:
            for points in batches:
                for p in points:
                    writer.writerow([device_id, p["metric"], json.dumps(p["labels"]), p["ts"], repr(p["value"])])

    def copy_run():
        pg.psql("fleet", "CHECKPOINT")
        fb.wait_for_quiet(limit=45)
        command = [pg.psql_bin, *pg.conn_args("fleet"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                   f"\\copy telemetry (device_id, metric, labels, ts, value) FROM '{csv_path}' WITH (FORMAT csv)"]
        t0 = time.perf_counter()
        _, sampler = fb.run_with_cpu(command, args.server_pid)
        return time.perf_counter() - t0, sampler

    copy1, copy1_cpu = copy_run()
    log(f"\\copy {total} rows: {copy1:.2f} s")
    pg.psql("fleet", "CHECKPOINT")
    fb.wait_for_quiet(limit=45)
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    with fb.CPUSampler(args.server_pid, os.getpid()) as api_cpu:
        accepted, api_seconds, errors = asyncio.run(ingest_run(host, port, per_device, tag))
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    log(f"API {accepted} points: {api_seconds:.2f} s, errors {len(errors)}")
    copy2, copy2_cpu = copy_run()
    log(f"\\copy {total} rows again: {copy2:.2f} s")
    partition = pg.psql("fleet", f"SELECT tableoid::regclass FROM telemetry WHERE ts = '{per_device[0][2][0][0]['ts']}' LIMIT 1") or "?"
    return {"total": total, "accepted": accepted, "api_seconds": api_seconds, "errors": errors, "api_cpu": api_cpu,
            "client_cpu": (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime),
            "copy": [copy1, copy2], "copy_cpu": [copy1_cpu, copy2_cpu], "partition": partition,
            "csv_mib": os.path.getsize(csv_path) / 1048576}


# --------------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--executor", default=os.path.join(ROOT, ".build/release/fleet-executor"))
    parser.add_argument("--static-executor", default=os.path.join(ROOT, ".build-static/release/fleet-executor"))
    parser.add_argument("--static-build-seconds", type=float, default=None)
    parser.add_argument("--static-build-failed", action="store_true",
                        help="the static build failed this run: no size figure, no static executor in phase 2")
    parser.add_argument("--stack-floor", default=None,
                        help="the stack-floor program (bench/stack-floor, built by run.sh): the reference for size and idle RSS")
    parser.add_argument("--stack-floor-build-seconds", type=float, default=None)
    parser.add_argument("--stack-floor-build-failed", action="store_true",
                        help="the stack-floor build failed this run: size and RSS are reported without their reference")
    parser.add_argument("--bpftool", default=shutil.which("bpftool") or "/usr/sbin/bpftool")
    parser.add_argument("--runs", type=int, default=10, help="measured loads per program and loader")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--idle-seconds", type=int, default=60)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds between the last load and the idle window")
    parser.add_argument("--ingest-devices", type=int, default=8)
    parser.add_argument("--ingest-batches", type=int, default=40, help="batches per device")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--skip", default="", help="comma-separated phases to skip: load,idle,size,ingest")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    base = f"http://{args.host}:{args.port}"
    if os.geteuid() != 0:
        print("executorbench: loading eBPF programs needs root", file=sys.stderr)
        return 1
    if args.static_build_failed:
        args.static_executor = None
    # Without the stack floor the bench still runs; the report says why the reference is missing.
    floor_missing = None
    if args.stack_floor_build_failed:
        floor_missing = "the stack-floor build failed this run (see the log above the reports)"
    elif not args.stack_floor:
        floor_missing = "no --stack-floor given"
    elif not os.access(args.stack_floor, os.X_OK):
        floor_missing = f"{args.stack_floor} is missing"
    if floor_missing:
        args.stack_floor = None
    for binary in (args.executor,) + ((args.static_executor,) if "size" not in skip and args.static_executor else ()):
        if not os.access(binary, os.X_OK):
            print(f"executorbench: {binary} is missing", file=sys.stderr)
            return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    stale = sweep_stale_pins()
    started = time.monotonic()
    report = fb.Report(args.out)
    R = report
    pg = fb.PG(args.data_dir)
    admin = open(os.path.join(args.data_dir, "admin-token")).read().strip()
    api = API(args.host, args.port, admin)
    tag = uuid.uuid4().hex[:6]
    pin_base = f"/sys/fs/bpf/xbench-{tag}"
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    bpftool_version = subprocess.run([args.bpftool, "version"], capture_output=True, text=True).stdout.replace("\n", "; ").strip("; ")
    executors, veth, floor = [], None, None
    loaded_names = []
    summary = []

    R("=" * 100)
    R("Fleet executor benchmark  " + time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    R("=" * 100)
    R(f"machine    nproc={os.cpu_count()}  cpu={cpu_model}  kernel={platform.release()}  (as root, real kernel)")
    R(f"executor   {os.path.relpath(args.executor, ROOT)} (release, dynamic Swift runtime) against the same fleet-server as above")
    R(f"bpftool    {bpftool_version}")
    if stale:
        R(f"clean-up   removed {len(stale)} pin directories an earlier, killed run left behind ({', '.join(sorted(stale)[:4])}{' ...' if len(stale) > 4 else ''})")
    if args.stack_floor:
        mine, theirs = resolved_versions(os.path.join(ROOT, "bench", "stack-floor")), resolved_versions(ROOT)
        fixed = ("swift-argument-parser", "swift-crypto", "swift-protobuf")
        versions = ", ".join(f"{p} {mine.get(p, '?')}" for p in fixed)
        differ = [p for p in sorted(set(mine) | set(theirs)) if mine.get(p) != theirs.get(p)]
        built = f", built in {args.stack_floor_build_seconds:.0f} s this run" if args.stack_floor_build_seconds is not None else ""
        R(f"floor      {os.path.relpath(args.stack_floor, ROOT)} (bench/stack-floor, --static-swift-stdlib like the static executor{built}):"
          f" {StackFloor.STACK}")
        R(f"           resolved {versions}; " + ("same versions as the executor's Package.resolved" if not differ else
          "DIFFERENT from the executor's Package.resolved: " + ", ".join(f"{p} {mine.get(p)} vs {theirs.get(p)}" for p in differ)))
    else:
        R(f"floor      MISSING: {floor_missing}; size and RSS below have no reference")
    R()
    try:
        enrollment = api.checked("POST", "/v1/enrollment-tokens", {"name": f"xbench-{tag}", "auto_approve": True})["token"]
        programs = {}
        need_programs = "load" not in skip or "idle" not in skip
        if need_programs:
            for prog in PROGRAMS:
                programs[prog] = upload_program(base, admin, f"xbench-{prog}", f"1.0.0-{tag}",
                                                os.path.join(ROOT, "bpf", "build", f"{prog}.bpf.o"),
                                                os.path.join(ROOT, "bpf", f"{prog}.manifest.json"))
            main_executor = Executor(args.executor, "dyn", args.work_dir, base, enrollment)
            executors.append(main_executor)
            main_executor.start()

        # ---- 1. load + attach
        if "load" not in skip:
            veth = Veth(tag)
            os.makedirs(pin_base, exist_ok=True)
            R(f"1. Load + attach time per bpf/ program, median of {args.runs} (after {args.warmup} warm-up), interleaved per iteration")
            results, autoattach, bpftool_start = load_phase(args, api, main_executor, programs, veth, tag, LibBPF(), pin_base)
            R(f"   figure     Fleet: program.load on the running executor, its result's load_ms + attach_ms"
              f" (open from bytes + load, then attach; no download, no pinning)")
            if autoattach:
                R(f"   reference  bpftool prog loadall OBJ /sys/fs/bpf/... autoattach (whole process: exec, load, pin, attach)")
            else:
                R(f"   reference  bpftool prog loadall OBJ /sys/fs/bpf/... : this bpftool has no 'autoattach', so the reference loads"
                  f" and pins but does NOT attach tracepoints (bpftool 7.1 cannot); for xdp_counter it is loadall + a second"
                  f" 'bpftool net attach xdp' process; whole processes (exec ~{bpftool_start * 1e3:.1f} ms for 'bpftool version')")
            R(f"   reference2 libbpf 1.x in-process via ctypes: bpf_object__open_file + __load, then bpf_program__attach(_xdp) per program"
              f" (exactly the work load_ms + attach_ms time)")
            R(f"   xdp_counter attaches to veth {veth.host} (mode auto: native XDP on veth) for all three")
            R(f"   {'program':<15} {'Fleet load+attach ms':>22} {'bpftool ms':>11} {'libbpf load+attach ms':>22}"
              f" {'vs bpftool':>10} {'vs libbpf':>9}  target <= 1.2x bpftool")
            worst = 0.0
            for prog in PROGRAMS:
                r = results[prog]
                fleet, tool, lib = median(r["fleet_total"]), median(r["bpftool"]), median(r["lib_total"])
                ratio, lratio = fleet / tool, fleet / lib
                worst = max(worst, ratio)
                R(f"   {prog:<15} {median(r['fleet_load']) * 1e3:7.1f} + {median(r['fleet_attach']) * 1e3:5.2f} = {fleet * 1e3:6.1f}"
                  f" {tool * 1e3:11.1f} {median(r['lib_load']) * 1e3:7.1f} + {median(r['lib_attach']) * 1e3:5.2f} = {lib * 1e3:6.1f}"
                  f" {ratio:9.2f}x {lratio:8.2f}x  {fb.verdict(ratio <= 1.2)}")
                summary.append((f"load+attach {prog} vs bpftool", f"{fleet * 1e3:.1f} / {tool * 1e3:.1f} ms", f"{ratio:.2f}x", "<= 1.2x", ratio <= 1.2))
            R(f"   spread     (min-max ms over the {args.runs} runs)")
            for prog in PROGRAMS:
                r = results[prog]
                R(f"              {prog:<15} Fleet {spread(r['fleet_total']):>12}   bpftool {spread(r['bpftool']):>12}   libbpf {spread(r['lib_total']):>12}"
                  f"   program.load command round trip p50 {median(r['fleet_roundtrip']) * 1e3:.0f} ms   [{r['attach_text']}]")
            R(f"   note       ratios vs bpftool compare an in-process figure with a process that also execs and pins and (7.1) attaches only XDP;"
              f" the libbpf column is the like-for-like one")
            R()

        # ---- 2. idle RSS and CPU
        if "idle" not in skip:
            R(f"2. Executor idle RSS and CPU over {args.idle_seconds} s, {len(IDLE_PROGRAMS)} programs loaded and exporting"
              f" ({', '.join(IDLE_PROGRAMS)}), telemetry interval 15 s (default)")
            fresh = Executor(args.executor, "dyn-fresh", args.work_dir, base, enrollment)
            executors.append(fresh)
            fresh.start()
            static = None
            if args.static_executor and os.access(args.static_executor, os.X_OK):
                static = Executor(args.static_executor, "static", args.work_dir, base, enrollment)
                executors.append(static)
                static.start()
            if args.stack_floor:
                # It sleeps past the window (loads, settle, the wait for a quiet machine, the window) and is stopped after it.
                try:
                    floor = StackFloor(args.stack_floor, args.work_dir, args.idle_seconds + args.settle + 60 + 300)
                except RuntimeError as error:
                    log(str(error))
                    floor_missing = "the stack floor did not start (see the log above the reports)"
            time.sleep(2)
            idle, names, seconds, machine, busy_before, forks = idle_phase(args, api, executors, programs, tag, pg, floor)
            if floor:
                floor.stop()
                if "floor" not in idle:
                    floor_missing = f"the stack floor exited during the window (status {floor.process.returncode})"
            loaded_names += names
            describe = {"dyn": "dynamic, the executor of phase 1 (after its load/unload cycles)",
                        "dyn-fresh": "dynamic, freshly started",
                        "static": "--static-swift-stdlib build (as the executor image ships), freshly started"}
            mib = lambda k: k / 1024.0
            f = idle.get("floor")
            if f:
                R(f"   reference  stack floor ({StackFloor.STACK}), started with the fresh executors and idle through the same window:")
                R(f"              VmRSS {mib(f['rss_min']):.1f}-{mib(f['rss_max']):.1f} MiB (end {mib(f['rss_end']):.1f}: anon {mib(f['anon']):.1f},"
                  f" file-backed {mib(f['file']):.1f}; VmHWM {mib(f['hwm']):.1f}; {f['threads']} thread{'s' if f['threads'] != 1 else ''})")
                R(f"              largest in RSS: " + ", ".join(f"{n} {k / 1024:.1f}" for n, k in f["maps"]) + " MiB")
                summary.append(("idle RSS stack floor (reference)", f"{mib(f['rss_max']):.1f} MiB", "", "", None))
            else:
                R(f"   reference  MISSING: {floor_missing}; figures against the targets only")
                summary.append(("idle RSS stack floor (reference)", "missing", "", "", None))
            R(f"   window     {seconds:.0f} s sampled every 1 s, {args.settle:.0f} s after the last load; machine busy {machine:.0f}% of"
              f" {100 * (os.cpu_count() or 1)}% during it (busy {busy_before:.0f}% just before); {forks} processes forked meanwhile (exec events)")
            for e in executors:
                d = idle[e.label]
                ok_rss, ok_cpu = mib(d["rss_max"]) <= 15.0, d["cpu_ticks_pct"] < 1.0
                R(f"   {e.label:<10} {describe[e.label]}")
                R(f"              VmRSS {mib(d['rss_min']):.1f}-{mib(d['rss_max']):.1f} MiB (end {mib(d['rss_end']):.1f}: anon {mib(d['anon']):.1f},"
                  f" file-backed {mib(d['file']):.1f}; VmHWM {mib(d['hwm']):.1f}; before the programs {mib(d['rss_before_programs']):.1f})"
                  f"   target <= 15 MB   {fb.verdict(ok_rss)}")
                R(f"              largest in RSS: " + ", ".join(f"{n} {k / 1024:.1f}" for n, k in d["maps"]) + " MiB")
                if f:
                    R(f"              vs floor   VmRSS max {d['rss_max'] / f['rss_max']:.2f}x, {mib(d['rss_max'] - f['rss_max']):+.1f} MiB"
                      f" (end: anon {mib(d['anon'] - f['anon']):+.1f}, file-backed {mib(d['file'] - f['file']):+.1f})")
                R(f"              CPU {d['cpu_ticks_pct']:.2f}% of a core (utime+stime; {d['cpu_sched_pct']:.2f}% by the threads' schedstat)"
                  f"   target < 1%   {fb.verdict(ok_cpu)}")
                R(f"              {d['threads']} threads; exported {d['points']} points of {d['metrics']} metrics at {d['stamps']} timestamps during the window")
                summary.append((f"idle RSS ({e.label})", f"{mib(d['rss_max']):.1f} MiB", "", "<= 15 MB", ok_rss))
                summary.append((f"idle CPU ({e.label})", f"{d['cpu_ticks_pct']:.2f}%", "", "< 1%", ok_cpu))
                if f:
                    summary.append((f"idle RSS ({e.label}) vs stack floor", f"{mib(d['rss_max']):.1f} / {mib(f['rss_max']):.1f} MiB"
                                    f" ({mib(d['rss_max'] - f['rss_max']):+.1f})", f"{d['rss_max'] / f['rss_max']:.2f}x", "", None))
            R(f"   note       MB is read as MiB (VmRSS is in KiB); the BPF programs themselves run in the traced processes' context"
              f" and are not in the executor's CPU")
            if f and static:
                R(f"   note       the floor is linked like 'static' (--static-swift-stdlib), so that row is the like-for-like one; the"
                  f" dynamic executors also map the toolchain's Swift runtime libraries")
            if machine > fb.OTHER_WARN:
                fb.INTERFERENCE.append(machine)
                R(f"   WARNING    the machine was {machine:.0f}% busy during the window: exec events and syscalls of other work feed the programs")
            # Unload and stop: the ingest phase measures the server alone.
            for e, name in loaded_names:
                api.run_command(e.device_id, "program.unload", {"name": name})
            loaded_names = []
            R()

        for e in executors:
            e.stop()

        # ---- 3. binary size
        mb = lambda b: b / 1e6
        fs = floor_size(args, args.work_dir) if "size" not in skip and args.stack_floor else None

        def floor_size_lines():
            if fs is None:
                R(f"   reference  MISSING: {floor_missing}")
                summary.append(("stack floor stripped (reference)", "missing", "", "", None))
                return
            icu = f", ICU data {mb(fs['icu']):.1f} MB" if fs["icu"] else ""
            R(f"   reference  stack floor ({StackFloor.STACK}): {mb(fs['stripped']):.1f} MB stripped"
              f" ({mb(fs['raw']):.1f} MB unstripped{icu})")
            over = fs["stripped"] > 12e6
            room = "" if over else f", leaving {mb(12e6 - fs['stripped']):.1f} MB for Fleet"
            R(f"              the floor alone {'already exceeds' if over else 'is within'} the 12 MB target ({mb(fs['stripped']):.1f} MB{room})")
            summary.append(("stack floor stripped (reference)", f"{mb(fs['stripped']):.1f} MB", "", "", None))

        if "size" not in skip and not args.static_executor:
            R("3. Executor binary size: NOT MEASURED, the --static-swift-stdlib build failed this run (see the log above the reports)")
            floor_size_lines()
            summary.append(("static stripped executor", "build failed", "", "<= 12 MB", False))
            R()
        elif "size" not in skip:
            R("3. Executor binary size (stripped copies; the build products are left untouched)")
            s = size_phase(args, args.work_dir)
            ok = s["static_stripped"] <= 12e6
            floor_size_lines()
            built = f", built in {args.static_build_seconds:.0f} s this run" if args.static_build_seconds is not None else ""
            R(f"   figure     swift build -c release --static-swift-stdlib --product fleet-executor (scratch .build-static{built}):"
              f" {mb(s['static_raw']):.1f} MB, stripped {mb(s['static_stripped']):.1f} MB ({s['static_stripped'] / 1048576:.1f} MiB)")
            R(f"   of which   ICU data (icudt*_dat, from Foundation's internationalisation) {mb(s['static_icu']):.1f} MB;"
              f" without it ~{mb(s['static_stripped'] - s['static_icu']):.1f} MB")
            R(f"   still      dynamic system libraries: {', '.join(s['static_needed'][:6])}{' ...' if len(s['static_needed']) > 6 else ''}"
              f" ({len(s['static_needed'])} in all, via libcurl and libbpf)")
            R(f"   compare    dynamic release build: {mb(s['dynamic_raw']):.1f} MB, stripped {mb(s['dynamic_stripped']):.1f} MB, plus"
              f" {s['swift_libs']} Swift runtime libraries of {mb(s['swift_libs_bytes']):.1f} MB it loads from the toolchain")
            if fs:
                share = s["static_stripped"] - fs["stripped"]
                icu = f" (ICU {mb(s['static_icu'] - fs['icu']):+.1f})" if s["static_icu"] or fs["icu"] else ""
                R(f"   vs floor   {s['static_stripped'] / fs['stripped']:.2f}x the stack floor; Fleet's own share: executor - floor ="
                  f" {mb(share):+.1f} MB{icu}")
            R(f"   target     static stripped <= 12 MB   {fb.verdict(ok)}")
            summary.append(("static stripped executor", f"{mb(s['static_stripped']):.1f} MB (ICU {mb(s['static_icu']):.1f})", "", "<= 12 MB", ok))
            if fs:
                summary.append(("static executor vs stack floor", f"{mb(s['static_stripped']):.1f} / {mb(fs['stripped']):.1f} MB"
                                f" ({mb(share):+.1f})", f"{s['static_stripped'] / fs['stripped']:.2f}x", "", None))
            R()

        # ---- 4. telemetry ingest
        if "ingest" not in skip:
            total = args.ingest_devices * args.ingest_batches * args.batch_size
            R(f"4. Telemetry ingest: {total} points, POST /v1/executor/telemetry vs psql \\copy of the same rows")
            t = ingest_phase(args, pg, tag)
            api_rate = t["accepted"] / t["api_seconds"]
            copy_rates = [t["total"] / c for c in t["copy"]]
            ref = statistics.mean(copy_rates)
            ratio = api_rate / ref
            ok = ratio >= 0.5 and not t["errors"] and t["accepted"] == t["total"]
            R(f"   reference  psql \\copy telemetry FROM csv ({t['csv_mib']:.1f} MiB, one transaction, into {t['partition']}),"
              f" before and after the figure: {copy_rates[0]:,.0f} and {copy_rates[1]:,.0f} points/s, mean {ref:,.0f}")
            R(f"              {t['copy_cpu'][0].describe('psql')}")
            R(f"   figure     {args.ingest_devices} device tokens x {args.ingest_batches} batches of {args.batch_size} points, one connection"
              f" per device, one request in flight each: {api_rate:,.0f} points/s ({t['api_seconds']:.2f} s,"
              f" {t['accepted']}/{t['total']} accepted, errors {len(t['errors'])}{': ' + t['errors'][0] if t['errors'] else ''})")
            t["api_cpu"].percent["client"] = 100.0 * t["client_cpu"] / t["api_cpu"].seconds
            R(f"              {t['api_cpu'].describe('client (python)')}")
            R(f"   ratio      {ratio:.2f}x   target >= 0.5x   {fb.verdict(ok)}")
            R(f"   note       same rows, same table and day partition and indexes; the API also claims one telemetry_batches row per batch"
              f" and commits per batch (synchronous_commit as configured), COPY commits once")
            summary.append(("telemetry points/s vs \\copy", f"{api_rate:,.0f} / {ref:,.0f}", f"{ratio:.2f}x", ">= 0.5x", ok))
            R()
    except BaseException:
        for e in executors:
            log(f"fleet-executor {e.label} (pid {e.pid}, exit status {e.process.poll() if e.process else None}), last lines of its log:")
            for line in e.output().splitlines()[-15:]:
                log("  " + line[:300])
        raise
    finally:
        for e, name in loaded_names:
            try:
                api.run_command(e.device_id, "program.unload", {"name": name}, timeout=15)
            except Exception as error:  # noqa: BLE001  (clean-up goes on)
                log(f"clean-up: unloading {name}: {error}")
        if floor:
            floor.stop()
        for e in executors:
            e.stop()
        for entry in (os.listdir("/sys/fs/bpf/fleet") if os.path.isdir("/sys/fs/bpf/fleet") else []):
            if entry.startswith(f"xbench-{tag}-"):
                remove_tree(os.path.join("/sys/fs/bpf/fleet", entry))
        remove_tree(pin_base)
        if veth:
            veth.remove()
        problems = []
        for e in executors:
            for line in e.output().splitlines():
                if re.search(r"error|fatal|cannot", line, re.I):
                    problems.append(f"{e.label}: {line.strip()}")
        if problems:
            log(f"the executors logged {len(problems)} problem line(s); first ones:")
            for line in problems[:10]:
                log("  " + line[:300])

    R("Summary")
    for name, value, ratio, target, ok in summary:
        R(f"   {name:<42} {value:<28} {ratio:>7}  " + (f"target {target:<10} {'' if ok is None else fb.verdict(ok)}" if target else "info").rstrip())
    if fb.INTERFERENCE:
        R(f"   WARNING: {len(fb.INTERFERENCE)} measurement(s) shared the machine with other work (up to {max(fb.INTERFERENCE):.0f}% of a core);"
          " rerun on an idle machine before trusting them")
    R(f"   total executor bench time {time.monotonic() - started:.0f} s")
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
