#!/usr/bin/env bash
# DSSE interop with securesystemslib (interop/dsse/README.md). Creates a
# virtualenv keyed by the requirements hash under
# ${XDG_CACHE_HOME:-~/.cache}/attest-dsse-interop, installs the pinned packages
# once, builds the `attest` binary unless ATTEST_BIN is set, runs interop.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/lib/pyvenv.sh
. "$root/scripts/lib/pyvenv.sh"
attest_pyvenv attest-dsse-interop "$here/requirements.txt" "$root"
exec "$venv/bin/python" "$here/interop.py" "$@"
