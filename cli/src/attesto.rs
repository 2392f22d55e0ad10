//! Attesto Local Vault inputs and the receipt audit of `attest audit`
//! (docs/spec.md §12.4, §12.5).

use std::path::Path;

use attest_verifier::attesto::audit::{audit_receipts, StreamAudit};
use attest_verifier::attesto::receipt::{parse_witness_receipt, WitnessReceipt};
use attest_verifier::attesto::WITNESS_RECEIPT_KIND;
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::Report;

use crate::io::{self, CliError};
use crate::render::esc;
use crate::verify::Format;

/// `--attesto-key`: 64 lowercase hex characters, or a file of such keys (one
/// per line; blank lines and `#` comments ignored). A file that holds no key is refused.
pub fn read_attesto_keys(args: &[String]) -> Result<Vec<Ed25519PublicKey>, CliError> {
    let mut keys = Vec::new();
    for arg in args {
        if let Ok(k) = Ed25519PublicKey::from_hex(arg) {
            keys.push(k);
            continue;
        }
        let path = Path::new(arg);
        if !path.exists() {
            return Err(CliError::new(format!(
                "--attesto-key {}: neither 64 lowercase hex characters (an Ed25519 public key) nor a file",
                esc(arg)
            )));
        }
        let text = io::read_text(path, "attesto key file")?;
        let before = keys.len();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let k = Ed25519PublicKey::from_hex(line).map_err(|e| {
                CliError::new(format!("attesto key file {} line {}: {e}", esc(&path.display().to_string()), n + 1))
            })?;
            keys.push(k);
        }
        if keys.len() == before {
            return Err(CliError::new(format!("attesto key file {} holds no key", esc(&path.display().to_string()))));
        }
    }
    Ok(keys)
}

/// The verified witness receipts of an audit, by item index.
#[derive(Default)]
pub struct ReceiptAudit {
    receipts: Vec<(usize, WitnessReceipt)>,
}

impl ReceiptAudit {
    /// Keeps item `index` when its report verified it as a witness receipt.
    pub fn observe(&mut self, index: usize, bytes: &[u8], report: &Report) {
        if report.valid() && report.doc_type() == WITNESS_RECEIPT_KIND {
            // It verified, so it parses.
            if let Ok(r) = parse_witness_receipt(bytes) {
                self.receipts.push((index, r));
            }
        }
    }

    /// The stream audits (none without receipts) and their output lines.
    pub fn finish(&self, name_of: &dyn Fn(usize) -> String, format: Format) -> (Vec<StreamAudit>, Vec<String>) {
        if self.receipts.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let items: Vec<(usize, &WitnessReceipt)> = self.receipts.iter().map(|(i, r)| (*i, r)).collect();
        let audits = audit_receipts(&items);
        let lines = audits.iter().map(|s| render(s, name_of, format)).collect();
        (audits, lines)
    }
}

fn render(s: &StreamAudit, name_of: &dyn Fn(usize) -> String, format: Format) -> String {
    let seq = |x: Option<&attest_verifier::attesto::SeqNo>| x.map_or_else(String::new, |x| x.to_string());
    match format {
        Format::Json => {
            let findings: Vec<serde_json::Value> = s
                .findings()
                .iter()
                .map(|f| serde_json::json!({"kind": f.name(), "proven": f.is_proven(), "detail": f.describe(name_of)}))
                .collect();
            let mut line = serde_json::json!({"attestoStream": {
                "witnessId": s.witness_id(), "tenantId": s.tenant_id(), "streamId": s.stream_id(),
                "receipts": s.receipts(), "lowestSeq": seq(s.lowest()), "highestSeq": seq(s.highest()),
                "monotonic": s.monotonic(), "findings": findings,
            }})
            .to_string();
            line.push('\n');
            line
        }
        Format::Human => {
            let verdict = if s.monotonic() { "MONOTONIC" } else { "NOT MONOTONIC" };
            let mut out = format!(
                "ATTESTO  witness {} tenant {} stream {} {verdict}: {} receipt(s), seq {} to {}\n",
                esc(s.witness_id()),
                esc(s.tenant_id()),
                esc(s.stream_id()),
                s.receipts(),
                seq(s.lowest()),
                seq(s.highest())
            );
            for f in s.findings() {
                out.push_str(&format!("  {}\n", esc(&f.describe(name_of))));
            }
            out
        }
    }
}
