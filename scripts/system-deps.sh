#!/usr/bin/env bash
# Make sure the system has what Steadyline needs: Python >= 3.11 with venv, and for the test suite
# the PostgreSQL and Redis server binaries, Debian's chromium, and a C compiler with Python's headers
# (the SFU's C send path, media._fanout, is then built and tested). Installs with apt-get when run as
# root (as CI does); otherwise stops with the exact command to run. To run the server a compiler is
# optional: without one, media/ uses its Python send path.
set -euo pipefail
want="${1:-run}"
missing=()

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null \
  || { echo "Steadyline needs Python 3.11 or newer (python3 is $(python3 --version 2>&1))." >&2; exit 1; }
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)

has_compiler() {
  command -v gcc >/dev/null && python3 -c 'import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' 2>/dev/null
}

if [ "$want" = run ] && ! has_compiler; then
  echo "Note: no C compiler or Python headers (Debian: gcc python3-dev); the SFU uses its Python send path." >&2
fi

if [ "$want" = test ]; then
  has_compiler || missing+=(gcc python3-dev)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
