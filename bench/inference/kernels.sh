#!/usr/bin/env bash
# Times FleetKernels (release, whole-module) on the benchmark models' layer shapes next to numpy and
# onnxruntime (one thread) on the same shapes. Extra arguments go to swiftc, e.g. -Xcc -march=x86-64-v3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
swiftc -O -wmo -parse-as-library -module-name FleetKernels -emit-module -emit-module-path "$out/FleetKernels.swiftmodule" \
    -emit-library -static -o "$out/libFleetKernels.a" "$@" "$root"/Sources/FleetKernels/*.swift
swiftc -O -wmo -I "$out" -L "$out" -lFleetKernels "$@" "$here/KernelBench.swift" -o "$out/kernel-bench"
echo "== FleetKernels"
"$out/kernel-bench"
echo "== numpy / onnxruntime (1 thread)"
python3 "$here/kernels_reference.py"
