"""Witness policies and cosignatures (formats.md §8–§9, docs/spec.md §11.5), recomputed here.

Written from the C2SP texts (tlog-policy, tlog-cosignature v1), not from
`verifier/src/tlog_policy.rs` or `cosignature.rs`: a policy parser, the
Ed25519 cosignature check (key ID SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4],
signed message "cosignature/v1\\ntime <t>\\n" + checkpoint text, PyNaCl) and
the k-of-n quorum, in Python. Every vector with a `witnessPolicy` is
re-decided: malformed policy, log not in the policy, quorum not met, or
pass, and it must be the vector's outcome.
"""

import hashlib
import struct

import nacl.exceptions
import nacl.signing
import pytest

from conftest import SUMMARY, load_vectors
from test_fork import Malformed, b64, parse_note, parse_verifier_key, valid_name
from test_tlog_proof import outcome as inclusion_outcome, parse_proof

VECTORS = [v for v in load_vectors() if "witnessPolicy" in v]
STATS = {"witness-policy verdicts re-decided": 0, "cosignatures verified": 0}


class _Stats:
    def __str__(self):
        return ", ".join(f"{k} {n}" for k, n in STATS.items())


SUMMARY["witness-policy"] = _Stats()


def cosigner_key(text: str):
    parts = text.split("+", 2)
    if len(parts) != 3 or not valid_name(parts[0]):
        raise Malformed("vkey")
    name, hid, key = parts
    raw = b64(key, 33)
    if raw[0] != 4:
        raise Malformed("not a cosigner key")
    pub = raw[1:]
    kid = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
    if kid.hex() != hid:
        raise Malformed("key id")
    return name, kid, pub


def parse_policy(text: str):
    """(log keys, {name: key}, {name: (k, [members])}, quorum name)."""
    logs, witnesses, groups, quorum = [], {}, {}, None
    for line in text.split("\n"):
        if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in line):
            raise Malformed("control character")
        items = line.replace("\t", " ").split()
        if not items or items[0].startswith("#"):
            continue
        kw, args = items[0], items[1:]
        if kw == "log":
            if len(args) not in (1, 2):
                raise Malformed("log line")
            key = parse_verifier_key(args[0])
            if any(k[2] == key[2] for k in logs):
                raise Malformed("duplicate log")
            logs.append(key)
        elif kw == "witness":
            if len(args) not in (2, 3) or args[0] == "none" or args[0] in witnesses or args[0] in groups:
                raise Malformed("witness line")
            key = cosigner_key(args[1])
            if any(k[2] == key[2] for k in witnesses.values()):
                raise Malformed("duplicate witness key")
            witnesses[args[0]] = key
        elif kw == "group":
            if len(args) < 3 or args[0] == "none" or args[0] in witnesses or args[0] in groups:
                raise Malformed("group line")
            members = args[2:]
            if len(set(members)) != len(members) or any(m not in witnesses and m not in groups for m in members):
                raise Malformed("members")
            n = len(members)
            k = {"all": n, "any": 1}.get(args[1])
            if k is None:
                if not args[1].isdigit() or (len(args[1]) > 1 and args[1][0] == "0"):
                    raise Malformed("threshold")
                k = int(args[1])
            if not 1 <= k <= n:
                raise Malformed("threshold range")
            groups[args[0]] = (k, members)
        elif kw == "quorum":
            if len(args) != 1 or quorum is not None:
                raise Malformed("quorum line")
            if args[0] != "none" and args[0] not in witnesses and args[0] not in groups:
                raise Malformed("quorum undefined")
            quorum = args[0]
        else:
            raise Malformed("keyword")
    if quorum is None:
        raise Malformed("no quorum")
    return logs, witnesses, groups, quorum


def cosigned(body: str, sigs, key) -> bool:
    name, kid, pub = key
    vk = nacl.signing.VerifyKey(pub)
    for n, k, raw in sigs:
        if n != name or k != kid or len(raw) != 72:
            continue
        (t,) = struct.unpack(">Q", raw[:8])
        if t >= 2**63:
            continue
        try:
            vk.verify(b"cosignature/v1\ntime %d\n" % t + body.encode(), raw[8:])
            STATS["cosignatures verified"] += 1
            return True
        except nacl.exceptions.BadSignatureError:
            continue
    return False


def quorum_met(policy, body, sigs) -> bool:
    _, witnesses, groups, quorum = policy
    memo = {}

    def met(name):
        if name not in memo:
            if name in witnesses:
                memo[name] = cosigned(body, sigs, witnesses[name])
            else:
                k, members = groups[name]
                memo[name] = sum(met(m) for m in members) >= k
        return memo[name]

    return quorum == "none" or met(quorum)


def outcome(v):
    first = inclusion_outcome(v)
    if first is not None:
        return first
    try:
        policy = parse_policy(v["witnessPolicy"])
    except Malformed:
        return "malformed-witness-policy"
    name, _, pub = parse_verifier_key(v["logKey"])
    if policy[0] and not any(k[0] == name and k[2] == pub for k in policy[0]):
        return "log-not-in-policy"
    body, sigs = parse_note(parse_proof(v["logProof"])[2])
    return None if quorum_met(policy, body, sigs) else "quorum-not-met"


def test_witness_policy_vectors_exist():
    reasons = {v.get("reason") for v in VECTORS}
    assert {"malformed-witness-policy", "log-not-in-policy", "quorum-not-met"} <= reasons
    assert sum(v["expect"] == "accept" for v in VECTORS) >= 6


@pytest.mark.parametrize("name", [v["name"] for v in VECTORS])
def test_witness_policy_verdict(name):
    v = next(x for x in VECTORS if x["name"] == name)
    got = outcome(v)
    STATS["witness-policy verdicts re-decided"] += 1
    if v["expect"] == "accept":
        assert got is None, f"{name}: {got}"
    else:
        assert v["expect"] == "reject:log-inclusion" and got == v["reason"], f"{name}: expected {v['reason']}, got {got}"
