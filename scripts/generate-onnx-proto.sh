#!/bin/sh
# Regenerates Sources/FleetInference/Proto/onnx.pb.swift from Debian's onnx.proto (libonnx-dev).
#
# protoc comes from Debian's protobuf-compiler; protoc-gen-swift is built from the swift-protobuf
# package the manifest resolves, so the generated code always matches the runtime it links against.
# The messages are generated with internal visibility: no protobuf type is part of FleetInference's API.
#
# Usage: scripts/generate-onnx-proto.sh [path/to/onnx.proto]
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
proto=${1:-/usr/include/onnx/onnx.proto}
scratch="$root/.build-protoc"
out="$root/Sources/FleetInference/Proto"

command -v protoc >/dev/null || { echo "protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
[ -f "$proto" ] || { echo "$proto not found (apt-get install libonnx-dev)" >&2; exit 1; }

# The swift-protobuf version the package resolved, from Package.resolved when present.
version=$(sed -n '/"identity" : "swift-protobuf"/,/}/s/.*"version" : "\([^"]*\)".*/\1/p' "$root/Package.resolved" 2>/dev/null | head -n 1)
version=${version:-1.39.0}
source_dir="$scratch/swift-protobuf"
if [ ! -d "$source_dir" ]; then
    # Prefer a checkout SwiftPM already made (works offline); otherwise clone the tag.
    checkout=$(ls -d "$root"/.build*/checkouts/swift-protobuf 2>/dev/null | head -n 1)
    if [ -n "$checkout" ]; then
        git clone --quiet "$checkout" "$source_dir"
        git -C "$source_dir" checkout --quiet "$version"
    else
        url=${SWIFT_PROTOBUF_URL:-https://github.com/apple/swift-protobuf.git}
        git clone --quiet --depth 1 --branch "$version" "$url" "$source_dir"
    fi
fi
(cd "$source_dir" && swift build --product protoc-gen-swift --scratch-path "$scratch/scratch")
plugin="$scratch/scratch/debug/protoc-gen-swift"

mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$(dirname "$proto")" \
    --swift_opt=Visibility=Internal \
    --swift_opt=FileNaming=DropPath \
    --swift_out="$out" \
    "$(basename "$proto")"
echo "wrote $out/onnx.pb.swift (swift-protobuf $version)"
