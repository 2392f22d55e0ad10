"""The real attesto-local-vault client against attest (interop/attesto/run.sh).

Every document here is produced by the package's own CLI (`witness-checkpoint`,
`enqueue-json`, `drain-once`); nothing stands in for it. Checks:

1. Witness: a monotonic sequence, a replay, a stale and a conflicting
   checkpoint; every output verified by `attest verify --attesto-key`
   (receipts and fork evidence valid, a tampered copy refused); `attest
   audit` of the receipts monotonic, and with a second witness database under
   the same key equivocating at seq 2, the equivocation proven.
2. Receiver: `attest ledger serve --attesto-installation` on loopback: the
   witness outputs POSTed (201 new, 200 replay, 201 fork evidence logged,
   409 for the equivocating receipt and a stale one, 403 unregistered, 422 another key).
3. Relay: events enqueued and `drain-once` against the ledger: delivered.
   Then, each in a fresh spool: an unregistered installation key, a tampered
   request (a proxy edits the body), payload drift (a reused source_ref with
   another payload) and a wrong receipt (a proxy edits the answer) — each
   left undelivered, read from the package's `drain-once` output and its
   spool's status column; a replay of a delivered event (same payload) is delivered.

Ends with `attesto interop: N checks passed`.
"""

import hashlib
import http.client
import json
import os
import pathlib
import re
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ATTEST = os.environ["ATTEST_BIN"]
TMP = pathlib.Path(sys.argv[1])
ALV = str(pathlib.Path(sys.executable).parent / "attesto-local-vault")
CHECKS = 0


def check(cond, what):
    global CHECKS
    if not cond:
        print(f"attesto interop: FAIL {what}", file=sys.stderr)
        sys.exit(1)
    CHECKS += 1
    print(f"  ok  {what}")


def h(label):
    return hashlib.sha256(label.encode()).hexdigest()


def alv(args, env, check_rc=True):
    p = subprocess.run([ALV, *args], env={**os.environ, **env}, capture_output=True, text=True)
    if check_rc and p.returncode != 0:
        print(p.stdout, p.stderr, file=sys.stderr)
        check(False, f"attesto-local-vault {' '.join(args)} exits 0")
    return p


def attest(args):
    return subprocess.run([ATTEST, *args], capture_output=True, text=True)


# --------------------------------------------------------------------------
# 1. Witness
# --------------------------------------------------------------------------

WITNESS = "inst_ci"
KEY = h("attest attesto interop witness key")
OTHER_KEY = h("attest attesto interop other key")


def witness(db, name, seq, chash, prev=None, key=KEY):
    env = {
        "ATTESTO_LOCAL_VAULT_SIGNING_KEY": key,
        "ATTESTO_LOCAL_VAULT_KEY_ID": "local-vault-1",
        "ATTESTO_LOCAL_VAULT_WITNESS_ID": WITNESS,
    }
    args = ["--witness-db", str(TMP / f"{db}.sqlite3"), "witness-checkpoint", "--tenant-id", "ten_ci",
            "--stream-id", "str_ci", "--checkpoint-id", f"chk_{name}", "--checkpoint-seq-no", str(seq),
            "--checkpoint-hash", chash]
    if prev:
        args += ["--previous-checkpoint-hash", prev]
    out = json.loads(alv(args, env).stdout)
    (TMP / "out").mkdir(exist_ok=True)
    (TMP / "out" / f"{name}.stdout.json").write_text(json.dumps(out))
    doc = out["receipt"] or out["forkEvidence"]
    path = TMP / "witness" / f"{name}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(doc, indent=1))
    return out, path


def verify(path, key_hex):
    p = attest(["verify", str(path), "--attesto-key", key_hex, "--format", "json"])
    report = json.loads(p.stdout) if p.stdout.strip() else {}
    return p.returncode, report


print("==> witness-checkpoint, verified by attest verify")
o1, p1 = witness("a", "01-first", 1, h("c1"))
check(o1["accepted"] and not o1["replayed"], "seq 1 (first use) accepted by the package")
o2, p2 = witness("a", "02-second", 2, h("c2"), h("c1"))
o3, p3 = witness("a", "03-third", 3, h("c3"), h("c2"))
check(o2["accepted"] and o3["accepted"], "seq 2 and 3 extend the head")
o4, p4 = witness("a", "04-replay", 2, h("c2"), h("c1"))
check(o4["replayed"] and o4["receipt"]["witness_receipt_id"] == o2["receipt"]["witness_receipt_id"], "seq 2 again is a replay of the stored receipt")
o5, p5 = witness("a", "05-stale", 1, h("c1b"))
check(not o5["accepted"] and o5["forkEvidence"] is not None, "a stale checkpoint gives fork evidence")
o6, p6 = witness("a", "06-conflict", 4, h("c4"), h("wrong"))
check(not o6["accepted"] and o6["forkEvidence"] is not None, "a conflicting checkpoint gives fork evidence")
pub = o1["receipt"]["public_key"]["public_key_hex"]
for p in [p1, p2, p3, p4, p5, p6]:
    rc, report = verify(p, pub)
    want = "attesto.v2.fork" if "fork_evidence_id" in json.loads(p.read_text()) else "attesto.v2.witness"
    check(rc == 0 and report.get("valid") is True and report.get("type") == want, f"attest verify {p.name}: valid {want}")
# A tampered receipt and one under another pinned key are refused.
t = json.loads(p2.read_text())
t["statement"]["checkpoint_hash"] = h("forged")
t["checkpoint_hash"] = h("forged")
(TMP / "tampered.json").write_text(json.dumps(t))
rc, report = verify(TMP / "tampered.json", pub)
fails = [c for c in report.get("checks", []) if c["status"] == "fail"]
check(rc == 1 and fails and fails[0]["id"] == "signature", "a tampered receipt fails signature")
rc, report = verify(p2, "11" * 32)
check(rc == 1 and [c for c in report["checks"] if c["status"] == "fail"][0]["reason"] == "unknown-key", "another pinned key: unknown-key")

print("==> attest audit of the receipts")
rdir = TMP / "receipts"
rdir.mkdir()
for p in [p1, p2, p3, p4]:
    (rdir / p.name).write_text(p.read_text())
a = attest(["audit", str(rdir), "--attesto-key", pub])
check(a.returncode == 0 and "MONOTONIC: 4 receipt(s), seq 1 to 3" in a.stdout, "audit: monotonic progression")
ob1, _ = witness("b", "b1", 1, h("c1"))
ob2, pb2 = witness("b", "b2", 2, h("c2-other"), h("c1"))
(rdir / "b2.json").write_text(pb2.read_text())
a = attest(["audit", str(rdir), "--attesto-key", pub])
check(a.returncode == 1 and "equivocation (proven): seq 2" in a.stdout, "audit: the second database's seq 2 is a proven equivocation")

# --------------------------------------------------------------------------
# 2. The receiver
# --------------------------------------------------------------------------

print("==> attest ledger serve --attesto-installation")
os.chdir(TMP)
for name in ["root", "log"]:
    subprocess.run([ATTEST, "keygen", "--out", f"{name}.secret", "--pub-out", f"{name}.pub"], check=True, capture_output=True)
subprocess.run([ATTEST, "trust-root", "create", "--sign", "root.secret", "--out", "tr.json"], check=True, capture_output=True)
server = subprocess.Popen(
    [ATTEST, "ledger", "serve", "--db", "sqlite:ledger.db", "--origin", "attesto.interop/log", "--key", "log.secret",
     "--trust-root", "tr.json", "--root-key", "root.pub", "--listen", "127.0.0.1:0",
     "--attesto-installation", f"{WITNESS}={pub}"],
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
)
line = server.stdout.readline()
m = re.match(r"listening on http://(\S+)", line)
check(m is not None, f"the ledger listens ({line.strip()})")
HOST, PORT = m.group(1).rsplit(":", 1)
PORT = int(PORT)


def post(path, body, headers=None, port=None):
    c = http.client.HTTPConnection(HOST, port or PORT, timeout=10)
    c.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, {}


W = f"/v2/local-vault/installations/{WITNESS}/witness/checkpoints"
out = lambda n: (TMP / "out" / f"{n}.stdout.json").read_text()
st, b = post(W, out("01-first"))
check(st == 201 and b["accepted"] and "inclusionProof" in b["ledger"], "witness seq 1: 201 with the ledger's index and proof")
st, b = post(W, out("02-second"))
check(st == 201, "witness seq 2: 201")
st, b = post(W, out("04-replay"))
check(st == 200 and b["replayed"], "the replay of seq 2: 200 replayed")
st, b = post(W, out("b2"))
check(st == 409, "the other database's seq 2 (another hash): 409")
st, b = post(W, out("05-stale"))
check(st == 201 and b.get("forkEvidence") is True, "fork evidence: verified and logged (201)")
st, b = post(W, out("03-third"))
check(st == 201, "witness seq 3: 201")
st, b = post(W, out("b1"))
check(st == 200 and b["replayed"], "seq 1 with the same hash from the other database: a replay (200)")
st, b = post(f"/v2/local-vault/installations/inst_unknown/witness/checkpoints", out("01-first"))
check(st == 403, "an unregistered installation: 403")
ox, _ = witness("c", "x1", 5, h("c5"), key=OTHER_KEY)
st, b = post(W, out("x1"))
check(st == 422, "a receipt signed by another key than the registered one: 422")

# --------------------------------------------------------------------------
# 3. Relay with drain-once
# --------------------------------------------------------------------------

RELAY = f"http://{HOST}:{PORT}/v2/local-vault/installations/{WITNESS}/relay"
ENC = alv(["generate-encryption-key"], {}).stdout.strip()


def spool_env(name, key=KEY, url=RELAY):
    return {
        "ATTESTO_LOCAL_VAULT_SPOOL_DB": str(TMP / f"spool-{name}.sqlite3"),
        "ATTESTO_LOCAL_VAULT_ENCRYPTION_KEY": ENC,
        "ATTESTO_LOCAL_VAULT_INSTALLATION_ID": WITNESS,
        "ATTESTO_LOCAL_VAULT_RELAY_URL": url,
        "ATTESTO_LOCAL_VAULT_KEY_ID": "local-vault-1",
        "ATTESTO_LOCAL_VAULT_SIGNING_KEY": key,
    }


def enqueue(env, source_ref, payload):
    f = TMP / f"payload-{abs(hash((source_ref, json.dumps(payload))))}.json"
    f.write_text(json.dumps(payload))
    return json.loads(alv(["enqueue-json", "--stream-id", "str_ci", "--source-ref", source_ref, "--payload-file", str(f)], env).stdout)


def drain(env):
    return json.loads(alv(["drain-once"], env).stdout)


def statuses(env):
    con = sqlite3.connect(env["ATTESTO_LOCAL_VAULT_SPOOL_DB"])
    rows = dict(con.execute("SELECT source_ref, status FROM spool_events").fetchall())
    con.close()
    return rows


print("==> drain-once to the ledger: delivered")
good = spool_env("good")
payloads = {
    "src-1": {"event": "login", "user": "alice"},
    "src-floats": {"tiny": 1e-05, "big": 1e16, "hundred": 100.0, "negzero": -0.0, "n": 18446744073709551616, "name": "Zoë 😀", "\ue000": 1, "😀": 2},
    "src-long-" + "é" * 150: {"long": True},
}
for ref, p in payloads.items():
    enqueue(good, ref, p)
results = [drain(good) for _ in payloads]
check(all(r.get("sent") for r in results), f"drain-once delivered {len(results)} events: {[r.get('error') for r in results]}")
check(set(statuses(good).values()) == {"delivered"}, "the spool marks every event delivered")

print("==> failures leave the events undelivered")
# An installation key the ledger does not have registered.
bad = spool_env("unregistered", key=OTHER_KEY)
enqueue(bad, "src-unreg", {"event": "x"})
r = drain(bad)
check(not r.get("sent") and r.get("error") == "http-401", f"another installation key: refused ({r.get('error')})")
check(statuses(bad) == {"src-unreg": "queued"}, "  ... and left queued")

# Payload drift: the delivered source_ref again with another payload (a fresh spool).
drift = spool_env("drift")
enqueue(drift, "src-1", {"event": "login", "user": "mallory"})
r = drain(drift)
check(not r.get("sent") and r.get("error") == "http-409", f"payload drift: 409 ({r.get('error')})")
check(statuses(drift) == {"src-1": "queued"}, "  ... and left queued")

# The same source_ref with the same payload (a fresh spool): the first answer again.
again = spool_env("again")
enqueue(again, "src-1", payloads["src-1"])
r = drain(again)
check(r.get("sent"), f"the same event from another spool: delivered as a replay ({r.get('error')})")


class Proxy(BaseHTTPRequestHandler):
    """Forwards to the ledger, editing the request body or the answer (mode)."""

    mode = "none"

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if Proxy.mode == "tamper-request":
            body = body.replace(b'"event":"x"', b'"event":"y"')
        headers = {k: v for k, v in self.headers.items() if k.lower().startswith("x-attesto") or k.lower() == "content-type"}
        c = http.client.HTTPConnection(HOST, PORT, timeout=10)
        c.request("POST", self.path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        status = r.status
        if Proxy.mode == "wrong-receipt" and status < 300:
            answer = json.loads(data)
            answer["receipt"]["payload"]["event_id"] = "local-vault:someone-else:src"
            data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
threading.Thread(target=proxy.serve_forever, daemon=True).start()
purl = f"http://127.0.0.1:{proxy.server_address[1]}/v2/local-vault/installations/{WITNESS}/relay"

Proxy.mode = "tamper-request"
tam = spool_env("tampered", url=purl)
enqueue(tam, "src-tamper", {"event": "x"})
r = drain(tam)
check(not r.get("sent") and r.get("error", "").startswith("http-4"), f"a tampered request: refused ({r.get('error')})")
check(statuses(tam) == {"src-tamper": "queued"}, "  ... and left queued")

Proxy.mode = "wrong-receipt"
wr = spool_env("wrong-receipt", url=purl)
enqueue(wr, "src-wrong", {"event": "w"})
r = drain(wr)
check(not r.get("sent") and "ack" in (r.get("error") or ""), f"a wrong receipt: the package's ack check refuses it ({r.get('error')})")
check(statuses(wr) == {"src-wrong": "queued"}, "  ... and left queued")

# The ledger logged the relay requests it accepted: each verifies with attest verify.
c = http.client.HTTPConnection(HOST, PORT, timeout=10)
c.request("GET", "/v1/search?type=attest.attesto-relay-request.v1")
hits = json.loads(c.getresponse().read())
c.close()
indices = [e["index"] for e in hits["entries"]]
check(len(indices) >= 3, f"the ledger logged the accepted relay requests ({len(indices)})")
for i in indices:
    c = http.client.HTTPConnection(HOST, PORT, timeout=10)
    c.request("GET", f"/v1/entries/{i}")
    body = json.loads(c.getresponse().read())
    c.close()
    f = TMP / f"entry-{i}.json"
    f.write_text(json.dumps(body["entry"]))
    rc, report = verify(f, pub)
    check(rc == 0 and report.get("type") == "attest.attesto-relay-request.v1", f"logged relay request {i} verifies")

proxy.shutdown()
server.terminate()
server.wait(timeout=20)
print(f"attesto interop: {CHECKS} checks passed")
