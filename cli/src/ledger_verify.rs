//! `attest ledger verify` (docs/spec.md §10.8): a monitor of a running log.
//!
//! It fetches and verifies the latest checkpoint under the log key, reads
//! every level-0 hash tile and recomputes the root from them, checks the
//! entry bundles of the entries it has not seen against those leaf hashes,
//! and compares the new checkpoint with the one it saved last time
//! (`--state`). When the two are not of one history it writes
//! `attest.fork-evidence.v1` (formats.md §9) built from the log's own
//! signed checkpoints and a consistency proof it computes itself from the
//! tiles, checked by the verifier's `fork` computation before it is written,
//! and exits 1.
//!
//! Exit codes: 0 the log is consistent with what was seen before; 1 the log
//! misbehaved (a checkpoint that does not verify, tiles that do not give its
//! root, an entry that does not hash to its leaf, a shrunken log, a fork);
//! 2 the monitor could not do its job (network, files, arguments).

use std::path::{Path, PathBuf};
use std::time::Duration;

use attest_attestor::fork::ForkEvidenceDraft;
use attest_ledger::export::tile_paths;
use attest_ledger::tiles::{TileKind, TILE_WIDTH};
use attest_verifier::checkpoint::{verify_checkpoint, Checkpoint, VerifierKey, MAX_NOTE_BYTES};
use attest_verifier::merkle::{self, leaf_hash, tree_hash};
use attest_verifier::types::Sha256Digest;
use clap::Args;

use crate::io::{write_file, CliError};
use attest_ledger::client::Base;

const TIMEOUT: Duration = Duration::from_secs(30);

/// The `type` of the monitor's state file.
pub const MONITOR_STATE_TYPE: &str = "attest.ledger-monitor-state.v1";

/// `attest ledger verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The ledger's base URL (http://HOST:PORT).
    #[arg(long)]
    pub url: String,
    /// The log's verifier key (as `attest ledger key` prints it), or a file holding it.
    #[arg(long = "log-key", value_name = "VKEY|FILE")]
    pub log_key: String,
    /// Where the last verified checkpoint is kept between runs (created on the first run).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Where fork evidence is written when the log forked.
    #[arg(long = "fork-evidence", value_name = "FILE", default_value = "fork-evidence.json")]
    pub fork_evidence: PathBuf,
    /// A C2SP tlog-policy: the checkpoint must also be cosigned to its quorum
    /// (exit 1 "NOT WITNESSED" otherwise; docs/spec.md §11.5).
    #[arg(long = "witness-policy", value_name = "FILE")]
    pub witness_policy: Option<PathBuf>,
}

/// A misbehaving log (exit 1), as opposed to a failure to check (exit 2).
enum Finding {
    Misbehaved(String),
    Fork { detail: String, evidence: Vec<u8> },
    Unwitnessed(String),
}

fn get(base: &Base, path: &str, max: usize) -> Result<Vec<u8>, CliError> {
    base.get(path, TIMEOUT, max).map_err(|e| CliError::new(format!("ledger {e}")))
}

fn read_state(path: &Path, key: &VerifierKey) -> Result<Option<(String, Checkpoint)>, CliError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::new(format!("state {}: {e}", path.display()))),
    };
    let bad = |why: String| CliError::new(format!("state {}: {why}", path.display()));
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if v["type"] != MONITOR_STATE_TYPE {
        return Err(bad(format!("not an {MONITOR_STATE_TYPE} document")));
    }
    if v["logKey"].as_str() != Some(key.to_string().as_str()) {
        return Err(bad("saved for another log key".into()));
    }
    let note = v["checkpoint"].as_str().ok_or_else(|| bad("no checkpoint".into()))?.to_string();
    let cp = verify_checkpoint(note.as_bytes(), key)
        .map_err(|e| bad(format!("its checkpoint does not verify under the log key: {e}")))?
        .into_inner();
    Ok(Some((note, cp)))
}

/// The leaf hashes of the tree of `size` from its level-0 tiles.
fn fetch_leaves(base: &Base, size: u64) -> Result<Result<Vec<Sha256Digest>, Finding>, CliError> {
    let mut leaves = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    for t in tile_paths(size).into_iter().filter(|t| t.kind == TileKind::Hashes(0)) {
        let path = format!("/tile/{}", t.to_path());
        let body = get(base, &path, 32 * TILE_WIDTH as usize)?;
        if body.len() as u64 != 32 * t.width {
            return Ok(Err(Finding::Misbehaved(format!("{path} holds {} bytes, not {}", body.len(), 32 * t.width))));
        }
        for h in body.chunks_exact(32) {
            let a: [u8; 32] = h.try_into().map_err(|_| CliError::new("tile chunk"))?;
            leaves.push(Sha256Digest::from_bytes(a));
        }
    }
    Ok(Ok(leaves))
}

/// Checks the entries `from..` of the entry bundles against the leaf hashes.
fn check_entries(base: &Base, leaves: &[Sha256Digest], from: u64) -> Result<Result<u64, Finding>, CliError> {
    let mut checked = 0;
    let size = leaves.len() as u64;
    for t in tile_paths(size).into_iter().filter(|t| t.kind == TileKind::Entries) {
        let start = t.index * TILE_WIDTH;
        if start + t.width <= from {
            continue;
        }
        let path = format!("/tile/{}", t.to_path());
        let body = get(base, &path, TILE_WIDTH as usize * (2 + 65_535))?;
        let mut rest = body.as_slice();
        for i in start..start + t.width {
            let Some((len, tail)) = rest.split_first_chunk::<2>() else {
                return Ok(Err(Finding::Misbehaved(format!("{path}: entry {i} is missing"))));
            };
            let len = usize::from(u16::from_be_bytes(*len));
            let Some((entry, tail)) = tail.split_at_checked(len) else {
                return Ok(Err(Finding::Misbehaved(format!("{path}: entry {i} is truncated"))));
            };
            rest = tail;
            if i < from {
                continue;
            }
            let want = usize::try_from(i).ok().and_then(|i| leaves.get(i));
            if want != Some(&leaf_hash(entry)) {
                return Ok(Err(Finding::Misbehaved(format!("entry {i} does not hash to its leaf in tile/0"))));
            }
            checked += 1;
        }
        if !rest.is_empty() {
            return Ok(Err(Finding::Misbehaved(format!("{path}: bytes after its {} entries", t.width))));
        }
    }
    Ok(Ok(checked))
}

/// Compares the saved checkpoint A with the new one B (over `leaves`).
fn compare(
    key: &VerifierKey,
    (a_note, a): (&str, &Checkpoint),
    (b_note, b): (&str, &Checkpoint),
    leaves: &[Sha256Digest],
    base: &Base,
) -> Result<Option<Finding>, CliError> {
    let (m, n) = (a.size(), b.size());
    if m > n {
        return Ok(Some(Finding::Misbehaved(format!("the log shrank: it showed {m} entries before and {n} now"))));
    }
    let prefix = leaves.get(..usize::try_from(m).unwrap_or(usize::MAX)).unwrap_or_default();
    let old_root = tree_hash(prefix);
    if old_root == a.root() {
        // One history. The log's own consistency proof must verify too.
        if m > 0 && m < n {
            let body = get(base, &format!("/v1/proof/consistency?old={m}&new={n}"), 1 << 16)?;
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let proof: Option<Vec<Sha256Digest>> = v["consistencyProof"]
                .as_array()
                .map(|a| a.iter().map(|h| h.as_str().and_then(|h| Sha256Digest::from_hex(h).ok())).collect())
                .unwrap_or(None);
            let ok = proof.is_some_and(|p| merkle::verify_consistency(m, n, &a.root(), &b.root(), &p).is_ok());
            if !ok {
                return Ok(Some(Finding::Misbehaved(format!(
                    "the log's consistency proof from {m} to {n} does not verify (its tiles are consistent)"
                ))));
            }
        }
        return Ok(None);
    }
    // Not one history: the proof computed from B's own tiles proves it.
    let proof = merkle::consistency_proof(leaves, m).map_err(|e| CliError::new(e.to_string()))?;
    let mut draft = ForkEvidenceDraft::new(key, a_note, b_note, &proof, crate::verify::clock_now())
        .map_err(|e| CliError::new(format!("fork evidence: {e}")))?;
    if m.is_power_of_two() && m < n {
        draft = draft.with_old_root_of_b(old_root);
    }
    let detail = format!(
        "the log forked: the checkpoint of size {m} saved before has root {}, the log's tree now has {} there",
        a.root(),
        old_root
    );
    match draft.build() {
        Ok((v, _)) => {
            let mut evidence = attest_attestor::json::to_pretty(&v).into_bytes();
            evidence.push(b'\n');
            Ok(Some(Finding::Fork { detail, evidence }))
        }
        // Inconsistent, but not provable with these two checkpoints (never
        // written: evidence that does not verify would accuse wrongly).
        Err(e) => Ok(Some(Finding::Misbehaved(format!("{detail}; no fork evidence: {e}")))),
    }
}

/// Runs `attest ledger verify`.
pub fn run(a: &VerifyArgs) -> Result<i32, CliError> {
    let key = crate::verify::read_log_key(&a.log_key)?;
    let base = Base::parse(&a.url).map_err(|e| CliError::new(format!("--url {e}")))?;
    let saved = a.state.as_deref().map(|p| read_state(p, &key)).transpose()?.flatten();
    let policy = match &a.witness_policy {
        None => None,
        Some(p) => {
            let bytes =
                crate::io::read_limited(p, "witness policy", attest_verifier::tlog_policy::MAX_POLICY_BYTES as u64)?;
            let policy = attest_verifier::tlog_policy::Policy::parse(&bytes)
                .map_err(|e| CliError::new(format!("witness policy {}: {e}", p.display())))?;
            if !policy.accepts_log(&key) {
                return Err(CliError::new(format!(
                    "witness policy {}: the log key is not one of its logs",
                    p.display()
                )));
            }
            Some(policy)
        }
    };
    let note = get(&base, "/checkpoint", MAX_NOTE_BYTES)?;
    let note = String::from_utf8(note).map_err(|_| CliError::new("the checkpoint is not UTF-8"))?;
    let witnessed = |note: &str| -> Option<Finding> {
        let p = policy.as_ref()?;
        let q = attest_verifier::checkpoint::parse_note(note.as_bytes()).map(|n| p.evaluate(&n)).ok()?;
        (!q.satisfied()).then(|| {
            Finding::Unwitnessed(format!(
                "quorum {} not met: the checkpoint is cosigned by {}",
                q.required(),
                if q.cosigned().is_empty() { "no witness of the policy".to_string() } else { q.cosigned().join(", ") }
            ))
        })
    };
    let finding = match verify_checkpoint(note.as_bytes(), &key) {
        Err(e) => Some(Finding::Misbehaved(format!("the log's checkpoint does not verify under the log key: {e}"))),
        Ok(_) if witnessed(&note).is_some() => witnessed(&note),
        Ok(cp) => {
            let cp = cp.into_inner();
            match fetch_leaves(&base, cp.size())? {
                Err(f) => Some(f),
                Ok(leaves) if tree_hash(&leaves) != cp.root() => Some(Finding::Misbehaved(format!(
                    "the tiles give root {}, the checkpoint of size {} says {}",
                    tree_hash(&leaves),
                    cp.size(),
                    cp.root()
                ))),
                Ok(leaves) => {
                    let from = saved.as_ref().map_or(0, |(_, s)| s.size().min(cp.size()));
                    match check_entries(&base, &leaves, from)? {
                        Err(f) => Some(f),
                        Ok(checked) => {
                            let found = match &saved {
                                Some((a_note, a_cp)) => compare(&key, (a_note, a_cp), (&note, &cp), &leaves, &base)?,
                                None => None,
                            };
                            if found.is_none() {
                                if let Some(p) = &a.state {
                                    let state = serde_json::json!({
                                        "type": MONITOR_STATE_TYPE,
                                        "logKey": key.to_string(),
                                        "checkpoint": note,
                                        "verifiedAt": crate::verify::clock_now().to_rfc3339(),
                                    });
                                    let text =
                                        format!("{}\n", serde_json::to_string_pretty(&state).unwrap_or_default());
                                    write_file(p, text.as_bytes(), "monitor state", true)?;
                                }
                                let since = saved.as_ref().map_or(String::new(), |(_, s)| {
                                    format!(", consistent with the saved checkpoint of size {}", s.size())
                                });
                                println!(
                                    "ok: {} size {} root {}: tiles give the root, {checked} new entries hash to their leaves{since}",
                                    cp.origin(),
                                    cp.size(),
                                    cp.root()
                                );
                            }
                            found
                        }
                    }
                }
            }
        }
    };
    match finding {
        None => Ok(0),
        Some(Finding::Misbehaved(why)) => {
            eprintln!("LOG MISBEHAVED: {why}");
            Ok(1)
        }
        Some(Finding::Unwitnessed(why)) => {
            eprintln!("NOT WITNESSED: {why}");
            Ok(1)
        }
        Some(Finding::Fork { detail, evidence }) => {
            write_file(&a.fork_evidence, &evidence, "fork evidence", false)?;
            eprintln!("FORK: {detail}");
            eprintln!(
                "fork evidence written to {} (verify it: attest verify {0} --trust-root …)",
                a.fork_evidence.display()
            );
            Ok(1)
        }
    }
}
