//! Storage of the log: one [`Store`] trait, and its SQLite implementation
//! ([`SqliteStore`]: WAL, `synchronous=FULL`).
//!
//! A batch of entries and the checkpoint that covers it are written in one
//! transaction ([`Store::append_batch`]), so after a crash the store holds
//! either both or neither: every stored entry is covered by a stored
//! checkpoint, and an acknowledged entry (acknowledged only after the
//! commit) is never lost.

use std::path::Path;

use attest_verifier::types::Sha256Digest;
use rusqlite::{params, Connection, OptionalExtension as _};

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused or failed an operation.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
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

/// The storage of one log.
pub trait Store: Send + std::fmt::Debug {
    /// Number of entries.
    fn tree_size(&self) -> Result<u64, StoreError>;
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
    fn entry(&self, index: u64) -> Result<Option<StoredEntry>, StoreError>;
    /// The index of the entry with this leaf hash.
    fn find_leaf(&self, leaf_hash: &Sha256Digest) -> Result<Option<u64>, StoreError>;
    /// Leaf hashes of `start..end`, in order.
    fn leaf_hashes(&self, start: u64, end: u64) -> Result<Vec<Sha256Digest>, StoreError>;
    /// Entry bytes of `start..end`, in order (entry bundles).
    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The checkpoint of the largest tree size.
    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Records a refused submission.
    fn record_rejected(&mut self, rejected: &Rejected) -> Result<(), StoreError>;
    /// Refused submissions, oldest first, at most `limit`.
    fn rejected(&self, limit: u64) -> Result<Vec<Rejected>, StoreError>;
    /// The database answers.
    fn ping(&self) -> Result<(), StoreError>;
}

/// A log in one SQLite database file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    idx INTEGER PRIMARY KEY,
    leaf_hash BLOB NOT NULL UNIQUE,
    doc_type TEXT NOT NULL,
    bytes BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    check_id TEXT,
    reason TEXT,
    report TEXT NOT NULL,
    body BLOB NOT NULL
);
";

fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("index {n} out of range")))
}

fn to_u64(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative index {n}")))
}

fn to_digest(b: &[u8]) -> Result<Sha256Digest, StoreError> {
    let a: [u8; 32] = b.try_into().map_err(|_| StoreError::Corrupt("a leaf hash is not 32 bytes".into()))?;
    Ok(Sha256Digest::from_bytes(a))
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`: WAL journal, `synchronous=FULL`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }
}

impl Store for SqliteStore {
    fn tree_size(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))?;
        to_u64(n)
    }

    fn append_batch(
        &mut self,
        first_index: u64,
        entries: &[NewEntry],
        checkpoint: &StoredCheckpoint,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let stored: i64 = tx.query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))?;
        let stored = to_u64(stored)?;
        if stored != first_index {
            return Err(StoreError::OutOfOrder { stored, first: first_index });
        }
        {
            let mut ins =
                tx.prepare_cached("INSERT INTO entries (idx, leaf_hash, doc_type, bytes) VALUES (?1, ?2, ?3, ?4)")?;
            for (i, e) in (first_index..).zip(entries) {
                ins.execute(params![to_i64(i)?, e.leaf_hash.as_bytes().as_slice(), e.doc_type, e.bytes])?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?1, ?2)",
            params![to_i64(checkpoint.size)?, checkpoint.note],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn put_checkpoint(&mut self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?1, ?2)",
            params![to_i64(checkpoint.size)?, checkpoint.note],
        )?;
        Ok(())
    }

    fn entry(&self, index: u64) -> Result<Option<StoredEntry>, StoreError> {
        let row = self
            .conn
            .query_row("SELECT leaf_hash, doc_type, bytes FROM entries WHERE idx = ?1", [to_i64(index)?], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?))
            })
            .optional()?;
        row.map(|(leaf, doc_type, bytes)| {
            Ok(StoredEntry { index, entry: NewEntry { bytes, leaf_hash: to_digest(&leaf)?, doc_type } })
        })
        .transpose()
    }

    fn find_leaf(&self, leaf_hash: &Sha256Digest) -> Result<Option<u64>, StoreError> {
        let i: Option<i64> = self
            .conn
            .query_row("SELECT idx FROM entries WHERE leaf_hash = ?1", [leaf_hash.as_bytes().as_slice()], |r| r.get(0))
            .optional()?;
        i.map(to_u64).transpose()
    }

    fn leaf_hashes(&self, start: u64, end: u64) -> Result<Vec<Sha256Digest>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT idx, leaf_hash FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
        let rows = st
            .query_map(params![to_i64(start)?, to_i64(end)?], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut out = Vec::new();
        for (want, row) in (start..).zip(rows) {
            let (idx, leaf) = row?;
            if to_u64(idx)? != want {
                return Err(StoreError::Corrupt(format!("entry {want} is missing")));
            }
            out.push(to_digest(&leaf)?);
        }
        Ok(out)
    }

    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT idx, bytes FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
        let rows = st
            .query_map(params![to_i64(start)?, to_i64(end)?], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut out = Vec::new();
        for (want, row) in (start..).zip(rows) {
            let (idx, bytes) = row?;
            if to_u64(idx)? != want {
                return Err(StoreError::Corrupt(format!("entry {want} is missing")));
            }
            out.push(bytes);
        }
        Ok(out)
    }

    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row = self
            .conn
            .query_row("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        row.map(|(size, note)| Ok(StoredCheckpoint { size: to_u64(size)?, note })).transpose()
    }

    fn record_rejected(&mut self, r: &Rejected) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO rejected (received_at, doc_type, check_id, reason, report, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![r.received_at, r.doc_type, r.check, r.reason, r.report, r.body],
        )?;
        Ok(())
    }

    fn rejected(&self, limit: u64) -> Result<Vec<Rejected>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT received_at, doc_type, check_id, reason, report, body FROM rejected ORDER BY id LIMIT ?1",
        )?;
        let rows = st.query_map([to_i64(limit)?], |r| {
            Ok(Rejected {
                received_at: r.get(0)?,
                doc_type: r.get(1)?,
                check: r.get(2)?,
                reason: r.get(3)?,
                report: r.get(4)?,
                body: r.get(5)?,
            })
        })?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    fn ping(&self) -> Result<(), StoreError> {
        let _: i64 = self.conn.query_row("SELECT 1", [], |r| r.get(0))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use attest_verifier::merkle::leaf_hash;

    use super::*;

    fn entry(s: &str) -> NewEntry {
        NewEntry { bytes: s.as_bytes().to_vec(), leaf_hash: leaf_hash(s.as_bytes()), doc_type: "t".into() }
    }

    fn cp(size: u64) -> StoredCheckpoint {
        StoredCheckpoint { size, note: format!("note {size}") }
    }

    #[test]
    fn append_read_find_and_order() {
        let mut s = SqliteStore::in_memory().unwrap();
        assert_eq!(s.tree_size().unwrap(), 0);
        assert_eq!(s.latest_checkpoint().unwrap(), None);
        s.append_batch(0, &[entry("a"), entry("b")], &cp(2)).unwrap();
        s.append_batch(2, &[entry("c")], &cp(3)).unwrap();
        assert_eq!(s.tree_size().unwrap(), 3);
        assert_eq!(s.entry(1).unwrap().unwrap().entry, entry("b"));
        assert_eq!(s.entry(3).unwrap(), None);
        assert_eq!(s.find_leaf(&leaf_hash(b"c")).unwrap(), Some(2));
        assert_eq!(s.find_leaf(&leaf_hash(b"z")).unwrap(), None);
        assert_eq!(s.leaf_hashes(1, 3).unwrap(), vec![leaf_hash(b"b"), leaf_hash(b"c")]);
        assert_eq!(s.entries(0, 2).unwrap(), vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(s.latest_checkpoint().unwrap(), Some(cp(3)));
        // A batch at the wrong index is refused and writes nothing.
        assert!(matches!(
            s.append_batch(2, &[entry("d")], &cp(4)),
            Err(StoreError::OutOfOrder { stored: 3, first: 2 })
        ));
        // A duplicate leaf fails the whole batch (nothing of it is kept).
        assert!(s.append_batch(3, &[entry("d"), entry("a")], &cp(5)).is_err());
        assert_eq!(s.tree_size().unwrap(), 3);
        assert_eq!(s.latest_checkpoint().unwrap(), Some(cp(3)));
        s.ping().unwrap();
    }

    #[test]
    fn rejected_rows_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        {
            let mut s = SqliteStore::open(&path).unwrap();
            s.append_batch(0, &[entry("a")], &cp(1)).unwrap();
            let r = Rejected {
                received_at: "2026-01-01T00:00:00Z".into(),
                doc_type: "unknown".into(),
                check: Some("parse".into()),
                reason: None,
                report: "{}".into(),
                body: b"x".to_vec(),
            };
            s.record_rejected(&r).unwrap();
            assert_eq!(s.rejected(10).unwrap(), vec![r]);
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.tree_size().unwrap(), 1);
        assert_eq!(s.rejected(10).unwrap().len(), 1);
        let mode: String = s.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = s.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "FULL");
    }
}
