//! Rollback protection by default (docs/spec.md §6, "Remembered trust-root
//! versions"): `verify`, `audit` and `trust-root verify` remember, per set of
//! pinned root keys, the highest trust-root version they verified, and refuse
//! an older chain afterwards. Every run sets its own XDG_STATE_HOME.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run_env(dir: &Path, state_home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(dir)
        .env("XDG_STATE_HOME", state_home)
        .args(args)
        .output()
        .expect("attest runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(d: &Path, args: &[&str]) -> Output {
    let out = run_env(d, &d.join("state"), args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    out
}

/// The demo world, with trust roots v2 and v3 rotated from its v1.
fn world() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(d, &["demo", "--dir", "."]);
    for (prev, next, at) in
        [("trust-root.json", "tr2.json", "2026-11-21T01:00:00Z"), ("tr2.json", "tr3.json", "2026-11-21T02:00:00Z")]
    {
        ok(
            d,
            &[
                "trust-root",
                "rotate",
                prev,
                "--sign",
                "keys/root.secret",
                "--issued-at",
                at,
                "--expires-at",
                "2027-11-21T00:00:00Z",
                "--out",
                next,
            ],
        );
    }
    dir
}

const NOW: [&str; 2] = ["--now", "2026-11-21T12:00:00Z"];

fn verify_args<'a>(chain: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["verify", "attestation.json", "--root-key", "keys/root.pub", "--format", "json"];
    for t in chain {
        a.extend(["--trust-root", t]);
    }
    a.extend(NOW);
    a.extend(extra);
    a
}

/// The `trust-root` check's (status, reason) in a JSON report.
fn trust_root_check(out: &Output) -> (String, Option<String>) {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)));
    let c = v["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "trust-root").expect("trust-root");
    (c["status"].as_str().unwrap_or("").to_string(), c["reason"].as_str().map(str::to_string))
}

/// The state files under `state_home/attest`.
fn state_files(state_home: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(state_home.join("attest"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn a_verified_version_is_remembered_and_an_older_chain_is_a_rollback() {
    let w = world();
    let d = w.path();
    let home = d.join("state");
    let full = ["trust-root.json", "tr2.json", "tr3.json"];
    let old = ["trust-root.json", "tr2.json"];
    // Nothing remembered yet: the short chain passes (and records 2), then the full one records 3.
    let out = run_env(d, &home, &verify_args(&old, &[]));
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let out = run_env(d, &home, &verify_args(&full, &[]));
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let files = state_files(&home);
    assert_eq!(files.len(), 1, "one state file per pinned-key set: {files:?}");
    let name = files[0].file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    assert!(name.starts_with("trust-root-") && name.ends_with(".json") && name.len() == 11 + 64 + 5, "{name}");
    let state: serde_json::Value = serde_json::from_slice(&std::fs::read(&files[0]).expect("read")).expect("json");
    assert_eq!(state["trustRootVersion"], 3, "{state}");
    assert_eq!(state["type"], "attest.cli-trust-root-state.v1");
    // No temporary file left behind (written by rename).
    assert!(std::fs::read_dir(home.join("attest")).expect("dir").count() == 1);

    // The v1..v2 chain is now a rollback: `trust-root` fails [rollback], exit 1, stderr names the state file.
    let out = run_env(d, &home, &verify_args(&old, &[]));
    assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(trust_root_check(&out), ("fail".into(), Some("rollback".into())));
    let err = text(&out.stderr);
    assert!(err.contains(&name) && err.contains("--min-trust-root-version"), "{err}");
    // The same through audit and trust-root verify.
    let mut audit = vec!["audit", "attestation.json", "--root-key", "keys/root.pub"];
    for t in old {
        audit.extend(["--trust-root", t]);
    }
    audit.extend(NOW);
    let out = run_env(d, &home, &audit);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("trust-root [rollback]"), "{}", text(&out.stdout));
    let tr_verify =
        ["trust-root", "verify", "trust-root.json", "tr2.json", "--root-key", "keys/root.pub", "--now", NOW[1]];
    let out = run_env(d, &home, &tr_verify);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("INVALID [rollback]"), "{}", text(&out.stdout));

    // An explicit lower floor overrides the remembered one; --no-state ignores it.
    let out = run_env(d, &home, &verify_args(&old, &["--min-trust-root-version", "2"]));
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let out = run_env(d, &home, &verify_args(&old, &["--no-state"]));
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let mut tr_no_state = tr_verify.to_vec();
    tr_no_state.push("--no-state");
    assert_eq!(run_env(d, &home, &tr_no_state).status.code(), Some(0));
    // The floor is never lowered by those runs.
    let state: serde_json::Value = serde_json::from_slice(&std::fs::read(&files[0]).expect("read")).expect("json");
    assert_eq!(state["trustRootVersion"], 3, "{state}");
    // --state-dir elsewhere: nothing remembered there.
    let out = run_env(d, &home, &verify_args(&old, &["--state-dir", "elsewhere"]));
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(d.join("elsewhere").read_dir().expect("state dir").count(), 1, "recorded in --state-dir");
}

#[test]
fn the_floor_is_per_pinned_key_set() {
    let w = world();
    let d = w.path();
    let home = d.join("state");
    ok(d, &["keygen", "--out", "other.secret", "--pub-out", "other.pub"]);
    let out = run_env(d, &home, &verify_args(&["trust-root.json", "tr2.json", "tr3.json"], &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Pinning one more key is another set: its floor is empty, v1 alone passes.
    let mut args = verify_args(&["trust-root.json"], &[]);
    args.extend(["--root-key", "other.pub"]);
    let out = run_env(d, &home, &args);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(state_files(&home).len(), 2);
    // The original set still refuses v1 alone.
    let out = run_env(d, &home, &verify_args(&["trust-root.json"], &[]));
    assert_eq!(trust_root_check(&out), ("fail".into(), Some("rollback".into())));
}

#[test]
fn a_state_file_that_cannot_be_read_is_exit_2_naming_it() {
    let w = world();
    let d = w.path();
    let home = d.join("state");
    let out = run_env(d, &home, &verify_args(&["trust-root.json"], &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let file = state_files(&home).pop().expect("state file");
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    for (bytes, needle) in [
        (&b"{not json"[..], "not a state file"),
        (&b""[..], "not a state file"),
        (&br#"{"type":"attest.cli-trust-root-state.v1","pinnedKeys":["00"],"trustRootVersion":1,"trustRootDigest":""}"#[..], "other pinned keys"),
        (&br#"{"type":"other","pinnedKeys":[],"trustRootVersion":1,"trustRootDigest":""}"#[..], "is not"),
    ] {
        std::fs::write(&file, bytes).expect("write");
        let out = run_env(d, &home, &verify_args(&["trust-root.json"], &[]));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{:?}: {}{err}", text(bytes), text(&out.stdout));
        assert!(err.contains(&name) && err.contains(needle), "{:?}: {err}", text(bytes));
        assert!(out.stdout.is_empty(), "nothing verified");
    }
    // A directory in its place is refused too, not skipped.
    std::fs::remove_file(&file).expect("rm");
    std::fs::create_dir(&file).expect("mkdir");
    let out = run_env(d, &home, &verify_args(&["trust-root.json"], &[]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // --no-state verifies without reading it.
    let out = run_env(d, &home, &verify_args(&["trust-root.json"], &["--no-state"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_read_only_state_directory_is_a_warning_not_a_failure() {
    let w = world();
    let d = w.path();
    let warned = |out: &Output| {
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}{err}", text(&out.stdout));
        assert!(err.contains("warning: the highest trust-root version verified is not remembered"), "{err}");
        assert!(err.contains("cannot write state file"), "{err}");
    };
    // /proc/self takes no new files, not even from root.
    warned(&run_env(d, &d.join("state"), &verify_args(&["trust-root.json"], &["--state-dir", "/proc/self"])));
    // A directory without write permission (not a limit for root, who skips this part).
    let home = d.join("ro");
    std::fs::create_dir_all(home.join("attest")).expect("mkdir");
    let mut perms = std::fs::metadata(home.join("attest")).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(home.join("attest"), perms).expect("chmod");
    let probe = home.join("attest").join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        let _ = std::fs::remove_file(&probe);
        return;
    }
    warned(&run_env(d, &home, &verify_args(&["trust-root.json"], &[])));
}
