"""Fork evidence (formats.md §8-§9, docs/spec.md §11), recomputed here.

Written from the C2SP signed-note and tlog-checkpoint texts, RFC 9162
§2.1.4.2 and docs/spec.md §11, not from `verifier/src/fork.rs`,
`checkpoint.rs` or `merkle.rs`: the note and checkpoint parsers, the
verifier-key check and the consistency-proof computation are a few lines of
Python each; Ed25519 is PyNaCl (libsodium), SHA-256 the standard library,
JCS `rfc8785` through kat_impl, the trust-root chain `kat_check.check_chain`.

Every vector whose document is fork evidence is taken out of test_vectors.py
(`conftest.is_fork_vector`) and re-decided here: each check of §11.2 gets an
outcome (None: passes; a reason: fails; "skip"), and the vector's verdict
must be the first failure in report order, or accept when none fails.
"""

import base64
import hashlib
import json
import os
import subprocess

import nacl.exceptions
import nacl.signing
import pytest

import kat_check
import kat_impl as K
from conftest import SUMMARY, is_fork_vector, load_vectors

FORK_TYPE = "attest.fork-evidence.v1"
ORDER = ["parse", "trust-root", "signer", "fork", "signature"]
MEMBERS = {"type", "origin", "logKey", "a", "b", "consistencyProof", "detectedAt", "signatures"}
MAX_SKEW_NS = 300 * 1_000_000_000

VECTORS = [v for v in load_vectors() if is_fork_vector(v)]
BY_NAME = {v["name"]: v for v in VECTORS}
STATS = {"fork verdicts re-decided": 0, "note signatures verified": 0, "consistency computations": 0,
         "CLI digests compared": 0}


class _Stats:
    def __str__(self):
        return ", ".join(f"{k} {n}" for k, n in STATS.items())


SUMMARY["fork"] = _Stats()


class Malformed(ValueError):
    pass


def sha256(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def b64(s: str, n: int | None = None) -> bytes:
    try:
        raw = K.b64_strict(s)
    except (ValueError, TypeError) as e:
        raise Malformed(f"base64: {e}") from e
    if n is not None and len(raw) != n:
        raise Malformed(f"expected {n} bytes")
    return raw


# ---------------------------------------------------------------------------
# C2SP signed notes, verifier keys, checkpoints
# ---------------------------------------------------------------------------


def note_key_id(name: str, pub: bytes) -> bytes:
    """First 4 bytes of SHA-256(name || 0x0A || 0x01 || key)."""
    return sha256(name.encode() + b"\n\x01" + pub)[:4]


def valid_name(name: str) -> bool:
    return bool(name) and not any(c.isspace() or c == "+" for c in name)


def parse_verifier_key(text: str):
    parts = text.split("+", 2)
    if len(parts) != 3 or not valid_name(parts[0]):
        raise Malformed("verifier key is name+id+key")
    name, hid, key = parts
    if len(hid) != 8 or any(c not in "0123456789abcdef" for c in hid):
        raise Malformed("key id is 8 lowercase hex digits")
    raw = b64(key, 33)
    if raw[0] != 1:
        raise Malformed("not an Ed25519 key")
    pub = raw[1:]
    try:
        nacl.signing.VerifyKey(pub)
    except (nacl.exceptions.ValueError, ValueError, TypeError) as e:
        raise Malformed("not a key") from e
    if note_key_id(name, pub).hex() != hid:
        raise Malformed("key id does not match")
    return name, bytes.fromhex(hid), pub


def parse_note(text: str):
    """(signed text, [(name, key id, signature bytes)]): split at the last blank line."""
    if len(text.encode()) > 65536 or not text.endswith("\n") or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise Malformed("not a note")
    cut = text.rfind("\n\n")
    if cut < 0:
        raise Malformed("no blank line")
    body, sigs = text[: cut + 1], text[cut + 2 :]
    lines = sigs.split("\n")[:-1]
    if not lines or len(lines) > 100:
        raise Malformed("signature lines")
    out = []
    for line in lines:
        if not line.startswith("\u2014 "):
            raise Malformed("signature line prefix")
        name, sep, rest = line[2:].partition(" ")
        if not sep or not valid_name(name):
            raise Malformed("signature line")
        raw = b64(rest)
        if len(raw) < 5:
            raise Malformed("short signature")
        out.append((name, raw[:4], raw[4:]))
    return body, out


def parse_checkpoint(body: str):
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or not lines[0] or any(x == "" for x in lines[3:]):
        raise Malformed("checkpoint lines")
    origin, size, root = lines[0], lines[1], lines[2]
    if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")) or int(size) >= 2**64:
        raise Malformed("size")
    return origin, int(size), b64(root, 32)


def log_signature_ok(body, sigs, name, kid, pub) -> bool:
    ours = [s for n, i, s in sigs if n == name and i == kid]
    if len(ours) != 1 or len(ours[0]) != 64:
        return False
    STATS["note signatures verified"] += 1
    try:
        nacl.signing.VerifyKey(pub).verify(body.encode(), ours[0])
        return True
    except nacl.exceptions.BadSignatureError:
        return False


# ---------------------------------------------------------------------------
# RFC 9162 §2.1.4.2, steps 2-6, yielding (fr, sr); ValueError when the path
# does not fit the sizes (step 6a, or sn != 0 at the end).
# ---------------------------------------------------------------------------


def consistency_roots(first: int, second: int, first_hash: bytes | None, path: list[bytes]):
    STATS["consistency computations"] += 1
    path = list(path)
    if first_hash is not None:  # step 2: first is an exact power of two
        path = [first_hash] + path
    if not path:
        raise ValueError("empty path")
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ValueError("path too long")
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("path too short")
    return fr, sr


def fork_reason(m, root_a, n, root_b, proof):
    """None for a fork, else the reason (§11.2 steps 3-7)."""
    if m > n or m == 0:
        return "not-a-fork"
    if m == n:
        if proof:
            return "bad-proof"
        return None if root_a != root_b else "not-a-fork"
    power_of_two = m & (m - 1) == 0
    candidates = []
    if power_of_two:
        candidates.append((root_a, proof))  # the RFC: the verifier's old root prepended
        if proof:
            candidates.append((None, proof))  # the evidence carries B's old root first
    else:
        candidates.append((None, proof))
    for seed, path in candidates:
        try:
            fr, sr = consistency_roots(m, n, seed, path)
        except ValueError:
            continue
        if sr != root_b:
            return "bad-proof"
        return "not-a-fork" if fr == root_a else None
    return "bad-proof"


# ---------------------------------------------------------------------------
# The checks of §11.2
# ---------------------------------------------------------------------------


def parse_evidence(raw: bytes):
    try:
        d = K.loads_strict(raw)
    except K.StrictJsonError as e:
        raise Malformed("strict JSON") from e
    if not isinstance(d, dict) or d.get("type") != FORK_TYPE or set(d) - MEMBERS:
        raise Malformed("members")
    if not (MEMBERS - {"signatures"}) <= set(d):
        raise Malformed("missing member")
    if not isinstance(d["origin"], str) or not d["origin"] or not all(isinstance(d[k], str) for k in ("logKey", "a", "b")):
        raise Malformed("strings")
    key = parse_verifier_key(d["logKey"])
    cps = []
    for side in ("a", "b"):
        body, sigs = parse_note(d[side])
        cps.append((body, sigs, parse_checkpoint(body)))
    if not isinstance(d["consistencyProof"], list) or len(d["consistencyProof"]) > 65:
        raise Malformed("proof")
    if not all(isinstance(h, str) for h in d["consistencyProof"]):
        raise Malformed("proof hashes are strings")
    proof = [b64(h, 32) for h in d["consistencyProof"]]
    try:
        detected = K.ts_nanos(d["detectedAt"])
    except (ValueError, TypeError) as e:
        raise Malformed("detectedAt") from e
    sigs = d.get("signatures")
    if sigs is not None:
        if not isinstance(sigs, list) or not sigs:
            raise Malformed("signatures")
        for s in sigs:
            if not isinstance(s, dict) or set(s) != {"keyId", "signature"} or not K.HEX64.match(str(s["keyId"])):
                raise Malformed("signature entry")
            if len(b64(s["signature"])) != 64:
                raise Malformed("signature length")
    return d, key, cps, proof, detected


def outcomes(v):
    """{check: None (pass) | reason | "skip"} in report order, plus the parsed document."""
    out = {c: "skip" for c in ORDER}
    try:
        d, (name, kid, pub), cps, proof, detected = parse_evidence(kat_check.document_bytes(v))
    except Malformed:
        out["parse"] = "malformed"
        return out, None
    out["parse"] = None
    f = kat_check.Facts()
    newest = kat_check.check_chain(v["trustRoots"], v["rootKeys"], v["now"], v.get("minTrustRootVersion"), f)
    if newest is None:
        out["trust-root"] = next(r for (c, r), ok in f.d.items() if c == "trust-root" and not ok)
        return out, d
    out["trust-root"] = None
    keys = {k["keyId"]: k for k in newest["keys"]}
    # signer: detectedAt within the clock skew; the log key is a usable Ed25519 `log` key.
    entry = keys.get(K.key_id(pub.hex()))
    if detected > K.ts_nanos(v["now"]) + MAX_SKEW_NS:
        out["signer"] = "issued-in-future"
    elif entry is None:
        out["signer"] = "unknown-key"
    elif entry.get("revoked", False):
        out["signer"] = "key-revoked"
    elif "log" not in entry["roles"]:
        out["signer"] = "wrong-role"
    elif not kat_check.in_window(entry, detected):
        out["signer"] = "key-window"
    elif entry["algorithm"] != "ed25519" or entry["publicKey"] != pub.hex():
        out["signer"] = "wrong-algorithm"
    else:
        out["signer"] = None
    if out["signer"] is not None:
        return out, d
    # fork
    reason = None
    if d["origin"] != name:
        reason = "origin-mismatch"
    else:
        for body, sigs, (origin, _size, _root) in cps:
            if not log_signature_ok(body, sigs, name, kid, pub):
                reason = "bad-log-signature"
                break
            if origin != name:
                reason = "origin-mismatch"
                break
    if reason is None:
        (_, _, (_, m, ra)), (_, _, (_, n, rb)) = cps
        reason = fork_reason(m, ra, n, rb, proof)
    out["fork"] = reason
    # signature: reporters whose keyId names a trust-root key (others ignored), each key once.
    message = K.signing_message(d)
    verified, failed = set(), None
    for s in d.get("signatures") or []:
        k = keys.get(s["keyId"])
        if k is None or s["keyId"] in verified:
            continue
        if not kat_check.usable(k, "witness", detected):
            failed = "wrong-role" if "witness" not in k["roles"] else "key-window"
            break
        if not K.ed25519_verify(k["publicKey"], message, s["signature"]):
            failed = "bad-signature"
            break
        verified.add(s["keyId"])
    out["signature"] = failed if failed else (None if verified else "skip")
    return out, d


def verdict(out):
    for c in ORDER:
        if out[c] not in (None, "skip"):
            return f"reject:{c}", out[c]
    return "accept", None


def test_fork_vectors_exist():
    names = {v["name"] for v in VECTORS}
    assert len(VECTORS) >= 20, names
    for n in ["accept/fork-equal-size", "accept/fork-larger-size", "accept/fork-power-of-two",
              "fork/consistent", "fork/wrong-proof", "fork/bad-signature-a", "fork/bad-signature-b",
              "fork/checkpoint-origin", "signer/fork-log-key-not-pinned", "parse/fork-malformed-note"]:
        assert n in names


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_fork_verdict(name):
    v = BY_NAME[name]
    out, _ = outcomes(v)
    got, reason = verdict(out)
    want_reason = v.get("reason")
    if v["expect"] == "reject:parse" and want_reason in kat_check.STRUCTURE_REASONS | {"malformed"}:
        want_reason = "malformed"
    assert (got, reason) == (v["expect"], want_reason), out
    STATS["fork verdicts re-decided"] += 1


def test_accepted_forks_are_split_views_here():
    """For each accepted vector, the split view itself: the root B's history
    gives size(A) differs from A's, recomputed with the plain RFC algorithm."""
    for name in [n for n in BY_NAME if n.startswith("accept/")]:
        out, d = outcomes(BY_NAME[name])
        assert out["fork"] is None, (name, out)
        assert d is not None


def test_the_checks_are_not_vacuous():
    """One changed root byte in B breaks the log signature; the honest pair is consistent."""
    v = dict(BY_NAME["accept/fork-larger-size"])
    d = json.loads(v["document"])
    body, sigs = parse_note(d["b"])
    origin, size, root = parse_checkpoint(body)
    bad_root = base64.b64encode(bytes([root[0] ^ 1]) + root[1:]).decode()
    d["b"] = d["b"].replace(base64.b64encode(root).decode(), bad_root, 1)
    v["document"] = json.dumps(d)
    out, _ = outcomes(v)
    assert out["fork"] == "bad-log-signature", out
    # Swapping in the proof of an honest tree: the proof no longer leads to root(B).
    d = json.loads(BY_NAME["accept/fork-larger-size"]["document"])
    d["consistencyProof"] = d["consistencyProof"][::-1]
    v["document"] = json.dumps(d)
    out, _ = outcomes(v)
    assert out["fork"] == "bad-proof", out


@pytest.mark.parametrize("name", sorted(n for n in BY_NAME if n.startswith("accept/")))
def test_cli_digest_and_verdict(attest_bin, tmp_path, name):
    """`attest verify --format json`: exit 0, valid, and digest = SHA-256(M(evidence)) computed here."""
    v = BY_NAME[name]
    doc = tmp_path / "evidence.json"
    doc.write_text(v["document"])
    args = [attest_bin, "verify", str(doc), "--now", v["now"], "--format", "json"]
    for i, t in enumerate(v["trustRoots"]):
        p = tmp_path / f"tr{i}.json"
        p.write_text(t)
        args += ["--trust-root", str(p)]
    keys = tmp_path / "root.pub"
    keys.write_text("\n".join(v["rootKeys"]) + "\n")
    args += ["--root-key", str(keys)]
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"))
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    report = json.loads(p.stdout)
    assert report["valid"] and report["type"] == FORK_TYPE
    d = K.loads_strict(v["document"])
    assert report["digest"] == K.digest(d)
    STATS["CLI digests compared"] += 1
