#!/usr/bin/env bash
# Regenerates witness samples like interop/attesto/samples/0*.json with the
# real package (pip install attesto-local-vault==0.2.0 in a Python >= 3.12
# venv; ALV names its CLI). Writes each `witness-checkpoint` stdout to OUT;
# the committed samples are its `receipt` / `forkEvidence` members (times and
# ids differ on every run: the committed files are one run, 2026-12-01).
# The key is SHA-256("attest attesto witness sample key"): public key
# da4fee0eaf54d9863ae1e8dbe148d797335fd0e6863571a381f86d7702e07693.
set -euo pipefail
ALV=${ALV:-attesto-local-vault}
OUT=${1:?usage: witness_samples.sh OUT_DIR}
rm -rf "$OUT"; mkdir -p "$OUT"
export ATTESTO_LOCAL_VAULT_SIGNING_KEY=$(printf 'attest attesto witness sample key' | sha256sum | cut -c1-64)
export ATTESTO_LOCAL_VAULT_KEY_ID=local-vault-1
export ATTESTO_LOCAL_VAULT_WITNESS_ID=inst_sample
h() { printf '%s' "$1" | sha256sum | cut -c1-64; }
w() { db=$1; name=$2; shift 2; "$ALV" --witness-db "$OUT/$db.sqlite3" witness-checkpoint --tenant-id ten_1 --stream-id str_1 "$@" > "$OUT/$name.stdout.json"; }
w a 01-first --checkpoint-id chk_1 --checkpoint-seq-no 1 --checkpoint-hash "$(h 1)"
w a 02-second --checkpoint-id chk_2 --checkpoint-seq-no 2 --checkpoint-hash "$(h 2)" --previous-checkpoint-hash "$(h 1)"
w a 03-third --checkpoint-id chk_3 --checkpoint-seq-no 3 --checkpoint-hash "$(h 3)" --previous-checkpoint-hash "$(h 2)"
w a 04-replay --checkpoint-id chk_2 --checkpoint-seq-no 2 --checkpoint-hash "$(h 2)" --previous-checkpoint-hash "$(h 1)"
w a 05-stale --checkpoint-id chk_1b --checkpoint-seq-no 1 --checkpoint-hash "$(h 1b)"
w a 06-conflict --checkpoint-id chk_4 --checkpoint-seq-no 4 --checkpoint-hash "$(h 4)" --previous-checkpoint-hash "$(h x)"
# The same witness key on a second database: an equivocation at seq 2.
w b 07-other-first --checkpoint-id chk_1 --checkpoint-seq-no 1 --checkpoint-hash "$(h 1)"
w b 08-other-second --checkpoint-id chk_2 --checkpoint-seq-no 2 --checkpoint-hash "$(h 2b)" --previous-checkpoint-hash "$(h 1)"
rm -f "$OUT"/*.sqlite3
