#!/usr/bin/env sh
# Prints the interpreter `make install` builds the virtualenv from.
#
# A distribution's CPython (Debian's /usr/bin/python3) is built with profile-guided and link-time
# optimisation; a default source build, as pyenv and asdf make, is not, and runs this service
# ~10–15 % slower per request (docs/performance.md). Prefer the distribution's when it is new
# enough and can make virtualenvs; otherwise the first python3 on PATH.
# Override with `make install PYTHON=/path/to/python3`.
for candidate in /usr/bin/python3 /usr/local/bin/python3; do
  if [ -x "$candidate" ] \
    && "$candidate" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
echo python3
