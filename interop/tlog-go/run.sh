#!/usr/bin/env bash
# Go tlog interop (interop/tlog-go/README.md): checks what `attest ledger serve`
# serves with Go's golang.org/x/mod/sumdb/note and sumdb/tlog. Installs
# Debian's golang-go and golang-golang-x-mod-dev if `go` or the x/mod sources
# are missing, builds the checker (GOPATH mode, no module proxy) and `attest`
# (unless ATTEST_BIN is set), then in a temporary directory:
#   keys, a trust-root chain with a heartbeat key, a heartbeat policy and 771
#   heartbeat envelopes signed by `attest heartbeat sign`;
#   `attest ledger serve` (sqlite, 127.0.0.1:0);
#   check the empty log; submit 512 (concurrently) and check; submit 259 more
#   and the trust root, check again (consistency with the kept checkpoints);
#   the checker must refuse another log's key; SIGTERM must stop the ledger
#   with exit 0.
# Ends with `tlog-go interop: N checks passed` and a PASS line; any failure
# prints `tlog-go interop: FAIL ...` and exits non-zero.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
start=$(date +%s)
gocode=${TLOG_GO_GOCODE:-/usr/share/gocode}
first=${TLOG_GO_FIRST:-512}
second=${TLOG_GO_SECOND:-259}
origin=interop.test/log

tmp=$(mktemp -d "${TMPDIR:-/tmp}/attest-tlog-go-XXXXXX")
server=
finish() {
  rc=$?
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ]; then
    [ -s "$tmp/serve.err" ] && { echo "--- ledger stderr (last lines)"; tail -20 "$tmp/serve.err"; } >&2
    echo "tlog-go interop: FAIL (exit $rc) after $(( $(date +%s) - start ))s" >&2
  fi
  if [ -n "${TLOG_GO_KEEP:-}" ]; then echo "tlog-go interop: kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap finish EXIT

if ! command -v go >/dev/null 2>&1 || [ ! -f "$gocode/src/golang.org/x/mod/sumdb/tlog/tlog.go" ]; then
  echo "tlog-go interop: installing golang-go golang-golang-x-mod-dev (Debian)" >&2
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-golang-x-mod-dev >/dev/null
fi

# The checker: GOPATH mode against Debian's x/mod sources, nothing fetched.
export GO111MODULE=off GOFLAGS= GOPATH="$tmp/gopath:$gocode" GOCACHE="${GOCACHE:-$tmp/gocache}"
checker="$tmp/checker"
(cd "$here" && go vet . && go build -o "$checker" .)
echo "tlog-go interop: $(go version), x/mod from $gocode (checker built at $(( $(date +%s) - start ))s)"

if [ -z "${ATTEST_BIN:-}" ]; then
  (cd "$root" && cargo build -q -p attest-cli)
  ATTEST_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/attest"
fi
attest() { "$ATTEST_BIN" "$@"; }
echo "tlog-go interop: attest $ATTEST_BIN (at $(( $(date +%s) - start ))s)"

cd "$tmp"
export XDG_STATE_HOME="$tmp/.attest-state"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
now=$(date +%s)
attest keygen --out root.secret --pub-out root.pub >/dev/null
attest keygen --out hb.secret >/dev/null
attest keygen --out log.secret >/dev/null
attest keygen --out other.secret >/dev/null
attest trust-root create --sign root.secret --out tr1.json --issued-at "$(iso $((now - 7200)))" --valid-days 30 >/dev/null
attest trust-root add-key tr1.json --key hb.secret --role heartbeat --sign root.secret --out tr2.json \
  --issued-at "$(iso $((now - 3600)))" --valid-days 30 >/dev/null
policy_hash=$(printf '1%.0s' $(seq 64))
kernel=$(printf '2%.0s' $(seq 64))
printf '{"type":"attest.heartbeat-policy.v1","policy_hash":"%s","zero_retention":true,"pinned":{"version":"1.4.0","kernel_config_hash":"%s"},"max_age_seconds":3600}\n' \
  "$policy_hash" "$kernel" >policy.json
key=$(attest ledger key --key log.secret --origin "$origin")
other_key=$(attest ledger key --key other.secret --origin "$origin")

# Heartbeats: one stream each (seq 0), so every envelope is a distinct entry;
# the counters vary the payload length.
total=$((first + second))
mkdir payloads docs
for i in $(seq 0 $((total - 1))); do
  printf '{"type":"attest.runtime-heartbeat.v1","attestation_id":"edge-%d/boot-1/0","stream":"edge-%d","boot_id":"boot-1","seq":0,"previous":null,"timestamp":%d,"interval_seconds":60,"policy_hash":"%s","zero_retention":true,"epsilon_limits":{"max_epsilon":1.0,"max_delta":0.00001,"current_usage":0.25,"reset_interval":86400},"version":"1.4.0","kernel_config_hash":"%s","capability_keys":[],"tenant_isolation":true,"egress_firewall_enabled":true,"pii_detection_enabled":true,"total_requests":%d,"blocked_requests":0,"capability_failures":0,"plan_validations":%d,"uptime_seconds":%d}\n' \
    "$i" "$i" "$now" "$policy_hash" "$kernel" $((i * i * 7919)) $((i % 10)) $((120 + i)) >"payloads/$i.json"
  attest heartbeat sign --key hb.secret --payload "payloads/$i.json" --out "docs/$(printf %05d "$i").json" >/dev/null
done
echo "tlog-go interop: $total heartbeat envelopes signed by attest heartbeat sign (at $(( $(date +%s) - start ))s)"

"$ATTEST_BIN" ledger serve --db sqlite:ledger.db --origin "$origin" --key log.secret \
  --trust-root tr1.json --trust-root tr2.json --root-key root.pub --heartbeat-policy policy.json \
  --listen 127.0.0.1:0 >serve.out 2>serve.err &
server=$!
for _ in $(seq 200); do
  grep -q '^listening on ' serve.out 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "tlog-go interop: the ledger did not start" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' serve.out)
[ -n "$url" ] || { echo "tlog-go interop: no 'listening on' line from the ledger" >&2; exit 1; }
echo "tlog-go interop: ledger at $url, key $key"

checks=0
run_check() {
  "$checker" check -url "$url" -key "$key" -state state "$@" | tee check.out
  n=$(sed -n 's/^tlog-go: \([0-9][0-9]*\) checks passed.*/\1/p' check.out)
  [ -n "$n" ] || { echo "tlog-go interop: the checker printed no summary" >&2; exit 1; }
  checks=$((checks + n))
}

docs=(docs/*.json)
batch1=("${docs[@]:0:first}")
batch2=("${docs[@]:first}" tr2.json)

echo "==> the empty log"
run_check -expect-size 0
echo "==> $first submissions, concurrently"
"$checker" submit -url "$url" -receipts receipts1.jsonl -concurrency 32 "${batch1[@]}"
run_check -expect-size "$first" -receipts receipts1.jsonl
echo "==> $second more heartbeats and the trust root tr2.json"
"$checker" submit -url "$url" -receipts receipts2.jsonl -concurrency 32 "${batch2[@]}"
run_check -expect-size "$((total + 1))" -receipts receipts1.jsonl -receipts receipts2.jsonl

echo "==> another log's key must be refused"
if "$checker" check -url "$url" -key "$other_key" >other.out 2>&1; then
  echo "tlog-go interop: the checker accepted the checkpoint under another key" >&2
  exit 1
fi
grep -q 'FAIL: /checkpoint: note.Open' other.out || { cat other.out >&2; exit 1; }
checks=$((checks + 1))

echo "==> SIGTERM"
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
[ "$status" -eq 0 ] || { echo "tlog-go interop: the ledger exited $status after SIGTERM" >&2; exit 1; }
checks=$((checks + 1))

echo "tlog-go interop: $checks checks passed"
echo "tlog-go interop: PASS ($((total + 1)) entries, Go $(go env GOVERSION), $(( $(date +%s) - start ))s)"
