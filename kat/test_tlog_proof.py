"""`log-inclusion` (formats.md §8, docs/spec.md §10.6), recomputed here.

Written from the C2SP tlog-proof text (c2sp.org/tlog-proof@v1) and RFC 9162
§2.1.3.2, not from `verifier/src/tlog_proof.rs` or `merkle.rs`: the proof
parser and the inclusion computation are a few lines of Python; the signed
note and verifier-key parsing are test_fork.py's (Python too, written from
the C2SP texts); Ed25519 is PyNaCl, JCS `rfc8785` through kat_impl.

Every vector with a `logProof` is re-decided: the entry bytes are C(D) of
the document, the proof must name a leaf whose hash (SHA-256(0x00 ‖ C(D)))
leads to the root of a checkpoint signed by `logKey` whose origin is the
key's name. The outcome (pass, or the reason) must be the vector's.
"""

import pytest

import kat_impl as K
from conftest import SUMMARY, load_vectors
from test_fork import Malformed, b64, log_signature_ok, node, parse_checkpoint, parse_note, parse_verifier_key, sha256

HEADER = "c2sp.org/tlog-proof@v1"
# Vectors with a witness policy are re-decided in full by test_witness_policy.py (inclusion first).
VECTORS = [v for v in load_vectors() if "logProof" in v and "witnessPolicy" not in v]
STATS = {"log-inclusion verdicts re-decided": 0, "inclusion roots computed": 0}


class _Stats:
    def __str__(self):
        return ", ".join(f"{k} {n}" for k, n in STATS.items())


SUMMARY["log-inclusion"] = _Stats()


def parse_proof(text: str):
    """(index, [hash], note text); Malformed unless in the one spelling."""
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise Malformed("no blank line")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise Malformed("header")
    rest = lines[1:]
    if rest and rest[0].startswith("extra "):
        b64(rest[0][len("extra ") :])
        rest = rest[1:]
    if not rest or not rest[0].startswith("index "):
        raise Malformed("index line")
    idx = rest[0][len("index ") :]
    if not idx.isascii() or not idx.isdigit() or (idx != "0" and idx.startswith("0")) or int(idx) >= 2**64:
        raise Malformed("index")
    hashes = rest[1:]
    if len(hashes) > 63:
        raise Malformed("too many hashes")
    return int(idx), [b64(h, 32) for h in hashes], note


def inclusion_root(leaf: bytes, index: int, size: int, path: list[bytes]):
    """RFC 9162 §2.1.3.2; None when the path does not fit (index, size)."""
    STATS["inclusion roots computed"] += 1
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def outcome(v) -> str | None:
    """None: included; else the reason."""
    name, kid, pub = parse_verifier_key(v["logKey"])
    try:
        index, path, note = parse_proof(v["logProof"])
        body, sigs = parse_note(note)
    except Malformed:
        return "malformed-log-proof"
    if not log_signature_ok(body, sigs, name, kid, pub):
        return "bad-log-signature"
    try:
        origin, size, root = parse_checkpoint(body)
    except Malformed:
        return "malformed-log-proof"
    if origin != name:
        return "origin-mismatch"
    entry = K.jcs(K.loads_strict(v["document"]))
    if inclusion_root(sha256(b"\x00" + entry), index, size, path) != root:
        return "not-included"
    return None


def test_log_inclusion_vectors_exist():
    reasons = {v.get("reason") for v in VECTORS if v["expect"] == "reject:log-inclusion"}
    assert {"malformed-log-proof", "bad-log-signature", "origin-mismatch", "not-included"} <= reasons
    assert sum(v["expect"] == "accept" for v in VECTORS) >= 2


@pytest.mark.parametrize("name", [v["name"] for v in VECTORS])
def test_log_inclusion_verdict(name):
    v = next(x for x in VECTORS if x["name"] == name)
    got = outcome(v)
    STATS["log-inclusion verdicts re-decided"] += 1
    if v["expect"] == "accept":
        assert got is None, f"{name}: {got}"
    elif v["expect"] == "reject:log-inclusion":
        assert got == v["reason"], f"{name}: expected {v['reason']}, got {got}"
    else:
        # Another check fails first; the proof itself is still judged.
        assert got is None or got == v.get("reason"), f"{name}: {got}"


def test_the_computation_is_not_vacuous():
    v = next(x for x in VECTORS if x["name"] == "accept/log-inclusion")
    index, path, note = parse_proof(v["logProof"])
    body, _ = parse_note(note)
    _, size, root = parse_checkpoint(body)
    entry = K.jcs(K.loads_strict(v["document"]))
    assert inclusion_root(sha256(b"\x00" + entry), index, size, path) == root
    assert inclusion_root(sha256(b"\x00" + entry + b" "), index, size, path) != root
    assert inclusion_root(sha256(b"\x00" + entry), index, size, path[:-1]) is None
