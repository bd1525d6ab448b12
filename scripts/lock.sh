#!/usr/bin/env bash
# Writes the hashed lock files from pyproject.toml: requirements/runtime.lock (the image) and
# requirements/dev.lock (make install, CI). Pins already in a lock are kept while they still
# satisfy pyproject.toml; UPGRADE=1 moves every pin to the newest version allowed.
# `scripts/lock.sh --check` fails when the committed locks are not what pyproject.toml makes.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=.venv/bin/uv
out=requirements
if [ "${1:-}" = "--check" ]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
  cp requirements/*.lock "$out/"
fi
# The build backend is locked too: the project is installed without build isolation, so
# nothing reaches the environment unhashed.
build_requires="$(.venv/bin/python -c 'import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')"
compile() {
  local lock="$1"
  shift
  printf '%s\npip\n' "$build_requires" | "$uv" pip compile --quiet --generate-hashes \
    --universal --python-version 3.11 --custom-compile-command "make lock" \
    ${UPGRADE:+--upgrade} --output-file "$out/$lock" pyproject.toml "$@" -
}
compile runtime.lock
compile dev.lock --extra dev
if [ "$out" != requirements ]; then
  if ! diff -q "$out/runtime.lock" requirements/runtime.lock >/dev/null \
    || ! diff -q "$out/dev.lock" requirements/dev.lock >/dev/null; then
    echo "requirements/*.lock do not match pyproject.toml: run 'make lock' and commit them." >&2
    exit 1
  fi
  echo "the lock files match pyproject.toml"
fi
