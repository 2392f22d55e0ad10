//! [`PostgresStore`]: the scale-out store. Several ledger processes may
//! share one PostgreSQL database: every append runs in one transaction that
//! first takes the transaction-scoped advisory lock [`APPEND_LOCK`], so one
//! writer at a time extends the log; a writer whose in-memory tree is behind
//! gets [`StoreError::OutOfOrder`], catches up from the database and retries
//! (see [`crate::sequencer`]). Commits are synchronous
//! (`synchronous_commit = on`): an acknowledged batch is on the server's disk.
//!
//! Schema (created on first open, under the same lock):
//!
//! | table | columns |
//! |---|---|
//! | `entries` | `idx BIGINT PRIMARY KEY`, `leaf_hash BYTEA UNIQUE`, `doc_type TEXT`, `bytes BYTEA` |
//! | `checkpoints` | `size BIGINT PRIMARY KEY`, `note TEXT` |
//! | `rejected` | `id BIGSERIAL`, `received_at`, `doc_type`, `check_id`, `reason`, `report TEXT`, `body BYTEA` |

use std::time::Duration;

use attest_verifier::types::Sha256Digest;
use postgres::{Client, NoTls};

use crate::store::{
    in_order, to_digest, to_i64, to_u64, AttestoCheckpoint, AttestoRelay, NewEntry, Rejected, SearchFields, SearchHit,
    SearchQuery, Store, StoreError, StoredCheckpoint, StoredEntry,
};

/// The advisory lock key of appends and schema creation: the bytes of
/// `attestLG` read as a big-endian integer.
pub const APPEND_LOCK: i64 = i64::from_be_bytes(*b"attestLG");

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    idx BIGINT PRIMARY KEY,
    leaf_hash BYTEA NOT NULL UNIQUE,
    doc_type TEXT NOT NULL,
    bytes BYTEA NOT NULL
);
ALTER TABLE entries ADD COLUMN IF NOT EXISTS stream TEXT;
ALTER TABLE entries ADD COLUMN IF NOT EXISTS execution_id TEXT;
ALTER TABLE entries ADD COLUMN IF NOT EXISTS signer TEXT;
ALTER TABLE entries ADD COLUMN IF NOT EXISTS at BIGINT;
CREATE INDEX IF NOT EXISTS entries_by_stream ON entries (stream, idx);
CREATE INDEX IF NOT EXISTS entries_by_execution ON entries (execution_id, idx);
CREATE INDEX IF NOT EXISTS entries_by_signer ON entries (signer, idx);
CREATE INDEX IF NOT EXISTS entries_by_type ON entries (doc_type, idx);
CREATE TABLE IF NOT EXISTS checkpoints (
    size BIGINT PRIMARY KEY,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    id BIGSERIAL PRIMARY KEY,
    received_at TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    check_id TEXT,
    reason TEXT,
    report TEXT NOT NULL,
    body BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS attesto_relays (
    installation_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    entry_index BIGINT NOT NULL,
    PRIMARY KEY (installation_id, stream_id, source_ref)
);
CREATE TABLE IF NOT EXISTS attesto_checkpoints (
    witness_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    seq TEXT NOT NULL,
    seq_len BIGINT NOT NULL,
    checkpoint_hash TEXT NOT NULL,
    entry_index BIGINT NOT NULL,
    PRIMARY KEY (witness_id, tenant_id, stream_id, seq)
);
";

const SIZE: &str = "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries";

/// A log in one PostgreSQL database.
pub struct PostgresStore {
    /// Always `Some` until dropped.
    client: Option<Client>,
    /// For reconnecting after the server went away.
    config: postgres::Config,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStore")
    }
}

impl Drop for PostgresStore {
    /// The client closes its connection by blocking on its own runtime,
    /// which panics on an async worker thread: there it is closed on a
    /// thread of its own.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            drop_off_runtime(client);
        }
    }
}

/// Drops a client where its blocking close cannot panic.
fn drop_off_runtime(client: Client) {
    if tokio::runtime::Handle::try_current().is_ok() {
        let _ = std::thread::Builder::new().name("postgres-close".into()).spawn(move || drop(client));
    } else {
        drop(client);
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`; a 10 s connect
    /// timeout unless the URL sets one) and creates the schema if needed.
    /// Must not be called from an async context (the client blocks).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config: postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let mut client = Self::session(&config)?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])?;
        tx.batch_execute(SCHEMA)?;
        tx.commit()?;
        Ok(Self { client: Some(client), config })
    }

    fn session(config: &postgres::Config) -> Result<Client, StoreError> {
        let mut client = config.connect(NoTls)?;
        client.batch_execute("SET synchronous_commit = on; SET lock_timeout = '30s'")?;
        Ok(client)
    }

    /// The connection; a closed one (the server restarted, the network
    /// dropped) is replaced by a new one first. A failed reconnect is the
    /// operation's error (the ledger answers 503 and tries again next time).
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            let fresh = Self::session(&self.config)?;
            if let Some(old) = self.client.replace(fresh) {
                drop_off_runtime(old);
            }
        }
        self.client.as_mut().ok_or_else(|| StoreError::Corrupt("the connection is closed".into()))
    }
}

fn fields_of(r: &postgres::Row, at: usize) -> Result<SearchFields, postgres::Error> {
    Ok(SearchFields {
        stream: r.try_get(at)?,
        execution_id: r.try_get(at + 1)?,
        signer_key_id: r.try_get(at + 2)?,
        time: r.try_get(at + 3)?,
    })
}

fn put_checkpoint_sql() -> &'static str {
    "INSERT INTO checkpoints (size, note) VALUES ($1, $2) ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note"
}

impl Store for PostgresStore {
    fn tree_size(&mut self) -> Result<u64, StoreError> {
        let n: i64 = self.client()?.query_one(SIZE, &[])?.get(0);
        to_u64(n)
    }

    fn append_batch(
        &mut self,
        first_index: u64,
        entries: &[NewEntry],
        checkpoint: &StoredCheckpoint,
    ) -> Result<(), StoreError> {
        let mut tx = self.client()?.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])?;
        let stored = to_u64(tx.query_one(SIZE, &[])?.get(0))?;
        if stored != first_index {
            return Err(StoreError::OutOfOrder { stored, first: first_index });
        }
        let idx: Vec<i64> = (first_index..).take(entries.len()).map(to_i64).collect::<Result<_, _>>()?;
        let leaves: Vec<&[u8]> = entries.iter().map(|e| e.leaf_hash.as_bytes().as_slice()).collect();
        let types: Vec<&str> = entries.iter().map(|e| e.doc_type.as_str()).collect();
        let bytes: Vec<&[u8]> = entries.iter().map(|e| e.bytes.as_slice()).collect();
        let streams: Vec<Option<&str>> = entries.iter().map(|e| e.fields.stream.as_deref()).collect();
        let executions: Vec<Option<&str>> = entries.iter().map(|e| e.fields.execution_id.as_deref()).collect();
        let signers: Vec<Option<&str>> = entries.iter().map(|e| e.fields.signer_key_id.as_deref()).collect();
        let times: Vec<Option<i64>> = entries.iter().map(|e| e.fields.time).collect();
        tx.execute(
            "INSERT INTO entries (idx, leaf_hash, doc_type, bytes, stream, execution_id, signer, at) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::BYTEA[], $3::TEXT[], $4::BYTEA[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::BIGINT[])",
            &[&idx, &leaves, &types, &bytes, &streams, &executions, &signers, &times],
        )?;
        tx.execute(put_checkpoint_sql(), &[&to_i64(checkpoint.size)?, &checkpoint.note])?;
        tx.commit()?;
        Ok(())
    }

    fn put_checkpoint(&mut self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError> {
        self.client()?.execute(put_checkpoint_sql(), &[&to_i64(checkpoint.size)?, &checkpoint.note])?;
        Ok(())
    }

    fn entry(&mut self, index: u64) -> Result<Option<StoredEntry>, StoreError> {
        let row = self.client()?.query_opt(
            "SELECT leaf_hash, doc_type, bytes, stream, execution_id, signer, at FROM entries WHERE idx = $1",
            &[&to_i64(index)?],
        )?;
        row.map(|r| {
            let leaf: Vec<u8> = r.try_get(0)?;
            Ok(StoredEntry {
                index,
                entry: NewEntry {
                    bytes: r.try_get(2)?,
                    leaf_hash: to_digest(&leaf)?,
                    doc_type: r.try_get(1)?,
                    fields: fields_of(&r, 3)?,
                },
            })
        })
        .transpose()
    }

    fn find_leaf(&mut self, leaf_hash: &Sha256Digest) -> Result<Option<u64>, StoreError> {
        let row = self
            .client()?
            .query_opt("SELECT idx FROM entries WHERE leaf_hash = $1", &[&leaf_hash.as_bytes().as_slice()])?;
        row.map(|r| to_u64(r.try_get(0)?)).transpose()
    }

    fn leaf_hashes(&mut self, start: u64, end: u64) -> Result<Vec<Sha256Digest>, StoreError> {
        let rows = self.client()?.query(
            "SELECT idx, leaf_hash FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
            &[&to_i64(start)?, &to_i64(end)?],
        )?;
        let rows = rows
            .iter()
            .map(|r| Ok((r.try_get::<_, i64>(0)?, r.try_get::<_, Vec<u8>>(1)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()?;
        in_order(start, rows)?.iter().map(|l| to_digest(l)).collect()
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let rows = self.client()?.query(
            "SELECT idx, bytes FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
            &[&to_i64(start)?, &to_i64(end)?],
        )?;
        let rows = rows
            .iter()
            .map(|r| Ok((r.try_get::<_, i64>(0)?, r.try_get::<_, Vec<u8>>(1)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()?;
        in_order(start, rows)
    }

    fn entries_of_type(&mut self, doc_type: &str, start: u64, limit: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let rows = self.client()?.query(
            "SELECT idx, bytes FROM entries WHERE doc_type = $1 AND idx >= $2 ORDER BY idx LIMIT $3",
            &[&doc_type, &to_i64(start)?, &to_i64(limit)?],
        )?;
        rows.iter().map(|r| Ok((to_u64(r.try_get(0)?)?, r.try_get(1)?))).collect()
    }

    fn search(&mut self, q: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
        use postgres::types::ToSql;
        let cursor = to_i64(q.cursor)?;
        let limit = to_i64(q.limit)?;
        let mut sql = String::from(
            "SELECT idx, doc_type, leaf_hash, stream, execution_id, signer, at FROM entries WHERE idx >= $1",
        );
        let mut args: Vec<&(dyn ToSql + Sync)> = vec![&cursor];
        for (col, v) in [
            ("doc_type", &q.doc_type),
            ("stream", &q.stream),
            ("execution_id", &q.execution_id),
            ("signer", &q.signer_key_id),
        ] {
            if let Some(v) = v {
                args.push(v);
                sql.push_str(&format!(" AND {col} = ${}", args.len()));
            }
        }
        if let Some(t) = &q.since {
            args.push(t);
            sql.push_str(&format!(" AND at >= ${}", args.len()));
        }
        if let Some(t) = &q.until {
            args.push(t);
            sql.push_str(&format!(" AND at < ${}", args.len()));
        }
        args.push(&limit);
        sql.push_str(&format!(" ORDER BY idx LIMIT ${}", args.len()));
        let rows = self.client()?.query(&sql, &args)?;
        rows.iter()
            .map(|r| {
                let leaf: Vec<u8> = r.try_get(2)?;
                Ok(SearchHit {
                    index: to_u64(r.try_get(0)?)?,
                    doc_type: r.try_get(1)?,
                    leaf_hash: to_digest(&leaf)?,
                    fields: fields_of(r, 3)?,
                })
            })
            .collect()
    }

    fn latest_checkpoint(&mut self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row = self.client()?.query_opt("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1", &[])?;
        row.map(|r| Ok(StoredCheckpoint { size: to_u64(r.try_get(0)?)?, note: r.try_get(1)? })).transpose()
    }

    fn record_rejected(&mut self, r: &Rejected) -> Result<(), StoreError> {
        self.client()?.execute(
            "INSERT INTO rejected (received_at, doc_type, check_id, reason, report, body) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&r.received_at, &r.doc_type, &r.check, &r.reason, &r.report, &r.body],
        )?;
        Ok(())
    }

    fn rejected(&mut self, limit: u64) -> Result<Vec<Rejected>, StoreError> {
        let rows = self.client()?.query(
            "SELECT received_at, doc_type, check_id, reason, report, body FROM rejected ORDER BY id LIMIT $1",
            &[&to_i64(limit)?],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Rejected {
                    received_at: r.try_get(0)?,
                    doc_type: r.try_get(1)?,
                    check: r.try_get(2)?,
                    reason: r.try_get(3)?,
                    report: r.try_get(4)?,
                    body: r.try_get(5)?,
                })
            })
            .collect()
    }

    fn ping(&mut self) -> Result<(), StoreError> {
        self.client()?.query_one("SELECT 1", &[])?;
        Ok(())
    }

    fn attesto_relay(
        &mut self,
        inst: &str,
        stream: &str,
        source_ref: &str,
    ) -> Result<Option<AttestoRelay>, StoreError> {
        let row = self.client()?.query_opt(
            "SELECT payload_sha256, entry_index FROM attesto_relays \
             WHERE installation_id = $1 AND stream_id = $2 AND source_ref = $3",
            &[&inst, &stream, &source_ref],
        )?;
        row.map(|r| {
            Ok(AttestoRelay {
                installation_id: inst.to_string(),
                stream_id: stream.to_string(),
                source_ref: source_ref.to_string(),
                payload_sha256: r.try_get(0)?,
                entry_index: to_u64(r.try_get(1)?)?,
            })
        })
        .transpose()
    }

    fn put_attesto_relay(&mut self, r: &AttestoRelay) -> Result<bool, StoreError> {
        let n = self.client()?.execute(
            "INSERT INTO attesto_relays (installation_id, stream_id, source_ref, payload_sha256, entry_index) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[&r.installation_id, &r.stream_id, &r.source_ref, &r.payload_sha256, &to_i64(r.entry_index)?],
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
        let row = self.client()?.query_opt(
            "SELECT seq, checkpoint_hash, entry_index FROM attesto_checkpoints \
             WHERE witness_id = $1 AND tenant_id = $2 AND stream_id = $3 AND seq = $4",
            &[&w, &t, &s, &seq],
        )?;
        row.map(|r| pg_checkpoint(w, t, s, &r)).transpose()
    }

    fn attesto_head(&mut self, w: &str, t: &str, s: &str) -> Result<Option<AttestoCheckpoint>, StoreError> {
        let row = self.client()?.query_opt(
            "SELECT seq, checkpoint_hash, entry_index FROM attesto_checkpoints \
             WHERE witness_id = $1 AND tenant_id = $2 AND stream_id = $3 ORDER BY seq_len DESC, seq DESC LIMIT 1",
            &[&w, &t, &s],
        )?;
        row.map(|r| pg_checkpoint(w, t, s, &r)).transpose()
    }

    fn put_attesto_checkpoint(&mut self, c: &AttestoCheckpoint) -> Result<bool, StoreError> {
        let n = self.client()?.execute(
            "INSERT INTO attesto_checkpoints \
             (witness_id, tenant_id, stream_id, seq, seq_len, checkpoint_hash, entry_index) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            &[
                &c.witness_id,
                &c.tenant_id,
                &c.stream_id,
                &c.seq,
                &to_i64(c.seq.len() as u64)?,
                &c.checkpoint_hash,
                &to_i64(c.entry_index)?,
            ],
        )?;
        Ok(n == 1)
    }
}

fn pg_checkpoint(w: &str, t: &str, s: &str, r: &postgres::Row) -> Result<AttestoCheckpoint, StoreError> {
    Ok(AttestoCheckpoint {
        witness_id: w.to_string(),
        tenant_id: t.to_string(),
        stream_id: s.to_string(),
        seq: r.try_get(0)?,
        checkpoint_hash: r.try_get(1)?,
        entry_index: to_u64(r.try_get(2)?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::suite;
    use crate::testing::PgCluster;

    #[test]
    fn the_store_suite_on_a_real_server_and_reconnected() {
        let pg = PgCluster::start().unwrap();
        let url = pg.create_database("suite").unwrap();
        suite::run(&mut PostgresStore::connect(&url).unwrap());
        let mut s = PostgresStore::connect(&url).unwrap();
        suite::after_reopen(&mut s);
        let sync: String = s.client().unwrap().query_one("SHOW synchronous_commit", &[]).unwrap().get(0);
        assert_eq!(sync, "on");
    }

    #[test]
    fn two_connections_append_one_at_a_time() {
        let pg = PgCluster::start().unwrap();
        let url = pg.create_database("two").unwrap();
        let mut a = PostgresStore::connect(&url).unwrap();
        let mut b = PostgresStore::connect(&url).unwrap();
        let e = |s: &str| NewEntry {
            bytes: s.as_bytes().to_vec(),
            leaf_hash: attest_verifier::merkle::leaf_hash(s.as_bytes()),
            doc_type: "t".into(),
            fields: Default::default(),
        };
        let cp = |n: u64| StoredCheckpoint { size: n, note: format!("n{n}") };
        a.append_batch(0, &[e("a")], &cp(1)).unwrap();
        // b believes the log is empty: refused, told the real size.
        assert!(matches!(b.append_batch(0, &[e("b")], &cp(1)), Err(StoreError::OutOfOrder { stored: 1, first: 0 })));
        b.append_batch(1, &[e("b")], &cp(2)).unwrap();
        assert_eq!(a.tree_size().unwrap(), 2);
        // Threads racing on both connections: each batch lands whole, at the size it read.
        let url2 = url.clone();
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let url = url2.clone();
                std::thread::spawn(move || {
                    let mut s = PostgresStore::connect(&url).unwrap();
                    let mut done = 0;
                    let mut i = 0;
                    while done < 10 {
                        let size = s.tree_size().unwrap();
                        let name = format!("t{t}-{i}");
                        match s.append_batch(size, &[e(&name)], &cp(size + 1)) {
                            Ok(()) => {
                                done += 1;
                                i += 1;
                            }
                            Err(StoreError::OutOfOrder { .. }) => {}
                            Err(err) => panic!("{err}"),
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(a.tree_size().unwrap(), 42);
        assert_eq!(a.leaf_hashes(0, 42).unwrap().len(), 42);
        assert_eq!(a.latest_checkpoint().unwrap().unwrap().size, 42);
    }
}
