#!/usr/bin/env bash
# Attesto Local Vault interop (docs/spec.md §12.8): the real attesto-local-vault
# 0.2.0 package against attest. Finds Python >= 3.12 (pyenv's 3.12.1 on these
# machines, else python3.12 on PATH), creates a virtualenv keyed by the
# requirements hash under ${XDG_CACHE_HOME:-~/.cache}/attest-attesto-interop,
# installs the pinned package once, builds `attest` unless ATTEST_BIN is set,
# and runs interop.py in a temporary directory: witness-checkpoint outputs
# verified by `attest verify` and `attest audit`, submitted to `attest ledger
# serve --attesto-installation`, and drain-once relays delivered or (unregistered
# key, tampered request, payload drift, wrong receipt) left undelivered.
# Ends with `attesto interop: N checks passed`; any failure exits non-zero.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

py=
if command -v pyenv >/dev/null 2>&1 && [ -x "$(pyenv root)/versions/3.12.1/bin/python3.12" ]; then
  py="$(pyenv root)/versions/3.12.1/bin/python3.12"
elif command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' >/dev/null 2>&1; then
  py=$(command -v python3.12)
fi
for candidate in "$py" python3; do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    py=$candidate
    break
  fi
  py=
done
if [ -z "$py" ]; then
  echo "attesto interop: FAIL no Python >= 3.12 (attesto-local-vault needs it): install one (pyenv install 3.12.1, or a python3.12 on PATH)" >&2
  exit 1
fi
echo "attesto interop: Python $("$py" -c 'import sys; print(sys.version.split()[0])') at $py"

# shellcheck source=../../scripts/lib/pyvenv.sh
. "$root/scripts/lib/pyvenv.sh"
PYTHON=$py attest_pyvenv attest-attesto-interop "$here/requirements.txt" "$root"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/attest-attesto-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/.attest-state"
"$venv/bin/python" "$here/interop.py" "$tmp"
