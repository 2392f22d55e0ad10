//! Tests of the network log, summary and record proofs.

use super::*;
use crate::crypto::sha256;

/// Largest power of two strictly below `n` (n ≥ 2).
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

fn leaves(n: usize) -> Vec<Sha256Digest> {
    (0..n).map(|i| sha256(&[LEAF_PREFIX, i as u8, (i >> 8) as u8])).collect()
}

fn recursive_root(l: &[Sha256Digest]) -> Sha256Digest {
    match l.len() {
        0 => sha256(b""),
        1 => l[0],
        n => {
            let k = split_point(n);
            node_hash(&recursive_root(&l[..k]), &recursive_root(&l[k..]))
        }
    }
}

#[test]
fn iterative_root_matches_rfc_definition() {
    for n in 0..70 {
        let l = leaves(n);
        assert_eq!(merkle_root(&l), recursive_root(&l), "n = {n}");
    }
}

#[test]
fn every_inclusion_proof_verifies_and_tampering_fails() {
    for n in 1..40usize {
        let l = leaves(n);
        let root = merkle_root(&l);
        for i in 0..n {
            let p = inclusion_proof(&l, i).expect("index in range");
            assert_eq!(root_from_inclusion_proof(&l[i], i as u64, n as u64, &p), Some(root));
            if !p.is_empty() {
                let mut bad = p.clone();
                bad[0] = sha256(b"x");
                assert_ne!(root_from_inclusion_proof(&l[i], i as u64, n as u64, &bad), Some(root));
                assert_eq!(root_from_inclusion_proof(&l[i], i as u64, n as u64, &p[..p.len() - 1]), None);
            }
            assert_ne!(
                root_from_inclusion_proof(&l[i], (i as u64 + 1) % n as u64, n as u64, &p),
                if n > 1 { Some(root) } else { None }
            );
        }
    }
}

const LOG: &str = concat!(
    r#"{"kind":"dns","seq":0,"at":"2026-11-21T09:59:58Z","name":"api.example.com","rrtype":"A","answers":["93.184.216.34"],"resolver":"1.1.1.1"}"#,
    "\n",
    r#"{"kind":"request","seq":1,"at":"2026-11-21T09:59:58.5Z","method":"GET","url":"https://api.example.com/v1/price","headers":[["authorization",{"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]],"bodySha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#,
    "\n",
    r#"{"kind":"response","seq":2,"at":"2026-11-21T09:59:59Z","requestSeq":1,"status":200,"headers":[],"bodySha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","tls":{"version":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","serverName":"api.example.com","peerCertificateSha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}"#,
    "\n",
);

#[test]
fn decisions_empty_log_crlf_blank_lines() {
    for empty in [&b""[..], b"\n"] {
        let s = summarize_log(empty, "x", &LogRules::default()).expect("empty log is valid");
        assert_eq!((s.records, s.first_at, s.last_at), (0, None, None));
        assert_eq!(s.root, sha256(b""));
        assert!(s.hosts.is_empty());
    }
    let good = summarize_log(LOG.as_bytes(), "x", &LogRules::default()).expect("valid");
    assert_eq!(good.records, 3);
    // CRLF and non-canonical spelling do not change the leaves.
    let crlf = LOG.replace('\n', "\r\n");
    let spaced = LOG.replace(",\"", ", \"");
    for variant in [crlf, spaced] {
        let s = summarize_log(variant.as_bytes(), "x", &LogRules::default()).expect("valid");
        assert_eq!(s, good);
    }
    // Blank lines other than one final newline are refused.
    for bad in [format!("{LOG}\n"), format!("\n{LOG}"), LOG.replacen('\n', "\n\n", 1)] {
        assert_eq!(
            summarize_log(bad.as_bytes(), "x", &LogRules::default()).expect_err("blank line").reason(),
            crate::reason::Reason::MalformedRecord
        );
    }
    // bodySha256 is required.
    let no_body =
        LOG.replacen(r#","bodySha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#, "}", 1);
    assert_ne!(no_body, LOG);
    assert_eq!(
        summarize_log(no_body.as_bytes(), "x", &LogRules::default()).expect_err("bodySha256 required").reason(),
        crate::reason::Reason::MalformedRecord
    );
}

#[test]
fn prove_log_record_and_summary_size() {
    let (p, s) = prove_log_record(LOG.as_bytes(), "x", &LogRules::default(), 1).expect("proof");
    verify_record_proof_against_summary(&p, &s).expect("valid");
    let back = parse_record_proof_value(&p.to_value()).expect("parses");
    verify_record_proof_against_summary(&back, &s).expect("valid");
    let mut wrong = s.clone();
    wrong.records = 4;
    assert!(verify_record_proof_against_summary(&p, &wrong).is_err());
    assert!(matches!(
        prove_log_record(LOG.as_bytes(), "x", &LogRules::default(), 3),
        Err(ProveError::NoSuchRecord { seq: 3, records: 3 })
    ));
    assert!(matches!(
        prove_log_record(LOG.as_bytes(), "x", &LogRules::default(), u64::MAX),
        Err(ProveError::NoSuchRecord { .. })
    ));
}

/// Hostile logs: every input is refused or accepted, never a panic.
#[test]
fn hostile_logs_never_panic() {
    let mut inputs: Vec<Vec<u8>> = vec![
        LOG.as_bytes()[..LOG.len() / 2].to_vec(),
        b"\x00\xff garbage".to_vec(),
        b"{\"kind\":\"dns\",\"name\":\"\xff\"}".to_vec(),
        "[".repeat(200_000).into_bytes(),
        b"{\"kind\":\"response\",\"seq\":0,\"at\":\"2026-11-21T09:59:59Z\",\"requestSeq\":9007199254740991,\"status\":200,\"headers\":[],\"bodySha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"tls\":null}".to_vec(),
        LOG.replace("\"seq\":0", "\"seq\":18446744073709551615").into_bytes(),
        LOG.replace("2026-11-21T09:59:58Z", "9999-12-31T23:59:59.999999999Z").into_bytes(),
        LOG.replace("2026-11-21T09:59:58Z", "2026-02-30T00:00:00Z").into_bytes(),
        LOG.replace("https://api.example.com", "https://[::1").into_bytes(),
        LOG.replace("https://api.example.com", "https://@:").into_bytes(),
    ];
    let mut huge = b"{\"kind\":\"dns\",\"name\":\"".to_vec();
    huge.resize(17 * 1024 * 1024, b'a');
    huge.extend_from_slice(b"\"}\n");
    inputs.push(huge);
    // Deterministic mutations of the good log: byte flips, truncations, splices.
    let base = LOG.as_bytes();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..3000 {
        let mut m = base.to_vec();
        let pos = (next() % m.len() as u64) as usize;
        match next() % 4 {
            0 => m[pos] = (next() & 0xff) as u8,
            1 => m.truncate(pos),
            2 => {
                let _ = m.remove(pos);
            }
            _ => {
                let alphabet = b"{}[]\",:0\\\n-e";
                let b = alphabet[(next() % alphabet.len() as u64) as usize];
                m.insert(pos, b);
            }
        }
        inputs.push(m);
    }
    for input in &inputs {
        if let Ok(records) = parse_log(input) {
            let _ = check_records(&records, "x", &LogRules::default());
            let _ = check_records(
                &records,
                "x",
                &LogRules { allow_hosts: &["api.example.com".to_string()], allow_http: true },
            );
        }
        let _ = prove_log_record(input, "x", &LogRules::default(), 1);
    }
    // Malformed proofs: empty or oversized paths, index beyond size.
    let leaf = sha256(b"l");
    assert_eq!(root_from_inclusion_proof(&leaf, 0, 0, &[]), None);
    assert_eq!(root_from_inclusion_proof(&leaf, 5, 3, &[leaf]), None);
    assert_eq!(root_from_inclusion_proof(&leaf, 0, 1, &[leaf]), None);
    assert_eq!(root_from_inclusion_proof(&leaf, u64::MAX - 1, u64::MAX, &[leaf; 70]), None);
}

#[test]
fn url_hosts() {
    assert_eq!(
        parse_url_host("https://API.example.com:8443/x?y").expect("ok"),
        ("api.example.com".into(), true, false)
    );
    assert_eq!(parse_url_host("http://u:p@1.2.3.4/").expect("ok"), ("1.2.3.4".into(), false, true));
    assert_eq!(parse_url_host("https://[::1]:443/").expect("ok"), ("::1".into(), true, true));
    assert!(parse_url_host("ftp://x/").is_err());
    assert!(parse_url_host("https:///x").is_err());
    assert!(parse_url_host("https://exa mple.com/").is_err());
}
