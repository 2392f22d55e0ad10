# Sourced by kat/run.sh and interop/dsse/run.sh: a virtualenv for a
# requirements file, keyed by its hash and the Python version, created once
# under ${ATTEST_VENV_CACHE:-$XDG_CACHE_HOME or ~/.cache}/<name>; then the
# `attest` binary, built unless $ATTEST_BIN is set.
#   attest_pyvenv NAME REQUIREMENTS ROOT   → sets $venv, exports $ATTEST_BIN
attest_pyvenv() {
  local name=$1 requirements=$2 root=$3
  local py=${PYTHON:-python3}
  local key cache
  key=$( (cat "$requirements"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
  cache=${ATTEST_VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/$name}
  venv="$cache/venv-$key"
  if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
    if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
      # Debian splits venv/ensurepip into python3-venv.
      echo "$name: installing python3-venv" >&2
      if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv; else
        sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv; fi
    fi
    rm -rf "$venv"
    mkdir -p "$cache"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input -r "$requirements"
    touch "$venv/.complete"
  fi
  if [ -z "${ATTEST_BIN:-}" ]; then
    (cd "$root" && cargo build -q -p attest-cli)
    export ATTEST_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/attest"
  fi
  export PYTHONDONTWRITEBYTECODE=1
}
