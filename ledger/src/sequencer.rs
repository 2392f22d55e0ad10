//! The sequencer: the one writer of the log.
//!
//! Group commit: a batch is the first waiting submission and every one
//! queued behind it (those that arrived during the previous commit), at most
//! [`BatchConfig::max_entries`]; with a linger ([`BatchConfig::max_age`],
//! 0 by default, at most 250 ms) it waits that long for more. For each batch it assigns indices (an entry already in
//! the log, or earlier in the same batch, keeps its index: identical
//! concurrent submissions get one index), computes the new root, signs a
//! checkpoint covering the batch, and writes the entries and the checkpoint
//! in one transaction. Only after that commit are the submissions
//! acknowledged and the in-memory tree advanced.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use attest_attestor::note::NoteSigner;
use attest_verifier::checkpoint::{Checkpoint, CheckpointError};
use attest_verifier::merkle::{CompactRange, MerkleError};
use attest_verifier::types::Sha256Digest;
use tokio::sync::{mpsc, oneshot};

use crate::hashes::TreeHashes;
use crate::store::{NewEntry, Store, StoreError, StoredCheckpoint};

/// Batching limits.
#[derive(Debug, Clone, Copy)]
pub struct BatchConfig {
    /// Most entries in one batch.
    pub max_entries: usize,
    /// Longest wait for more submissions once the queued ones are taken
    /// (0: none — group commit; at most 250 ms).
    pub max_age: Duration,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self { max_entries: 256, max_age: Duration::ZERO }
    }
}

/// Why the log could not be sequenced or loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SequenceError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A checkpoint could not be made or signed.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// A tree operation failed.
    #[error("merkle tree: {0}")]
    Merkle(#[from] MerkleError),
    /// The stored checkpoint does not match the stored entries.
    #[error("the stored checkpoint does not match the stored entries: {0}")]
    Inconsistent(String),
    /// The sequencer has stopped.
    #[error("the sequencer has stopped")]
    Stopped,
}

/// The in-memory view of the log: every leaf hash, the index of each, the
/// compact range of the whole tree and the latest signed checkpoint.
#[derive(Debug, Clone)]
pub struct Tree {
    hashes: TreeHashes,
    by_leaf: HashMap<Sha256Digest, u64>,
    range: CompactRange,
    checkpoint: Arc<str>,
    /// Unix seconds when this process signed or adopted `checkpoint`.
    checkpoint_at: i64,
}

impl Tree {
    /// Loads the tree from the store; signs and stores a checkpoint when
    /// none covers the stored entries (a new log: the empty tree).
    pub fn load(store: &mut dyn Store, signer: &NoteSigner) -> Result<Self, SequenceError> {
        // The checkpoint first: another process sharing the database may
        // append meanwhile, and its entries come with a later checkpoint.
        let latest = store.latest_checkpoint()?;
        let size = latest.as_ref().map_or(0, |c| c.size);
        let leaves = store.leaf_hashes(0, size)?;
        if leaves.len() as u64 != size {
            return Err(SequenceError::Inconsistent(format!(
                "a checkpoint of size {size} but {} entries",
                leaves.len()
            )));
        }
        let mut range = CompactRange::new();
        let mut by_leaf = HashMap::with_capacity(leaves.len());
        let mut hashes = TreeHashes::new();
        for (i, l) in (0u64..).zip(&leaves) {
            hashes.push(*l);
            range.push(*l)?;
            by_leaf.insert(*l, i);
        }
        let checkpoint = match latest {
            Some(c) => {
                let cp = attest_verifier::checkpoint::verify_checkpoint(c.note.as_bytes(), signer.verifier_key())?;
                if cp.root() != range.root() || cp.size() != size {
                    return Err(SequenceError::Inconsistent(format!("checkpoint of size {size} has another root")));
                }
                c.note
            }
            None => {
                let stored = store.tree_size()?;
                if stored != 0 {
                    return Err(SequenceError::Inconsistent(format!("{stored} entries and no checkpoint")));
                }
                let note = signer.sign_checkpoint(&Checkpoint::new(signer.name(), 0, range.root())?)?;
                store.put_checkpoint(&StoredCheckpoint { size: 0, note: note.clone() })?;
                note
            }
        };
        Ok(Self { hashes, by_leaf, range, checkpoint: checkpoint.into(), checkpoint_at: unix_now() })
    }

    /// Number of entries.
    pub fn size(&self) -> u64 {
        self.range.size()
    }

    /// Reads what another ledger process sharing the database appended
    /// beyond `size`: the store's latest checkpoint first, then the leaves
    /// it covers (entries and checkpoint are committed together, so they are
    /// there). The update is returned only if that checkpoint is signed by
    /// the log key and its root is the root of the extended tree.
    fn fetch_update(
        size: u64,
        mut range: CompactRange,
        store: &mut dyn Store,
        signer: &NoteSigner,
    ) -> Result<Option<Update>, SequenceError> {
        let Some(latest) = store.latest_checkpoint()? else { return Ok(None) };
        if latest.size <= size {
            return Ok(None);
        }
        let fresh = store.leaf_hashes(size, latest.size)?;
        for l in &fresh {
            range.push(*l)?;
        }
        let cp = attest_verifier::checkpoint::verify_checkpoint(latest.note.as_bytes(), signer.verifier_key())?;
        if cp.size() != latest.size || range.size() != latest.size || cp.root() != range.root() {
            return Err(SequenceError::Inconsistent(format!(
                "the stored checkpoint of size {} does not match the stored entries",
                latest.size
            )));
        }
        Ok(Some(Update { fresh, range, note: latest.note.into() }))
    }

    fn apply(&mut self, update: Update) {
        for l in update.fresh {
            let i = self.hashes.size();
            self.hashes.push(l);
            self.by_leaf.insert(l, i);
        }
        self.range = update.range;
        self.checkpoint = update.note;
        self.checkpoint_at = unix_now();
    }

    /// Seconds since this process signed or adopted the latest checkpoint
    /// (an idle log keeps its checkpoint: the age grows).
    pub fn checkpoint_age_seconds(&self) -> i64 {
        unix_now().saturating_sub(self.checkpoint_at)
    }

    /// The latest signed checkpoint note.
    pub fn checkpoint(&self) -> Arc<str> {
        self.checkpoint.clone()
    }

    /// The index of a leaf hash.
    pub fn index_of(&self, leaf: &Sha256Digest) -> Option<u64> {
        self.by_leaf.get(leaf).copied()
    }

    /// Every leaf hash, in order.
    pub fn leaves(&self) -> &[Sha256Digest] {
        self.hashes.leaves()
    }

    /// The leaf hash at an index.
    pub fn leaf(&self, index: u64) -> Option<Sha256Digest> {
        self.hashes.complete(0, index)
    }

    /// The inclusion proof of `index` in the tree of `size` entries.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Sha256Digest>, MerkleError> {
        self.hashes.inclusion_proof(index, size)
    }

    /// The complete subtree hashes (hash tiles read them).
    pub fn hashes(&self) -> &TreeHashes {
        &self.hashes
    }

    /// The consistency proof from `old` to `new` entries.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Sha256Digest>, MerkleError> {
        self.hashes.consistency_proof(old, new)
    }
}

/// Leaves another process appended, with the checkpoint covering them.
struct Update {
    fresh: Vec<Sha256Digest>,
    range: CompactRange,
    note: Arc<str>,
}

/// An acknowledged submission.
#[derive(Debug, Clone)]
pub struct Ack {
    /// Its index.
    pub index: u64,
    /// It was already in the log (or earlier in its batch).
    pub existing: bool,
    /// A checkpoint covering it, stored before this acknowledgement.
    pub checkpoint: Arc<str>,
    /// That checkpoint's tree size.
    pub tree_size: u64,
}

struct Submission {
    entry: NewEntry,
    reply: oneshot::Sender<Result<Ack, String>>,
}

/// The handle to submit entries to the sequencer.
#[derive(Debug, Clone)]
pub struct Sequencer {
    tx: mpsc::Sender<Submission>,
    /// Unix seconds when the sequencer last read or wrote the store (its
    /// idle check runs every second): `/readyz` fails when it is stale.
    checked_at: Arc<std::sync::atomic::AtomicI64>,
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Submission({})", self.entry.leaf_hash)
    }
}

/// Shared state: the store and the tree.
pub type SharedStore = Arc<Mutex<Box<dyn Store>>>;
/// Shared in-memory tree.
pub type SharedTree = Arc<RwLock<Tree>>;

impl Sequencer {
    /// Starts the sequencer task; it ends when every [`Sequencer`] handle is dropped
    /// and the queued submissions are sequenced.
    pub fn start(
        store: SharedStore,
        tree: SharedTree,
        signer: NoteSigner,
        config: BatchConfig,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(4096);
        let checked_at = Arc::new(std::sync::atomic::AtomicI64::new(unix_now()));
        let task = tokio::spawn(run(rx, store, tree, signer, config, checked_at.clone()));
        (Self { tx, checked_at }, task)
    }

    /// Seconds since the sequencer last read or wrote the store.
    pub fn seconds_since_store_check(&self) -> i64 {
        unix_now().saturating_sub(self.checked_at.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Submits an entry; resolves once it is durably in the log under a stored checkpoint.
    pub async fn submit(&self, entry: NewEntry) -> Result<Ack, String> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Submission { entry, reply }).await.map_err(|_| SequenceError::Stopped.to_string())?;
        rx.await.map_err(|_| SequenceError::Stopped.to_string())?
    }
}

fn unix_now() -> i64 {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

async fn run(
    mut rx: mpsc::Receiver<Submission>,
    store: SharedStore,
    tree: SharedTree,
    signer: NoteSigner,
    config: BatchConfig,
    checked_at: Arc<std::sync::atomic::AtomicI64>,
) {
    let mark = |ok: bool| {
        if ok {
            checked_at.store(unix_now(), std::sync::atomic::Ordering::Relaxed);
        }
    };
    let max = config.max_entries.max(1);
    let mut refresh = tokio::time::interval(REFRESH);
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let first = tokio::select! {
            s = rx.recv() => match s { Some(s) => s, None => break },
            _ = refresh.tick() => {
                // Another process may share the database: follow it while idle.
                let (store, tree, signer) = (store.clone(), tree.clone(), signer.clone());
                let followed = tokio::task::spawn_blocking(move || follow(&store, &tree, &signer)).await;
                mark(matches!(followed, Ok(Ok(_))));
                continue;
            }
        };
        // Group commit: everything queued joins the batch at once (what
        // arrived during the previous commit); then, with a linger, wait up
        // to `max_age` for more.
        let mut batch = vec![first];
        while batch.len() < max {
            match rx.try_recv() {
                Ok(s) => batch.push(s),
                Err(_) => break,
            }
        }
        if !config.max_age.is_zero() {
            let deadline = tokio::time::Instant::now() + config.max_age;
            while batch.len() < max {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(s)) => batch.push(s),
                    Ok(None) | Err(_) => break,
                }
            }
        }
        let (store, tree, signer) = (store.clone(), tree.clone(), signer.clone());
        let done = tokio::task::spawn_blocking(move || {
            let (entries, replies): (Vec<NewEntry>, Vec<_>) = batch.into_iter().map(|s| (s.entry, s.reply)).unzip();
            let result = sequence(&store, &tree, &signer, &entries);
            (result, replies)
        })
        .await;
        let Ok((result, replies)) = done else { continue };
        mark(result.is_ok());
        match result {
            Ok(acks) => {
                for (reply, ack) in replies.into_iter().zip(acks) {
                    let _ = reply.send(Ok(ack));
                }
            }
            Err(e) => {
                let msg = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(msg.clone()));
                }
            }
        }
    }
}

/// How often an idle sequencer looks for entries another process appended.
const REFRESH: Duration = Duration::from_secs(1);

/// How many times a batch is retried after another process appended first.
const MAX_RETRIES: usize = 16;

/// Catches the tree up with the store (another process appended).
/// Only the sequencer changes the tree, so nothing moves it between the
/// snapshot and the update.
fn follow(store: &SharedStore, tree: &SharedTree, signer: &NoteSigner) -> Result<bool, SequenceError> {
    let (size, range) = {
        let t = tree.read().unwrap_or_else(PoisonError::into_inner);
        (t.size(), t.range.clone())
    };
    let update =
        Tree::fetch_update(size, range, store.lock().unwrap_or_else(PoisonError::into_inner).as_mut(), signer)?;
    match update {
        Some(u) => {
            tree.write().unwrap_or_else(PoisonError::into_inner).apply(u);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Sequences one batch; when another process sharing the database appended
/// first ([`StoreError::OutOfOrder`]), catches up and assigns again (an
/// entry that process appended keeps its index).
fn sequence(
    store: &SharedStore,
    tree: &SharedTree,
    signer: &NoteSigner,
    entries: &[NewEntry],
) -> Result<Vec<Ack>, SequenceError> {
    let mut tries = 0;
    loop {
        match sequence_once(store, tree, signer, entries) {
            Err(SequenceError::Store(StoreError::OutOfOrder { stored, first }))
                if stored > first && tries < MAX_RETRIES =>
            {
                tries += 1;
                follow(store, tree, signer)?;
            }
            other => return other,
        }
    }
}

/// Sequences one batch: indices, checkpoint, one transaction, then the tree.
fn sequence_once(
    store: &SharedStore,
    tree: &SharedTree,
    signer: &NoteSigner,
    entries: &[NewEntry],
) -> Result<Vec<Ack>, SequenceError> {
    // The sequencer is this process's only writer: the tree cannot change
    // under this snapshot (another process's appends surface as OutOfOrder).
    let (size, mut range, known) = {
        let t = tree.read().unwrap_or_else(PoisonError::into_inner);
        let known: Vec<Option<u64>> = entries.iter().map(|e| t.index_of(&e.leaf_hash)).collect();
        (t.size(), t.range.clone(), known)
    };
    let mut batch_index: HashMap<Sha256Digest, u64> = HashMap::new();
    let mut fresh: Vec<NewEntry> = Vec::new();
    let mut assigned = Vec::with_capacity(entries.len());
    for (e, known) in entries.iter().zip(known) {
        if let Some(i) = known.or_else(|| batch_index.get(&e.leaf_hash).copied()) {
            assigned.push((i, true));
            continue;
        }
        let i = size + fresh.len() as u64;
        batch_index.insert(e.leaf_hash, i);
        range.push(e.leaf_hash)?;
        fresh.push(e.clone());
        assigned.push((i, false));
    }
    let note: Arc<str> = if fresh.is_empty() {
        tree.read().unwrap_or_else(PoisonError::into_inner).checkpoint()
    } else {
        let new_size = range.size();
        let note = signer.sign_checkpoint(&Checkpoint::new(signer.name(), new_size, range.root())?)?;
        let stored = StoredCheckpoint { size: new_size, note: note.clone() };
        store.lock().unwrap_or_else(PoisonError::into_inner).append_batch(size, &fresh, &stored)?;
        let mut t = tree.write().unwrap_or_else(PoisonError::into_inner);
        for e in &fresh {
            let i = t.hashes.size();
            t.hashes.push(e.leaf_hash);
            t.by_leaf.insert(e.leaf_hash, i);
        }
        t.range = range;
        t.checkpoint = note.into();
        t.checkpoint_at = unix_now();
        t.checkpoint()
    };
    let tree_size = tree.read().unwrap_or_else(PoisonError::into_inner).size();
    Ok(assigned
        .into_iter()
        .map(|(index, existing)| Ack { index, existing, checkpoint: note.clone(), tree_size })
        .collect())
}

#[cfg(test)]
mod tests {
    use attest_attestor::MasterSecret;
    use attest_verifier::checkpoint::verify_checkpoint;
    use attest_verifier::merkle;

    use super::*;
    use crate::store::SqliteStore;

    fn entry(s: &str) -> NewEntry {
        NewEntry {
            bytes: s.as_bytes().to_vec(),
            leaf_hash: merkle::leaf_hash(s.as_bytes()),
            doc_type: "t".into(),
            fields: Default::default(),
        }
    }

    fn signer() -> NoteSigner {
        NoteSigner::new("test.example/log", MasterSecret::from_bytes([9u8; 32]).master_ed25519()).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn batches_dedupe_and_checkpoint_every_ack() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let signer = signer();
        let mut s = SqliteStore::open(&path).unwrap();
        let tree = Tree::load(&mut s, &signer).unwrap();
        assert_eq!(tree.size(), 0);
        let store: SharedStore = Arc::new(Mutex::new(Box::new(s)));
        let tree: SharedTree = Arc::new(RwLock::new(tree));
        let cfg = BatchConfig { max_entries: 4, max_age: Duration::from_millis(50) };
        let (seq, task) = Sequencer::start(store.clone(), tree.clone(), signer.clone(), cfg);
        // Ten submissions at once, two of them identical.
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "a", "i"];
        let handles: Vec<_> = names
            .iter()
            .map(|n| {
                let seq = seq.clone();
                let e = entry(n);
                tokio::spawn(async move { seq.submit(e).await })
            })
            .collect();
        let mut acks = Vec::new();
        for h in handles {
            acks.push(h.await.unwrap().unwrap());
        }
        let a: Vec<u64> = acks.iter().zip(names).filter(|(_, n)| *n == "a").map(|(k, _)| k.index).collect();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0], a[1], "one index for identical submissions");
        let mut idx: Vec<u64> = acks.iter().filter(|k| !k.existing).map(|k| k.index).collect();
        idx.sort_unstable();
        assert_eq!(idx, (0..9).collect::<Vec<_>>());
        let vk = signer.verifier_key();
        for (k, n) in acks.iter().zip(names) {
            let cp = verify_checkpoint(k.checkpoint.as_bytes(), vk).unwrap();
            assert!(k.index < cp.size());
            let t = tree.read().unwrap();
            let proof = t.inclusion_proof(k.index, cp.size()).unwrap();
            merkle::verify_inclusion(&merkle::leaf_hash(n.as_bytes()), k.index, cp.size(), &proof, &cp.root()).unwrap();
        }
        drop(seq);
        task.await.unwrap();
        // Reloaded from the store: the same tree and checkpoint.
        let mut s = SqliteStore::open(&path).unwrap();
        let again = Tree::load(&mut s, &signer).unwrap();
        let t = tree.read().unwrap();
        assert_eq!((again.size(), again.checkpoint()), (9, t.checkpoint()));
        assert_eq!(s.latest_checkpoint().unwrap().unwrap().size, 9);
    }

    #[test]
    fn a_store_whose_checkpoint_disagrees_is_refused() {
        let signer = signer();
        let mut s = SqliteStore::in_memory().unwrap();
        let other =
            signer.sign_checkpoint(&Checkpoint::new(signer.name(), 1, merkle::leaf_hash(b"x")).unwrap()).unwrap();
        s.append_batch(0, &[entry("a")], &StoredCheckpoint { size: 1, note: other }).unwrap();
        assert!(matches!(Tree::load(&mut s, &signer), Err(SequenceError::Inconsistent(_))));
        // Signed by another key.
        let mut s = SqliteStore::in_memory().unwrap();
        let stranger =
            NoteSigner::new("test.example/log", MasterSecret::from_bytes([1u8; 32]).master_ed25519()).unwrap();
        let note =
            stranger.sign_checkpoint(&Checkpoint::new(signer.name(), 0, merkle::EMPTY_TREE_HASH).unwrap()).unwrap();
        s.put_checkpoint(&StoredCheckpoint { size: 0, note }).unwrap();
        assert!(matches!(Tree::load(&mut s, &signer), Err(SequenceError::Checkpoint(_))));
    }
}
