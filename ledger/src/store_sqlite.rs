//! [`SqliteStore`]: the embedded default store, one SQLite file in WAL mode
//! with `synchronous=FULL` (a committed batch survives power loss).

use std::path::Path;

use attest_verifier::types::Sha256Digest;
use rusqlite::{params, Connection, OptionalExtension as _};

use crate::store::{
    in_order, to_digest, to_i64, to_u64, AttestoCheckpoint, AttestoRelay, NewEntry, Rejected, SearchFields, SearchHit,
    SearchQuery, Store, StoreError, StoredCheckpoint, StoredEntry,
};

/// A log in one SQLite database file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
}

/// One past the largest index (the primary key: no table scan).
const SIZE: &str = "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    idx INTEGER PRIMARY KEY,
    leaf_hash BLOB NOT NULL UNIQUE,
    doc_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    stream TEXT,
    execution_id TEXT,
    signer TEXT,
    at INTEGER
);
CREATE INDEX IF NOT EXISTS entries_by_type ON entries (doc_type, idx);
CREATE INDEX IF NOT EXISTS entries_by_stream ON entries (stream, idx);
CREATE INDEX IF NOT EXISTS entries_by_execution ON entries (execution_id, idx);
CREATE INDEX IF NOT EXISTS entries_by_signer ON entries (signer, idx);
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
CREATE TABLE IF NOT EXISTS attesto_relays (
    installation_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    entry_index INTEGER NOT NULL,
    PRIMARY KEY (installation_id, stream_id, source_ref)
);
CREATE TABLE IF NOT EXISTS attesto_checkpoints (
    witness_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    seq TEXT NOT NULL,
    seq_len INTEGER NOT NULL,
    checkpoint_hash TEXT NOT NULL,
    entry_index INTEGER NOT NULL,
    PRIMARY KEY (witness_id, tenant_id, stream_id, seq)
);
";

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
        // Databases from before /v1/search get its columns.
        let has_stream: bool =
            conn.prepare("SELECT 1 FROM pragma_table_info('entries') WHERE name = 'stream'")?.exists([])?;
        let has_table: bool =
            conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entries'")?.exists([])?;
        if has_table && !has_stream {
            conn.execute_batch(
                "ALTER TABLE entries ADD COLUMN stream TEXT; ALTER TABLE entries ADD COLUMN execution_id TEXT;
                 ALTER TABLE entries ADD COLUMN signer TEXT; ALTER TABLE entries ADD COLUMN at INTEGER;",
            )?;
        }
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }
}

impl Store for SqliteStore {
    fn tree_size(&mut self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(SIZE, [], |r| r.get(0))?;
        to_u64(n)
    }

    fn append_batch(
        &mut self,
        first_index: u64,
        entries: &[NewEntry],
        checkpoint: &StoredCheckpoint,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let stored: i64 = tx.query_row(SIZE, [], |r| r.get(0))?;
        let stored = to_u64(stored)?;
        if stored != first_index {
            return Err(StoreError::OutOfOrder { stored, first: first_index });
        }
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO entries (idx, leaf_hash, doc_type, bytes, stream, execution_id, signer, at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (i, e) in (first_index..).zip(entries) {
                let f = &e.fields;
                ins.execute(params![
                    to_i64(i)?,
                    e.leaf_hash.as_bytes().as_slice(),
                    e.doc_type,
                    e.bytes,
                    f.stream,
                    f.execution_id,
                    f.signer_key_id,
                    f.time
                ])?;
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

    fn entry(&mut self, index: u64) -> Result<Option<StoredEntry>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT leaf_hash, doc_type, bytes, stream, execution_id, signer, at FROM entries WHERE idx = ?1",
                [to_i64(index)?],
                |r| {
                    let fields = SearchFields {
                        stream: r.get(3)?,
                        execution_id: r.get(4)?,
                        signer_key_id: r.get(5)?,
                        time: r.get(6)?,
                    };
                    Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?, fields))
                },
            )
            .optional()?;
        row.map(|(leaf, doc_type, bytes, fields)| {
            Ok(StoredEntry { index, entry: NewEntry { bytes, leaf_hash: to_digest(&leaf)?, doc_type, fields } })
        })
        .transpose()
    }

    fn find_leaf(&mut self, leaf_hash: &Sha256Digest) -> Result<Option<u64>, StoreError> {
        let i: Option<i64> = self
            .conn
            .query_row("SELECT idx FROM entries WHERE leaf_hash = ?1", [leaf_hash.as_bytes().as_slice()], |r| r.get(0))
            .optional()?;
        i.map(to_u64).transpose()
    }

    fn leaf_hashes(&mut self, start: u64, end: u64) -> Result<Vec<Sha256Digest>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT idx, leaf_hash FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
        let rows = st
            .query_map(params![to_i64(start)?, to_i64(end)?], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        in_order(start, rows)?.iter().map(|l| to_digest(l)).collect()
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT idx, bytes FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
        let rows = st
            .query_map(params![to_i64(start)?, to_i64(end)?], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        in_order(start, rows)
    }

    fn entries_of_type(&mut self, doc_type: &str, start: u64, limit: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT idx, bytes FROM entries WHERE doc_type = ?1 AND idx >= ?2 ORDER BY idx LIMIT ?3")?;
        let rows = st
            .query_map(params![doc_type, to_i64(start)?, to_i64(limit)?], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(|(i, b)| Ok((to_u64(i)?, b))).collect()
    }

    fn search(&mut self, q: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
        let mut sql = String::from(
            "SELECT idx, doc_type, leaf_hash, stream, execution_id, signer, at FROM entries WHERE idx >= ?",
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(to_i64(q.cursor)?)];
        for (col, v) in [
            ("doc_type", &q.doc_type),
            ("stream", &q.stream),
            ("execution_id", &q.execution_id),
            ("signer", &q.signer_key_id),
        ] {
            if let Some(v) = v {
                sql.push_str(&format!(" AND {col} = ?"));
                args.push(Box::new(v.clone()));
            }
        }
        if let Some(t) = q.since {
            sql.push_str(" AND at >= ?");
            args.push(Box::new(t));
        }
        if let Some(t) = q.until {
            sql.push_str(" AND at < ?");
            args.push(Box::new(t));
        }
        sql.push_str(" ORDER BY idx LIMIT ?");
        args.push(Box::new(to_i64(q.limit)?));
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(rusqlite::params_from_iter(args.iter().map(|b| b.as_ref())), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    SearchFields {
                        stream: r.get(3)?,
                        execution_id: r.get(4)?,
                        signer_key_id: r.get(5)?,
                        time: r.get(6)?,
                    },
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(i, doc_type, leaf, fields)| {
                Ok(SearchHit { index: to_u64(i)?, doc_type, leaf_hash: to_digest(&leaf)?, fields })
            })
            .collect()
    }

    fn latest_checkpoint(&mut self) -> Result<Option<StoredCheckpoint>, StoreError> {
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

    fn rejected(&mut self, limit: u64) -> Result<Vec<Rejected>, StoreError> {
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

    fn ping(&mut self) -> Result<(), StoreError> {
        let _: i64 = self.conn.query_row("SELECT 1", [], |r| r.get(0))?;
        Ok(())
    }

    fn attesto_relay(
        &mut self,
        inst: &str,
        stream: &str,
        source_ref: &str,
    ) -> Result<Option<AttestoRelay>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT payload_sha256, entry_index FROM attesto_relays \
                 WHERE installation_id = ?1 AND stream_id = ?2 AND source_ref = ?3",
                params![inst, stream, source_ref],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )
            .optional()?;
        row.map(|(payload_sha256, idx)| {
            Ok(AttestoRelay {
                installation_id: inst.to_string(),
                stream_id: stream.to_string(),
                source_ref: source_ref.to_string(),
                payload_sha256,
                entry_index: to_u64(idx)?,
            })
        })
        .transpose()
    }

    fn put_attesto_relay(&mut self, r: &AttestoRelay) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "INSERT INTO attesto_relays (installation_id, stream_id, source_ref, payload_sha256, entry_index) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            params![r.installation_id, r.stream_id, r.source_ref, r.payload_sha256, to_i64(r.entry_index)?],
        )?;
        Ok(n == 1)
    }

    fn attesto_checkpoint(
        &mut self,
        w: &str,
        t: &str,
        s: &str,
        seq: &str,
    ) -> Result<Option<AttestoCheckpoint>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT seq, checkpoint_hash, entry_index FROM attesto_checkpoints \
                 WHERE witness_id = ?1 AND tenant_id = ?2 AND stream_id = ?3 AND seq = ?4",
                params![w, t, s, seq],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
            )
            .optional()?;
        row.map(|row| checkpoint_row(w, t, s, row)).transpose()
    }

    fn attesto_head(&mut self, w: &str, t: &str, s: &str) -> Result<Option<AttestoCheckpoint>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT seq, checkpoint_hash, entry_index FROM attesto_checkpoints \
                 WHERE witness_id = ?1 AND tenant_id = ?2 AND stream_id = ?3 ORDER BY seq_len DESC, seq DESC LIMIT 1",
                params![w, t, s],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
            )
            .optional()?;
        row.map(|row| checkpoint_row(w, t, s, row)).transpose()
    }

    fn put_attesto_checkpoint(&mut self, c: &AttestoCheckpoint) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "INSERT INTO attesto_checkpoints \
             (witness_id, tenant_id, stream_id, seq, seq_len, checkpoint_hash, entry_index) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            params![
                c.witness_id,
                c.tenant_id,
                c.stream_id,
                c.seq,
                to_i64(c.seq.len() as u64)?,
                c.checkpoint_hash,
                to_i64(c.entry_index)?
            ],
        )?;
        Ok(n == 1)
    }
}

fn checkpoint_row(
    w: &str,
    t: &str,
    s: &str,
    (seq, hash, idx): (String, String, i64),
) -> Result<AttestoCheckpoint, StoreError> {
    Ok(AttestoCheckpoint {
        witness_id: w.to_string(),
        tenant_id: t.to_string(),
        stream_id: s.to_string(),
        seq,
        checkpoint_hash: hash,
        entry_index: to_u64(idx)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::suite;

    #[test]
    fn the_store_suite_in_memory() {
        suite::run(&mut SqliteStore::in_memory().unwrap());
    }

    #[test]
    fn the_store_suite_on_disk_and_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        suite::run(&mut SqliteStore::open(&path).unwrap());
        let mut s = SqliteStore::open(&path).unwrap();
        suite::after_reopen(&mut s);
        let mode: String = s.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = s.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "FULL");
    }
}
