"""Attestor known answers: the real `attest` binary derives keys and signs;
every value is recomputed here from the master secrets alone."""

import base64
import json
import os
import pathlib
import subprocess
from datetime import datetime, timezone

import pytest

import kat_check
import kat_impl as K

# Fixed master secrets (the attestor's input); everything else is derived.
SECRETS = {
    "root": bytes(range(64, 96)),
    "runtime": bytes(range(32, 64)),
    "master": bytes(range(0, 32)),
    "bundle": bytes(range(96, 128)),
}
H = {c: c * 64 for c in "12345"}
DOMAIN = {"chainId": 31337, "verifyingContract": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}
# Signals with non-ASCII and non-BMP text, floats, -0.0 and 1e21 (JCS number forms).
SIGNALS = '{"ratio":0.31,"amount":25000,"name":"\\u00e9\U0001F600","neg":-0.0,"big":1e21,"tiny":1e-7,"z":[1.5,100]}'
OUTPUT = b"output-bytes\n"
NOW = "2026-11-21T12:00:00Z"


def run(attest, *args, cwd):
    # The remembered trust-root versions (docs/spec.md §6) stay in this world's directory.
    env = {**os.environ, "XDG_STATE_HOME": str(pathlib.Path(cwd).resolve() / ".attest-state")}
    p = subprocess.run([attest, *map(str, args)], cwd=cwd, capture_output=True, text=True, env=env)
    assert p.returncode == 0, f"attest {' '.join(map(str, args))}: {p.stderr}"
    return p.stdout


def ed_pub(secret):
    return K.ed25519_public_hex(K.master_ed25519_seed(secret))


def secp(secret):
    return K.secp256k1_public(K.master_secp256k1_scalar(secret))


@pytest.fixture(scope="module")
def world(attest_bin, tmp_path_factory):
    d = tmp_path_factory.mktemp("attestor")
    for name, s in SECRETS.items():
        (d / f"{name}.key").write_text(s.hex() + "\n")
    exp = ["--expires-at", "2027-11-01T00:00:00Z", "--sign", "root.key"]
    run(attest_bin, "trust-root", "create", "--issued-at", "2026-11-01T00:00:00Z", *exp, "--out", "tr1.json", cwd=d)
    steps = [
        ["--key", "runtime.key", "--role", "runtime"],
        ["--key", "runtime.key", "--algorithm", "secp256k1", "--role", "runtime"],
        ["--key", "master.key", "--role", "attestor-master"],
        ["--key", "master.key", "--algorithm", "secp256k1", "--role", "attestor-master"],
        ["--key", "bundle.key", "--role", "bundle-signing"],
    ]
    for i, st in enumerate(steps, start=1):
        run(
            attest_bin, "trust-root", "add-key", f"tr{i}.json", *st, "--issued-at", f"2026-11-01T00:00:0{i}Z",
            *exp, "--out", f"tr{i + 1}.json", cwd=d,
        )
    (d / "b" / "schema").mkdir(parents=True)
    (d / "b" / "policy.json").write_text('{"rules":[{"if":{"signal":"credit_score","gte":700},"then":"approve"}]}')
    (d / "b" / "schema" / "signals.schema.json").write_text('{"type":"object"}')
    run(attest_bin, "bundle", "sign", "b", "--key", "bundle.key", "--policy-id", "loan-approval",
        "--policy-version", "1.2.3", "--created-at", "2026-11-02T00:00:00Z", cwd=d)
    (d / "signals.json").write_text(SIGNALS, encoding="utf-8")
    (d / "out.bin").write_bytes(OUTPUT)
    common = [
        "--bundle", "b", "--signals", "signals.json", "--runtime-version", "1.4.0", "--runtime-hash", H["1"],
        "--release-manifest-hash", H["2"], "--evaluator-semantic-hash", H["3"], "--evaluator-artifact-hash", H["4"],
        "--trust-root-version", "6", "--output", "out.bin", "--chain-id", DOMAIN["chainId"],
        "--contract", DOMAIN["verifyingContract"], "--reason", "credit_score >= 700",
    ]
    run(attest_bin, "sign", "--key", "runtime.key", *common, "--execution-id", "exec-direct",
        "--network-summary-hash", H["5"], "--issued-at", "2026-11-21T10:00:00.123456789Z", "--out", "direct.json", cwd=d)
    run(attest_bin, "sign", "--master", "master.key", *common, "--execution-id", "exec-delegated-\u00e9",
        "--issued-at", "2026-11-21T10:00:00Z", "--delegation-ttl", "1800", "--out", "delegated.json", cwd=d)
    return d


def _entries(d):
    out = []
    for p in sorted((d / "b").rglob("*")):
        if p.is_file():
            out.append({"path": p.relative_to(d / "b").as_posix(), "kind": "file",
                        "base64": base64.b64encode(p.read_bytes()).decode()})
    return out


def _vector(d, doc):
    return {
        "name": doc, "now": NOW, "rootKeys": [ed_pub(SECRETS["root"])],
        "trustRoots": [(d / f"tr{i}.json").read_text() for i in range(1, 7)],
        "signals": SIGNALS, "outputBase64": base64.b64encode(OUTPUT).decode(),
        "bundle": {"manifest": (d / "b" / "manifest.json").read_text(), "entries": _entries(d)},
    }


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_key_show_matches_independent_derivation(attest_bin, world, name):
    shown = json.loads(run(attest_bin, "key", "show", f"{name}.key", cwd=world))
    pub = ed_pub(SECRETS[name])
    cpub, addr = secp(SECRETS[name])
    assert shown["ed25519"] == {"publicKey": pub, "keyId": K.key_id(pub)}
    assert shown["secp256k1"] == {"publicKey": cpub, "keyId": K.key_id(cpub), "address": addr}


def test_trust_root_chain_verifies_independently(world):
    v = _vector(world, "chain")
    f = kat_check.Facts()
    newest = kat_check.check_chain(v["trustRoots"], v["rootKeys"], NOW, None, f)
    assert newest is not None and all(f.d.values()), f.d
    assert f.d[("trust-root", "previous-digest")] and f.d[("trust-root", "not-anchored")]
    listed = {(k["publicKey"], tuple(k["roles"])) for k in newest["keys"]}
    assert listed == {
        (ed_pub(SECRETS["root"]), ("root",)),
        (ed_pub(SECRETS["runtime"]), ("runtime",)),
        (secp(SECRETS["runtime"])[0], ("runtime",)),
        (ed_pub(SECRETS["master"]), ("attestor-master",)),
        (secp(SECRETS["master"])[0], ("attestor-master",)),
        (ed_pub(SECRETS["bundle"]), ("bundle-signing",)),
    }


def test_bundle_manifest_independently(world):
    m = K.loads_strict((world / "b" / "manifest.json").read_bytes())
    files = [{"path": p, "size": len(b), "sha256": K.sha256_hex(b)}
             for p, b in [("policy.json", (world / "b/policy.json").read_bytes()),
                          ("schema/signals.schema.json", (world / "b/schema/signals.schema.json").read_bytes())]]
    assert m["files"] == files
    assert m["bundleHash"] == K.sha256_hex(K.jcs(files))
    assert m["signerKeyId"] == K.key_id(ed_pub(SECRETS["bundle"]))
    assert K.ed25519_verify(ed_pub(SECRETS["bundle"]), K.signing_message(m), m["signature"])


def _common_checks(world, att, file):
    m = K.loads_strict((world / "b" / "manifest.json").read_bytes())
    sig = K.loads_strict(SIGNALS.encode())
    fp = K.fingerprint("loan-approval", "1.2.3", sig)
    assert att["execution_fingerprint"] == fp and att["signalsHash"] == fp
    assert att["manifestHash"] == K.digest(m) and att["bundleHash"] == m["bundleHash"]
    assert att["manifestSignature"] == m["signature"]
    assert att["outputHash"] == K.sha256_hex(OUTPUT)
    assert att["onchainDomain"] == DOMAIN
    # Whole-report re-check with the independent checker: every fact holds.
    v = _vector(world, "x")
    f = kat_check.check_single(v, (world / file).read_bytes())
    bad = [k for k, ok in f.d.items() if not ok]
    assert not bad, bad
    return f


def test_direct_attestation_known_answers(world):
    att = K.loads_strict((world / "direct.json").read_bytes())
    rt_pub = ed_pub(SECRETS["runtime"])
    assert att["signerKeyId"] == K.key_id(rt_pub)
    assert "delegation" not in att and att["networkSummaryHash"] == H["5"]
    assert K.ed25519_verify(rt_pub, K.signing_message(att), att["signature"])
    # EIP-712 Attestation by the runtime's secp256k1 key; issuedAt in whole seconds.
    typed = K.attestation_typed(att, DOMAIN)
    assert typed["message"]["issuedAt"] == 1795255200
    assert typed["message"]["networkSummaryHash"] == "0x" + H["5"]
    assert K.ecrecover(K.eip712_digest(typed), att["onchainSignature"]) == secp(SECRETS["runtime"])[1]
    f = _common_checks(world, att, "direct.json")
    assert f.d[("onchain-signature", "wrong-signer")] is True


def test_delegated_attestation_known_answers(world):
    att = K.loads_strict((world / "delegated.json").read_bytes())
    g = att["delegation"]
    secret = SECRETS["master"]
    ctx = K.context_hash(att)
    assert g["contextHash"] == ctx
    eph_pub = K.ed25519_public_hex(K.ephemeral_ed25519_seed(secret, bytes.fromhex(ctx)))
    eph_addr = K.secp256k1_public(K.ephemeral_secp256k1_scalar(secret, bytes.fromhex(ctx)))[1]
    assert g["ephemeralPublicKey"] == eph_pub
    assert g["ephemeralAddress"] == eph_addr
    assert att["signerKeyId"] == K.key_id(eph_pub)
    assert g["masterKeyId"] == K.key_id(ed_pub(secret))
    assert (g["notBefore"], g["notAfter"]) == ("2026-11-21T10:00:00Z", "2026-11-21T10:30:00Z")
    assert "outputHash" in att and "networkSummaryHash" not in att
    assert K.ed25519_verify(ed_pub(secret), K.signing_message(g), g["signature"])
    assert K.ed25519_verify(eph_pub, K.signing_message(att), att["signature"])
    # The delegation's signature is inside M(attestation): changing it breaks the attestation signature.
    tampered = json.loads(json.dumps(att))
    tampered["delegation"]["signature"] = g["signature"][:-4] + "AAA="
    assert not K.ed25519_verify(eph_pub, K.signing_message(tampered), att["signature"])
    dt = K.delegation_typed(g, DOMAIN)
    assert K.ecrecover(K.eip712_digest(dt), g["onchainSignature"]) == secp(secret)[1]
    at = K.attestation_typed(att, DOMAIN)
    assert at["message"]["networkSummaryHash"] == "0x" + "00" * 32
    assert K.ecrecover(K.eip712_digest(at), att["onchainSignature"]) == eph_addr
    f = _common_checks(world, att, "delegated.json")
    for key in [("delegation", "bad-signature"), ("onchain-signature", "master-untrusted"),
                ("onchain-signature", "wrong-signer"), ("delegation", "context-mismatch")]:
        assert f.d[key] is True


@pytest.mark.parametrize("doc", ["direct.json", "delegated.json"])
def test_project_verifier_agrees(attest_bin, world, doc):
    """Sanity: the project's verifier accepts what the independent checks accept."""
    (world / "root.pub").write_text(ed_pub(SECRETS["root"]) + "\n")
    args = ["verify", doc, "--root-key", "root.pub", "--bundle", "b", "--signals", "signals.json",
            "--output", "out.bin", "--now", NOW, "--format", "json"]
    for i in range(1, 7):
        args += ["--trust-root", f"tr{i}.json"]
    rep = json.loads(run(attest_bin, *args, cwd=world))
    assert rep["valid"] is True
    assert rep["digest"] == K.digest(K.loads_strict((world / doc).read_bytes()))


def test_issued_at_seconds_constant():
    assert datetime(2026, 11, 21, 10, tzinfo=timezone.utc).timestamp() == 1795255200
