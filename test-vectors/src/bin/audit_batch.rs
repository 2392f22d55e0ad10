//! Writes a batch of N distinct, valid attestations (JSON Lines) with the
//! scenario's trust root and root key, for `attest audit` throughput runs:
//! `audit-batch N DIR` → DIR/batch.jsonl, DIR/trust-root.json, DIR/root.pub.

use attest_attestor::json::to_pretty;
use attest_attestor::scenario::Scenario;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(dir)) = (args.get(1).and_then(|n| n.parse::<usize>().ok()), args.get(2)) else {
        eprintln!("usage: audit-batch N DIR");
        std::process::exit(2);
    };
    let s = Scenario::new("audit").unwrap_or_else(|e| {
        eprintln!("audit-batch: {e}");
        std::process::exit(2)
    });
    let dir = std::path::Path::new(dir);
    let _ = std::fs::create_dir_all(dir);
    let mut out = String::new();
    for i in 0..n {
        match s.direct(&format!("exec-{i:06}")) {
            Ok(v) => {
                out.push_str(&attest_json::to_canonical_string(&v));
                out.push('\n');
            }
            Err(e) => {
                eprintln!("audit-batch: {e}");
                std::process::exit(2);
            }
        }
    }
    let write = |name: &str, bytes: &[u8]| {
        if let Err(e) = std::fs::write(dir.join(name), bytes) {
            eprintln!("audit-batch: {name}: {e}");
            std::process::exit(2);
        }
    };
    write("batch.jsonl", out.as_bytes());
    write("trust-root.json", to_pretty(&s.trust_root).as_bytes());
    write("root.pub", s.root_key_line().as_bytes());
}
