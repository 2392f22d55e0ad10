"""Attesto Local Vault documents (formats.md §10, docs/spec.md §12), re-decided.

Written from the design notes (shared/design/attesto-local-vault.md) and
docs/spec.md §12, not from `verifier/src/attesto/`: Attesto's canonical bytes
are Python's own `json.dumps(x, ensure_ascii=False, sort_keys=True,
separators=(",", ":"))` (what the package calls), Ed25519 is PyNaCl, the
trust-root chain is kat_check's. Each `attesto/*` vector is re-decided check by
check; the samples the real package produced (interop/attesto/samples) must
all verify under their key; and the canonical-form vectors' payload hashes
must be what Python's json.dumps gives (floats as repr, 2^64 exact, keys by
code point).
"""

import hashlib
import json

import nacl.exceptions
import nacl.signing
import pytest

import kat_check
import kat_impl
from conftest import ROOT, SUMMARY, load_vectors

VECTORS = [v for v in load_vectors() if v["name"].startswith("attesto/")]
SAMPLES = sorted((ROOT / "interop" / "attesto" / "samples").glob("*.json"))
SAMPLE_KEY = "da4fee0eaf54d9863ae1e8dbe148d797335fd0e6863571a381f86d7702e07693"
ORDER = ["parse", "trust-root", "signer", "signature", "statement-hash", "canonical-bytes", "binding"]
RELAY_TYPE = "attest.attesto-relay-request.v1"
HEADERS = (
    "X-Attesto-Local-Vault-Envelope-Hash",
    "X-Attesto-Local-Vault-Signature",
    "X-Attesto-Local-Vault-Public-Key",
)
STATS = {"verdicts re-decided": 0, "signatures verified": 0, "real samples verified": 0}


class _Stats:
    def __str__(self):
        return ", ".join(f"{k} {n}" for k, n in STATS.items())


SUMMARY["attesto"] = _Stats()


class Refused(ValueError):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _pairs(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise Refused("duplicate-key")
    return dict(pairs)


def loads(text: str):
    return json.loads(text, object_pairs_hook=_pairs)


def A(x) -> bytes:
    return json.dumps(x, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def M(domain: str, x) -> bytes:
    return domain.encode("utf-8") + b"\x00" + A(x)


def has_float(x) -> bool:
    if isinstance(x, float):
        return True
    if isinstance(x, dict):
        return any(has_float(v) for v in x.values())
    if isinstance(x, list):
        return any(has_float(v) for v in x)
    return False


def is_hex(s, n) -> bool:
    return isinstance(s, str) and len(s) == n and all(c in "0123456789abcdef" for c in s)


def exact_members(o, names):
    if not isinstance(o, dict):
        raise Refused("wrong-json-type")
    if set(o) - set(names):
        raise Refused("unknown-member")
    if set(names) - set(o):
        raise Refused("missing-member")


def is_int(v, minimum):
    if isinstance(v, bool) or not isinstance(v, int):
        raise Refused("wrong-json-type")
    if v < minimum:
        raise Refused("out-of-range")


def ed25519_ok(pub_hex, msg, sig_hex) -> bool:
    STATS["signatures verified"] += 1
    try:
        nacl.signing.VerifyKey(bytes.fromhex(pub_hex)).verify(msg, bytes.fromhex(sig_hex))
        return True
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False


def key_blocks(d):
    for name, last in (("signature", "signature_hex"), ("public_key", "public_key_hex")):
        b = d[name]
        exact_members(b, ["alg", "kid", "key_epoch", last])
        if b["alg"] != "ed25519":
            raise Refused("unknown-value")
        for k in ("kid", "key_epoch"):
            if not isinstance(b[k], str) or not b[k]:
                raise Refused("empty-string")
    if not is_hex(d["signature"]["signature_hex"], 128) or not is_hex(d["public_key"]["public_key_hex"], 64):
        raise Refused("bad-encoding")


STATEMENT = ["protocol", "protocol_version", "witness_id", "tenant_id", "stream_id", "checkpoint_id",
             "checkpoint_seq_no", "checkpoint_hash", "previous_checkpoint_hash", "key_epoch", "accepted_at"]
COPIES = ["witness_id", "tenant_id", "stream_id", "checkpoint_id", "checkpoint_seq_no", "checkpoint_hash",
          "previous_checkpoint_hash"]
RECEIPT = ["witness_receipt_id", *COPIES, "statement", "statement_hash", "canonical_json_hex", "signature", "public_key"]
EVIDENCE = ["protocol", "protocol_version", "witness_id", "tenant_id", "stream_id", "reason", "last_checkpoint_id",
            "last_checkpoint_seq_no", "last_checkpoint_hash", "submitted_checkpoint_id",
            "submitted_checkpoint_seq_no", "submitted_checkpoint_hash", "submitted_previous_checkpoint_hash",
            "created_at"]
ENVELOPE = ["protocol", "protocol_version", "installation_id", "event_id", "stream_id", "source_ref",
            "payload_sha256", "payload_size", "attempt", "created_at", "signed_at"]


def parse(doc):
    """(kind, key hex, time, [(check, reason, ok)]) or Refused."""
    if isinstance(doc, dict) and doc.get("type") == RELAY_TYPE:
        return parse_relay(doc)
    if not isinstance(doc, dict) or "type" in doc:
        raise Refused("unknown-type")
    if "witness_receipt_id" in doc and "statement" in doc:
        return parse_receipt(doc)
    if "fork_evidence_id" in doc and "evidence" in doc:
        return parse_fork(doc)
    raise Refused("unknown-type")


def parse_receipt(d):
    if has_float(d["statement"]) or any(has_float(d.get(k)) for k in COPIES):
        raise Refused("float-not-allowed")
    exact_members(d, RECEIPT)
    st = d["statement"]
    exact_members(st, STATEMENT)
    if (st["protocol"], st["protocol_version"]) != ("ATTESTO-PROOFSTREAM-001", "0.1-alpha"):
        raise Refused("unknown-value")
    is_int(st["checkpoint_seq_no"], 1)
    if not is_hex(st["checkpoint_hash"], 64) or not (st["previous_checkpoint_hash"] is None or is_hex(st["previous_checkpoint_hash"], 64)):
        raise Refused("bad-encoding")
    if not is_hex(d["statement_hash"], 64) or len(d["canonical_json_hex"]) % 2 or not is_hex(d["canonical_json_hex"], len(d["canonical_json_hex"])):
        raise Refused("bad-encoding")
    key_blocks(d)
    msg = M("attesto.v2.witness", st)
    sig, pub = d["signature"], d["public_key"]
    kids = {st["key_epoch"], sig["kid"], sig["key_epoch"], pub["kid"], pub["key_epoch"]}
    facts = [
        ("signature", "bad-signature", ed25519_ok(pub["public_key_hex"], msg, sig["signature_hex"])),
        ("statement-hash", "hash-mismatch", d["statement_hash"] == hashlib.sha256(msg).hexdigest()),
        ("canonical-bytes", "canonical-mismatch", bytes.fromhex(d["canonical_json_hex"]) == A(st)),
        ("binding", "statement-mismatch", all(d[k] == st[k] and type(d[k]) is type(st[k]) for k in COPIES)),
        ("binding", "kid-mismatch", len(kids) == 1),
    ]
    return "attesto.v2.witness", pub["public_key_hex"], st["accepted_at"], facts


def parse_fork(d):
    if has_float(d["evidence"]):
        raise Refused("float-not-allowed")
    exact_members(d, ["fork_evidence_id", "evidence_hash", "evidence", "signature", "public_key"])
    ev = d["evidence"]
    exact_members(ev, EVIDENCE)
    if (ev["protocol"], ev["protocol_version"]) != ("ATTESTO-PROOFSTREAM-001", "0.1-alpha"):
        raise Refused("unknown-value")
    is_int(ev["last_checkpoint_seq_no"], 0)
    is_int(ev["submitted_checkpoint_seq_no"], 1)
    key_blocks(d)
    msg = M("attesto.v2.fork", ev)
    facts = [
        ("signature", "bad-signature", ed25519_ok(d["public_key"]["public_key_hex"], msg, d["signature"]["signature_hex"])),
        ("statement-hash", "hash-mismatch", d["evidence_hash"] == hashlib.sha256(msg).hexdigest()),
    ]
    return "attesto.v2.fork", d["public_key"]["public_key_hex"], ev["created_at"], facts


def parse_relay(doc):
    exact_members(doc, ["type", "headers", "body"])
    exact_members(doc["headers"], list(HEADERS))
    h_hash, h_sig, h_key = (doc["headers"][h] for h in HEADERS)
    if not (is_hex(h_hash, 64) and is_hex(h_sig, 128) and is_hex(h_key, 64)):
        raise Refused("bad-encoding")
    body = loads(doc["body"])
    exact_members(body, ["envelope", "payload"])
    env, payload = body["envelope"], body["payload"]
    if has_float(env):
        raise Refused("float-not-allowed")
    exact_members(env, ENVELOPE)
    if (env["protocol"], env["protocol_version"]) != ("ATTESTO-LOCAL-VAULT-001", "0.1"):
        raise Refused("unknown-value")
    is_int(env["payload_size"], 0)
    is_int(env["attempt"], 1)
    if not isinstance(payload, dict):
        raise Refused("wrong-json-type")
    msg = M("attesto.local_vault.relay", env)
    facts = [
        ("signature", "bad-signature", ed25519_ok(h_key, msg, h_sig)),
        ("statement-hash", "hash-mismatch", h_hash == hashlib.sha256(msg).hexdigest()),
        ("canonical-bytes", "hash-mismatch", env["payload_sha256"] == hashlib.sha256(A(payload)).hexdigest()),
    ]
    if env["payload_sha256"] == hashlib.sha256(A(payload)).hexdigest():
        facts.append(("canonical-bytes", "size-mismatch", env["payload_size"] == len(A(payload))))
    return RELAY_TYPE, h_key, env["signed_at"], facts


def decide(v):
    """[(check, reason, ok)] in report order, as this implementation sees the vector."""
    try:
        kind, key, at, facts = parse(loads(v["document"]))
    except Refused as r:
        return [("parse", r.reason, False)]
    out = [("parse", "-", True)]
    f = kat_check.Facts()
    newest = None
    if v["trustRoots"]:
        newest = kat_check.check_chain(v["trustRoots"], v["rootKeys"], v["now"], v.get("minTrustRootVersion"), f)
        for (c, r), ok in f.d.items():
            out.append((c, r, ok))
        if not f.check_ok("trust-root"):
            return out
    t = kat_check.ts_nanos(at)
    if t > kat_check.ts_nanos(v["now"]) + 300 * 10**9:
        return out + [("signer", "issued-in-future", False)]
    if newest is None:
        return out + [("signer", "no-pinned-key", False)]
    kid = kat_impl.key_id(key)
    entry = next((k for k in newest["keys"] if k["keyId"] == kid), None)
    if entry is None:
        return out + [("signer", "unknown-key", False)]
    if "witness" not in entry["roles"]:
        return out + [("signer", "wrong-role", False)]
    if not kat_check.usable(entry, "witness", t):
        return out + [("signer", "key-window", False)]
    return out + [("signer", "-", True)] + facts


@pytest.mark.parametrize("name", [v["name"] for v in VECTORS])
def test_attesto_vector_verdict(name):
    v = next(x for x in VECTORS if x["name"] == name)
    facts = decide(v)
    STATS["verdicts re-decided"] += 1
    failed = [(c, r) for c, r, ok in facts if not ok]
    if v["expect"] == "accept":
        assert not failed, f"accept vector, but {failed}"
        assert any(c == "signature" for c, _, _ in facts), "the signature was not even checked"
        return
    check = v["expect"].split(":", 1)[1]
    assert failed, f"{v['expect']} [{v.get('reason')}]: every check of mine passes"
    first = min(failed, key=lambda cr: ORDER.index(cr[0]))
    assert first == (check, v["reason"]), f"expected {check}/{v['reason']}, my first failure is {first}"


def test_there_are_attesto_vectors():
    assert len(VECTORS) >= 40


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_real_package_samples_verify(path):
    """Each document the real attesto-local-vault 0.2.0 produced verifies under its key."""
    v = {"document": path.read_text(encoding="utf-8"), "trustRoots": [], "rootKeys": [], "now": "2099-01-01T00:00:00Z"}
    kind, key, _at, facts = parse(loads(v["document"]))
    assert key == SAMPLE_KEY
    bad = [(c, r) for c, r, ok in facts if not ok]
    assert not bad, f"{path.name}: {bad}"
    STATS["real samples verified"] += 1


def test_canonical_form_pins_are_pythons():
    """The accepted relay vector's payload hash is SHA-256 of Python's json.dumps, and
    it writes exactly the forms docs/spec.md §12.1 names."""
    v = next(x for x in VECTORS if x["name"] == "attesto/accept-relay")
    body = loads(json.loads(v["document"])["body"])
    text = A(body["payload"]).decode("utf-8")
    for form in ["1e-05", "1e+16", "100.0", "-0.0", "1.2345678901234568e+20", "18446744073709551616"]:
        assert form in text, form
    # Code-point order: U+E000 and U+FF61 before U+1F600 (JCS would put the astral key first).
    assert text.index('"\ue000":') < text.index('"\uff61":') < text.index('"\U0001f600":')
    assert body["envelope"]["payload_sha256"] == hashlib.sha256(A(body["payload"])).hexdigest()
    assert body["envelope"]["payload_size"] == len(A(body["payload"]))
    # The body is what the package sends: ASCII only, not A().
    assert json.loads(v["document"])["body"].isascii()
