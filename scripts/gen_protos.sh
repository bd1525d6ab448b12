#!/usr/bin/env bash
# Regenerates the Python code of the store's protobuf API into OUT (default: protos/, beside the
# .proto files, so generated modules import as plant.store.v1.*).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-protos}"
py="${PYTHON:-.venv/bin/python}"
bin="$(dirname "$py")"
mkdir -p "$out"
rm -f "$out"/plant/store/v1/*_pb2*.py "$out"/plant/store/v1/*_pb2*.pyi
"$py" -m grpc_tools.protoc -I protos \
  --python_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-mypy="$bin/protoc-gen-mypy" --mypy_out="$out" \
  --plugin=protoc-gen-mypy_grpc="$bin/protoc-gen-mypy_grpc" --mypy_grpc_out="$out" \
  protos/plant/store/v1/*.proto
