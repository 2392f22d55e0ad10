"""Every committed golden vector, recomputed and re-decided independently."""

import subprocess

import pytest

import kat_check
import kat_impl
from conftest import SUMMARY, is_dsse_vector, is_fork_vector, load_vectors

# DSSE envelopes (heartbeats, docs/spec.md §9) are another document kind: test_dsse.py;
# fork evidence (docs/spec.md §11) too: test_fork.py.
# Attesto Local Vault documents (docs/spec.md §12): test_attesto.py.
# TEE bindings (docs/spec.md §13): test_tee.py (report_data; DCAP chains are dcap-qvl's).
VECTORS = [
    v
    for v in load_vectors()
    if not is_dsse_vector(v)
    and not is_fork_vector(v)
    and not v["name"].startswith("attesto/")
    and not v["name"].startswith("tee/")
]
BY_NAME = {v["name"]: v for v in VECTORS}


@pytest.fixture(scope="module")
def results():
    out = {}
    for v in VECTORS:
        out[v["name"]] = kat_check.check_vector(v)
    items = [r for rs in out.values() for r in rs]
    decided = [label for label, d, _ in items if d]
    undecided = [label for label, d, _ in items if not d]
    SUMMARY["vectors"] = f"{len(VECTORS)} files, {len(items)} items, verdict re-decided for {len(decided)}"
    by_cat = {}
    for label in decided:
        cat = label.split("/", 1)[0]
        by_cat[cat] = by_cat.get(cat, 0) + 1
    SUMMARY["decided by category"] = ", ".join(f"{c} {n}" for c, n in sorted(by_cat.items()))
    if undecided:
        SUMMARY["undecided"] = ", ".join(undecided)
    return out


@pytest.mark.parametrize("name", [v["name"] for v in VECTORS])
def test_vector_verdict(results, name):
    problems = [p for _, _, ps in results[name] for p in ps]
    assert not problems, "\n".join(problems)


def test_enough_vectors_decided(results):
    items = [r for rs in results.values() for r in rs]
    decided = [label for label, d, _ in items if d]
    assert len(VECTORS) >= 130
    assert len(decided) >= 135, f"only {len(decided)} vector items decided"
    for v in VECTORS:
        if v.get("expect") == "accept":
            assert results[v["name"]][0][1], f"accept vector {v['name']} not decided"


@pytest.mark.parametrize("name", [v["name"] for v in VECTORS if v.get("onchain")])
def test_onchain_verdict(name):
    v = BY_NAME[name]
    f = kat_check.check_single(v, kat_check.document_bytes(v))
    decided, problems = kat_check.decide_onchain(f, v["onchain"]["expect"])
    assert decided, f"on-chain verdict {v['onchain']['expect']} not decidable"
    assert not problems, "\n".join(problems)


# Facts an accept vector must have recomputed (so "all facts hold" is not vacuous).
REQUIRED_FACTS = {
    "accept/delegated-onchain": [
        ("delegation", "bad-signature"),
        ("delegation", "context-mismatch"),
        ("signature", "bad-signature"),
        ("onchain-signature", "master-untrusted"),
        ("onchain-signature", "wrong-signer"),
        ("fingerprint", "fingerprint-mismatch"),
        ("output", "output-mismatch"),
        ("bundle-binding", "binding-mismatch"),
        ("bundle-files", "hash-mismatch"),
        ("bundle-manifest", "bad-signature"),
        ("bundle-manifest", "bundle-hash"),
        ("trust-root", "not-anchored"),
    ],
    "accept/direct-onchain": [("onchain-signature", "wrong-signer"), ("signature", "bad-signature")],
    "accept/rotated-chain": [("trust-root", "previous-digest"), ("trust-root", "rotation-threshold")],
    "accept/unicode-float-signals": [("fingerprint", "fingerprint-mismatch")],
    "network/accept": [("network", "summary"), ("network", "binding"), ("network", "dns")],
    "network/10k-records": [("network", "summary")],
    "network/empty-log": [("network", "summary")],
    "network/ip-literal": [("network", "summary")],
}


@pytest.mark.parametrize("name", sorted(REQUIRED_FACTS))
def test_accept_vectors_recompute_the_values(name):
    v = BY_NAME[name]
    f = kat_check.check_single(v, kat_check.document_bytes(v))
    for key in REQUIRED_FACTS[name]:
        assert f.d.get(key) is True, f"{name}: {key} not recomputed or failing"


def test_recomputation_counts(results):
    s = kat_check.STATS
    assert s["Ed25519 signatures checked"] >= 300
    assert s["documents digested"] >= 300
    assert s["ecrecover"] >= 25
    assert s["EIP-712 digests computed"] >= 30
    assert s["contextHash recomputed"] >= 20
    assert s["fingerprints recomputed"] >= 90
    assert s["network summaries recomputed"] >= 10
    assert s["keyIds recomputed"] >= 500


NETWORK_VECTORS = ["network/accept", "network/ip-literal", "network/empty-log", "network/10k-records"]


@pytest.mark.parametrize("name", NETWORK_VECTORS)
def test_cli_network_summary_matches(attest_bin, tmp_path, name):
    """`attest network summarize` against the Python summary (leaf, RFC 9162 root, digest)."""
    v = BY_NAME[name]
    log = tmp_path / "network.jsonl"
    log.write_text(v["network"])
    eid = kat_impl.loads_strict(v["document"])["executionId"]
    out = tmp_path / "summary.json"
    p = subprocess.run(
        [attest_bin, "network", "summarize", str(log), "--execution-id", eid, "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    recs = kat_check.parse_log(v["network"])
    mine = kat_impl.network_summary(recs, eid)
    assert kat_impl.loads_strict(out.read_bytes()) == mine
    assert kat_impl.digest(mine) in p.stdout
    assert kat_impl.digest(mine) == kat_impl.loads_strict(v["document"])["networkSummaryHash"]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_cli_inclusion_proof_verifies(attest_bin, tmp_path, index):
    """`attest network prove` output checked with an independent RFC 9162 §2.1.3.2."""
    v = BY_NAME["network/accept"]
    log = tmp_path / "network.jsonl"
    log.write_text(v["network"])
    out = tmp_path / "proof.json"
    p = subprocess.run(
        [attest_bin, "network", "prove", str(log), "--seq", str(index), "--out", str(out)], capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    proof = kat_impl.loads_strict(out.read_bytes())
    recs = kat_check.parse_log(v["network"])
    assert proof["type"] == "attest.network-record-proof.v1"
    assert proof["record"] == recs[index] and proof["index"] == index and proof["treeSize"] == len(recs)
    root = kat_impl.inclusion_root(
        kat_impl.leaf_hash(proof["record"]), index, proof["treeSize"], [bytes.fromhex(h) for h in proof["path"]]
    )
    assert root == kat_impl.merkle_root([kat_impl.leaf_hash(r) for r in recs])
