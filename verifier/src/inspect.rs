//! Decoding any attest document for inspection: its type, digest, signing
//! message size and the derived values a person checks by hand (payload and
//! context hashes, EIP-712 digests and recovered signers, key ids, computed
//! bundle hash, Merkle root of a proof). Shared by `attest inspect` and WASM `inspect`.

use attest_json::Value;
use serde_json::json;

use crate::attestation::{onchain_delegation, parse_attestation_value};
use crate::bundle::parse_bundle_manifest_value;
use crate::doc::{document_type, signing_message};
use crate::eip712;
use crate::network::{parse_record_proof_value, parse_summary_value};
use crate::secp256k1::RecoverableSignature;
use crate::trust_root::parse_trust_root_value;
use crate::types::to_lower_hex;

/// Sets a member of a JSON object value (no-op on anything else).
fn set(v: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_string(), value);
    }
}

fn recover(sig: Option<&str>, digest: &[u8; 32]) -> serde_json::Value {
    match sig.map(RecoverableSignature::parse) {
        None => serde_json::Value::Null,
        Some(Err(e)) => json!({"error": e.to_string()}),
        Some(Ok(s)) => match s.recover(digest) {
            Ok(a) => json!(a.to_checksum()),
            Err(e) => json!({"error": e.to_string()}),
        },
    }
}

/// A parsed document as a `serde_json` value (for the `document` member of
/// `inspect` output): objects, arrays and strings as they are, integers as
/// integers, other numbers as doubles.
pub fn to_serde_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(attest_json::Number::Int(i)) => serde_json::Value::from(*i),
        Value::Number(attest_json::Number::Float(f)) => serde_json::Value::from(*f),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(to_serde_json).collect()),
        Value::Object(o) => {
            serde_json::Value::Object(o.iter().map(|(k, v)| (k.to_owned(), to_serde_json(v))).collect())
        }
    }
}

/// Decoded fields of a document, or why it does not parse as its type.
pub fn decode(v: &Value) -> Result<serde_json::Value, String> {
    #[cfg(feature = "heartbeat")]
    if let Some(pt) = crate::dsse::payload_type_of(v) {
        let kind =
            crate::registry::kind_by_payload_type(pt).ok_or_else(|| format!("unknown DSSE payloadType {pt:?}"))?;
        return (kind.inspect)(v);
    }
    // An Attesto receipt or fork evidence (no `type`): its kind, hash and ids.
    #[cfg(feature = "attesto")]
    if document_type(v).is_none() {
        if let Some(kind) = crate::registry::untyped_kind(v) {
            return (kind.inspect)(v).map(|mut extra| {
                if let Some(o) = extra.as_object_mut() {
                    o.insert("type".into(), json!(kind.doc_type));
                }
                extra
            });
        }
    }
    let t = document_type(v).ok_or("no string `type` member at the top level")?;
    let obj = v.as_object().ok_or("not an object")?;
    let message = signing_message(t, obj);
    let digest = crate::crypto::sha256(&message);
    let mut out = json!({"type": t, "digest": digest.to_hex(), "signingMessageBytes": message.len()});
    let kind = crate::registry::kind(t).ok_or_else(|| format!("unknown document type {t:?}"))?;
    let extra = (kind.inspect)(v)?;
    if let (Some(o), serde_json::Value::Object(e)) = (out.as_object_mut(), extra) {
        o.extend(e);
    }
    Ok(out)
}

/// The derived values `attest inspect` shows for one document kind.
pub(crate) fn attestation(v: &Value) -> Result<serde_json::Value, String> {
    let a = parse_attestation_value(v).map_err(|e| e.to_string())?;
    let mut d = json!({
        "executionId": a.execution_id,
        "payloadHash": a.payload_hash().to_hex(),
        "contextHash": a.context_hash().to_hex(),
        "signerKeyId": a.signer_key_id.to_hex(),
        "issuedAt": a.issued_at.to_rfc3339(),
        "issuedAtUnix": a.issued_at.unix_seconds(),
        "fingerprintAliasesAgree": a.signals_hash == a.execution_fingerprint,
        "evaluatorAliasesAgree": a.evaluator_hash == a.evaluator_semantic_hash,
        "decision": {"action": a.decision.action, "requiresOverride": a.decision.requires_override, "state": a.execution_state.as_str()},
    });
    if let Some(del) = &a.delegation {
        let delegation = json!({
            "masterKeyId": del.master_key_id.to_hex(),
            "ephemeralKeyId": del.ephemeral_public_key.key_id().to_hex(),
            "digest": del.signed.digest().to_hex(),
            "contextHashMatches": del.context_hash == a.context_hash(),
            "notBefore": del.not_before.to_rfc3339(),
            "notAfter": del.not_after.to_rfc3339(),
        });
        set(&mut d, "delegation", delegation);
    }
    if let Some(domain) = a.onchain_domain {
        let mut o = json!({"chainId": domain.chain_id, "verifyingContract": domain.verifying_contract.to_checksum(),
                "domainSeparator": to_lower_hex(&domain.separator())});
        if let Ok(s) = a.onchain_struct() {
            let dg = eip712::attestation_digest(&domain, &s);
            set(&mut o, "attestationDigest", json!(to_lower_hex(&dg)));
            set(&mut o, "attestationSigner", recover(a.onchain_signature.as_deref(), &dg));
        }
        if let Some(del) = &a.delegation {
            if let Ok(s) = onchain_delegation(del) {
                let dg = eip712::delegation_digest(&domain, &s);
                set(&mut o, "delegationDigest", json!(to_lower_hex(&dg)));
                set(&mut o, "delegationSigner", recover(del.onchain_signature.as_deref(), &dg));
            }
        }
        set(&mut d, "onchain", o);
    }
    Ok(d)
}

/// The derived values `attest inspect` shows for one document kind.
pub(crate) fn trust_root(v: &Value) -> Result<serde_json::Value, String> {
    let r = parse_trust_root_value(v).map_err(|e| e.to_string())?;
    Ok(json!({
        "version": r.version,
        "issuedAt": r.issued_at.to_rfc3339(),
        "expiresAt": r.expires_at.to_rfc3339(),
        "previousDigest": r.previous_digest.map(|d| d.to_hex()),
        "rootThreshold": r.root_threshold,
        "keys": r.keys.iter().map(|k| json!({
            "keyId": k.key_id.to_hex(),
            "algorithm": k.public_key.algorithm(),
            "address": k.address().map(|a| a.to_checksum()),
            "roles": k.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "validFrom": k.valid_from.to_rfc3339(),
            "validUntil": k.valid_until.map(|u| u.to_rfc3339()),
            "revoked": k.revoked,
            "label": k.label.as_deref(),
        })).collect::<Vec<_>>(),
        "signatures": r.signatures.iter().map(|s| s.key_id.to_hex()).collect::<Vec<_>>(),
    }))
}

/// The derived values `attest inspect` shows for one document kind.
pub(crate) fn bundle_manifest(v: &Value) -> Result<serde_json::Value, String> {
    let m = parse_bundle_manifest_value(v).map_err(|e| e.to_string())?;
    Ok(json!({
        "manifestHash": m.manifest_hash().to_hex(),
        "bundleHash": m.bundle_hash.to_hex(),
        "computedBundleHash": m.computed_bundle_hash.to_hex(),
        "bundleHashMatches": m.bundle_hash == m.computed_bundle_hash,
        "files": m.files.len(),
        "bytes": m.files.iter().map(|f| f.size).sum::<u64>(),
        "signerKeyId": m.signer_key_id.to_hex(),
    }))
}

/// The derived values `attest inspect` shows for one document kind.
pub(crate) fn network_summary(v: &Value) -> Result<serde_json::Value, String> {
    let s = parse_summary_value(v).map_err(|e| e.to_string())?;
    Ok(
        json!({"networkSummaryHash": s.digest().to_hex(), "records": s.records, "hosts": s.hosts, "root": s.root.to_hex()}),
    )
}

/// The derived values `attest inspect` shows for one document kind.
pub(crate) fn record_proof(v: &Value) -> Result<serde_json::Value, String> {
    let p = parse_record_proof_value(v).map_err(|e| e.to_string())?;
    Ok(json!({"leaf": p.leaf.to_hex(), "index": p.index, "treeSize": p.tree_size, "pathLength": p.path.len(),
               "root": p.root().map(|r| r.to_hex())}))
}

/// A DSSE heartbeat envelope: digest over PAE, signatures and the decoded payload.
#[cfg_attr(not(feature = "heartbeat"), allow(dead_code))]
pub(crate) fn heartbeat(v: &Value) -> Result<serde_json::Value, String> {
    let env = crate::dsse::parse_envelope_value(v).map_err(|e| e.to_string())?;
    let payload = crate::doc::parse_json(env.payload()).map_err(|e| format!("payload: {e}"))?;
    let hb = crate::heartbeat::parse_heartbeat(env.payload()).map_err(|e| e.to_string())?;
    Ok(json!({
        "type": crate::heartbeat::HEARTBEAT_TYPE,
        "payloadType": env.payload_type(),
        "digest": env.digest().to_hex(),
        "paeBytes": env.pae().len(),
        "payloadBytes": env.payload().len(),
        "payloadHash": hb.payload_hash().to_hex(),
        "signatures": env.signatures().iter().map(|s| json!({"keyid": s.keyid(), "sigBytes": s.sig().len()})).collect::<Vec<_>>(),
        "stream": hb.stream(),
        "bootId": hb.boot_id(),
        "seq": hb.seq(),
        "time": crate::time::Timestamp::from_unix(hb.timestamp(), 0).to_rfc3339(),
        "payload": to_serde_json(&payload),
    }))
}

/// Fork evidence: the log key's keyId (how a trust root names it) and both
/// checkpoint sizes; the `fork` computation is `verify`'s.
pub(crate) fn fork_evidence(v: &Value) -> Result<serde_json::Value, String> {
    let ev = crate::fork::parse_fork_evidence_value(v).map_err(|e| e.to_string())?;
    Ok(json!({
        "logKeyId": ev.log_key_id().to_hex(),
        "sizeA": ev.a().checkpoint().size(),
        "sizeB": ev.b().checkpoint().size(),
    }))
}

/// An Attesto relay request: the recomputed envelope hash, the ids the
/// acknowledgement echoes and the receipt event id it must carry. (Witness
/// receipts and fork evidence have no `type`, so `inspect` does not reach them.)
#[cfg(feature = "attesto")]
pub(crate) fn attesto(v: &Value) -> Result<serde_json::Value, String> {
    use crate::attesto::{claim, receipt, relay};
    if document_type(v).is_some() {
        let req = relay::parse_relay_request_value(v).map_err(|e| e.to_string())?;
        let env = req.envelope();
        return Ok(json!({
            "envelopeHash": req.signed().hash().to_hex(),
            "installationId": env.installation_id(),
            "eventId": env.event_id(),
            "sourceRef": env.source_ref(),
            "receiptEventId": relay::receipt_event_id(env.installation_id(), env.source_ref()),
            "payloadBytes": req.payload_canonical().len(),
        }));
    }
    // The strict model holds only integers within ±(2^53−1) and no duplicate
    // keys, so its canonical bytes read back as the same Attesto value.
    let bytes = attest_json::to_canonical_vec(v);
    if v.as_object().is_some_and(|o| o.contains_key("witness_receipt_id")) {
        let r = receipt::parse_witness_receipt(&bytes).map_err(|e| e.to_string())?;
        let st = r.statement();
        return Ok(json!({
            "statementHash": r.signed().hash().to_hex(),
            "signingMessageBytes": r.signed().message().len(),
            "witnessId": st.witness_id(), "tenantId": st.tenant_id(), "streamId": st.stream_id(),
            "checkpointSeqNo": st.checkpoint_seq_no().as_str(),
            "checkpointHash": st.checkpoint_hash().to_hex(),
            "publicKey": r.keys().public_key().to_hex(),
            "keyId": r.keys().public_key().key_id().to_hex(),
        }));
    }
    let f = claim::parse_fork_claim(&bytes).map_err(|e| e.to_string())?;
    Ok(json!({
        "evidenceHash": f.signed().hash().to_hex(),
        "signingMessageBytes": f.signed().message().len(),
        "witnessId": f.witness_id(), "tenantId": f.tenant_id(), "streamId": f.stream_id(),
        "reason": f.reason(),
        "submittedSeqNo": f.submitted().seq_no().as_str(),
        "headSeqNo": f.last().seq_no().as_str(),
        "publicKey": f.keys().public_key().to_hex(),
        "keyId": f.keys().public_key().key_id().to_hex(),
    }))
}

#[cfg(feature = "tee")]
pub(crate) fn tee_binding(v: &Value) -> Result<serde_json::Value, String> {
    let b = crate::tee::parse_tee_binding_value(v).map_err(|e| e.to_string())?;
    Ok(json!({
        "keyId": b.key_id().to_hex(),
        "platform": b.platform().as_str(),
        "boundAt": b.bound_at().to_rfc3339(),
        "quoteBytes": b.quote().len(),
        "nonce": b.nonce().map(|n| crate::types::to_lower_hex(n)),
        "reportData": crate::types::to_lower_hex(&b.expected_report_data()),
    }))
}
