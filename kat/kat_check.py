"""Independent re-check of golden vectors (formats.md §0-§5, docs/spec.md §1-§5).

`check_vector` recomputes, with kat_impl only, every value a vector's documents
commit to and returns *facts*: `(check-id, reason) -> bool` (True: the rule
holds). A fact is recorded only where the rule applies and can be computed.
`decide` then compares the facts with the vector's expectation:

- `accept`: every fact must hold;
- `reject:<check>` with reason R: the fact (check, R) must be False, and every
  fact of a check earlier in report order must hold (the rejection must be the
  first failure).

A vector whose (check, reason) is not among the facts is "undecided".
"""

from __future__ import annotations

import base64
import collections
import re

from kat_impl import (
    HEX64,
    StrictJsonError,
    OnchainSigError,
    b64_strict,
    context_hash,
    delegation_typed,
    attestation_typed,
    digest,
    ecrecover,
    eip55,
    eip712_digest,
    ed25519_verify,
    fingerprint,
    jcs,
    key_id,
    loads_strict,
    network_summary,
    secp256k1_address_of_compressed,
    sha256_hex,
    signing_message,
    ts_nanos,
    ts_seconds,
    url_host,
    is_ip_literal,
)

REPORT_ORDER = [
    "parse",
    "trust-root",
    "signer",
    "delegation",
    "signature",
    "fingerprint",
    "runtime",
    "trust-root-version",
    "bundle-manifest",
    "bundle-files",
    "bundle-binding",
    "output",
    "network",
    "onchain-signature",
    "replay",
]

TRUST_ROOT_TYPE = "attest.trust-root.v1"
MANIFEST_TYPE = "attest.bundle-manifest.v1"
ATTESTATION_TYPE = "attest.execution-attestation.v1"
DELEGATION_TYPE = "attest.delegation.v1"

STATS = collections.Counter()


class Facts:
    def __init__(self):
        self.d: dict[tuple[str, str], bool] = {}

    def put(self, check, reason, ok):
        key = (check, reason)
        self.d[key] = self.d.get(key, True) and bool(ok)

    def ok(self, check, reason):
        return self.d.get((check, reason), True)

    def check_ok(self, check):
        return all(v for (c, _), v in self.d.items() if c == check)


# ---------------------------------------------------------------------------
# Shape helpers (only what the format text states)
# ---------------------------------------------------------------------------


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_ts(v):
    try:
        ts_nanos(v)
        return True
    except (ValueError, TypeError):
        return False


def _is_hash(v):
    return isinstance(v, str) and bool(HEX64.match(v))


def _is_eip55(v):
    return isinstance(v, str) and bool(re.match(r"^0x[0-9a-fA-F]{40}$", v)) and eip55(v) == v


def usable(key, role, t):
    if key.get("revoked", False) or role not in key["roles"]:
        return False
    if ts_nanos(key["validFrom"]) > t:
        return False
    vu = key.get("validUntil")
    return vu is None or t < ts_nanos(vu)


def in_window(key, t):
    vu = key.get("validUntil")
    return ts_nanos(key["validFrom"]) <= t and (vu is None or t < ts_nanos(vu))


# ---------------------------------------------------------------------------
# Trust roots (§1)
# ---------------------------------------------------------------------------


def trust_root_wellformed(doc) -> bool:
    if not isinstance(doc, dict) or doc.get("type") != TRUST_ROOT_TYPE:
        return False
    th = doc.get("rootThreshold")
    keys = doc.get("keys")
    if not _is_int(th) or th < 1 or not isinstance(keys, list):
        return False
    ids = set()
    roots = 0
    for k in keys:
        STATS["keyIds recomputed"] += 1
        if key_id(k["publicKey"]) != k["keyId"] or k["keyId"] in ids:
            return False
        ids.add(k["keyId"])
        if k["algorithm"] == "secp256k1":
            if "address" not in k or secp256k1_address_of_compressed(k["publicKey"]) != k["address"]:
                return False
            STATS["secp256k1 addresses recomputed"] += 1
            if "root" in k["roles"]:
                return False
        if "root" in k["roles"]:
            roots += 1
        if not _is_ts(k["validFrom"]) or (k.get("validUntil") is not None and not _is_ts(k["validUntil"])):
            return False
    if th > roots:
        return False
    return _is_ts(doc["issuedAt"]) and _is_ts(doc["expiresAt"]) and _is_int(doc.get("version"))


def count_root_sigs(doc, signer_doc, t, pinned=None) -> int:
    """Distinct keyIds of `signer_doc` root keys usable at t whose signature over M(doc) verifies."""
    keys = {k["keyId"]: k for k in signer_doc["keys"]}
    msg = signing_message(doc)
    counted = set()
    for s in doc.get("signatures", []):
        k = keys.get(s["keyId"])
        if k is None or k["keyId"] in counted or k["algorithm"] != "ed25519":
            continue
        if not usable(k, "root", t):
            continue
        if pinned is not None and k["publicKey"] not in pinned:
            continue
        try:
            ok = ed25519_verify(k["publicKey"], msg, s["signature"])
        except ValueError:
            ok = False
        STATS["Ed25519 signatures checked"] += 1
        if ok:
            counted.add(k["keyId"])
    return len(counted)


def check_chain(texts, pinned, now, min_version, f: Facts):
    """Records trust-root facts; returns the newest document or None."""
    docs = []
    for t in texts:
        try:
            d = loads_strict(t)
        except StrictJsonError:
            f.put("trust-root", "malformed", False)
            return None
        try:
            wf = trust_root_wellformed(d)
        except (KeyError, TypeError, ValueError):
            wf = False
        f.put("trust-root", "malformed", wf)
        if not wf:
            return None
        STATS["documents digested"] += 1
        docs.append(d)
    d0 = docs[0]
    f.put("trust-root", "not-anchored", count_root_sigs(d0, d0, ts_nanos(d0["issuedAt"]), set(pinned)) >= d0["rootThreshold"])
    for prev, cur in zip(docs, docs[1:]):
        t = ts_nanos(cur["issuedAt"])
        f.put("trust-root", "version-sequence", cur["version"] == prev["version"] + 1)
        f.put("trust-root", "previous-digest", cur.get("previousDigest") == digest(prev))
        f.put("trust-root", "rotation-threshold", count_root_sigs(cur, prev, t) >= prev["rootThreshold"])
        f.put("trust-root", "threshold", count_root_sigs(cur, cur, t) >= cur["rootThreshold"])
    newest = docs[-1]
    f.put("trust-root", "expired", ts_nanos(now) < ts_nanos(newest["expiresAt"]))
    if min_version is not None:
        f.put("trust-root", "rollback", newest["version"] >= min_version)
    return newest if f.check_ok("trust-root") else None


# ---------------------------------------------------------------------------
# Attestation shape (§3, §4)
# ---------------------------------------------------------------------------

ATT_REQUIRED = {
    "type", "executionId", "execution_fingerprint", "policyId", "policyVersion", "schemaVersion",
    "runtimeVersion", "runtimeHash", "decision", "execution_state", "signalsHash", "bundleHash",
    "manifestHash", "releaseManifestHash", "evaluatorHash", "evaluatorSemanticHash",
    "evaluatorArtifactHash", "manifestSignature", "trustRootVersion", "signerKeyId", "issuedAt", "signature",
}
ATT_OPTIONAL = {"outputHash", "networkSummaryHash", "delegation", "onchainDomain", "onchainSignature"}
ATT_HASHES = {
    "execution_fingerprint", "runtimeHash", "signalsHash", "bundleHash", "manifestHash", "releaseManifestHash",
    "evaluatorHash", "evaluatorSemanticHash", "evaluatorArtifactHash", "signerKeyId", "outputHash",
    "networkSummaryHash",
}
ATT_STRINGS = {
    "executionId", "policyId", "policyVersion", "schemaVersion", "runtimeVersion", "manifestSignature",
    "trustRootVersion", "signature", "onchainSignature",
}
DELEG_REQUIRED = {"type", "masterKeyId", "ephemeralPublicKey", "contextHash", "notBefore", "notAfter", "signature"}
DELEG_OPTIONAL = {"ephemeralAddress", "onchainSignature"}


def attestation_wellformed(a) -> bool:
    keys = set(a)
    if not ATT_REQUIRED <= keys or not keys <= ATT_REQUIRED | ATT_OPTIONAL:
        return False
    for k in ATT_HASHES & keys:
        if not _is_hash(a[k]):
            return False
    for k in ATT_STRINGS & keys:
        if not isinstance(a[k], str):
            return False
    d = a["decision"]
    if not (
        isinstance(d, dict)
        and set(d) == {"action", "requires_override", "reason"}
        and isinstance(d["action"], str)
        and d["action"]
        and isinstance(d["requires_override"], bool)
        and isinstance(d["reason"], str)
    ):
        return False
    if a["execution_state"] not in ("completed", "pending_override", "blocked"):
        return False
    if not _is_ts(a["issuedAt"]):
        return False
    if "onchainDomain" in a:
        od = a["onchainDomain"]
        if not (
            isinstance(od, dict)
            and set(od) == {"chainId", "verifyingContract"}
            and _is_int(od["chainId"])
            and od["chainId"] >= 1
            and _is_eip55(od["verifyingContract"])
        ):
            return False
    if "delegation" in a:
        g = a["delegation"]
        if not isinstance(g, dict) or not DELEG_REQUIRED <= set(g) or not set(g) <= DELEG_REQUIRED | DELEG_OPTIONAL:
            return False
        if g["type"] != DELEGATION_TYPE:
            return False
        if not all(_is_hash(g[k]) for k in ("masterKeyId", "ephemeralPublicKey", "contextHash")):
            return False
        if not (_is_ts(g["notBefore"]) and _is_ts(g["notAfter"])):
            return False
        if "ephemeralAddress" in g and not _is_eip55(g["ephemeralAddress"]):
            return False
        if not isinstance(g["signature"], str) or not isinstance(g.get("onchainSignature", ""), str):
            return False
    return True


def _sig_facts(f, check, pub, msg, sig):
    try:
        raw = b64_strict(sig)
        enc = len(raw) == 64
    except ValueError:
        enc = False
    f.put(check, "signature-encoding", enc)
    if enc:
        STATS["Ed25519 signatures checked"] += 1
        f.put(check, "bad-signature", ed25519_verify(pub, msg, sig))


# ---------------------------------------------------------------------------
# Bundle (§2)
# ---------------------------------------------------------------------------


def _path_ok(p):
    if not isinstance(p, str) or not p or p.startswith("/") or "\\" in p or "\x00" in p:
        return False
    return all(seg not in ("", ".", "..") for seg in p.split("/"))


def check_manifest(text, entries, newest, f: Facts):
    """bundle-manifest and bundle-files facts; returns the manifest dict or None."""
    try:
        m = loads_strict(text)
    except StrictJsonError:
        f.put("bundle-manifest", "malformed", False)
        return None
    files = m.get("files")
    paths = [x.get("path") for x in files] if isinstance(files, list) else None
    wf = (
        m.get("type") == MANIFEST_TYPE
        and paths is not None
        and all(_path_ok(p) for p in paths)
        and [p.encode() for p in paths] == sorted(p.encode() for p in paths)
        and len(set(paths)) == len(paths)
        and all(_is_hash(x.get("sha256")) and _is_int(x.get("size")) for x in files)
        and _is_ts(m.get("createdAt"))
    )
    f.put("bundle-manifest", "malformed", wf)
    if not wf:
        return None
    STATS["documents digested"] += 1
    STATS["bundleHash recomputed"] += 1
    f.put("bundle-manifest", "bundle-hash", sha256_hex(jcs(files)) == m["bundleHash"])
    k = {x["keyId"]: x for x in newest["keys"]}.get(m["signerKeyId"])
    f.put("bundle-manifest", "unknown-key", k is not None)
    if k is not None:
        t = ts_nanos(m["createdAt"])
        f.put("bundle-manifest", "wrong-role", "bundle-signing" in k["roles"] and k["algorithm"] == "ed25519")
        f.put("bundle-manifest", "key-revoked", not k.get("revoked", False))
        f.put("bundle-manifest", "key-window", in_window(k, t))
        if k["algorithm"] == "ed25519":
            _sig_facts(f, "bundle-manifest", k["publicKey"], signing_message(m), m["signature"])
    if entries is not None:
        listed = {x["path"]: x for x in files}
        seen = {}
        for e in entries:
            raw = base64.b64decode(e.get("base64", ""))
            f.put("bundle-files", "symlink", e["kind"] != "symlink")
            f.put("bundle-files", "not-regular", e["kind"] in ("file", "symlink"))
            if e["kind"] == "file":
                seen[e["path"]] = raw
                f.put("bundle-files", "unlisted-file", e["path"] in listed or e["path"] == "manifest.json")
        for p, x in listed.items():
            f.put("bundle-files", "missing-file", p in seen)
            if p in seen:
                f.put("bundle-files", "size-mismatch", len(seen[p]) == x["size"])
                if len(seen[p]) == x["size"]:
                    STATS["bundle file hashes recomputed"] += 1
                    f.put("bundle-files", "hash-mismatch", sha256_hex(seen[p]) == x["sha256"])
    return m


# ---------------------------------------------------------------------------
# Network (§5)
# ---------------------------------------------------------------------------

HEADERS_RE = re.compile(r"^[^A-Z]+$")
REC_MEMBERS = {
    "dns": {"kind", "seq", "at", "name", "rrtype", "answers", "resolver"},
    "request": {"kind", "seq", "at", "method", "url", "headers", "bodySha256"},
    "response": {"kind", "seq", "at", "requestSeq", "status", "headers", "bodySha256", "tls"},
}
TLS_MEMBERS = {"version", "cipherSuite", "serverName", "peerCertificateSha256"}


def _headers_ok(hs):
    if not isinstance(hs, list):
        return False
    for h in hs:
        if not (isinstance(h, list) and len(h) == 2 and isinstance(h[0], str) and h[0] and h[0] == h[0].lower()):
            return False
        v = h[1]
        if not (isinstance(v, str) or (isinstance(v, dict) and set(v) == {"sha256"} and _is_hash(v["sha256"]))):
            return False
    return True


def _record_ok(r):
    if not isinstance(r, dict) or r.get("kind") not in REC_MEMBERS or set(r) != REC_MEMBERS[r["kind"]]:
        return False
    if not (_is_int(r["seq"]) and r["seq"] >= 0 and _is_ts(r["at"])):
        return False
    if r["kind"] == "dns":
        return (
            all(isinstance(r[k], str) for k in ("name", "rrtype", "resolver"))
            and isinstance(r["answers"], list)
            and all(isinstance(a, str) for a in r["answers"])
        )
    if not (_headers_ok(r["headers"]) and _is_hash(r["bodySha256"])):
        return False
    if r["kind"] == "request":
        try:
            url_host(r["url"])
        except (ValueError, TypeError):
            return False
        return isinstance(r["method"], str)
    tls = r["tls"]
    if tls is not None and not (
        isinstance(tls, dict) and set(tls) == TLS_MEMBERS and _is_hash(tls["peerCertificateSha256"])
    ):
        return False
    return _is_int(r["requestSeq"]) and _is_int(r["status"])


def parse_log(text: str):
    """Records of a JSON Lines log; raises ValueError on a malformed record."""
    if text in ("", "\n"):
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines = lines[:-1]
    out = []
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1]
        r = loads_strict(line)
        if not _record_ok(r):
            raise ValueError("malformed record")
        out.append(r)
    return out


def check_network(text, att, allow_hosts, f: Facts):
    f.put("network", "no-network-hash", "networkSummaryHash" in att)
    try:
        recs = parse_log(text)
    except (ValueError, StrictJsonError):
        f.put("network", "malformed-record", False)
        return
    f.put("network", "malformed-record", True)
    f.put("network", "seq", all(r["seq"] == i for i, r in enumerate(recs)))
    f.put("network", "order", all(ts_nanos(a["at"]) <= ts_nanos(b["at"]) for a, b in zip(recs, recs[1:])))
    dns_seen, answered, allow = set(), set(), {h.lower() for h in allow_hosts}
    by_seq = {r["seq"]: (i, r) for i, r in enumerate(recs)}
    for i, r in enumerate(recs):
        if r["kind"] == "dns":
            dns_seen.add(r["name"].lower())
        elif r["kind"] == "request":
            scheme, host = url_host(r["url"])
            f.put("network", "https", scheme == "https")
            f.put("network", "dns", is_ip_literal(host) or host in dns_seen)
            if allow:
                f.put("network", "allow-host", host in allow)
        else:
            j, q = by_seq.get(r["requestSeq"], (None, None))
            good = q is not None and j < i and q["kind"] == "request" and r["requestSeq"] not in answered
            f.put("network", "binding", good)
            answered.add(r["requestSeq"])
            if good:
                https = url_host(q["url"])[0] == "https"
                f.put("network", "tls", (r["tls"] is not None) == https)
    if "networkSummaryHash" in att:
        STATS["network summaries recomputed"] += 1
        summary = network_summary(recs, att["executionId"])
        f.put("network", "summary", digest(summary) == att["networkSummaryHash"])


# ---------------------------------------------------------------------------
# On-chain (§4)
# ---------------------------------------------------------------------------


def check_onchain(att, newest, f: Facts):
    g = att.get("delegation")
    sigs = []
    if g is not None and "onchainSignature" in g:
        sigs.append("delegation")
    if "onchainSignature" in att:
        sigs.append("attestation")
    if not sigs:
        return
    f.put("onchain-signature", "missing-domain", "onchainDomain" in att)
    if "onchainDomain" not in att:
        return
    dom = att["onchainDomain"]
    t_s = ts_seconds(att["issuedAt"])
    t = ts_nanos(att["issuedAt"])
    if g is not None:
        f.put("onchain-signature", "incomplete", "ephemeralAddress" in g)
        if "ephemeralAddress" not in g:
            return
    # (a) the delegation signature, then the attestation's: encoding, low s,
    # recovery; the first failure in that order is the check's reason.
    recovered = {}
    first_failure = None
    for which in sigs:
        sig = (g if which == "delegation" else att)["onchainSignature"]
        if which == "delegation":
            h = eip712_digest(delegation_typed(g, dom))
        else:
            h = eip712_digest(attestation_typed(att, dom))
        STATS["EIP-712 digests computed"] += 1
        try:
            recovered[which] = ecrecover(h, sig)
            STATS["ecrecover"] += 1
        except OnchainSigError as e:
            first_failure = e.reason
            break
    for r in ("signature-encoding", "high-s", "invalid-signature"):
        if first_failure is None or r == first_failure:
            f.put("onchain-signature", r, r != first_failure)
    secp = [k for k in newest["keys"] if k["algorithm"] == "secp256k1"]
    if g is not None:
        if "delegation" in recovered:
            m = [k for k in secp if k["address"] == recovered["delegation"] and "attestor-master" in k["roles"]]
            f.put("onchain-signature", "master-untrusted", bool(m))
            if m:
                f.put("onchain-signature", "master-revoked", not m[0].get("revoked", False))
                f.put("onchain-signature", "master-window", in_window(m[0], t))
        f.put("onchain-signature", "context-mismatch", g["contextHash"] == context_hash(att))
        if "delegation" in sigs:
            f.put("onchain-signature", "delegation-window", ts_seconds(g["notBefore"]) <= t_s < ts_seconds(g["notAfter"]))
        if "attestation" in recovered:
            f.put("onchain-signature", "wrong-signer", recovered["attestation"] == g["ephemeralAddress"])
    elif "attestation" in recovered:
        ok = any(k["address"] == recovered["attestation"] and usable(k, "runtime", t) for k in secp)
        f.put("onchain-signature", "wrong-signer", ok)


# ---------------------------------------------------------------------------
# Attestation (§3)
# ---------------------------------------------------------------------------


def check_attestation(att, newest, v, f: Facts):
    keys = {k["keyId"]: k for k in newest["keys"]}
    t = ts_nanos(att["issuedAt"])
    msg = signing_message(att)
    STATS["documents digested"] += 1
    g = att.get("delegation")
    signer_pub = None
    # signer: issuedAt at most now + 5 minutes (the default clock skew)
    f.put("signer", "issued-in-future", t <= ts_nanos(v["now"]) + 300 * 10**9)
    if not f.check_ok("signer"):
        pass
    elif g is None:
        k = keys.get(att["signerKeyId"])
        f.put("signer", "unknown-key", k is not None)
        if k is not None:
            f.put("signer", "wrong-algorithm", k["algorithm"] == "ed25519")
            f.put("signer", "key-revoked", not k.get("revoked", False))
            f.put("signer", "wrong-role", "runtime" in k["roles"])
            f.put("signer", "key-window", in_window(k, t))
            if f.check_ok("signer"):
                signer_pub = k["publicKey"]
    else:
        STATS["keyIds recomputed"] += 1
        f.put("signer", "signer-mismatch", key_id(g["ephemeralPublicKey"]) == att["signerKeyId"])
        if f.check_ok("signer"):
            signer_pub = g["ephemeralPublicKey"]
        # delegation
        mk = keys.get(g["masterKeyId"])
        good = mk is not None and mk["algorithm"] == "ed25519" and "attestor-master" in mk["roles"]
        f.put("delegation", "master-untrusted", good)
        if good:
            f.put("delegation", "master-revoked", not mk.get("revoked", False))
            f.put("delegation", "master-window", in_window(mk, t))
            STATS["documents digested"] += 1
            _sig_facts(f, "delegation", mk["publicKey"], signing_message(g), g["signature"])
        STATS["contextHash recomputed"] += 1
        f.put("delegation", "context-mismatch", g["contextHash"] == context_hash(att))
        f.put("delegation", "delegation-window", ts_nanos(g["notBefore"]) <= t < ts_nanos(g["notAfter"]))
    # signature
    if signer_pub is not None:
        _sig_facts(f, "signature", signer_pub, msg, att["signature"])
    # fingerprint
    f.put(
        "fingerprint",
        "alias-mismatch",
        att["signalsHash"] == att["execution_fingerprint"] and att["evaluatorHash"] == att["evaluatorSemanticHash"],
    )
    if v.get("signals") is not None:
        try:
            sig = loads_strict(v["signals"])
            f.put("fingerprint", "signals-malformed", True)
            STATS["fingerprints recomputed"] += 1
            f.put(
                "fingerprint",
                "fingerprint-mismatch",
                fingerprint(att["policyId"], att["policyVersion"], sig) == att["execution_fingerprint"],
            )
        except StrictJsonError:
            f.put("fingerprint", "signals-malformed", False)
    # runtime
    if newest.get("runtimes") is not None:
        triple = (att["runtimeVersion"], att["runtimeHash"], att["releaseManifestHash"])
        f.put(
            "runtime",
            "unlisted-runtime",
            any((r["runtimeVersion"], r["runtimeHash"], r["releaseManifestHash"]) == triple for r in newest["runtimes"]),
        )
    # trust-root-version
    trv = att["trustRootVersion"]
    wf = bool(re.match(r"^(0|[1-9][0-9]*)$", trv))
    f.put("trust-root-version", "malformed-version", wf)
    if wf:
        f.put("trust-root-version", "version-ahead", int(trv) <= newest["version"])
    # bundle
    b = v.get("bundle")
    if b is not None:
        m = check_manifest(b["manifest"], b.get("entries"), newest, f)
        if m is not None:
            STATS["manifestHash recomputed"] += 1
            f.put(
                "bundle-binding",
                "binding-mismatch",
                att["policyId"] == m["policyId"]
                and att["policyVersion"] == m["policyVersion"]
                and att["schemaVersion"] == m["schemaVersion"]
                and att["bundleHash"] == m["bundleHash"]
                and att["manifestHash"] == digest(m)
                and att["manifestSignature"] == m["signature"],
            )
    # output
    if v.get("outputBase64") is not None:
        f.put("output", "no-output-hash", "outputHash" in att)
        if "outputHash" in att:
            STATS["outputHash recomputed"] += 1
            f.put("output", "output-mismatch", sha256_hex(base64.b64decode(v["outputBase64"])) == att["outputHash"])
    # network
    if v.get("network") is not None:
        check_network(v["network"], att, v.get("allowHosts", []), f)
    check_onchain(att, newest, f)


def parse_subject(raw: bytes, f: Facts):
    try:
        d = loads_strict(raw)
    except StrictJsonError:
        f.put("parse", "malformed", False)
        return None
    if not isinstance(d, dict) or d.get("type") not in (TRUST_ROOT_TYPE, MANIFEST_TYPE, ATTESTATION_TYPE):
        f.put("parse", "unknown-type", False)
        return None
    f.put("parse", "unknown-type", True)
    if d["type"] == ATTESTATION_TYPE:
        try:
            ok = attestation_wellformed(d)
        except (KeyError, TypeError):
            ok = False
        f.put("parse", "malformed", ok)
        if not ok:
            return None
    return d


def check_single(v, raw: bytes) -> Facts:
    f = Facts()
    d = parse_subject(raw, f)
    if d is None:
        return f
    chain = list(v["trustRoots"])
    if d["type"] == TRUST_ROOT_TYPE and (not chain or chain[-1].encode() != raw):
        chain.append(raw.decode())
    newest = check_chain(chain, v["rootKeys"], v["now"], v.get("minTrustRootVersion"), f)
    if newest is None:
        return f
    if d["type"] == MANIFEST_TYPE:
        b = v.get("bundle") or {}
        check_manifest(raw.decode(), b.get("entries"), newest, f)
    elif d["type"] == ATTESTATION_TYPE:
        check_attestation(d, newest, v, f)
    return f


def document_bytes(v) -> bytes:
    if v.get("document") is not None:
        return v["document"].encode("utf-8", "surrogatepass")
    return base64.b64decode(v.get("documentBase64", ""))


# Specific problem reasons of an unreadable document (docs/spec.md §7.1). This
# implementation decides well-formedness as one fact per check, `malformed`;
# the specific reason and JSON path are pinned by the Rust runner against the
# generator's table written from the format rules.
STRUCTURE_REASONS = {
    "too-large", "too-deep", "invalid-utf8", "lone-surrogate", "duplicate-key", "integer-out-of-range",
    "number-not-finite", "syntax", "trailing-data", "byte-order-mark", "missing-member", "unknown-member",
    "wrong-json-type", "wrong-document-type", "bad-encoding", "bad-timestamp", "empty-string", "out-of-range",
    "time-order", "duplicate", "unsorted", "bad-path", "unknown-value", "key-id-mismatch", "address-mismatch",
    "invalid-key", "empty-list",
}


def decide(facts: Facts, expect: str, reason: str | None):
    """(decided, problems): problems is a list of human-readable mismatches."""
    problems = []
    if expect != "accept" and reason in STRUCTURE_REASONS:
        check = expect.split(":", 1)[1]
        if (check, reason) not in facts.d and (check, "malformed") in facts.d:
            reason = "malformed"
    if expect == "accept":
        for (c, r), ok in facts.d.items():
            if not ok:
                problems.append(f"accept vector, but my check {c}/{r} fails")
        return bool(facts.d), problems
    check = expect.split(":", 1)[1]
    if (check, reason) not in facts.d:
        return False, []
    if facts.d[(check, reason)]:
        problems.append(f"{expect} [{reason}]: my check {check}/{reason} passes")
    idx = REPORT_ORDER.index(check)
    for (c, r), ok in facts.d.items():
        if REPORT_ORDER.index(c) < idx and not ok:
            problems.append(f"{expect} [{reason}]: an earlier check {c}/{r} already fails")
    return True, problems


def check_vector(v):
    """[(label, decided, problems)] for a vector (one per item of a batch)."""
    if v.get("documents"):
        out = []
        seen_ids, seen_eph = set(), set()
        for i, (doc, exp) in enumerate(zip(v["documents"], v["expectEach"])):
            f = check_single(v, doc.encode())
            # Replay counts only items whose signature verified (docs/spec.md §7, batch).
            signed = any(c == "signature" for (c, _r) in f.d) and f.check_ok("signature")
            try:
                att = loads_strict(doc)
                if not signed:
                    raise StrictJsonError("not counted for replay: signature not verified")
                f.put("replay", "repeated-execution-id", att["executionId"] not in seen_ids)
                seen_ids.add(att["executionId"])
                if "delegation" in att:
                    eph = att["delegation"]["ephemeralPublicKey"]
                    f.put("replay", "reused-ephemeral-key", eph not in seen_eph)
                    seen_eph.add(eph)
            except StrictJsonError:
                pass
            reason = None
            if exp != "accept":
                fails = [r for (c, r), ok in f.d.items() if c == exp.split(":", 1)[1] and not ok]
                reason = fails[0] if len(fails) == 1 else None
            decided, problems = decide(f, exp, reason)
            out.append((f"{v['name']}[{i}]", decided, problems))
        return out
    f = check_single(v, document_bytes(v))
    decided, problems = decide(f, v["expect"], v.get("reason"))
    return [(v["name"], decided, problems)]


def decide_onchain(facts: Facts, expect: str):
    """The contract's verdict (`onchain.expect`) from the on-chain facts alone."""
    on = {r: ok for (c, r), ok in facts.d.items() if c == "onchain-signature"}
    if not on:
        return False, []
    if expect == "accept":
        return True, [f"onchain accept, but my on-chain check {r} fails" for r, ok in on.items() if not ok]
    reason = expect.split(":", 1)[1]
    if reason not in on:
        return False, []
    return True, ([] if not on[reason] else [f"onchain {expect}: my on-chain check {reason} passes"])
