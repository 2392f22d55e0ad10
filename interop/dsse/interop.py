"""DSSE interop between `attest` and securesystemslib (interop/dsse/README.md).

(a) keys and trust roots made with the real CLI, one heartbeat key made here;
(b) a heartbeat signed by securesystemslib's DSSE Envelope, verified by `attest verify`;
(c) a heartbeat signed by `attest heartbeat sign`, verified by securesystemslib;
    a copy with one payload byte changed fails both.
Exits 1 on the first failed check, else prints `dsse interop: N checks passed`.
"""

import base64
import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import CryptoSigner, SSlibKey

ATTEST = os.environ.get("ATTEST_BIN") or str(Path(__file__).resolve().parents[2] / "target" / "debug" / "attest")
PAYLOAD_TYPE = "application/vnd.attest.runtime-heartbeat.v1+json"
POLICY_HASH = "1" * 64
KERNEL = "2" * 64

checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"dsse interop: FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1
    print(f"  ok  {what}")


def attest(d, *args, expect=0):
    # The remembered trust-root versions (docs/spec.md §6) stay in this run's directory.
    env = {**os.environ, "XDG_STATE_HOME": str(Path(d).resolve() / ".attest-state")}
    p = subprocess.run([ATTEST, *map(str, args)], cwd=d, capture_output=True, text=True, env=env)
    if expect is not None and p.returncode != expect:
        print(f"dsse interop: FAIL: attest {' '.join(map(str, args))}: exit {p.returncode}, wanted {expect}\n"
              f"stdout: {p.stdout}\nstderr: {p.stderr}", file=sys.stderr)
        sys.exit(1)
    return p


def key_id(raw: bytes) -> str:
    """attest's keyId: lowercase hex SHA-256 of the raw public-key bytes (docs/spec.md §0.4)."""
    return hashlib.sha256(raw).hexdigest()


def payload(stream, now):
    """A valid attest.runtime-heartbeat.v1 payload: every member of formats.md §7."""
    return {
        "type": "attest.runtime-heartbeat.v1",
        "attestation_id": f"{stream}/boot-1/0",
        "stream": stream,
        "boot_id": "boot-1",
        "seq": 0,
        "previous": None,
        "timestamp": now,
        "interval_seconds": 60,
        "policy_hash": POLICY_HASH,
        "zero_retention": True,
        "epsilon_limits": {"max_epsilon": 1.0, "max_delta": 1e-5, "current_usage": 0.25, "reset_interval": 86400},
        "version": "1.4.0",
        "kernel_config_hash": KERNEL,
        "capability_keys": [],
        "tenant_isolation": True,
        "egress_firewall_enabled": True,
        "pii_detection_enabled": True,
        "total_requests": 10,
        "blocked_requests": 1,
        "capability_failures": 0,
        "plan_validations": 3,
        "uptime_seconds": 120,
    }


def verify_args(env_file, trust_roots):
    a = ["verify", env_file]
    for t in trust_roots:
        a += ["--trust-root", t]
    return a + ["--root-key", "root.pub", "--heartbeat-policy", "policy.json", "--format", "json"]


def report(p):
    try:
        return json.loads(p.stdout)
    except ValueError:
        print(f"dsse interop: FAIL: not a JSON report: {p.stdout!r} {p.stderr!r}", file=sys.stderr)
        sys.exit(1)


def check_of(rep, cid):
    return next((c for c in rep["checks"] if c["id"] == cid), {})


def tamper(env_dict):
    """A copy with one payload byte changed (still a well-formed payload), re-encoded."""
    env = copy.deepcopy(env_dict)
    raw = bytearray(base64.b64decode(env["payload"], validate=True))
    i = raw.index(b'"boot-1"') + 6
    raw[i] = ord("2") if raw[i] != ord("2") else ord("3")  # boot-1 -> boot-2
    env["payload"] = base64.b64encode(bytes(raw)).decode()
    return env


def main():
    print(f"dsse interop: attest {ATTEST}")
    now = int(time.time())
    times1 = ["--issued-at", "2026-01-01T00:00:00Z", "--expires-at", "2036-01-01T00:00:00Z"]
    with tempfile.TemporaryDirectory(prefix="attest-dsse-interop-") as tmp:
        d = Path(tmp)

        # (a) root key and trust root from the CLI; a heartbeat key made here.
        attest(d, "keygen", "--out", "root.secret", "--pub-out", "root.pub")
        attest(d, "trust-root", "create", "--sign", "root.secret", "--out", "tr1.json", *times1)
        priv = Ed25519PrivateKey.generate()
        raw_pub = priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        py_kid = key_id(raw_pub)
        attest(d, "trust-root", "add-key", "tr1.json", "--public-key", raw_pub.hex(), "--role", "heartbeat",
               "--sign", "root.secret", "--out", "tr2.json",
               "--issued-at", "2026-01-02T00:00:00Z", "--expires-at", "2036-01-01T00:00:00Z")
        tr2 = json.loads((d / "tr2.json").read_text())
        listed = {k["publicKey"]: k for k in tr2["keys"]}
        check(raw_pub.hex() in listed and listed[raw_pub.hex()]["keyId"] == py_kid
              and listed[raw_pub.hex()]["roles"] == ["heartbeat"],
              "trust root lists the Python key with keyId = SHA-256(raw key) and role heartbeat")
        (d / "policy.json").write_text(json.dumps({
            "type": "attest.heartbeat-policy.v1", "policy_hash": POLICY_HASH, "zero_retention": True,
            "pinned": {"version": "1.4.0", "kernel_config_hash": KERNEL}, "max_gap_seconds": 120,
        }))

        # (b) securesystemslib signs, attest verifies.
        sslib_pub = SSlibKey.from_crypto(priv.public_key(), keyid=py_kid, scheme="ed25519")
        signer = CryptoSigner(priv, sslib_pub)
        body = json.dumps(payload("sslib-1", now), separators=(",", ":")).encode()
        env = Envelope(body, PAYLOAD_TYPE, {})
        env.sign(signer)
        env_dict = env.to_dict()
        check([s["keyid"] for s in env_dict["signatures"]] == [py_kid], "securesystemslib envelope carries keyid = attest keyId")
        (d / "sslib.dsse.json").write_text(json.dumps(env_dict))
        env.verify([sslib_pub], 1)
        check(True, "securesystemslib verifies its own envelope")
        trs = ["tr1.json", "tr2.json"]
        p = attest(d, *verify_args("sslib.dsse.json", trs), expect=None)
        rep = report(p)
        check(p.returncode == 0 and rep["valid"] is True,
              f"attest verify accepts the securesystemslib envelope (exit {p.returncode}, {[(c['id'], c['status']) for c in rep['checks']]})")
        check(rep["type"] == "attest.runtime-heartbeat.v1", "report type attest.runtime-heartbeat.v1")
        check(check_of(rep, "signature").get("status") == "pass", "attest signature check passes")
        check(rep["digest"] == hashlib.sha256(env.pae()).hexdigest(),
              "attest digest = SHA-256 of securesystemslib's PAE")
        # The same envelope in URL-safe unpadded base64 (DSSE allows either): same verdict, same digest.
        url = {"payload": base64.urlsafe_b64encode(body).decode().rstrip("="), "payloadType": PAYLOAD_TYPE,
               "signatures": [{"keyid": s["keyid"],
                               "sig": base64.urlsafe_b64encode(base64.b64decode(s["sig"])).decode().rstrip("=")}
                              for s in env_dict["signatures"]]}
        (d / "sslib-url.dsse.json").write_text(json.dumps(url))
        p = attest(d, *verify_args("sslib-url.dsse.json", trs), expect=None)
        rep_url = report(p)
        check(p.returncode == 0 and rep_url["digest"] == rep["digest"],
              "URL-safe unpadded re-encoding: attest accepts, same digest")
        bad = tamper(env_dict)
        (d / "sslib-tampered.dsse.json").write_text(json.dumps(bad))
        p = attest(d, *verify_args("sslib-tampered.dsse.json", trs), expect=None)
        rep_bad = report(p)
        check(p.returncode == 1 and check_of(rep_bad, "signature").get("reason") == "bad-signature",
              "attest refuses the securesystemslib envelope with one payload byte changed [bad-signature]")

        # (c) attest signs, securesystemslib verifies.
        attest(d, "keygen", "--out", "hb.secret")
        shown = json.loads(attest(d, "key", "show", "hb.secret").stdout)["ed25519"]
        hb_pub = bytes.fromhex(shown["publicKey"])
        hb_kid = key_id(hb_pub)
        check(shown["keyId"] == hb_kid, "attest key show: keyId = SHA-256(raw public key)")
        attest(d, "trust-root", "add-key", "tr2.json", "--public-key", hb_pub.hex(), "--role", "heartbeat",
               "--sign", "root.secret", "--out", "tr3.json",
               "--issued-at", "2026-01-03T00:00:00Z", "--expires-at", "2036-01-01T00:00:00Z")
        (d / "payload.json").write_text(json.dumps(payload("attest-1", now), indent=2) + "\n")
        attest(d, "heartbeat", "sign", "--key", "hb.secret", "--payload", "payload.json", "--out", "attest.dsse.json")
        signed = json.loads((d / "attest.dsse.json").read_text())
        check(signed["payloadType"] == PAYLOAD_TYPE and [s["keyid"] for s in signed["signatures"]] == [hb_kid],
              "attest envelope: payloadType and keyid = keyId")
        check(base64.b64decode(signed["payload"], validate=True) == (d / "payload.json").read_bytes(),
              "attest envelope signs the payload file's exact bytes")
        hb_key = SSlibKey(hb_kid, "ed25519", "ed25519", {"public": hb_pub.hex()})
        sslib_env = Envelope.from_dict(copy.deepcopy(signed))
        accepted = sslib_env.verify([hb_key], 1)
        check(list(accepted) == [hb_kid], "securesystemslib verifies the attest envelope")
        trs3 = ["tr1.json", "tr2.json", "tr3.json"]
        p = attest(d, *verify_args("attest.dsse.json", trs3), expect=None)
        rep = report(p)
        check(p.returncode == 0 and rep["valid"] is True, "attest verify accepts its own envelope under tr1..tr3")
        check(rep["digest"] == hashlib.sha256(sslib_env.pae()).hexdigest(),
              "attest digest = SHA-256 of securesystemslib's PAE of the attest envelope")
        # securesystemslib's re-serialization of the attest envelope is still accepted by attest.
        (d / "roundtrip.dsse.json").write_text(json.dumps(sslib_env.to_dict()))
        p = attest(d, *verify_args("roundtrip.dsse.json", trs3), expect=None)
        check(p.returncode == 0 and report(p)["digest"] == rep["digest"],
              "securesystemslib re-serialization of the attest envelope: attest accepts, same digest")

        bad = tamper(signed)
        (d / "attest-tampered.dsse.json").write_text(json.dumps(bad))
        try:
            Envelope.from_dict(copy.deepcopy(bad)).verify([hb_key], 1)
            refused = False
        except VerificationError:
            refused = True
        check(refused, "securesystemslib refuses the attest envelope with one payload byte changed")
        p = attest(d, *verify_args("attest-tampered.dsse.json", trs3), expect=None)
        rep_bad = report(p)
        check(p.returncode == 1 and rep_bad["valid"] is False
              and check_of(rep_bad, "signature").get("reason") == "bad-signature"
              and check_of(rep_bad, "parse").get("status") == "pass",
              "attest verify refuses the tampered envelope (exit 1, parse pass, signature bad-signature)")

    print(f"dsse interop: {checks} checks passed")


if __name__ == "__main__":
    main()
