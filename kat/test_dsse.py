"""DSSE envelopes and runtime heartbeats (docs/spec.md §9), recomputed here.

Written from the DSSE v1 protocol text (PAE, base64 in either alphabet) and
formats.md §7 / docs/spec.md §9, not from `verifier/src/dsse.rs`: PAE, the
DSSE base64 decoder and the heartbeat checks below are a few lines of Python
each; Ed25519 is PyNaCl (libsodium), SHA-256 the standard library, the trust
root chain `kat_check.check_chain` (itself independent of the project).
"""

import base64
import binascii
import hashlib
import json
import os
import re
import subprocess

import nacl.exceptions
import nacl.signing
import pytest

import kat_check
import kat_impl as K
from conftest import SUMMARY, is_dsse_vector, load_vectors

PAYLOAD_TYPE = "application/vnd.attest.runtime-heartbeat.v1+json"
HEARTBEAT_TYPE = "attest.runtime-heartbeat.v1"

ALL = load_vectors()
# Heartbeats by TEE-bound keys need a DCAP verdict: test_tee.py checks their bindings.
DSSE = [v for v in ALL if is_dsse_vector(v) and not v["name"].startswith("tee/")]
SINGLE_ACCEPT = [v for v in DSSE if v.get("document") is not None and v.get("expect") == "accept"]
BY_NAME = {v["name"]: v for v in DSSE}
STATS = {"PAE digests recomputed": 0, "DSSE Ed25519 signatures verified": 0, "CLI digests compared": 0,
         "reject verdicts re-decided": 0}


class _Stats:
    def __str__(self):
        return ", ".join(f"{k} {n}" for k, n in STATS.items())


SUMMARY["dsse"] = _Stats()
HB_ORDER = ["parse", "trust-root", "signer", "signature", "freshness", "policy", "drift", "limits"]


# ---------------------------------------------------------------------------
# DSSE v1 (secure-systems-lab/dsse, protocol.md)
# ---------------------------------------------------------------------------


def pae(payload_type: str, payload: bytes) -> bytes:
    """PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in ASCII decimal."""
    t = payload_type.encode("utf-8")
    return b" ".join([b"DSSEv1", str(len(t)).encode(), t, str(len(payload)).encode(), payload])


STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
URL = STD[:62] + "-_"


class Base64Error(ValueError):
    pass


def dsse_b64decode(s: str) -> bytes:
    """RFC 4648 §4 (standard) or §5 (URL-safe) alphabet, never both in one value,
    padded or unpadded, canonical (§3.5: the pad bits of the last symbol are zero).
    A hand-written decoder (6-bit groups), not Python's lenient `base64` module."""
    if not isinstance(s, str):
        raise Base64Error("not a string")
    std = any(c in "+/" for c in s)
    url = any(c in "-_" for c in s)
    if std and url:
        raise Base64Error("mixed alphabets")
    alphabet = URL if url else STD
    body = s.rstrip("=")
    pad = len(s) - len(body)
    if len(body) % 4 == 1:
        raise Base64Error("impossible length")
    if pad and (len(s) % 4 or pad != -len(body) % 4):
        raise Base64Error("wrong padding")
    bits, nbits, out = 0, 0, bytearray()
    for c in body:
        i = alphabet.find(c)
        if i < 0:
            raise Base64Error(f"character {c!r} outside the alphabet")
        bits, nbits = (bits << 6) | i, nbits + 6
        if nbits >= 8:
            nbits -= 8
            out.append((bits >> nbits) & 0xFF)
            bits &= (1 << nbits) - 1
    if bits:
        raise Base64Error("non-zero trailing bits (non-canonical)")
    return bytes(out)


# ---------------------------------------------------------------------------
# Heartbeat payload and checks (formats.md §7, docs/spec.md §9.2–9.3)
# ---------------------------------------------------------------------------

PAYLOAD_MEMBERS = {
    "type", "attestation_id", "stream", "boot_id", "seq", "previous", "timestamp", "interval_seconds",
    "policy_hash", "zero_retention", "epsilon_limits", "version", "kernel_config_hash", "capability_keys",
    "tenant_isolation", "egress_firewall_enabled", "pii_detection_enabled", "total_requests",
    "blocked_requests", "capability_failures", "plan_validations", "uptime_seconds",
}
COUNTERS = ["total_requests", "blocked_requests", "capability_failures", "plan_validations", "uptime_seconds"]
FLAGS = ["zero_retention", "tenant_isolation", "egress_firewall_enabled", "pii_detection_enabled"]
IDENT = re.compile(r"^[A-Za-z0-9._:/-]{1,128}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _uint(v):
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2**53 - 1


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


def payload_problems(p) -> list:
    """Well-formedness of a heartbeat payload: the list of what is wrong."""
    if not isinstance(p, dict):
        return ["payload is not an object"]
    bad = []
    if p.get("type") != HEARTBEAT_TYPE:
        bad.append("type")
    if set(p) != PAYLOAD_MEMBERS:
        bad.append(f"members {sorted(set(p) ^ PAYLOAD_MEMBERS)}")
        return bad
    if not (isinstance(p["attestation_id"], str) and 1 <= len(p["attestation_id"]) <= 128):
        bad.append("attestation_id")
    for k in ("stream", "boot_id"):
        if not (isinstance(p[k], str) and IDENT.match(p[k])):
            bad.append(k)
    for k in ["seq", "timestamp", *COUNTERS]:
        if not _uint(p[k]):
            bad.append(k)
    if not (_uint(p["interval_seconds"]) and p["interval_seconds"] >= 1):
        bad.append("interval_seconds")
    if (p["seq"] == 0) != (p["previous"] is None):
        bad.append("previous")
    if p["previous"] is not None and not (isinstance(p["previous"], str) and HEX64.match(p["previous"])):
        bad.append("previous")
    for k in ("policy_hash", "kernel_config_hash"):
        if not (isinstance(p[k], str) and HEX64.match(p[k])):
            bad.append(k)
    if not (isinstance(p["capability_keys"], list) and all(isinstance(x, str) and HEX64.match(x) for x in p["capability_keys"])):
        bad.append("capability_keys")
    for k in FLAGS:
        if not isinstance(p[k], bool):
            bad.append(k)
    if not isinstance(p["version"], str):
        bad.append("version")
    e = p["epsilon_limits"]
    if not (isinstance(e, dict) and set(e) == {"max_epsilon", "max_delta", "current_usage", "reset_interval"}
            and all(_num(x) for x in e.values())):
        bad.append("epsilon_limits")
    return bad


def envelope_facts(text: str, v) -> dict:
    """(check, reason) -> holds for one envelope text: strict JSON, the envelope
    shape (§9.1), the DSSE base64, then `heartbeat_facts`."""
    f = kat_check.Facts()
    try:
        env = K.loads_strict(text)
        shape = (isinstance(env, dict) and set(env) == {"payloadType", "payload", "signatures"}
                 and isinstance(env["payloadType"], str) and isinstance(env["signatures"], list)
                 and 1 <= len(env["signatures"]) <= 16
                 and all(isinstance(s, dict) and set(s) == {"keyid", "sig"} and isinstance(s["keyid"], str)
                         and len(s["keyid"].encode()) <= 256 for s in env["signatures"]))
        payload = dsse_b64decode(env["payload"])
        for s in env["signatures"]:
            dsse_b64decode(s["sig"])
    except (K.StrictJsonError, Base64Error, TypeError, KeyError):
        shape = False
    f.put("parse", "malformed", shape)
    if not shape:
        return f.d
    f.put("parse", "unknown-type", env["payloadType"] == PAYLOAD_TYPE)
    if env["payloadType"] != PAYLOAD_TYPE:
        return f.d
    return heartbeat_facts(env, payload, v, f)


def heartbeat_facts(env: dict, payload: bytes, v, f=None) -> dict:
    """(check, reason) -> holds, for one decoded envelope of a vector, recomputed here."""
    f = f or kat_check.Facts()
    try:
        p = K.loads_strict(payload)
    except K.StrictJsonError:
        f.put("parse", "malformed", False)
        return f.d
    bad = payload_problems(p)
    f.put("parse", "malformed", not bad)
    if bad:
        return f.d
    newest = kat_check.check_chain(list(v["trustRoots"]), v["rootKeys"], v["now"], None, f)
    if newest is None:
        return f.d
    t_ns = p["timestamp"] * 10**9
    keys = {k["keyId"]: k for k in newest["keys"]}
    message = pae(env["payloadType"], payload)
    candidates, verified, refusals, lengths = [], set(), [], []
    for s in env["signatures"]:
        k = keys.get(s["keyid"])
        if k is None:
            continue  # a keyid naming no key is ignored (spec §9.3)
        f.put("signer", "key-id", hashlib.sha256(bytes.fromhex(k["publicKey"])).hexdigest() == s["keyid"])
        if "heartbeat" not in k["roles"]:
            refusals.append("wrong-role")
        elif k.get("revoked", False):
            refusals.append("key-revoked")
        elif not kat_check.in_window(k, t_ns):
            refusals.append("key-window")
        elif k["algorithm"] != "ed25519":
            refusals.append("wrong-algorithm")
        else:
            candidates.append(k["keyId"])
            sig = dsse_b64decode(s["sig"])
            lengths.append(len(sig))
            try:
                nacl.signing.VerifyKey(bytes.fromhex(k["publicKey"])).verify(message, sig)
                verified.add(k["keyId"])
                STATS["DSSE Ed25519 signatures verified"] += 1
            except (nacl.exceptions.BadSignatureError, ValueError):
                pass
    if candidates:
        f.put("signer", "unknown-key", True)
    else:
        f.put("signer", refusals[0] if refusals else "unknown-key", False)
    if candidates and all(n != 64 for n in lengths):
        f.put("signature", "signature-encoding", False)
    else:
        f.put("signature", "bad-signature", bool(verified))
    now = K.ts_seconds(v["now"])
    pol = K.loads_strict(v["heartbeatPolicy"]) if v.get("heartbeatPolicy") else {}
    max_age, max_skew = pol.get("max_age_seconds", 300), pol.get("max_skew_seconds", 60)
    f.put("freshness", "stale", p["timestamp"] >= now - max_age)
    f.put("freshness", "from-future", p["timestamp"] <= now + max_skew)
    if pol:
        f.put("policy", "policy-mismatch", p["policy_hash"] == pol["policy_hash"])
        pinned = {"zero_retention": pol["zero_retention"], **pol.get("pinned", {})}
        f.put("drift", "pinned-mismatch", all(p[k] == x for k, x in pinned.items()))
    e = p["epsilon_limits"]
    f.put("limits", "epsilon-exceeded", e["current_usage"] <= e["max_epsilon"])
    f.put("limits", "blocked-exceeds-total", p["blocked_requests"] <= p["total_requests"])
    return f.d


def attest_verify(attest_bin, tmp_path, v, document: str):
    """`attest verify --format json` with the vector's trust roots, root keys, --now and policy."""
    args = [attest_bin, "verify", str(tmp_path / "doc.json"), "--now", v["now"], "--format", "json"]
    (tmp_path / "doc.json").write_text(document)
    for i, t in enumerate(v["trustRoots"]):
        (tmp_path / f"tr{i}.json").write_text(t)
        args += ["--trust-root", str(tmp_path / f"tr{i}.json")]
    for i, k in enumerate(v["rootKeys"]):
        (tmp_path / f"root{i}.pub").write_text(k + "\n")
        args += ["--root-key", str(tmp_path / f"root{i}.pub")]
    if v.get("heartbeatPolicy"):
        (tmp_path / "policy.json").write_text(v["heartbeatPolicy"])
        args += ["--heartbeat-policy", str(tmp_path / "policy.json")]
    # The remembered trust-root versions (docs/spec.md §6) stay in this test's directory.
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path.resolve() / ".attest-state")}
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    assert p.returncode in (0, 1), f"exit {p.returncode}: {p.stderr}"
    return p.returncode, json.loads(p.stdout)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_pae_specification_example():
    """The DSSE specification's PAE test vector (protocol.md)."""
    assert pae("http://example.com/HelloWorld", b"hello world") == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    assert pae("", b"") == b"DSSEv1 0  0 "
    # LEN counts bytes, not characters.
    assert pae("\u00e9", b"\xff") == b"DSSEv1 2 \xc3\xa9 1 \xff"


@pytest.mark.parametrize("text,raw", [
    ("+/8=", b"\xfb\xff"), ("+/8", b"\xfb\xff"), ("-_8=", b"\xfb\xff"), ("-_8", b"\xfb\xff"),
    ("", b""), ("aGVsbG8gd29ybGQ=", b"hello world"), ("aGVsbG8gd29ybGQ", b"hello world"),
])
def test_dsse_base64_accepts(text, raw):
    assert dsse_b64decode(text) == raw
    # Agrees with Python's own decoder of the matching alphabet.
    alt = b"-_" if any(c in "-_" for c in text) else b"+/"
    assert base64.b64decode(text + "=" * (-len(text) % 4), altchars=alt, validate=True) == raw


@pytest.mark.parametrize("text", ["+_8=", "-/8", "+/9=", "+/8==", " +/8=", "+/8=\n", "A", "A===", "+/8=A", "@@"])
def test_dsse_base64_refuses(text):
    with pytest.raises(Base64Error):
        dsse_b64decode(text)


def test_dsse_vectors_present():
    names = {v["name"] for v in DSSE}
    assert len(SINGLE_ACCEPT) >= 7, [v["name"] for v in SINGLE_ACCEPT]
    assert len([v for v in DSSE if v.get("document") is not None and v["expect"] != "accept"]) >= 30
    assert len([v for v in DSSE if v.get("documents")]) >= 15
    assert {"accept/heartbeat", "accept/heartbeat-url-safe-unpadded", "parse/heartbeat-base64-tail",
            "parse/heartbeat-mixed-alphabet"} <= names


@pytest.mark.parametrize("name", [v["name"] for v in SINGLE_ACCEPT])
def test_accept_envelope_digest_and_signature(attest_bin, tmp_path, name):
    """SHA-256(PAE) recomputed and equal to the CLI's digest; an Ed25519 signature
    over PAE verifies (PyNaCl) under a heartbeat key whose keyId = SHA-256(raw key)
    is the signature's keyid; the rest of the heartbeat checks hold."""
    v = BY_NAME[name]
    env = K.loads_strict(v["document"])
    assert isinstance(env, dict) and set(env) == {"payloadType", "payload", "signatures"}
    assert env["payloadType"] == PAYLOAD_TYPE
    assert 1 <= len(env["signatures"]) <= 16
    assert all(set(s) == {"keyid", "sig"} for s in env["signatures"])
    payload = dsse_b64decode(env["payload"])
    mine = hashlib.sha256(pae(env["payloadType"], payload)).hexdigest()
    STATS["PAE digests recomputed"] += 1

    facts = heartbeat_facts(env, payload, v)
    failing = [k for k, ok in facts.items() if not ok]
    assert not failing, f"{name}: my checks fail: {failing}"
    for key in [("parse", "malformed"), ("trust-root", "not-anchored"), ("signer", "unknown-key"),
                ("signer", "key-id"), ("signature", "bad-signature"), ("freshness", "stale"), ("limits", "epsilon-exceeded")]:
        assert key in facts, f"{name}: {key} not computed"

    code, rep = attest_verify(attest_bin, tmp_path, v, v["document"])
    assert code == 0 and rep["valid"] is True, rep
    assert rep["type"] == HEARTBEAT_TYPE
    assert rep["digest"] == mine, f"CLI digest {rep['digest']} != SHA-256(PAE) {mine}"
    STATS["CLI digests compared"] += 1


def test_url_safe_unpadded_has_the_same_digest_as_standard():
    """One digest for every encoding variant (spec §9.1): the URL-safe unpadded
    vector carries the same payload bytes as accept/heartbeat."""
    a = K.loads_strict(BY_NAME["accept/heartbeat"]["document"])
    b = K.loads_strict(BY_NAME["accept/heartbeat-url-safe-unpadded"]["document"])
    assert "=" not in b["payload"] and any(c in "-_" for c in b["payload"] + b["signatures"][0]["sig"])
    pa, pb = dsse_b64decode(a["payload"]), dsse_b64decode(b["payload"])
    assert pa == pb
    assert dsse_b64decode(a["signatures"][0]["sig"]) == dsse_b64decode(b["signatures"][0]["sig"])


def test_base64_tail_vector_is_non_canonical():
    """parse/heartbeat-base64-tail: `payload` decodes leniently, but its last symbol
    carries non-zero pad bits (RFC 4648 §3.5), so it is not the canonical encoding
    of any byte string."""
    v = BY_NAME["parse/heartbeat-base64-tail"]
    assert v["expect"] == "reject:parse" and v["reason"] == "bad-encoding" and v["path"] == "$.payload"
    s = K.loads_strict(v["document"])["payload"]
    lenient = base64.b64decode(s, validate=True)  # Python ignores the tail bits...
    assert base64.b64encode(lenient).decode() != s  # ...so re-encoding differs: non-canonical
    with pytest.raises(Base64Error, match="trailing bits"):
        dsse_b64decode(s)
    # The last symbol before the padding has low bits set that no encoder emits.
    body = s.rstrip("=")
    pad_bits = {1: 2, 2: 4}[len(s) - len(body)]
    assert STD.index(body[-1]) & ((1 << pad_bits) - 1) != 0


def test_mixed_alphabet_vector_is_in_neither_alphabet():
    """parse/heartbeat-mixed-alphabet: the signature mixes '+' (standard) and '-'
    (URL-safe): Python's strict standard decoder refuses it, and it matches
    neither RFC 4648 alphabet."""
    v = BY_NAME["parse/heartbeat-mixed-alphabet"]
    assert v["expect"] == "reject:parse" and v["reason"] == "bad-encoding"
    assert v["path"] == "$.signatures[0].sig"
    s = K.loads_strict(v["document"])["signatures"][0]["sig"]
    assert set(s) & set("+/") and set(s) & set("-_")
    with pytest.raises(binascii.Error):
        base64.b64decode(s, validate=True)
    # RFC 4648 §5: '+' and '/' are not in the URL-safe alphabet. (Python's
    # `altchars` decoding maps '-_' onto '+/' first and so would accept both.)
    assert not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", s)
    assert not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", s)
    with pytest.raises(Base64Error, match="mixed"):
        dsse_b64decode(s)


@pytest.mark.parametrize("name", ["parse/heartbeat-base64-tail", "parse/heartbeat-mixed-alphabet"])
def test_cli_rejects_bad_encoding(attest_bin, tmp_path, name):
    v = BY_NAME[name]
    code, rep = attest_verify(attest_bin, tmp_path, v, v["document"])
    assert code == 1 and rep["valid"] is False
    assert rep["checks"][0]["id"] == "parse" and rep["checks"][0]["reason"] == "bad-encoding"


@pytest.mark.parametrize("name", sorted(v["name"] for v in DSSE if v.get("documents")))
def test_stream_items_signatures(name):
    """Stream vectors: each item expected to pass its single checks has an
    Ed25519 signature over PAE that verifies under a heartbeat key (PyNaCl)."""
    v = BY_NAME[name]
    checked = 0
    for doc, exp in zip(v["documents"], v["expectEach"]):
        if exp != "accept":
            continue
        env = K.loads_strict(doc)
        payload = dsse_b64decode(env["payload"])
        facts = heartbeat_facts(env, payload, v)
        # Batches apply the upper freshness bound only (spec §9.3): history is not stale.
        facts.pop(("freshness", "stale"), None)
        assert facts.get(("signature", "bad-signature")) is True, f"{name}: {facts}"
        failing = [k for k, ok in facts.items() if not ok]
        assert not failing, f"{name}: {failing}"
        checked += 1
    assert checked >= 1 or all(e != "accept" for e in v["expectEach"])


@pytest.mark.parametrize("name", sorted(v["name"] for v in DSSE if v.get("document") is not None and v["expect"] != "accept"))
def test_reject_envelope_verdict(name):
    """Every rejecting single-envelope vector, re-decided from my facts: the
    expected check fails (a structure reason of `parse` as `malformed`), and no
    check earlier in report order (spec §9.3) fails."""
    v = BY_NAME[name]
    facts = envelope_facts(v["document"], v)
    check = v["expect"].split(":", 1)[1]
    reason = v["reason"]
    if check == "parse" and reason != "unknown-type":
        reason = "malformed"
    assert (check, reason) in facts, f"{name}: {check}/{reason} not decided; my facts {facts}"
    assert facts[(check, reason)] is False, f"{name}: my {check}/{reason} holds"
    earlier = [k for k, ok in facts.items() if not ok and HB_ORDER.index(k[0]) < HB_ORDER.index(check)]
    assert not earlier, f"{name}: earlier checks fail: {earlier}"
    STATS["reject verdicts re-decided"] += 1


def test_one_changed_payload_byte_breaks_my_signature_check():
    """My checks are not vacuous: accept/heartbeat with one payload byte changed
    (re-encoded canonically) fails `signature` and changes the digest."""
    v = BY_NAME["accept/heartbeat"]
    env = K.loads_strict(v["document"])
    payload = bytearray(dsse_b64decode(env["payload"]))
    i = payload.index(b'"edge-eu-1"') + 1
    payload[i] ^= 0x01  # 'e' -> 'd': still a valid payload
    env["payload"] = base64.b64encode(bytes(payload)).decode()
    facts = envelope_facts(json.dumps(env), v)
    assert facts[("parse", "malformed")] is True
    assert facts[("signature", "bad-signature")] is False
