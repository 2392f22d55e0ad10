//! Writes N valid heartbeats from S streams (JSON Lines, streams interleaved
//! in time order, one heartbeat a minute per stream ending a minute before
//! the scenario's `now`) with their trust root, root key and policy, for
//! `attest audit` throughput runs:
//! `heartbeat-batch N S DIR` → DIR/heartbeats.jsonl, trust-root.json, root.pub, policy.json.

use attest_attestor::heartbeat::{sign_envelope, BootChain};
use attest_attestor::json::to_pretty;
use attest_attestor::scenario::{HeartbeatWorld, NOW_UNIX};

fn fail(e: impl std::fmt::Display) -> ! {
    eprintln!("heartbeat-batch: {e}");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let num = |i: usize| args.get(i).and_then(|n| n.parse::<u64>().ok()).filter(|n| *n > 0);
    let (Some(n), Some(streams), Some(dir)) = (num(1), num(2), args.get(3)) else {
        eprintln!("usage: heartbeat-batch N STREAMS DIR");
        std::process::exit(2);
    };
    let w = HeartbeatWorld::new("bench").unwrap_or_else(|e| fail(e));
    let key = w.heartbeat.master_ed25519();
    let per = n.div_ceil(streams);
    let mut chains: Vec<BootChain> = (0..streams).map(|s| BootChain::new(&format!("edge-{s:03}"), "boot-1")).collect();
    let mut out = String::with_capacity(n as usize * 1400);
    let mut written = 0;
    'outer: for i in 0..per {
        let t = NOW_UNIX - 60 * (per - i);
        for chain in chains.iter_mut() {
            if written == n {
                break 'outer;
            }
            let payload = chain.next_payload(&w.input_at(i), t).unwrap_or_else(|e| fail(e));
            out.push_str(&sign_envelope(&payload, &[&key]));
            out.push('\n');
            written += 1;
        }
    }
    let dir = std::path::Path::new(dir);
    let _ = std::fs::create_dir_all(dir);
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| fail(format!("{name}: {e}")))
    };
    write("heartbeats.jsonl", out.as_bytes());
    write("trust-root.json", to_pretty(&w.trust_root).as_bytes());
    write("root.pub", format!("{}\n", w.root.master_ed25519().public_key()).as_bytes());
    write("policy.json", to_pretty(&w.policy).as_bytes());
}
