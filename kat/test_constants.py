"""Fixed known answers. The first group comes from published specifications
(RFC 5869, RFC 8032, RFC 8785, Keccak, EIP-712) and checks the independent
primitives themselves; the second pins values of attest formats computed by
this independent implementation, so a change in either side shows up."""

import pytest

import kat_impl as K

# --- published test vectors -------------------------------------------------


def test_hkdf_rfc5869_case1():
    okm = K.hkdf_sha256(bytes([0x0B] * 22), bytes(range(13)), bytes(range(0xF0, 0xFA)), 42)
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_ed25519_rfc8032_test1():
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    pub = K.ed25519_public_hex(seed)
    assert pub == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    sig = bytes.fromhex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    import base64

    assert K.ed25519_verify(pub, b"", base64.b64encode(sig).decode())
    assert not K.ed25519_verify(pub, b"x", base64.b64encode(sig).decode())


def test_jcs_rfc8785_example():
    text = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], '
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\u0022\\/", '
        '"literals": [null, true, false]}'
    )
    want = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    assert K.jcs(K.loads_strict(text)).decode("utf-8") == want


def test_keccak_empty():
    assert K.keccak(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


def test_eip712_mail_example():
    mail = {
        "types": {
            "EIP712Domain": K.DOMAIN_TYPE,
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [
                {"name": "from", "type": "Person"},
                {"name": "to", "type": "Person"},
                {"name": "contents", "type": "string"},
            ],
        },
        "primaryType": "Mail",
        "domain": {
            "name": "Ether Mail",
            "version": "1",
            "chainId": 1,
            "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
        },
        "message": {
            "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
            "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
            "contents": "Hello, Bob!",
        },
    }
    assert K._eip712_eth_account(mail).hex() == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"


def test_empty_merkle_tree_is_sha256_of_nothing():
    assert K.merkle_root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13])
def test_inclusion_proofs_roundtrip(size):
    """RFC 9162 §2.1.3: proofs built from MTH subtrees verify to MTH for every leaf."""
    leaves = [K.leaf_hash({"seq": i}) for i in range(size)]

    def path(m, d):
        n = len(d)
        if n == 1:
            return []
        k = 1
        while k * 2 < n:
            k *= 2
        if m < k:
            return path(m, d[:k]) + [K.merkle_root(d[k:])]
        return path(m - k, d[k:]) + [K.merkle_root(d[:k])]

    root = K.merkle_root(leaves)
    for i in range(size):
        assert K.inclusion_root(leaves[i], i, size, path(i, leaves)) == root
        if size > 1:
            assert K.inclusion_root(leaves[(i + 1) % size], i, size, path(i, leaves)) != root


def test_scalar_range_rule():
    n = K.SECP256K1_N
    assert not K.scalar_ok(bytes(32))
    assert not K.scalar_ok(n.to_bytes(32, "big"))
    assert not K.scalar_ok((2**256 - 1).to_bytes(32, "big"))
    assert K.scalar_ok((n - 1).to_bytes(32, "big"))
    assert K.scalar_ok((1).to_bytes(32, "big"))


# --- attest formats, pinned -------------------------------------------------

SMALL_ATTESTATION = {
    "type": "attest.execution-attestation.v1",
    "executionId": "kat-1",
    "policyId": "p",
    "policyVersion": "1",
    "runtimeHash": "00" * 32,
    "bundleHash": "22" * 32,
    "issuedAt": "2026-11-21T10:00:00Z",
    "signature": "stripped",
    "onchainSignature": "stripped",
}
DOMAIN = {"chainId": 31337, "verifyingContract": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}
SECRET = bytes(range(32))


def test_signing_message_layout():
    m = K.signing_message(SMALL_ATTESTATION)
    assert m.startswith(b"attest.execution-attestation.v1\x00{")
    assert b"stripped" not in m
    assert m.split(b"\x00", 1)[1] == (
        b'{"bundleHash":"' + b"2" * 64 + b'","executionId":"kat-1","issuedAt":"2026-11-21T10:00:00Z",'
        b'"policyId":"p","policyVersion":"1","runtimeHash":"' + b"0" * 64 + b'","type":"attest.execution-attestation.v1"}'
    )


def test_small_attestation_digest():
    assert K.digest(SMALL_ATTESTATION) == "5943818b6917f8d95792cb0dee9dee5ef03c10e429351dd9a0c7299c7e23627b"
    # Nested `signature` members are not stripped.
    nested = dict(SMALL_ATTESTATION, decision={"signature": "kept"})
    assert K.digest(nested) != K.digest(SMALL_ATTESTATION)


def test_context_hash_constant():
    assert K.context_hash(SMALL_ATTESTATION) == "11b3b3f9df6c1d9e4d40c52451c71f7bba9101583829cdaa71cc5e9e5f0236a2"


def test_master_derivations_constant():
    assert K.master_ed25519_seed(SECRET).hex() == "92a7f1659329fa1fcc3d207c06fa63bde2b6840119d33f817417bdbc1f3da5a6"
    assert K.ed25519_public_hex(K.master_ed25519_seed(SECRET)) == (
        "531a6ca1614ff938d7bcf87986420549b722a2ec4b13d1dcc78c12fdd10c184b"
    )
    assert K.master_secp256k1_scalar(SECRET).hex() == "f906421c51052df7f678ba6417d36ed4571349f93bf184cea1d7765d1eb597c2"
    assert K.secp256k1_public(K.master_secp256k1_scalar(SECRET)) == (
        "0377073adf536e357a36559c2df102fe00a13b8796cfef33b7a87dba487cd3df25",
        "0xD2F03B159B2f56F1254e1C907020378b6C082492",
    )


def test_ephemeral_derivations_constant():
    ctx = bytes.fromhex(K.context_hash(SMALL_ATTESTATION))
    assert K.ed25519_public_hex(K.ephemeral_ed25519_seed(SECRET, ctx)) == (
        "56deafc6f45d32aecdea77a7e141571daf2590cd37a7f06e9b1da65a2e942cb2"
    )
    assert K.secp256k1_public(K.ephemeral_secp256k1_scalar(SECRET, ctx))[1] == "0xCF78d0e8f13bB29f84De40dB359b54AfE151a9E5"


def test_eip712_digests_constant():
    g = {
        "ephemeralAddress": "0xCF78d0e8f13bB29f84De40dB359b54AfE151a9E5",
        "contextHash": "11" * 32,
        "notBefore": "2026-11-21T10:00:00.9Z",  # whole seconds on-chain
        "notAfter": "2026-11-21T11:00:00Z",
    }
    assert K.eip712_digest(K.delegation_typed(g, DOMAIN)).hex() == (
        "55d52bab40351cecdde630a7908201ecb33ff4008f3339e69c60032d3b8bc57a"
    )
    assert K.eip712_digest(K.attestation_typed(SMALL_ATTESTATION, DOMAIN)).hex() == (
        "cab4595d68ed4d39491918251716053a09a8ade3593a60f330611f9302b8f414"
    )


def test_network_constants():
    assert K.merkle_root([K.leaf_hash({"seq": i}) for i in range(5)]).hex() == (
        "147dc477479a3b69a24b1ff601b6fc6284fdf15fd50abfeb0cf70ea8e3722c1d"
    )
    assert K.digest(K.network_summary([], "e")) == "b481267353b200f0e1a6aa835e80d2dcbf76d6a24e330c121dfb4c4102a18bbe"
