"""Independent implementation of the attest formats (formats.md §0-§5).

Nothing here is derived from the project's Rust code: it is written from the
format text and uses only the Python standard library and third-party PyPI
packages (PyNaCl/libsodium for Ed25519, rfc8785 for JCS, eth-keys/eth-account/
eth-hash for secp256k1, keccak and EIP-712).
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import json
import math
import re
from datetime import datetime

import nacl.exceptions
import nacl.signing
import rfc8785
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_hash.auto import keccak
from eth_keys import keys as eth_keys
from eth_utils import to_checksum_address

# ---------------------------------------------------------------------------
# §0 strict JSON, canonical bytes, signing message, digest
# ---------------------------------------------------------------------------

MAX_SAFE = 2**53 - 1
STRIPPED = ("signature", "signatures", "onchainSignature")


class StrictJsonError(ValueError):
    """The bytes are not strict JSON (§0)."""


def _no_dups(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise StrictJsonError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _bad_constant(name):
    raise StrictJsonError(f"non-JSON constant {name}")


def _finite_float(text):
    f = float(text)
    if not math.isfinite(f):
        raise StrictJsonError(f"number {text} is not finite")
    return f


def _walk_check(v):
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as e:
            raise StrictJsonError("lone surrogate") from e
    elif isinstance(v, bool) or v is None or isinstance(v, float):
        pass
    elif isinstance(v, int):
        if abs(v) > MAX_SAFE:
            raise StrictJsonError(f"integer {v} outside ±(2^53-1)")
    elif isinstance(v, list):
        for x in v:
            _walk_check(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            _walk_check(k)
            _walk_check(x)


def loads_strict(data: bytes | str):
    """Parses strict JSON: UTF-8 without BOM, no duplicate keys, no lone
    surrogates, integers within ±(2^53-1), finite numbers, no trailing data."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if data.startswith(b"\xef\xbb\xbf"):
        raise StrictJsonError("byte-order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise StrictJsonError("invalid UTF-8") from e
    try:
        v = json.loads(
            text, object_pairs_hook=_no_dups, parse_constant=_bad_constant, parse_float=_finite_float
        )
    except json.JSONDecodeError as e:
        raise StrictJsonError(str(e)) from e
    _walk_check(v)
    return v


def jcs(v) -> bytes:
    """RFC 8785 canonical bytes (the rfc8785 package)."""
    return rfc8785.dumps(v)


def signing_message(doc: dict) -> bytes:
    """M(D) = utf8(type) || 0x00 || JCS(D without signature/signatures/onchainSignature)."""
    body = {k: v for k, v in doc.items() if k not in STRIPPED}
    return doc["type"].encode("utf-8") + b"\x00" + jcs(body)


def sha256(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def sha256_hex(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def digest(doc: dict) -> str:
    return sha256_hex(signing_message(doc))


def key_id(public_key_hex: str) -> str:
    return sha256_hex(bytes.fromhex(public_key_hex))


HEX64 = re.compile(r"^[0-9a-f]{64}$")


def b64_strict(s: str) -> bytes:
    """Standard alphabet, padded, canonical (re-encodes to the same text)."""
    if not isinstance(s, str):
        raise ValueError("not a string")
    raw = base64.b64decode(s, validate=True)
    if base64.b64encode(raw).decode("ascii") != s:
        raise ValueError("non-canonical base64")
    return raw


def ed25519_verify(public_key_hex: str, message: bytes, signature_b64: str) -> bool:
    """Ed25519 verification with libsodium (which refuses S >= L and small-order R/A)."""
    sig = b64_strict(signature_b64)
    if len(sig) != 64:
        raise ValueError("signature is not 64 bytes")
    try:
        nacl.signing.VerifyKey(bytes.fromhex(public_key_hex)).verify(message, sig)
        return True
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError, TypeError):
        return False


# ---------------------------------------------------------------------------
# §0 timestamps
# ---------------------------------------------------------------------------

TS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$")


def ts_nanos(s: str) -> int:
    """RFC 3339 UTC `Z` timestamp to integer nanoseconds since 1970 (full precision)."""
    m = TS.match(s) if isinstance(s, str) else None
    if not m:
        raise ValueError(f"bad timestamp {s!r}")
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    if y < 1 or h > 23 or mi > 59 or se > 59:
        raise ValueError(f"bad timestamp {s!r}")
    datetime(y, mo, d)  # real calendar date
    frac = (m.group(7) or "").ljust(9, "0")
    secs = calendar.timegm((y, mo, d, h, mi, se, 0, 0, 0))
    return secs * 1_000_000_000 + int(frac or "0")


def ts_seconds(s: str) -> int:
    """Unix seconds, fraction dropped."""
    return ts_nanos(s) // 1_000_000_000


# ---------------------------------------------------------------------------
# §4 HKDF derivations
# ---------------------------------------------------------------------------

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 HKDF-SHA256 (extract then expand)."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def scalar_ok(b: bytes) -> bool:
    return 0 < int.from_bytes(b, "big") < SECP256K1_N


def _secp_scalar(secret: bytes, salt: bytes, info_prefix: bytes) -> bytes:
    for counter in range(256):
        cand = hkdf_sha256(secret, salt, info_prefix + bytes([counter]))
        if scalar_ok(cand):
            return cand
    raise ValueError("no valid scalar in 256 tries")


def master_ed25519_seed(secret: bytes) -> bytes:
    return hkdf_sha256(secret, b"attest.v1.master", b"ed25519")


def master_secp256k1_scalar(secret: bytes) -> bytes:
    return _secp_scalar(secret, b"attest.v1.master", b"secp256k1")


def ephemeral_ed25519_seed(secret: bytes, context_hash: bytes) -> bytes:
    return hkdf_sha256(secret, b"attest.v1.ephemeral", b"ed25519\x00" + context_hash)


def ephemeral_secp256k1_scalar(secret: bytes, context_hash: bytes) -> bytes:
    return _secp_scalar(secret, b"attest.v1.ephemeral", b"secp256k1\x00" + context_hash)


def ed25519_public_hex(seed: bytes) -> str:
    return bytes(nacl.signing.SigningKey(seed).verify_key).hex()


def secp256k1_public(scalar: bytes) -> tuple[str, str]:
    """(compressed SEC1 public key hex, EIP-55 address)."""
    pk = eth_keys.PrivateKey(scalar).public_key
    return pk.to_compressed_bytes().hex(), pk.to_checksum_address()


def secp256k1_address_of_compressed(pub_hex: str) -> str:
    return eth_keys.PublicKey.from_compressed_bytes(bytes.fromhex(pub_hex)).to_checksum_address()


def context_hash(att: dict) -> str:
    return sha256_hex(
        jcs(
            {
                "executionId": att["executionId"],
                "policyId": att["policyId"],
                "policyVersion": att["policyVersion"],
                "runtimeHash": att["runtimeHash"],
            }
        )
    )


def fingerprint(policy_id: str, policy_version: str, signals) -> str:
    return sha256_hex(jcs({"policyId": policy_id, "policyVersion": policy_version, "signals": signals}))


# ---------------------------------------------------------------------------
# §4 EIP-712
# ---------------------------------------------------------------------------

ZERO32 = "00" * 32
DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
DELEGATION_TYPE = [
    {"name": "ephemeral", "type": "address"},
    {"name": "contextHash", "type": "bytes32"},
    {"name": "notBefore", "type": "uint64"},
    {"name": "notAfter", "type": "uint64"},
]
ATTESTATION_TYPE = [
    {"name": "executionId", "type": "string"},
    {"name": "payloadHash", "type": "bytes32"},
    {"name": "contextHash", "type": "bytes32"},
    {"name": "bundleHash", "type": "bytes32"},
    {"name": "runtimeHash", "type": "bytes32"},
    {"name": "outputHash", "type": "bytes32"},
    {"name": "networkSummaryHash", "type": "bytes32"},
    {"name": "issuedAt", "type": "uint64"},
]


def _typed(primary, fields, domain, message):
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, primary: fields},
        "primaryType": primary,
        "domain": {
            "name": "Attest",
            "version": "1",
            "chainId": domain["chainId"],
            "verifyingContract": domain["verifyingContract"],
        },
        "message": message,
    }


def _eip712_eth_account(typed) -> bytes:
    return bytes(_hash_eip191_message(encode_typed_data(full_message=typed)))


# A second, hand-written EIP-712 encoder (keccak from eth-hash only), so the
# digest does not rest on one library's encoder.
def _type_string(name, fields):
    return name + "(" + ",".join(f"{f['type']} {f['name']}" for f in fields) + ")"


def _enc(t, v) -> bytes:
    if t == "string":
        return keccak(v.encode("utf-8"))
    if t == "bytes32":
        b = bytes.fromhex(v[2:] if v.startswith("0x") else v)
        assert len(b) == 32
        return b
    if t == "address":
        return bytes(12) + bytes.fromhex(v[2:])
    if t in ("uint256", "uint64"):
        return int(v).to_bytes(32, "big")
    raise ValueError(t)


def _struct_hash(name, fields, msg) -> bytes:
    return keccak(keccak(_type_string(name, fields).encode()) + b"".join(_enc(f["type"], msg[f["name"]]) for f in fields))


def _eip712_manual(typed) -> bytes:
    dom = _struct_hash("EIP712Domain", DOMAIN_TYPE, typed["domain"])
    p = typed["primaryType"]
    return keccak(b"\x19\x01" + dom + _struct_hash(p, typed["types"][p], typed["message"]))


def eip712_digest(typed) -> bytes:
    a = _eip712_eth_account(typed)
    b = _eip712_manual(typed)
    if a != b:
        raise AssertionError(f"EIP-712 encoders disagree: {a.hex()} vs {b.hex()}")
    return a


def delegation_typed(deleg: dict, domain: dict):
    return _typed(
        "Delegation",
        DELEGATION_TYPE,
        domain,
        {
            "ephemeral": deleg["ephemeralAddress"],
            "contextHash": "0x" + deleg["contextHash"],
            "notBefore": ts_seconds(deleg["notBefore"]),
            "notAfter": ts_seconds(deleg["notAfter"]),
        },
    )


def attestation_typed(att: dict, domain: dict):
    return _typed(
        "Attestation",
        ATTESTATION_TYPE,
        domain,
        {
            "executionId": att["executionId"],
            "payloadHash": "0x" + digest(att),
            "contextHash": "0x" + context_hash(att),
            "bundleHash": "0x" + att["bundleHash"],
            "runtimeHash": "0x" + att["runtimeHash"],
            "outputHash": "0x" + att.get("outputHash", ZERO32),
            "networkSummaryHash": "0x" + att.get("networkSummaryHash", ZERO32),
            "issuedAt": ts_seconds(att["issuedAt"]),
        },
    )


SIG_RE = re.compile(r"^0x[0-9a-f]{130}$")


class OnchainSigError(ValueError):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def parse_onchain_sig(s) -> tuple[int, int, int]:
    """(r, s, v) after the encoding rules of §0; raises OnchainSigError(reason)."""
    if not isinstance(s, str) or not SIG_RE.match(s):
        raise OnchainSigError("signature-encoding")
    raw = bytes.fromhex(s[2:])
    r, ss, v = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]
    if v not in (27, 28):
        raise OnchainSigError("signature-encoding")
    if not (1 <= r < SECP256K1_N and 1 <= ss < SECP256K1_N):
        raise OnchainSigError("signature-encoding")
    if ss > SECP256K1_N // 2:
        raise OnchainSigError("high-s")
    return r, ss, v


def ecrecover(msg_hash: bytes, sig: str) -> str:
    """EIP-55 address recovered from a 0x r‖s‖v signature; raises OnchainSigError."""
    r, s, v = parse_onchain_sig(sig)
    try:
        pk = eth_keys.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(msg_hash)
    except Exception as e:  # eth_keys raises BadSignature and others
        raise OnchainSigError("invalid-signature") from e
    addr = pk.to_checksum_address()
    if int(addr, 16) == 0:
        raise OnchainSigError("invalid-signature")
    return addr


def eip55(addr: str) -> str:
    return to_checksum_address(addr)


# ---------------------------------------------------------------------------
# §5 network log
# ---------------------------------------------------------------------------


def leaf_hash(record: dict) -> bytes:
    return sha256(b"\x00" + jcs(record))


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH: split at the largest power of two below n."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:]))


def inclusion_root(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2 root from an inclusion proof."""
    if index >= size:
        raise ValueError("index beyond tree size")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ValueError("path too long")
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("path too short")
    return r


def url_host(url: str) -> tuple[str, str]:
    """(scheme, lowercase host without port/userinfo; IPv6 keeps brackets)."""
    m = re.match(r"^(https?)://([^/?#]*)", url)
    if not m:
        raise ValueError(f"bad url {url!r}")
    auth = m.group(2).rsplit("@", 1)[-1]
    if auth.startswith("["):
        host = auth[: auth.index("]") + 1]
    else:
        host = auth.split(":", 1)[0]
    if not host:
        raise ValueError("empty host")
    return m.group(1), host.lower()


def is_ip_literal(host: str) -> bool:
    if host.startswith("[") and host.endswith("]"):
        return True
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() and 0 <= int(p) <= 255 for p in parts)


def network_summary(records: list[dict], execution_id: str) -> dict:
    hosts = sorted({url_host(r["url"])[1] for r in records if r["kind"] == "request"})
    return {
        "type": "attest.network-summary.v1",
        "executionId": execution_id,
        "records": len(records),
        "dns": sum(r["kind"] == "dns" for r in records),
        "requests": sum(r["kind"] == "request" for r in records),
        "responses": sum(r["kind"] == "response" for r in records),
        "hosts": hosts,
        "firstAt": records[0]["at"] if records else None,
        "lastAt": records[-1]["at"] if records else None,
        "root": merkle_root([leaf_hash(r) for r in records]).hex(),
    }
