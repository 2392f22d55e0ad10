"""TEE bindings (formats.md §11, docs/spec.md §13), the part recomputable here.

Written from formats.md §11 and Intel's DCAP quote layout (header 48 bytes;
SGX v3: report_data at byte 320 of the 384-byte enclave report; TDX v4: at
byte 520 of the TD report; v5 adds a 6-byte body descriptor), not from
`verifier/src/tee.rs` or `tee-verifier/`: report_data = SHA-256(utf8(
"attest.tee-key-binding.v1") ‖ 0x00 ‖ public key) ‖ (nonce or 32 zero
bytes), recomputed with hashlib and compared with the quote's bytes. The
DCAP signature chain itself (certificates, CRLs, TCB info) is not
re-verified here: that is dcap-qvl's (tee-verifier/tests run Intel's
samples). Every binding of every `tee/*` vector is checked: accepted ones
must bind their key, `report-data-mismatch` ones must not.
"""

import base64
import datetime
import hashlib
import json

import pytest

from conftest import SUMMARY, load_vectors

VECTORS = [v for v in load_vectors() if v["name"].startswith("tee/")]
STATS = {"tee bindings' report_data recomputed": 0}


class _Stats:
    def __str__(self):
        return ", ".join(f"{k} {n}" for k, n in STATS.items())


SUMMARY["tee"] = _Stats()
DOMAIN = b"attest.tee-key-binding.v1"


def expected_report_data(binding) -> bytes:
    pk = bytes.fromhex(binding["publicKey"])
    nonce = bytes.fromhex(binding["nonce"]) if binding.get("nonce") else bytes(32)
    return hashlib.sha256(DOMAIN + b"\x00" + pk).digest() + nonce


def quote_report_data(quote: bytes) -> bytes | None:
    if len(quote) < 48:
        return None
    version = int.from_bytes(quote[0:2], "little")
    tee_type = int.from_bytes(quote[4:8], "little")
    body = 48 + (6 if version == 5 else 0)
    off = body + (520 if tee_type == 0x81 else 320)
    rd = quote[off : off + 64]
    return rd if len(rd) == 64 else None


def bindings(v):
    """The bindings that decide the vector: the document itself when it is a
    binding, else the given bindings of the document's signer (`signerKeyId`,
    or a DSSE envelope's signature keyids)."""
    doc = json.loads(v["document"])
    if doc.get("type") == "attest.tee-binding.v1":
        return [doc]
    signers = {doc.get("signerKeyId")} | {s.get("keyid") for s in doc.get("signatures", []) if isinstance(s, dict)}
    given = [json.loads(b) if isinstance(b, str) else b for b in (v.get("tee") or {}).get("bindings", [])]
    return [b for b in given if b.get("keyId") in signers]


def binds(b) -> bool | None:
    try:
        q = base64.b64decode(b["quote"], validate=True)
    except (ValueError, KeyError, TypeError):
        return None
    rd = quote_report_data(q)
    if rd is None:
        return None
    STATS["tee bindings' report_data recomputed"] += 1
    return rd == expected_report_data(b)


def test_tee_vectors_exist():
    assert len(VECTORS) >= 30
    assert any(v["expect"] == "accept" for v in VECTORS)
    assert any(v.get("reason") == "report-data-mismatch" for v in VECTORS)


def _time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def covers(v, b) -> bool | None:
    """Whether the binding's window [boundAt, boundAt + maxBindingAgeSeconds]
    (the key's policy in the trust root) holds the attestation's issuedAt;
    None when that cannot be told here (a binding alone, an envelope)."""
    doc = json.loads(v["document"])
    if "issuedAt" not in doc or doc.get("type") == "attest.tee-binding.v1":
        return None
    root = json.loads(v["trustRoots"][-1])
    key = next((k for k in root.get("keys", []) if k.get("keyId") == b.get("keyId")), None)
    name = ((key or {}).get("tee") or {}).get("policy")
    policy = next((p for p in root.get("teePolicies", []) if p.get("name") == name), None)
    if policy is None:
        return None
    t, at = _time(doc["issuedAt"]), _time(b["boundAt"])
    return at <= t <= at + policy["maxBindingAgeSeconds"]


@pytest.mark.parametrize("name", [v["name"] for v in VECTORS])
def test_tee_binding_report_data(name):
    """An accepted document has a binding that binds its key (and, for an
    attestation, whose window holds issuedAt); `report-data-mismatch` means
    the deciding binding does not bind the key: for an attestation the first
    whose window holds issuedAt (several bindings: those are tried first),
    else the first."""
    v = next(x for x in VECTORS if x["name"] == name)
    bs = bindings(v)
    results = [(binds(b), covers(v, b)) for b in bs]
    if v["expect"] == "accept" and bs:
        assert any(ok is True and c is not False for ok, c in results), (
            f"{name}: no given binding's quote carries its key's report_data (within its window)"
        )
    elif v.get("reason") == "report-data-mismatch":
        # The first covering binding's failure is the check's (else the first binding's).
        deciding = ([ok for ok, c in results if c is not False] or [ok for ok, _ in results])[:1]
        assert deciding == [False], f"{name}: the deciding binding's quote binds its key after all"
