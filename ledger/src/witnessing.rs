//! The ledger as a witness client (`--witness URL`, `--witness-quorum
//! POLICY`, docs/spec.md §11.6): every new checkpoint goes to each witness
//! with C2SP tlog-witness `add-checkpoint` and the consistency proof from
//! the size that witness last cosigned; the cosignature lines that come back
//! are appended to the checkpoint, which `/checkpoint`, tlog-proofs and
//! receipts then serve.
//!
//! - A witness answering 409 states its size: the ledger retries from it
//!   (twice at most per checkpoint), so a ledger restarted with no memory of
//!   what its witnesses saw catches up with one extra round trip. A size
//!   above the ledger's own means the witness saw a larger tree of this
//!   log: counted as `conflict`, never retried from.
//! - A witness of the policy (its `witness` line has a URL, or the key is
//!   matched by name) must return a cosignature that verifies under the
//!   policy's key; one that does not is dropped and counted as
//!   `bad-cosignature`. Lines of `--witness` URLs outside the policy are
//!   kept when they are well-formed signature lines (verifiers ignore keys
//!   they do not know).
//! - Failures (`unreachable`, `http-<code>`, `conflict`,
//!   `bad-cosignature`) are counted in
//!   `attest_ledger_witness_requests_total{witness,result}`; a failed
//!   witness is asked again on the next checkpoint or after one second.
//! - With `--witness-quorum`, a submission's acknowledgement waits (up to
//!   `--witness-timeout-ms`) for a checkpoint that covers it and whose
//!   cosignatures meet the policy's quorum; it is then answered with that
//!   checkpoint and proof. Fail closed: when the time runs out the answer is
//!   503 with `Retry-After` (the entry *is* durably appended, and its index is
//!   in the body: a retry of the same document answers 200 with the
//!   witnessed proof once the quorum is reached).

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use attest_verifier::checkpoint::{self, Checkpoint};
use attest_verifier::cosignature::{cosigned_at, CosignerKey};
use attest_verifier::tlog_policy::Policy;

use crate::client::Base;
use crate::metrics::Metrics;
use crate::sequencer::SharedTree;

/// The time one add-checkpoint request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// How the ledger reaches its witnesses.
#[derive(Debug, Clone, Default)]
pub struct WitnessingConfig {
    /// `--witness URL`: submission prefixes (http://), cosignatures kept unverified.
    pub urls: Vec<String>,
    /// `--witness-quorum`: the policy; its witnesses with a URL are asked too.
    pub policy: Option<Policy>,
    /// `--witness-timeout-ms`: the longest an acknowledgement waits for the quorum.
    pub timeout: Duration,
}

#[derive(Debug)]
struct Target {
    label: String,
    base: Base,
    key: Option<CosignerKey>,
    /// The size this witness last cosigned, as far as the ledger knows.
    known: Mutex<u64>,
}

/// The latest checkpoint with the cosignatures gathered for it.
#[derive(Debug, Clone)]
pub struct Cosigned {
    /// Its tree size.
    pub size: u64,
    /// The signed checkpoint with the cosignature lines appended.
    pub note: Arc<str>,
    /// Whether the cosignatures meet the `--witness-quorum` policy (`true` without one).
    pub quorum: bool,
}

/// The witnessing state shared by the task and the handlers.
#[derive(Debug)]
pub struct Witnessing {
    targets: Vec<Target>,
    policy: Option<Policy>,
    timeout: Duration,
    latest: RwLock<Option<Cosigned>>,
    /// The latest round that met the quorum (kept when a later round does not).
    witnessed: RwLock<Option<Cosigned>>,
    changed: tokio::sync::watch::Sender<u64>,
}

impl Witnessing {
    /// The targets of `config` (policy witnesses with a URL, then `--witness` URLs).
    pub fn new(config: WitnessingConfig) -> Result<Self, String> {
        let mut targets = Vec::new();
        if let Some(p) = &config.policy {
            for (name, key, url) in p.witness_urls() {
                if let Some(url) = url {
                    let base = Base::parse(&url).map_err(|e| format!("witness {name}: {e}"))?;
                    targets.push(Target { label: url, base, key: Some(key.clone()), known: Mutex::new(0) });
                }
            }
        }
        for url in &config.urls {
            if targets.iter().any(|t| &t.label == url) {
                continue;
            }
            let base = Base::parse(url).map_err(|e| format!("--witness {e}"))?;
            targets.push(Target { label: url.clone(), base, key: None, known: Mutex::new(0) });
        }
        if targets.is_empty() {
            return Err("no witness to ask: give --witness URL, or URLs on the policy's witness lines".into());
        }
        let (changed, _) = tokio::sync::watch::channel(0);
        Ok(Self {
            targets,
            policy: config.policy,
            timeout: config.timeout,
            latest: RwLock::new(None),
            witnessed: RwLock::new(None),
            changed,
        })
    }

    /// Whether acknowledgements wait for the quorum.
    pub fn requires_quorum(&self) -> bool {
        self.policy.is_some()
    }

    /// The latest checkpoint witnesses were asked to cosign, with the lines gathered.
    pub fn latest(&self) -> Option<Cosigned> {
        self.latest.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The latest checkpoint cosigned to the quorum (to any cosignature without a policy).
    pub fn witnessed(&self) -> Option<Cosigned> {
        self.witnessed.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Waits until a checkpoint covering `index` is cosigned to quorum, at most the timeout.
    pub async fn wait_for(&self, index: u64) -> Option<Cosigned> {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            if let Some(c) = self.witnessed().filter(|c| c.size > index) {
                return Some(c);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                _ => return None,
            }
        }
    }

    /// The witnessing loop: a round for every new checkpoint, and again a
    /// second after a round in which a witness failed.
    pub async fn run(self: Arc<Self>, tree: SharedTree, metrics: Arc<Metrics>) {
        let mut last: Option<Arc<str>> = None;
        let mut retry_at: Option<tokio::time::Instant> = None;
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let note = tree.read().unwrap_or_else(PoisonError::into_inner).checkpoint();
            let fresh = last.as_ref().is_none_or(|l| !Arc::ptr_eq(l, &note) && **l != *note);
            let due = retry_at.is_some_and(|t| tokio::time::Instant::now() >= t);
            if !fresh && !due {
                continue;
            }
            last = Some(note.clone());
            let (me, tree2, m2) = (self.clone(), tree.clone(), metrics.clone());
            let ok = tokio::task::spawn_blocking(move || me.round(&note, &tree2, &m2)).await.unwrap_or(false);
            retry_at = (!ok).then(|| tokio::time::Instant::now() + Duration::from_secs(1));
        }
    }

    /// Asks every witness to cosign `note`; whether all answered with a cosignature.
    fn round(&self, note: &str, tree: &SharedTree, metrics: &Metrics) -> bool {
        let Ok(parsed) = checkpoint::parse_note(note.as_bytes()) else { return false };
        let Ok(cp) = Checkpoint::parse(parsed.text()) else { return false };
        let size = cp.size();
        let lines: Vec<Option<String>> = std::thread::scope(|s| {
            let handles: Vec<_> =
                self.targets.iter().map(|t| s.spawn(move || self.ask(t, note, size, tree, metrics))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or(None)).collect()
        });
        let all = lines.iter().all(Option::is_some);
        let mut full = note.to_string();
        for l in lines.iter().flatten() {
            full.push_str(l);
        }
        let quorum = match (&self.policy, checkpoint::parse_note(full.as_bytes())) {
            (None, _) => true,
            (Some(p), Ok(n)) => p.evaluate(&n).satisfied(),
            (Some(_), Err(_)) => false,
        };
        metrics.witness_quorum(size, quorum);
        let c = Cosigned { size, note: full.into(), quorum };
        if quorum && lines.iter().any(Option::is_some) {
            *self.witnessed.write().unwrap_or_else(PoisonError::into_inner) = Some(c.clone());
        }
        *self.latest.write().unwrap_or_else(PoisonError::into_inner) = Some(c);
        self.changed.send_replace(size);
        all
    }

    /// One witness: the cosignature line(s) for the checkpoint, or `None`.
    fn ask(&self, t: &Target, note: &str, size: u64, tree: &SharedTree, metrics: &Metrics) -> Option<String> {
        let count = |result: &str| metrics.witness_request(&t.label, result);
        for _ in 0..3 {
            let old = *t.known.lock().unwrap_or_else(PoisonError::into_inner);
            if old > size {
                count("conflict");
                return None;
            }
            let proof = if old == 0 || old == size {
                Vec::new()
            } else {
                match tree.read().unwrap_or_else(PoisonError::into_inner).consistency_proof(old, size) {
                    Ok(p) => p,
                    Err(_) => {
                        count("conflict");
                        return None;
                    }
                }
            };
            let body = crate::witness::add_checkpoint_body(old, &proof, note);
            let resp = t.base.request(
                "POST",
                "/add-checkpoint",
                Some(("text/plain", body.as_bytes())),
                REQUEST_TIMEOUT,
                64 * 1024,
            );
            match resp {
                Err(_) => {
                    count("unreachable");
                    return None;
                }
                Ok((200, b)) => {
                    let lines = String::from_utf8(b).unwrap_or_default();
                    let with = format!("{note}{lines}");
                    let ok = lines.ends_with('\n')
                        && !lines.is_empty()
                        && match (checkpoint::parse_note(with.as_bytes()), &t.key) {
                            (Ok(n), Some(k)) => cosigned_at(&n, k).is_ok(),
                            (Ok(_), None) => true,
                            (Err(_), _) => false,
                        };
                    if !ok {
                        count("bad-cosignature");
                        return None;
                    }
                    *t.known.lock().unwrap_or_else(PoisonError::into_inner) = size;
                    metrics.witness_size(&t.label, size);
                    count("cosigned");
                    return Some(lines);
                }
                Ok((409, b)) => {
                    let theirs = String::from_utf8_lossy(&b).trim_end_matches('\n').parse::<u64>().ok();
                    match theirs {
                        Some(s) if s <= size && s != old => {
                            *t.known.lock().unwrap_or_else(PoisonError::into_inner) = s;
                            continue;
                        }
                        _ => {
                            count("conflict");
                            return None;
                        }
                    }
                }
                Ok((code, _)) => {
                    count(&format!("http-{code}"));
                    return None;
                }
            }
        }
        count("conflict");
        None
    }
}
