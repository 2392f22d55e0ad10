//! `attest audit` holds a bounded number of bytes in flight, not a bounded
//! number of items (docs/spec.md §6, "Audit memory"): a JSON Lines file of
//! 16 MB lines and a directory of sparse 17 MB files are audited with a peak
//! RSS far below their size, every item is reported, and the command ends
//! within a deadline. The peak is the child's `VmHWM` (/proc/PID/status),
//! polled every 20 ms while it runs.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one audit may take.
const DEADLINE: Duration = Duration::from_secs(240);
/// The peak RSS allowed: the 256 MiB in-flight budget, one item past it,
/// the parser's copy of the items being verified and the allocator's slack.
const MAX_PEAK_KB: u64 = 600 * 1024;

/// `VmHWM` of a running process in KiB, if it can still be read.
fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `attest ARGS` in `dir`; returns (exit code, stdout, peak RSS in KiB).
fn run_measured(dir: &Path, args: &[&str]) -> (Option<i32>, String, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(dir)
        .args(args)
        .env("XDG_STATE_HOME", dir.join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("attest starts");
    let pid = child.id();
    let mut pipe = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut pipe, &mut s);
        s
    });
    let start = Instant::now();
    let mut peak = 0u64;
    let report = |peak: u64| eprintln!("attest {args:?}: {:?}, peak RSS {} MiB", start.elapsed(), peak / 1024);
    let status = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("attest {args:?} ran past {DEADLINE:?} and was killed (peak {peak} KiB so far)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    report(peak);
    let out = reader.join().expect("reader");
    (status.code(), out, peak)
}

/// The demo's world in a temp dir.
fn world() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(dir.path())
        .args(["demo", "--dir", "."])
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .output()
        .expect("demo runs");
    assert_eq!(out.status.code(), Some(0), "demo: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

const EVIDENCE: [&str; 6] =
    ["--trust-root", "trust-root.json", "--root-key", "keys/root.pub", "--now", "2026-11-21T12:00:00Z"];

/// Free bytes on the file system holding `p` (`df`), if known.
fn free_bytes(p: &Path) -> Option<u64> {
    let out = Command::new("df").args(["-Pk"]).arg(p).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let kb: u64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb * 1024)
}

/// Every item line, and the summary, of an audit's human output.
fn check_output(out: &str, n: usize, what: &str) {
    let items = out.lines().filter(|l| l.starts_with("INVALID ")).count();
    assert_eq!(items, n, "{what}: one INVALID line per item:\n{}", out.chars().take(2000).collect::<String>());
    let summary = format!("{n} attestation(s): 0 valid, {n} invalid");
    assert!(out.lines().any(|l| l.starts_with(&summary)), "{what}: summary {summary:?} missing");
}

#[test]
fn audit_of_16_mb_lines_stays_within_the_memory_budget() {
    let w = world();
    let d = w.path();
    // 100 lines (1.6 GB) when there is room, else 40.
    let lines = if free_bytes(d).is_some_and(|b| b >= 5 << 30) { 100 } else { 40 };
    let path = d.join("big.jsonl");
    {
        let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).expect("create"));
        let body = vec![b'a'; 1 << 20];
        for _ in 0..lines {
            // One JSON string document of 16,000,000 bytes: `"` + 15,999,998 × a + `"`.
            f.write_all(b"\"").expect("write");
            let mut left = 15_999_998usize;
            while left > 0 {
                let n = left.min(body.len());
                f.write_all(&body[..n]).expect("write");
                left -= n;
            }
            f.write_all(b"\"\n").expect("write");
        }
        f.flush().expect("flush");
    }
    let mut args = vec!["audit", "big.jsonl"];
    args.extend(EVIDENCE);
    let (code, out, peak) = run_measured(d, &args);
    assert_eq!(code, Some(1), "every line is invalid: {}", out.chars().take(2000).collect::<String>());
    check_output(&out, lines, "big.jsonl");
    assert!(peak > 0, "VmHWM was never read");
    assert!(peak < MAX_PEAK_KB, "peak RSS {} MiB over {} MiB", peak / 1024, MAX_PEAK_KB / 1024);
}

#[test]
fn audit_of_sparse_17_mb_files_stays_within_the_memory_budget() {
    let w = world();
    let d = w.path();
    let dir = d.join("sparse");
    std::fs::create_dir(&dir).expect("mkdir");
    for i in 0..200 {
        let f = std::fs::File::create(dir.join(format!("{i:03}.json"))).expect("create");
        f.set_len(17_000_000).expect("set_len");
    }
    let mut args = vec!["audit", "sparse"];
    args.extend(EVIDENCE);
    let (code, out, peak) = run_measured(d, &args);
    assert_eq!(code, Some(1), "every file is invalid: {}", out.chars().take(2000).collect::<String>());
    check_output(&out, 200, "sparse");
    assert!(
        out.contains("too-large"),
        "an oversized file fails parse as too-large: {}",
        out.chars().take(2000).collect::<String>()
    );
    assert!(peak > 0, "VmHWM was never read");
    assert!(peak < MAX_PEAK_KB, "peak RSS {} MiB over {} MiB", peak / 1024, MAX_PEAK_KB / 1024);
}
