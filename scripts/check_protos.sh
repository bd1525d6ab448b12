#!/usr/bin/env bash
# Fails when the committed generated code differs from what the .proto files generate.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash scripts/gen_protos.sh "$tmp"
if ! diff -r -q -x '__init__.py' -x '*.proto' -x '__pycache__' "$tmp/plant/store/v1" protos/plant/store/v1; then
  echo "Generated protobuf code is out of date: run 'make proto' and commit the result." >&2
  exit 1
fi
echo "generated protobuf code matches the .proto files"
