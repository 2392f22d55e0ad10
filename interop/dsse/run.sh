#!/usr/bin/env bash
# DSSE interop with securesystemslib (interop/dsse/README.md). Creates a
# virtualenv keyed by the requirements hash under
# ${XDG_CACHE_HOME:-~/.cache}/attest-dsse-interop, installs the pinned packages
# once, builds the `attest` binary unless ATTEST_BIN is set, runs interop.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=${PYTHON:-python3}

key=$( (cat "$here/requirements.txt"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/attest-dsse-interop
venv="$cache/venv-$key"

if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
    # Debian splits venv/ensurepip into python3-venv.
    echo "dsse interop: installing python3-venv" >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv; else
      sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv; fi
  fi
  rm -rf "$venv"
  mkdir -p "$cache"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input -r "$here/requirements.txt"
  touch "$venv/.complete"
fi

target=${CARGO_TARGET_DIR:-$root/target}
if [ -z "${ATTEST_BIN:-}" ]; then
  (cd "$root" && cargo build -q -p attest-cli)
  export ATTEST_BIN="$target/debug/attest"
fi

export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" "$here/interop.py" "$@"
