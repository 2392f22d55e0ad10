#!/usr/bin/env bash
set -euo pipefail
ALV=${ALV:-/tmp/alv-venv/bin/attesto-local-vault}
OUT=${1:-/tmp/alv/out}
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
