//! Cases built from the accepting delegated vector on a real anvil node: replay
//! protection, revocation, the master window, events, and signatures that
//! recover no address (a rule no golden vector exercises), compared with the
//! Rust verifier where it has a counterpart.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, missing_docs)]

mod common;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall as _;
use attest_anvil_tests::{
    decode_revert, parse_attestation_text, rust_verdict, trust_root_masters, verifier_events, AttestationVerifier,
    Chain, DelegatedCall, MasterEntry, OnchainVector, Verdict, REVERTING_TX_GAS,
};
use AttestationVerifier::{AttestationVerifierErrors as Err_, AttestationVerifierEvents as Ev};

const ACCEPT: &str = "accept/delegated-onchain";

async fn setup() -> (Chain, OnchainVector, MasterEntry) {
    let chain = Chain::start(common::compiled()).await.expect("anvil with AttestationVerifier");
    let v = attest_anvil_tests::onchain_vector(ACCEPT).expect("accepting vector");
    let masters = trust_root_masters(&v.root).expect("masters");
    let [m] = masters.as_slice() else { panic!("{ACCEPT}: expected one secp256k1 master, found {masters:?}") };
    assert!(!m.revoked && m.valid_until == 0);
    (chain, v, *m)
}

async fn revert_of(chain: &Chain, data: Bytes) -> Err_ {
    match chain.call(chain.verifier, data).await.expect("eth_call") {
        Ok(ret) => panic!("expected a revert, got return data 0x{}", attest_anvil_tests::hex(&ret)),
        Err(rev) => decode_revert(&rev).expect("custom error"),
    }
}

#[tokio::test]
async fn a_consumed_attestation_is_refused_the_second_time() {
    let (chain, v, m) = setup().await;
    chain.register_masters(&[m]).await.expect("register");
    let key = v.call.execution_key();
    let on_chain_key = chain
        .call(
            chain.verifier,
            AttestationVerifier::executionKeyCall { executionId: v.call.a.executionId.clone() }.abi_encode().into(),
        )
        .await
        .expect("eth_call")
        .expect("executionKey");
    assert_eq!(on_chain_key.as_ref(), key.as_slice(), "executionKey = keccak256(bytes(executionId))");

    let first = chain.send(chain.verifier, v.call.consume(), None).await.expect("first consumeDelegated");
    assert!(first.status(), "first consumeDelegated must succeed");
    let events = verifier_events(&first, chain.verifier).expect("events");
    assert_eq!(
        events,
        vec![Ev::Consumed(AttestationVerifier::Consumed {
            executionKey: key,
            master: m.address,
            ephemeral: v.call.d.ephemeral
        })],
        "one Consumed(executionKey, master, ephemeral) event"
    );
    let consumed = chain
        .call(chain.verifier, AttestationVerifier::isConsumedCall { key }.abi_encode().into())
        .await
        .expect("eth_call")
        .expect("isConsumed");
    assert_eq!(U256::from_be_slice(&consumed), U256::from(1), "isConsumed after the first use");

    assert_eq!(
        revert_of(&chain, v.call.consume()).await,
        Err_::AlreadyConsumed(AttestationVerifier::AlreadyConsumed { key })
    );
    let second =
        chain.send(chain.verifier, v.call.consume(), Some(REVERTING_TX_GAS)).await.expect("second transaction");
    assert!(!second.status(), "second consumeDelegated must revert");
    assert!(second.inner.logs().is_empty(), "a reverted consume emits nothing");

    // Verification itself does not look at consumption; the try* variants report it as code 10.
    assert_eq!(chain.verify_delegated(&v.call).await.expect("verifyDelegated"), Verdict::Accept(m.address));
    assert_eq!(chain.try_verify_delegated(&v.call).await.expect("tryVerifyDelegated"), (10, m.address));
    let tried = chain.call(chain.verifier, v.call.try_consume()).await.expect("eth_call").expect("tryConsumeDelegated");
    let r = AttestationVerifier::tryConsumeDelegatedCall::abi_decode_returns(&tried).expect("returns");
    assert_eq!((r.code, r.master), (10, m.address));
}

#[tokio::test]
async fn a_revoked_master_is_refused_for_good() {
    let (chain, v, m) = setup().await;
    let set = chain.set_master(m.address, m.valid_from, 0).await.expect("setMaster");
    assert_eq!(
        verifier_events(&set, chain.verifier).expect("events"),
        vec![Ev::MasterSet(AttestationVerifier::MasterSet {
            master: m.address,
            validFrom: m.valid_from,
            validUntil: 0
        })]
    );
    assert_eq!(chain.verify_delegated(&v.call).await.expect("verify"), Verdict::Accept(m.address));

    let revoked = chain.revoke_master(m.address).await.expect("revokeMaster");
    assert_eq!(
        verifier_events(&revoked, chain.verifier).expect("events"),
        vec![Ev::MasterKeyRevoked(AttestationVerifier::MasterKeyRevoked { master: m.address })]
    );
    assert_eq!(
        revert_of(&chain, v.call.verify()).await,
        Err_::MasterRevoked(AttestationVerifier::MasterRevoked { master: m.address })
    );
    assert_eq!(chain.try_verify_delegated(&v.call).await.expect("try"), (5, m.address));
    let info = chain
        .call(chain.verifier, AttestationVerifier::masterInfoCall { master: m.address }.abi_encode().into())
        .await
        .expect("eth_call")
        .expect("masterInfo");
    let info = AttestationVerifier::masterInfoCall::abi_decode_returns(&info).expect("returns");
    assert!(info.registered && info.revoked);
    // A revoked key cannot be registered again.
    let again = AttestationVerifier::setMasterCall { master: m.address, validFrom: 0, validUntil: 0 }.abi_encode();
    assert_eq!(
        revert_of(&chain, again.into()).await,
        Err_::MasterRevoked(AttestationVerifier::MasterRevoked { master: m.address })
    );
}

#[tokio::test]
async fn the_master_window_is_validfrom_inclusive_validuntil_exclusive() {
    let (chain, v, m) = setup().await;
    let issued = v.call.a.issuedAt;
    let outside = |from: u64, until: u64| {
        Err_::MasterOutsideWindow(AttestationVerifier::MasterOutsideWindow {
            master: m.address,
            issuedAt: issued,
            validFrom: from,
            validUntil: until,
        })
    };
    for (from, until, accept) in [
        (issued + 1, 0, false),
        (m.valid_from, issued, false),
        (issued, issued + 1, true),
        (m.valid_from, issued + 1, true),
    ] {
        let r = chain.set_master(m.address, from, until).await.expect("setMaster");
        assert_eq!(
            verifier_events(&r, chain.verifier).expect("events"),
            vec![Ev::MasterSet(AttestationVerifier::MasterSet {
                master: m.address,
                validFrom: from,
                validUntil: until
            })]
        );
        if accept {
            assert_eq!(
                chain.verify_delegated(&v.call).await.expect("verify"),
                Verdict::Accept(m.address),
                "[{from}, {until})"
            );
            assert_eq!(chain.try_verify_delegated(&v.call).await.expect("try"), (0, m.address));
        } else {
            assert_eq!(revert_of(&chain, v.call.verify()).await, outside(from, until), "[{from}, {until})");
            assert_eq!(chain.try_verify_delegated(&v.call).await.expect("try"), (6, m.address));
        }
    }
}

#[tokio::test]
async fn the_registry_refuses_bad_updates() {
    let (chain, _v, m) = setup().await;
    let call = |master: Address, from: u64, until: u64| {
        Bytes::from(AttestationVerifier::setMasterCall { master, validFrom: from, validUntil: until }.abi_encode())
    };
    assert_eq!(
        revert_of(&chain, call(Address::ZERO, 0, 0)).await,
        Err_::ZeroMaster(AttestationVerifier::ZeroMaster {})
    );
    assert_eq!(
        revert_of(&chain, call(m.address, 10, 10)).await,
        Err_::EmptyMasterWindow(AttestationVerifier::EmptyMasterWindow { validFrom: 10, validUntil: 10 })
    );
    let stranger = *chain.accounts().get(1).expect("a second anvil account");
    let r = chain.send_from(stranger, chain.verifier, call(m.address, 0, 0), Some(REVERTING_TX_GAS)).await.expect("tx");
    assert!(!r.status(), "setMaster by a non-owner must revert");
    let revoke = AttestationVerifier::revokeMasterCall { master: m.address }.abi_encode();
    assert_eq!(
        revert_of(&chain, revoke.into()).await,
        Err_::MasterUntrusted(AttestationVerifier::MasterUntrusted { master: m.address })
    );
}

/// `sig` with r replaced by 5, which is no x-coordinate of secp256k1 (5³ + 7 is
/// not a square mod p): well-formed and low-s, but ecrecover returns zero.
fn unrecoverable(sig: &[u8]) -> String {
    let mut b = sig.to_vec();
    b[..32].fill(0);
    b[31] = 5;
    format!("0x{}", attest_anvil_tests::hex(&b))
}

/// The accepting document with one of its on-chain signatures replaced.
fn with_signature(
    v: &OnchainVector,
    old: &[u8],
    new: &str,
) -> (attest_verifier::attestation::ExecutionAttestation, DelegatedCall) {
    let text = v.vector.document.as_deref().expect("text document");
    let old = format!("0x{}", attest_anvil_tests::hex(old));
    assert_eq!(text.matches(&old).count(), 1);
    let att = parse_attestation_text(&text.replace(&old, new)).expect("parses");
    let call = DelegatedCall::of(&att).expect("call");
    (att, call)
}

#[tokio::test]
async fn signatures_that_recover_no_address_are_invalid_signature_on_both_sides() {
    let (chain, v, m) = setup().await;
    chain.register_masters(&[m]).await.expect("register");
    // The attestation's signature (outside M(attestation), so nothing else changes),
    // then the delegation's (inside it, so the attestation signature no longer
    // matches either: rule a of the delegation signature comes first).
    for (which, old) in [("attestation", v.call.attestation_sig.clone()), ("delegation", v.call.delegation_sig.clone())]
    {
        let (att, call) = with_signature(&v, &old, &unrecoverable(&old));
        assert_eq!(
            revert_of(&chain, call.verify()).await,
            Err_::InvalidSignature(AttestationVerifier::InvalidSignature {}),
            "{which}"
        );
        assert_eq!(chain.try_verify_delegated(&call).await.expect("try").0, 3, "{which}");
        assert_eq!(rust_verdict(&att, &v.root), Verdict::Reject("invalid-signature".into()), "{which}");
    }
}

#[tokio::test]
async fn rule_a_is_applied_completely_to_the_delegation_signature_before_the_attestation_signature() {
    // Delegation signature well-formed but unrecoverable, attestation signature with v = 29:
    // AttestVerifierLib rule a checks the delegation signature completely (encoding, then
    // recovery) before looking at the attestation signature, so the first failure is
    // InvalidSignature, and the Rust verifier must report the same.
    let (chain, v, m) = setup().await;
    chain.register_masters(&[m]).await.expect("register");
    let hex_sig = |b: &[u8]| format!("0x{}", attest_anvil_tests::hex(b));
    let d_old = &v.call.delegation_sig;
    let a_old = &v.call.attestation_sig;
    let mut bad_v = a_old.to_vec();
    bad_v[64] = 29;
    let text = v.vector.document.as_deref().expect("text document");
    let text = text.replace(&hex_sig(d_old), &unrecoverable(d_old)).replace(&hex_sig(a_old), &hex_sig(&bad_v));
    let att = parse_attestation_text(&text).expect("parses");
    let call = DelegatedCall::of(&att).expect("call");
    assert_eq!(
        revert_of(&chain, call.verify()).await,
        Err_::InvalidSignature(AttestationVerifier::InvalidSignature {})
    );
    assert_eq!(rust_verdict(&att, &v.root), Verdict::Reject("invalid-signature".into()));
}
