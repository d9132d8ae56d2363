#!/usr/bin/env python3
"""Runs the shell blocks of README.md as written, against a real fleet-server and executor.

Every ```sh block is run in README order, except the Quickstart block (its two commands are the
ones this harness stands in for: it starts the server exactly as `make run` does) and blocks that
follow an `<!-- readme-test: skip (reason) -->` comment. The blocks of one `##` section run in one
bash shell with `set -Eeuo pipefail`, so a failing command fails the test; the section's block, the
failing line and the output are printed.

Isolation: everything runs in new network, mount and PID namespaces (loopback only, so port 8080
and the embedded PostgreSQL never meet a developer's own `make run`), in a scratch copy of the
repository's files with `.build` linked in, with tmpfs over /var/lib/fleet-executor and a private
bpffs on /sys/fs/bpf. Background processes a block starts die with the PID namespace. Afterwards
the scratch copy must hold no new files outside `.fleet/` and `bpf/build/` and no changed ones.

Usage: python3 Tests/readme/run.py [--keep] [--verbose] [--readme PATH]
Needs root (namespaces, eBPF) and the debug binaries (`swift build`).
"""

import argparse
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARIES = ["fleet-server", "fleet-executor", "fleetctl"]
SERVER_ARGS = ["serve", "--data-dir", ".fleet", "--listen", "127.0.0.1:8080"]  # as `make run`
SERVER_URL = "http://127.0.0.1:8080"
QUICKSTART = {"make run", "make test"}
RUNNABLE = {"sh", "bash", "shell"}
SKIP_MARK = re.compile(r"<!--\s*readme-test:\s*skip\s*(?:\((.*)\))?\s*-->")
# Files a README section may leave in the repository: the server's data and the eBPF build.
ALLOWED_NEW = (".fleet/", "bpf/build/")
SECTION_TIMEOUT = int(os.environ.get("READMETEST_SECTION_TIMEOUT", "300"))


class Block:
    def __init__(self, section, line, text):
        self.section, self.line, self.text = section, line, text


def parse_readme(path):
    """Returns (runnable blocks, [(skipped block, reason)]) in README order."""
    blocks, skipped = [], []
    section, skip_reason, fence = "", None, None
    for number, line in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
        if fence is not None:
            marker, language, start, body = fence
            if line.strip() != marker:
                body.append(line)
                continue
            if language in RUNNABLE:
                block = Block(section, start, "\n".join(body))
                if skip_reason is None:
                    blocks.append(block)
                else:
                    skipped.append((block, skip_reason))
            fence, skip_reason = None, None
            continue
        heading = re.match(r"^##\s+(.*)", line)
        if heading:
            section = heading.group(1).strip()
        mark = SKIP_MARK.search(line)
        opening = re.match(r"^(```+|~~~+)\s*([\w-]*)", line)
        if mark:
            skip_reason = (mark.group(1) or "").strip() or "marked"
        elif opening:
            fence = (opening.group(1), opening.group(2).lower(), number + 1, [])
        elif line.strip():
            skip_reason = None  # the mark applies only to the block right after it
    if fence is not None:
        sys.exit(f"{path}:{fence[2] - 1}: unclosed code block")
    return blocks, skipped


def command_lines(text):
    return [l.split("#", 1)[0].strip() for l in text.split("\n") if l.split("#", 1)[0].strip()]


def check_quickstart(blocks):
    quick = [b for b in blocks if b.section == "Quickstart"]
    if len(quick) != 1 or set(command_lines(quick[0].text)) != QUICKSTART or len(command_lines(quick[0].text)) != 2:
        sys.exit("README.md: the Quickstart must hold exactly one shell block with `make run` and `make test`; "
                 "other commands belong in a section of their own, where this test runs them")
    return [b for b in blocks if b.section != "Quickstart"]


def sections_of(blocks):
    ordered = []
    for block in blocks:
        if not ordered or ordered[-1][0] != block.section:
            ordered.append((block.section, []))
        ordered[-1][1].append(block)
    return ordered


PRELUDE = """\
set -Eeuo pipefail
exec 9>>"$READMETEST_TRACE"
BASH_XTRACEFD=9
PS4='+${LINENO}: '
trap 'status=$?; { set +x; } 9>/dev/null; [ -s "$READMETEST_FAILURE" ] || echo "$LINENO $status" > "$READMETEST_FAILURE"' ERR
set -x
"""


def section_script(blocks):
    """The section's bash script and, per script line, the README line it came from."""
    lines, origin = PRELUDE.rstrip("\n").split("\n"), {}
    for block in blocks:
        lines.append(f": README.md line {block.line}")
        for offset, text in enumerate(block.text.split("\n")):
            lines.append(text)
            origin[len(lines)] = block.line + offset
    return "\n".join(lines) + "\n", origin


def show_failure(title, blocks, readme_line, log_path, trace_path):
    print(f"\nFAILED: README.md section '{title}'" + (f", line {readme_line}" if readme_line else ""))
    for block in blocks:
        print(f"--- README.md line {block.line} ---")
        for offset, text in enumerate(block.text.split("\n")):
            mark = ">>" if block.line + offset == readme_line else "  "
            print(f"{mark} {block.line + offset:4d}  {text}")
    output = open(log_path, errors="replace").read()
    print("--- output (last 6000 characters) ---")
    print(output[-6000:])
    trace = open(trace_path, errors="replace").read().split("\n")
    print("--- last traced commands ---")
    print("\n".join(trace[-15:]))


def fingerprint(root):
    files = {}
    for directory, dirs, names in os.walk(root):
        relative = os.path.relpath(directory, root)
        if relative == ".":
            dirs[:] = [d for d in dirs if d != ".build"]
        for name in names + [d for d in dirs if os.path.islink(os.path.join(directory, d))]:
            path = os.path.join(directory, name)
            key = os.path.normpath(os.path.join(relative, name))
            if os.path.islink(path):
                files[key] = "link:" + os.readlink(path)
            elif os.path.isfile(path):
                files[key] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return files


def repository_files(source):
    """The files a checkout holds: git's tracked and untracked-but-not-ignored ones, else all but build output."""
    listing = subprocess.run(["git", "-C", source, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True)
    if listing.returncode == 0:
        return [name for name in listing.stdout.decode().split("\0") if name]
    names = []
    for directory, dirs, files in os.walk(source):
        relative = os.path.relpath(directory, source)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(relative, d)) not in (".build", ".fleet", ".git", "bpf/build")]
        names += [os.path.normpath(os.path.join(relative, f)) for f in files]
    return names


def copy_repository(source, destination):
    listed = repository_files(source)
    for name in listed:
        origin = os.path.join(source, name)
        if not os.path.lexists(origin):
            continue  # deleted in the working tree
        target = os.path.join(destination, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(origin):
            os.symlink(os.readlink(origin), target)
        else:
            shutil.copy2(origin, target)
    os.symlink(os.path.join(source, ".build"), os.path.join(destination, ".build"))


def mount(*args):
    subprocess.run(["mount", *args], check=True)


def wait_ready(server, log_path, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"fleet-server exited with status {server.returncode}:\n{open(log_path).read()[-4000:]}")
        try:
            with urllib.request.urlopen(SERVER_URL + "/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"fleet-server not ready after {timeout} s:\n{open(log_path).read()[-4000:]}")


def parents():
    """Every process of the namespace and its parent."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            table[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return table


def others(keep):
    """The processes of the namespace but ours and the trees under `keep`."""
    table, spared = parents(), {os.getpid(), *keep}
    grew = True
    while grew:
        grew = False
        for pid, parent in table.items():
            if parent in spared - {os.getpid()} and pid not in spared:
                spared.add(pid)
                grew = True
    return [pid for pid in table if pid not in spared]


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def stop_others(keep, grace, sign=signal.SIGTERM):
    """`sign` to every process of the namespace but ours and the trees under `keep`; True when all ended within `grace` s."""
    for pid in others(keep):
        try:
            os.kill(pid, sign)
        except ProcessLookupError:
            pass
    deadline = time.time() + grace
    while True:
        reap()
        if not others(keep):
            return True
        if time.time() > deadline:
            return False
        time.sleep(0.1)


def inner(args):
    """In the new namespaces: set up, start the server, run the sections, check the scratch copy."""
    scratch = args.scratch
    repo_copy, tmp, home, logs = (os.path.join(scratch, d) for d in ("repo", "tmp", "home", "logs"))
    for directory in (repo_copy, tmp, home, logs):
        os.makedirs(directory, exist_ok=True)
    os.chmod(tmp, 0o1777)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    mount("--make-rprivate", "/")
    for directory in ("/var/lib/fleet-executor", "/var/lib/fleet"):
        os.makedirs(directory, exist_ok=True)
        mount("-t", "tmpfs", "tmpfs", directory)
    mount("-t", "bpf", "bpf", "/sys/fs/bpf")

    copy_repository(REPO, repo_copy)
    blocks, skipped = parse_readme(args.readme)
    blocks = check_quickstart(blocks)
    before = fingerprint(repo_copy)

    environment = dict(os.environ)
    environment.update({
        "PATH": os.path.join(repo_copy, ".build", "debug") + ":" + environment.get("PATH", "/usr/bin:/bin"),
        "HOME": home, "TMPDIR": tmp, "TERM": "dumb",
    })
    for name in ("FLEET_SERVER", "FLEET_TOKEN", "DATABASE_URL", "XDG_CONFIG_HOME"):
        environment.pop(name, None)

    server_log = os.path.join(logs, "fleet-server.log")
    started = time.time()
    server = subprocess.Popen([os.path.join(repo_copy, ".build", "debug", "fleet-server"), *SERVER_ARGS],
                              cwd=repo_copy, env=environment, stdin=subprocess.DEVNULL,
                              stdout=open(server_log, "w"), stderr=subprocess.STDOUT)
    wait_ready(server, server_log)
    print(f"fleet-server ready on {SERVER_URL} ({time.time() - started:.1f} s)", flush=True)

    failed = False
    for index, (title, section_blocks) in enumerate(sections_of(blocks), 1):
        stem = os.path.join(logs, f"{index:02d}")
        script, origin = section_script(section_blocks)
        open(stem + ".sh", "w").write(script)
        for suffix in (".log", ".trace", ".failure"):
            open(stem + suffix, "w").close()
        environment.update({"READMETEST_TRACE": stem + ".trace", "READMETEST_FAILURE": stem + ".failure"})
        started = time.time()
        with open(stem + ".log", "w") as log:
            process = subprocess.Popen(["bash", "--noprofile", "--norc", stem + ".sh"], cwd=repo_copy, env=environment,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            try:
                status = process.wait(timeout=SECTION_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                status = None
        elapsed = time.time() - started
        if status == 0:
            print(f"ok   {title} ({len(section_blocks)} block{'s' if len(section_blocks) > 1 else ''}, {elapsed:.1f} s)", flush=True)
            if args.verbose:
                print(open(stem + ".log", errors="replace").read())
            continue
        failure = open(stem + ".failure").read().split()
        readme_line = origin.get(int(failure[0])) if failure else None
        if status is None:
            print(f"FAIL {title}: still running after {SECTION_TIMEOUT} s")
            trace = [l for l in open(stem + ".trace", errors="replace").read().split("\n") if l.startswith("+")]
            if trace:
                number = re.match(r"\++(\d+):", trace[-1])
                readme_line = origin.get(int(number.group(1))) if number else None
        else:
            print(f"FAIL {title}: exit status {status}" + (f" (command status {failure[1]})" if len(failure) > 1 else ""))
        show_failure(title, section_blocks, readme_line, stem + ".log", stem + ".trace")
        failed = True
        break

    if not failed:
        after = fingerprint(repo_copy)
        new = sorted(f for f in after.keys() - before.keys() if not f.startswith(ALLOWED_NEW))
        changed = sorted(f for f in before.keys() & after.keys() if before[f] != after[f])
        gone = sorted(before.keys() - after.keys())
        for label, names in (("left behind", new), ("changed", changed), ("removed", gone)):
            if names:
                print(f"FAIL the README's commands {label} files in the repository: {', '.join(names)}")
                failed = True
        for block, reason in skipped:
            print(f"skip README.md line {block.line} ({block.section}): {reason}")

    # The executor stops once its long-poll returns, which the server's own stop answers at once.
    started = time.time()
    stop_others(keep=[server.pid], grace=2)
    server.send_signal(signal.SIGTERM)
    try:
        status = server.wait(timeout=60)
        if status != 0 and not failed:
            print(f"FAIL fleet-server exited with status {status} on SIGTERM:\n{open(server_log).read()[-3000:]}")
            failed = True
    except subprocess.TimeoutExpired:
        print("FAIL fleet-server did not stop within 60 s of SIGTERM")
        failed = True
    if not stop_others(keep=[], grace=10):
        stop_others(keep=[], grace=5, sign=signal.SIGKILL)
    print(f"stopped the executor and fleet-server ({time.time() - started:.1f} s)")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readme", default=os.path.join(REPO, "README.md"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (also kept on failure)")
    parser.add_argument("--verbose", action="store_true", help="print every section's output")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.readme = os.path.abspath(args.readme)
    if args.inner:
        sys.exit(inner(args))

    if os.geteuid() != 0:
        print("readme-test: SKIPPED, needs root (network, mount and PID namespaces, eBPF); run `sudo make readme-test`")
        return 0
    missing = [b for b in BINARIES if not os.access(os.path.join(REPO, ".build", "debug", b), os.X_OK)]
    if missing:
        sys.exit(f"readme-test: {', '.join(missing)} not built; run `swift build` first")
    scratch = tempfile.mkdtemp(prefix="fleet-readme-")
    os.chmod(scratch, 0o755)  # the embedded PostgreSQL runs as user postgres and must reach .fleet/
    started = time.time()
    status = subprocess.run(["unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc", "--kill-child", "--",
                             sys.executable, os.path.abspath(__file__), "--inner", "--scratch", scratch,
                             "--readme", args.readme] + (["--verbose"] if args.verbose else [])).returncode
    print(f"readme-test: {'passed' if status == 0 else 'FAILED'} in {time.time() - started:.0f} s")
    if status == 0 and not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        print(f"readme-test: scratch directory kept: {scratch} (logs in {scratch}/logs)")
    return status


if __name__ == "__main__":
    sys.exit(main())
