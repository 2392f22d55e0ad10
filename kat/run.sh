#!/usr/bin/env bash
# Independent known-answer tests (kat/README.md). Creates a virtualenv keyed by
# the requirements hash under ${ATTEST_KAT_CACHE:-~/.cache/attest-kat}, installs
# the pinned packages once, builds the `attest` binary if needed and runs pytest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=../scripts/lib/pyvenv.sh
. "$root/scripts/lib/pyvenv.sh"
ATTEST_VENV_CACHE=${ATTEST_KAT_CACHE:-} attest_pyvenv attest-kat "$here/requirements.txt" "$root"

cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
