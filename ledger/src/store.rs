//! Storage of the log: one [`Store`] trait with two implementations tested
//! by one suite ([`suite`]): [`SqliteStore`] (embedded, WAL,
//! `synchronous=FULL`, the default) and [`PostgresStore`] (several ledger
//! processes on one database; appends serialised by a transaction-scoped
//! advisory lock).
//!
//! A batch of entries and the checkpoint that covers it are written in one
//! transaction ([`Store::append_batch`]), so after a crash the store holds
//! either both or neither: every stored entry is covered by a stored
//! checkpoint, and an acknowledged entry (acknowledged only after the
//! commit) is never lost.

use attest_verifier::types::Sha256Digest;

pub use crate::store_postgres::PostgresStore;
pub use crate::store_sqlite::SqliteStore;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite refused or failed an operation.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL refused or failed an operation.
    #[error("database error: {0}")]
    Postgres(#[from] postgres::Error),
    /// A batch did not start at the stored tree size (a second writer, or a bug).
    #[error("the store holds {stored} entries but the batch starts at index {first}")]
    OutOfOrder {
        /// Stored tree size.
        stored: u64,
        /// First index of the batch.
        first: u64,
    },
    /// A stored value is not what this program writes.
    #[error("corrupt store: {0}")]
    Corrupt(String),
}

/// An entry to append: its bytes, leaf hash and document type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// Entry bytes (formats.md §8).
    pub bytes: Vec<u8>,
    /// `SHA-256(0x00 ‖ bytes)`.
    pub leaf_hash: Sha256Digest,
    /// The document's `type` (for an envelope, its payload's).
    pub doc_type: String,
    /// What `/v1/search` finds it by.
    pub fields: SearchFields,
}

/// The searchable members of an entry (from the verified document:
/// [`attest_verifier::Document::search_fields`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFields {
    /// A heartbeat's stream.
    pub stream: Option<String>,
    /// An attestation's `executionId`.
    pub execution_id: Option<String>,
    /// The signing key's id (lowercase hex).
    pub signer_key_id: Option<String>,
    /// The document's own time, unix seconds (`issuedAt`, a heartbeat's
    /// `timestamp`, fork evidence's `detectedAt`).
    pub time: Option<i64>,
}

/// A search: every given member must match; entries with index ≥ `cursor`,
/// in index order, at most `limit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Document type.
    pub doc_type: Option<String>,
    /// Stream.
    pub stream: Option<String>,
    /// Execution id.
    pub execution_id: Option<String>,
    /// Signer key id.
    pub signer_key_id: Option<String>,
    /// Time ≥ this (unix seconds).
    pub since: Option<i64>,
    /// Time < this (unix seconds).
    pub until: Option<i64>,
    /// First index.
    pub cursor: u64,
    /// Most entries.
    pub limit: u64,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// Index in the log.
    pub index: u64,
    /// Document type.
    pub doc_type: String,
    /// Leaf hash.
    pub leaf_hash: Sha256Digest,
    /// Searchable members.
    pub fields: SearchFields,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Index in the log.
    pub index: u64,
    /// The entry as appended.
    pub entry: NewEntry,
}

/// A signed checkpoint note and the tree size it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Tree size.
    pub size: u64,
    /// The signed note text.
    pub note: String,
}

/// A refused submission (kept for operators, never in the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// When it was received (RFC 3339).
    pub received_at: String,
    /// The report's document type (`unknown` when none was recognised).
    pub doc_type: String,
    /// The first failed check id, if any.
    pub check: Option<String>,
    /// Its reason, if any.
    pub reason: Option<String>,
    /// The verification report, JSON.
    pub report: String,
    /// The body as received.
    pub body: Vec<u8>,
}

pub(crate) fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("index {n} out of range")))
}

pub(crate) fn to_u64(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative index {n}")))
}

pub(crate) fn to_digest(b: &[u8]) -> Result<Sha256Digest, StoreError> {
    let a: [u8; 32] = b.try_into().map_err(|_| StoreError::Corrupt("a leaf hash is not 32 bytes".into()))?;
    Ok(Sha256Digest::from_bytes(a))
}

/// Checks that rows read for `start..` come in order without holes.
pub(crate) fn in_order<T>(start: u64, rows: impl IntoIterator<Item = (i64, T)>) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for (want, (idx, v)) in (start..).zip(rows) {
        if to_u64(idx)? != want {
            return Err(StoreError::Corrupt(format!("entry {want} is missing")));
        }
        out.push(v);
    }
    Ok(out)
}

/// An accepted Attesto Local Vault relay (docs/spec.md §12.7): the row that
/// makes relays idempotent on (installation, stream, source_ref).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestoRelay {
    /// The registered installation.
    pub installation_id: String,
    /// The envelope's stream.
    pub stream_id: String,
    /// The envelope's source reference.
    pub source_ref: String,
    /// `payload_sha256` of the first accepted request (a different one later is payload drift).
    pub payload_sha256: String,
    /// The log index of the relay request's entry.
    pub entry_index: u64,
}

/// An accepted Attesto witness receipt: the witness state per (witness, tenant, stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestoCheckpoint {
    /// The witness (the installation).
    pub witness_id: String,
    /// The tenant.
    pub tenant_id: String,
    /// The stream.
    pub stream_id: String,
    /// `checkpoint_seq_no`, exact decimal digits (no leading zeros).
    pub seq: String,
    /// `checkpoint_hash`, lowercase hex.
    pub checkpoint_hash: String,
    /// The log index of the receipt's entry.
    pub entry_index: u64,
}

/// The storage of one log.
pub trait Store: Send + std::fmt::Debug {
    /// Number of entries (one past the largest index).
    fn tree_size(&mut self) -> Result<u64, StoreError>;
    /// Appends entries at `first_index..` and stores `checkpoint`, atomically
    /// (one transaction, durable when this returns).
    fn append_batch(
        &mut self,
        first_index: u64,
        entries: &[NewEntry],
        checkpoint: &StoredCheckpoint,
    ) -> Result<(), StoreError>;
    /// Stores a checkpoint without entries (the empty tree, or one re-signed at start-up).
    fn put_checkpoint(&mut self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError>;
    /// The entry at an index.
    fn entry(&mut self, index: u64) -> Result<Option<StoredEntry>, StoreError>;
    /// The index of the entry with this leaf hash.
    fn find_leaf(&mut self, leaf_hash: &Sha256Digest) -> Result<Option<u64>, StoreError>;
    /// Leaf hashes of `start..end`, in order.
    fn leaf_hashes(&mut self, start: u64, end: u64) -> Result<Vec<Sha256Digest>, StoreError>;
    /// Entry bytes of `start..end`, in order (entry bundles).
    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Entries of one document type with index ≥ `start`, in index order,
    /// at most `limit`: `(index, bytes)`.
    fn entries_of_type(&mut self, doc_type: &str, start: u64, limit: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError>;
    /// Entries matching `query`, in index order.
    fn search(&mut self, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError>;
    /// The checkpoint of the largest tree size.
    fn latest_checkpoint(&mut self) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Records a refused submission.
    fn record_rejected(&mut self, rejected: &Rejected) -> Result<(), StoreError>;
    /// Refused submissions, oldest first, at most `limit`.
    fn rejected(&mut self, limit: u64) -> Result<Vec<Rejected>, StoreError>;
    /// The database answers.
    fn ping(&mut self) -> Result<(), StoreError>;
    /// The accepted Attesto relay of (installation, stream, source_ref), if any.
    fn attesto_relay(
        &mut self,
        installation_id: &str,
        stream_id: &str,
        source_ref: &str,
    ) -> Result<Option<AttestoRelay>, StoreError>;
    /// Records an accepted relay; `false` (nothing written) when its key is taken.
    fn put_attesto_relay(&mut self, relay: &AttestoRelay) -> Result<bool, StoreError>;
    /// The accepted receipt of (witness, tenant, stream) at `seq`, if any.
    fn attesto_checkpoint(
        &mut self,
        witness_id: &str,
        tenant_id: &str,
        stream_id: &str,
        seq: &str,
    ) -> Result<Option<AttestoCheckpoint>, StoreError>;
    /// The accepted receipt of (witness, tenant, stream) with the largest seq.
    fn attesto_head(
        &mut self,
        witness_id: &str,
        tenant_id: &str,
        stream_id: &str,
    ) -> Result<Option<AttestoCheckpoint>, StoreError>;
    /// Records an accepted receipt; `false` (nothing written) when that seq is taken.
    fn put_attesto_checkpoint(&mut self, checkpoint: &AttestoCheckpoint) -> Result<bool, StoreError>;
}

#[cfg(test)]
pub(crate) mod suite;
