#!/usr/bin/env bash
# Checks every locked package against known vulnerabilities (pip-audit, PyPI's advisory data).
# Where that data cannot be reached the check is skipped, loudly: an unreachable advisory server
# says nothing about our dependencies and must not fail CI. Any package pip-audit could not
# look up fails the check (--strict) instead of passing unaudited.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=requirements/dev.lock
# pip-audit reads https://pypi.org/pypi/NAME/VERSION/json; ask for the lock's first pin the same way.
if ! problem="$(.venv/bin/python - "$lock" 2>&1 <<'PY'
import re
import sys
import urllib.request

with open(sys.argv[1]) as lock:
    name, version = re.search(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", lock.read(), re.M).groups()
url = f"https://pypi.org/pypi/{name}/{version}/json"
try:
    with urllib.request.urlopen(url, timeout=20) as answer:
        answer.read(1)
except OSError as error:
    sys.exit(f"{url}: {error}")
PY
)"; then
  echo "!!! SKIPPING THE VULNERABILITY CHECK: PyPI's advisory data is unreachable from here" \
    "(${problem##*$'\n'}) !!!" >&2
  exit 0
fi
.venv/bin/pip-audit --strict --progress-spinner off --disable-pip --require-hashes \
  --requirement "$lock"
