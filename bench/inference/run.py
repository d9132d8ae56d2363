#!/usr/bin/env python3
"""Inference benchmark: FleetInference against onnxruntime on the same models and inputs.

    python3 bench/inference/run.py [--runs 2000] [--fleet-executor PATH] [--out results.json]

Builds the models with models.py (MLP 64-256-256-10, small CNN on 1x28x28, int8 MLP), then for each
model measures, in separate processes run one after the other:
  * onnxruntime, CPU provider, intra_op_num_threads=1, inter_op_num_threads=1, sequential;
  * FleetInference through `fleet-executor infer MODEL --input NAME=@FILE.json --repeat N`
    (release build), which prints {"latency_ms": {"median", "p99", ...}}; other commands given
    with --fleet-command may print {"latency": {"median_us", "p99_us"}} or a list "latencies_us".
Latency per inference: median and p99 over --runs single-threaded runs after a warm-up. onnxruntime is
timed around session.run from Python; what that call costs alone (an Identity model timed the same way)
is measured in the same run and each ratio is also shown against onnxruntime less that overhead. Peak RSS is
the child process's maximum resident set (wait4). Targets: latency <= 1.5x onnxruntime on the MLP and
the int8 MLP, <= 2x on the CNN; peak RSS below onnxruntime's.
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGETS = {"mlp": 1.5, "mlp_int8": 1.5, "cnn": 2.0}


def measure_child(command):
    """Runs `command`, returns (stdout text, peak RSS MiB). Raises RuntimeError on failure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited {process.returncode}: {stderr.strip()[-2000:]}")
    return stdout, usage.ru_maxrss / 1024


def onnxruntime_child(model, inputs_dir, runs):
    """In a child process: time onnxruntime on one model and print the latency JSON."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    feeds = {}
    index = 0
    while os.path.exists(os.path.join(inputs_dir, f"input_{index}.pb")):
        tensor = onnx.TensorProto()
        with open(os.path.join(inputs_dir, f"input_{index}.pb"), "rb") as f:
            tensor.ParseFromString(f.read())
        feeds[tensor.name] = numpy_helper.to_array(tensor)
        index += 1
    for _ in range(min(200, runs)):
        session.run(None, feeds)
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        session.run(None, feeds)
        samples.append((time.perf_counter_ns() - start) / 1000)
    samples.sort()
    print(json.dumps({"latency": {"median_us": samples[len(samples) // 2],
                                  "p99_us": samples[min(len(samples) - 1, len(samples) * 99 // 100)],
                                  "runs": runs}}))


def identity_model(path):
    """A one-node Identity model on a 1x64 float tensor: what onnxruntime's call from Python costs alone."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper, TensorProto

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "identity",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), os.path.join(path, "identity.onnx"))
    os.makedirs(os.path.join(path, "identity"), exist_ok=True)
    tensor = numpy_helper.from_array(np.zeros((1, 64), np.float32), "x")
    with open(os.path.join(path, "identity", "input_0.pb"), "wb") as f:
        f.write(tensor.SerializeToString())


def latency_from(output):
    """The latency summary from a runner's JSON output (the last JSON object printed)."""
    text = output.strip()
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:  # Anything printed before: the document is the last line.
            document = json.loads(text.splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            raise RuntimeError(f"no JSON document in output: {text[-500:]}") from None
    latency_ms = document.get("latency_ms")
    if isinstance(latency_ms, dict) and "median" in latency_ms:  # fleet-executor infer --repeat
        return {"median_us": latency_ms["median"] * 1000, "p99_us": latency_ms["p99"] * 1000,
                "runs": latency_ms.get("runs")}
    if "latencies_us" in document:
        samples = sorted(document["latencies_us"])
        return {"median_us": samples[len(samples) // 2], "p99_us": samples[len(samples) * 99 // 100], "runs": len(samples)}
    if isinstance(document.get("latency_ms"), dict):
        summary = document["latency_ms"]
        return {"median_us": summary["median"] * 1000, "p99_us": summary["p99"] * 1000, "runs": summary.get("runs")}
    latency = document.get("latency") or document.get("latency_us")
    if not isinstance(latency, dict) or "median_us" not in latency:
        raise RuntimeError(f"output has no latency summary: {text[-500:]}")
    return latency


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2000, help="timed runs per model (at least 1000)")
    parser.add_argument("--fleet-executor", default=os.path.join(ROOT, ".build/release/fleet-executor"),
                        help="release fleet-executor binary")
    parser.add_argument("--fleet-command", help="command template instead of fleet-executor, with {model}, "
                        "{input_name}, {input_json}, {runs}; must print the same latency JSON")
    parser.add_argument("--models", nargs="*", default=list(TARGETS), help="models to run")
    parser.add_argument("--out", help="also write the results as JSON here")
    parser.add_argument("--onnxruntime-child", nargs=3, metavar=("MODEL", "INPUTS", "RUNS"), help=argparse.SUPPRESS)
    parser.add_argument("--identity-model", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.identity_model:
        identity_model(args.identity_model)
        return 0
    if args.onnxruntime_child:
        onnxruntime_child(args.onnxruntime_child[0], args.onnxruntime_child[1], int(args.onnxruntime_child[2]))
        return
    if args.runs < 1000:
        parser.error("--runs must be at least 1000")

    workdir = tempfile.mkdtemp(prefix="fleet-inference-bench-")
    try:
        subprocess.run([sys.executable, os.path.join(HERE, "models.py"), "--out", workdir], check=True)
        with open(os.path.join(workdir, "manifest.json")) as f:
            manifest = {entry["name"]: entry for entry in json.load(f)}
        results = []
        # The ratios are against onnxruntime as Python calls it; its call overhead is shown beside them.
        # Built in a child: importing onnx here would grow this process, and a forked child's peak RSS
        # starts at its parent's.
        subprocess.run([sys.executable, os.path.abspath(__file__), "--identity-model", workdir], check=True)
        out, _ = measure_child([sys.executable, os.path.abspath(__file__), "--onnxruntime-child",
                                os.path.join(workdir, "identity.onnx"), os.path.join(workdir, "identity"), str(args.runs)])
        overhead_us = latency_from(out)["median_us"]
        load_before = os.getloadavg()[0]
        print(f"{'model':<10} {'runtime':<15} {'median us':>10} {'p99 us':>10} {'peak RSS MiB':>13}")
        for name in args.models:
            entry = manifest[name]
            model = os.path.join(workdir, f"{name}.onnx")
            inputs_dir = os.path.join(workdir, name)
            input_name = entry["inputs"][0]
            input_json = os.path.join(inputs_dir, f"{input_name}.json")
            row = {"model": name, "target_ratio": TARGETS.get(name)}
            out, rss = measure_child([sys.executable, os.path.abspath(__file__), "--onnxruntime-child", model,
                                      inputs_dir, str(args.runs)])
            row["onnxruntime"] = dict(latency_from(out), peak_rss_mib=round(rss, 1))
            if args.fleet_command:
                command = shlex.split(args.fleet_command.format(model=model, input_name=input_name,
                                                                input_json=input_json, runs=args.runs))
            else:
                command = [args.fleet_executor, "infer", model, "--input", f"{input_name}=@{input_json}",
                           "--repeat", str(args.runs)]
            try:
                out, rss = measure_child(command)
                row["fleet"] = dict(latency_from(out), peak_rss_mib=round(rss, 1))
            except (OSError, RuntimeError) as error:
                row["fleet_error"] = str(error)
            for runtime in ("onnxruntime", "fleet"):
                if runtime in row:
                    r = row[runtime]
                    print(f"{name:<10} {runtime:<15} {r['median_us']:>10.1f} {r['p99_us']:>10.1f} {r['peak_rss_mib']:>13.1f}")
            if "fleet" in row:
                ratio = row["fleet"]["median_us"] / row["onnxruntime"]["median_us"]
                rss_ok = row["fleet"]["peak_rss_mib"] < row["onnxruntime"]["peak_rss_mib"]
                row["ratio"] = round(ratio, 2)
                row["latency"] = "PASS" if ratio <= row["target_ratio"] else "MISS"
                row["rss"] = "PASS" if rss_ok else "MISS"
                print(f"{name:<10} ratio {ratio:.2f}x (target <= {row['target_ratio']}x): {row['latency']}; "
                      f"peak RSS below onnxruntime's: {row['rss']}")
                inner = row["onnxruntime"]["median_us"] - overhead_us
                if inner > 0:
                    row["ratio_without_call_overhead"] = round(row["fleet"]["median_us"] / inner, 2)
                    print(f"{name:<10} (against onnxruntime less its {overhead_us:.1f} us Python call overhead: "
                          f"{row['ratio_without_call_overhead']:.2f}x)")
            else:
                row["latency"] = row["rss"] = "MISS"
                print(f"{name:<10} FleetInference not measured: {row['fleet_error']}")
            results.append(row)
        # Timings are single-threaded: other work on a small machine shows in them. Say how busy it was.
        print(f"machine    {os.cpu_count()} CPUs, 1-minute load average {load_before:.2f} before, "
              f"{os.getloadavg()[0]:.2f} after (above about {max(0, os.cpu_count() - 1)} other work competes with the timings)")
        if args.out:
            with open(args.out, "w") as f:
                json.dump(results, f, indent=1)
        # A missed target is a result, reported above; only a model that could not be measured fails the run.
        return 0 if all("fleet" in r for r in results) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
