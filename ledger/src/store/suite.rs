//! The one test suite every [`Store`] implementation passes (SQLite and
//! PostgreSQL run the same functions).

use attest_verifier::merkle::leaf_hash;

use crate::store::{NewEntry, Rejected, SearchFields, SearchQuery, Store, StoreError, StoredCheckpoint};

fn entry(s: &str) -> NewEntry {
    NewEntry {
        bytes: s.as_bytes().to_vec(),
        leaf_hash: leaf_hash(s.as_bytes()),
        doc_type: "t".into(),
        fields: Default::default(),
    }
}

fn cp(size: u64) -> StoredCheckpoint {
    StoredCheckpoint { size, note: format!("note {size}") }
}

fn rejected() -> Rejected {
    Rejected {
        received_at: "2026-01-01T00:00:00Z".into(),
        doc_type: "unknown".into(),
        check: Some("parse".into()),
        reason: None,
        report: "{}".into(),
        body: b"x\x00\xff".to_vec(),
    }
}

/// Appends, reads, refuses out-of-order and duplicate batches atomically,
/// records rejections. Expects an empty store.
pub(crate) fn run(s: &mut dyn Store) {
    assert_eq!(s.tree_size().unwrap(), 0);
    assert_eq!(s.latest_checkpoint().unwrap(), None);
    s.put_checkpoint(&cp(0)).unwrap();
    assert_eq!(s.latest_checkpoint().unwrap(), Some(cp(0)));
    s.append_batch(0, &[entry("a"), entry("b")], &cp(2)).unwrap();
    s.append_batch(2, &[entry("c")], &cp(3)).unwrap();
    assert_eq!(s.tree_size().unwrap(), 3);
    assert_eq!(s.entry(1).unwrap().unwrap().entry, entry("b"));
    assert_eq!(s.entry(1).unwrap().unwrap().index, 1);
    assert_eq!(s.entry(3).unwrap(), None);
    assert_eq!(s.find_leaf(&leaf_hash(b"c")).unwrap(), Some(2));
    assert_eq!(s.find_leaf(&leaf_hash(b"z")).unwrap(), None);
    assert_eq!(s.leaf_hashes(1, 3).unwrap(), vec![leaf_hash(b"b"), leaf_hash(b"c")]);
    assert_eq!(s.leaf_hashes(0, 0).unwrap(), vec![]);
    assert_eq!(s.entries(0, 2).unwrap(), vec![b"a".to_vec(), b"b".to_vec()]);
    // Reading past the end gives what exists (the caller asks within the size).
    assert_eq!(s.entries(2, 10).unwrap(), vec![b"c".to_vec()]);
    assert_eq!(s.latest_checkpoint().unwrap(), Some(cp(3)));
    // A batch at the wrong index is refused and writes nothing.
    assert!(matches!(s.append_batch(2, &[entry("d")], &cp(4)), Err(StoreError::OutOfOrder { stored: 3, first: 2 })));
    assert!(matches!(s.append_batch(4, &[entry("d")], &cp(5)), Err(StoreError::OutOfOrder { stored: 3, first: 4 })));
    // A duplicate leaf fails the whole batch (nothing of it is kept).
    assert!(s.append_batch(3, &[entry("d"), entry("a")], &cp(5)).is_err());
    assert_eq!(s.tree_size().unwrap(), 3);
    assert_eq!(s.latest_checkpoint().unwrap(), Some(cp(3)));
    assert_eq!(s.find_leaf(&leaf_hash(b"d")).unwrap(), None);
    // The store still works after a failed batch.
    s.append_batch(3, &[entry("d")], &cp(4)).unwrap();
    assert_eq!(s.tree_size().unwrap(), 4);
    let mut typed = entry("e");
    typed.doc_type = "u".into();
    typed.fields = SearchFields {
        stream: Some("edge-1".into()),
        execution_id: Some("exec-9".into()),
        signer_key_id: Some("ab".repeat(32)),
        time: Some(1_800_000_000),
    };
    s.append_batch(4, &[typed.clone(), entry("f")], &cp(6)).unwrap();
    assert_eq!(s.entries_of_type("u", 0, 10).unwrap(), vec![(4, b"e".to_vec())]);
    assert_eq!(s.entries_of_type("t", 3, 10).unwrap(), vec![(3, b"d".to_vec()), (5, b"f".to_vec())]);
    assert_eq!(s.entries_of_type("t", 0, 2).unwrap().len(), 2);
    assert!(s.entries_of_type("none", 0, 10).unwrap().is_empty());
    // Search: each member, time bounds, cursor and limit; the fields read back.
    assert_eq!(s.entry(4).unwrap().unwrap().entry, typed);
    let q = |f: &dyn Fn(&mut SearchQuery)| {
        let mut q = SearchQuery { limit: 10, ..SearchQuery::default() };
        f(&mut q);
        q
    };
    let idx = |hits: Vec<crate::store::SearchHit>| hits.iter().map(|h| h.index).collect::<Vec<_>>();
    assert_eq!(idx(s.search(&q(&|_| {})).unwrap()), vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(idx(s.search(&q(&|q| q.doc_type = Some("u".into()))).unwrap()), vec![4]);
    assert_eq!(idx(s.search(&q(&|q| q.stream = Some("edge-1".into()))).unwrap()), vec![4]);
    assert_eq!(idx(s.search(&q(&|q| q.stream = Some("edge-2".into()))).unwrap()), Vec::<u64>::new());
    assert_eq!(idx(s.search(&q(&|q| q.execution_id = Some("exec-9".into()))).unwrap()), vec![4]);
    assert_eq!(idx(s.search(&q(&|q| q.signer_key_id = Some("ab".repeat(32)))).unwrap()), vec![4]);
    assert_eq!(idx(s.search(&q(&|q| q.since = Some(1_800_000_000))).unwrap()), vec![4]);
    assert_eq!(idx(s.search(&q(&|q| q.until = Some(1_800_000_000))).unwrap()), Vec::<u64>::new());
    assert_eq!(
        idx(s
            .search(&q(&|q| {
                q.cursor = 2;
                q.limit = 2;
            }))
            .unwrap()),
        vec![2, 3]
    );
    let hit = s.search(&q(&|q| q.doc_type = Some("u".into()))).unwrap().remove(0);
    assert_eq!((hit.leaf_hash, hit.fields), (typed.leaf_hash, typed.fields.clone()));
    s.record_rejected(&rejected()).unwrap();
    let mut second = rejected();
    second.check = None;
    second.doc_type = "attest.execution-attestation.v1".into();
    s.record_rejected(&second).unwrap();
    assert_eq!(s.rejected(10).unwrap(), vec![rejected(), second]);
    assert_eq!(s.rejected(1).unwrap(), vec![rejected()]);
    s.ping().unwrap();
    attesto(s);
}

/// The Attesto receiver's rows: relays unique on (installation, stream,
/// source_ref); receipts unique per seq, the head by numeric seq (exact
/// digits of any length).
fn attesto(s: &mut dyn Store) {
    use crate::store::{AttestoCheckpoint, AttestoRelay};
    let relay = AttestoRelay {
        installation_id: "inst".into(),
        stream_id: "str".into(),
        source_ref: "src-1".into(),
        payload_sha256: "ab".repeat(32),
        entry_index: 4,
    };
    assert_eq!(s.attesto_relay("inst", "str", "src-1").unwrap(), None);
    assert!(s.put_attesto_relay(&relay).unwrap());
    assert_eq!(s.attesto_relay("inst", "str", "src-1").unwrap(), Some(relay.clone()));
    // The key is taken: a second row (another payload) is not written.
    let drift = AttestoRelay { payload_sha256: "cd".repeat(32), entry_index: 5, ..relay.clone() };
    assert!(!s.put_attesto_relay(&drift).unwrap());
    assert_eq!(s.attesto_relay("inst", "str", "src-1").unwrap(), Some(relay.clone()));
    assert_eq!(s.attesto_relay("inst", "str2", "src-1").unwrap(), None);
    assert_eq!(s.attesto_relay("other", "str", "src-1").unwrap(), None);
    let c = |seq: &str, h: &str, i: u64| AttestoCheckpoint {
        witness_id: "w".into(),
        tenant_id: "t".into(),
        stream_id: "s".into(),
        seq: seq.into(),
        checkpoint_hash: h.repeat(32),
        entry_index: i,
    };
    assert_eq!(s.attesto_head("w", "t", "s").unwrap(), None);
    assert!(s.put_attesto_checkpoint(&c("9", "01", 1)).unwrap());
    assert!(s.put_attesto_checkpoint(&c("10", "02", 2)).unwrap());
    assert!(s.put_attesto_checkpoint(&c("18446744073709551616", "03", 3)).unwrap());
    assert!(!s.put_attesto_checkpoint(&c("10", "04", 9)).unwrap());
    // 2^64 > 10 > 9 although "9" > "18…" > "10" as text.
    assert_eq!(s.attesto_head("w", "t", "s").unwrap(), Some(c("18446744073709551616", "03", 3)));
    assert_eq!(s.attesto_checkpoint("w", "t", "s", "10").unwrap(), Some(c("10", "02", 2)));
    assert_eq!(s.attesto_checkpoint("w", "t", "s", "11").unwrap(), None);
    assert_eq!(s.attesto_head("w", "t", "other").unwrap(), None);
}

/// What [`run`] left, seen through a new connection.
pub(crate) fn after_reopen(s: &mut dyn Store) {
    assert_eq!(s.tree_size().unwrap(), 6);
    assert_eq!(s.latest_checkpoint().unwrap(), Some(cp(6)));
    assert_eq!(s.entry(3).unwrap().unwrap().entry, entry("d"));
    assert_eq!(s.rejected(10).unwrap().len(), 2);
}
