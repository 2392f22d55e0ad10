//! Trust inputs (docs/spec.md §6, "Trust inputs"): `--trust-root-dir DIR`
//! instead of repeated `--trust-root`, a secret key file given as
//! `--root-key` named as such, a byte-order mark in a key file named.

use std::path::Path;
use std::process::{Command, Output};

fn run(d: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(d)
        .env("XDG_STATE_HOME", d.join(".attest-state"))
        .args(args)
        .output()
        .expect("attest runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn ok(d: &Path, args: &[&str]) -> Output {
    let out = run(d, args);
    assert_eq!(code(&out), Some(0), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    out
}

/// The demo world with trust roots v1..v3 in `roots/`, named so that name
/// order is the reverse of version order.
fn world() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(d, &["demo", "--dir", "."]);
    for (prev, next, at) in
        [("trust-root.json", "tr2.json", "2026-11-21T01:00:00Z"), ("tr2.json", "tr3.json", "2026-11-21T02:00:00Z")]
    {
        let args = [
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
        ];
        ok(d, &args);
    }
    let roots = d.join("roots");
    std::fs::create_dir(&roots).expect("mkdir");
    for (from, to) in [("trust-root.json", "c.root.json"), ("tr2.json", "b.root.json"), ("tr3.json", "a.root.json")] {
        std::fs::copy(d.join(from), roots.join(to)).expect("copy");
    }
    dir
}

const NOW: [&str; 2] = ["--now", "2026-11-21T12:00:00Z"];

fn verify(d: &Path, trust: &[&str], root_key: &str) -> Output {
    let mut a = vec!["verify", "attestation.json", "--root-key", root_key];
    a.extend(trust);
    a.extend(NOW);
    run(d, &a)
}

#[test]
fn trust_root_dir_is_ordered_by_version_not_name() {
    let w = world();
    let d = w.path();
    let roots = d.join("roots");
    // Not read: other files and subdirectories.
    std::fs::write(roots.join("README"), "not a trust root").expect("write");
    std::fs::create_dir(roots.join("old.json")).expect("mkdir");
    let out = verify(d, &["--trust-root-dir", "roots"], "keys/root.pub");
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("chain of 3 trust root(s) anchored by pinned keys; newest version 3"), "{stdout}");
    // The same through audit (and the files in name order would not chain).
    let mut audit = vec!["audit", "attestation.json", "--trust-root-dir", "roots", "--root-key", "keys/root.pub"];
    audit.extend(NOW);
    let out = run(d, &audit);
    assert_eq!(code(&out), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let out =
        run(d, &["trust-root", "verify", "--trust-root-dir", "roots", "--root-key", "keys/root.pub", "--now", NOW[1]]);
    assert_eq!(code(&out), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("VALID: chain of 3 trust root(s); newest version 3"), "{}", text(&out.stdout));
    let by_name = verify(
        d,
        &[
            "--trust-root",
            "roots/a.root.json",
            "--trust-root",
            "roots/b.root.json",
            "--trust-root",
            "roots/c.root.json",
        ],
        "keys/root.pub",
    );
    assert_eq!(code(&by_name), Some(1), "name order does not chain: {}", text(&by_name.stdout));
}

#[test]
fn trust_root_dir_refuses_what_it_cannot_read_and_names_a_malformed_file() {
    let w = world();
    let d = w.path();
    // A FIFO named *.json: refused unopened, exit 2 naming it.
    let ok_fifo = Command::new("mkfifo").arg(d.join("roots/x.json")).status().expect("mkfifo").success();
    assert!(ok_fifo);
    let out = verify(d, &["--trust-root-dir", "roots"], "keys/root.pub");
    let err = text(&out.stderr);
    assert_eq!(code(&out), Some(2), "{err}");
    assert!(err.contains("x.json") && err.contains("FIFO"), "{err}");
    std::fs::remove_file(d.join("roots/x.json")).expect("rm");
    // A file that is not a trust root: put last, the chain fails naming it (exit 1).
    std::fs::write(d.join("roots/z.json"), "{\"not\": \"a trust root\"}").expect("write");
    let out = verify(d, &["--trust-root-dir", "roots", "--format", "json"], "keys/root.pub");
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("z.json"), "{stdout}");
    // An empty directory, a missing one, a file: exit 2.
    std::fs::create_dir(d.join("empty")).expect("mkdir");
    for (dir, needle) in
        [("empty", "holds no trust root"), ("missing", "missing"), ("trust-root.json", "not a directory")]
    {
        let out = verify(d, &["--trust-root-dir", dir], "keys/root.pub");
        let err = text(&out.stderr);
        assert_eq!(code(&out), Some(2), "{dir}: {err}");
        assert!(err.contains(needle), "{dir}: {err}");
    }
    // With --trust-root, or with neither: usage errors.
    let out = verify(d, &["--trust-root-dir", "roots", "--trust-root", "trust-root.json"], "keys/root.pub");
    assert_eq!(code(&out), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot be used with"), "{}", text(&out.stderr));
    let out = verify(d, &[], "keys/root.pub");
    assert_eq!(code(&out), Some(2), "{}", text(&out.stderr));
}

#[test]
fn a_secret_key_file_as_root_key_is_named() {
    let w = world();
    let d = w.path();
    let want =
        "keys/root.secret: this is a secret key file (attest keygen --out); pass the public key file (--pub-out)";
    let out = verify(d, &["--trust-root", "trust-root.json"], "keys/root.secret");
    let err = text(&out.stderr);
    assert_eq!(code(&out), Some(2), "{}{err}", text(&out.stdout));
    assert!(err.contains(want) && err.contains("attest key show"), "{err}");
    assert!(!err.contains("not-anchored") && out.stdout.is_empty(), "{err}");
    let out = run(d, &["trust-root", "verify", "trust-root.json", "--root-key", "keys/root.secret", "--now", NOW[1]]);
    let err = text(&out.stderr);
    assert_eq!(code(&out), Some(2), "{}{err}", text(&out.stdout));
    assert!(err.contains(want), "{err}");
    // A key of another set is still not anchored (exit 1), not called a secret.
    ok(d, &["keygen", "--out", "other.secret", "--pub-out", "other.pub"]);
    let out = verify(d, &["--trust-root", "trust-root.json"], "other.pub");
    assert_eq!(code(&out), Some(1), "{}", text(&out.stderr));
    // Another set's secret is not recognised as one (nothing derives a listed key):
    // not anchored, or not a valid public key, but never "a secret key file".
    let out = verify(d, &["--trust-root", "trust-root.json"], "other.secret");
    assert!(matches!(code(&out), Some(1 | 2)), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("secret key file"), "{}", text(&out.stderr));
}

#[test]
fn a_byte_order_mark_in_a_key_file_is_named() {
    let w = world();
    let d = w.path();
    let public = std::fs::read(d.join("keys/root.pub")).expect("read");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(&public);
    std::fs::write(d.join("bom.pub"), &bom).expect("write");
    let out = verify(d, &["--trust-root", "trust-root.json"], "bom.pub");
    let err = text(&out.stderr);
    assert_eq!(code(&out), Some(2), "{err}");
    assert!(err.contains("root key file bom.pub starts with a byte-order mark"), "{err}");
    let secret = std::fs::read(d.join("keys/root.secret")).expect("read");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(&secret);
    std::fs::write(d.join("bom.secret"), &bom).expect("write");
    let out = run(d, &["key", "show", "bom.secret"]);
    let err = text(&out.stderr);
    assert_eq!(code(&out), Some(2), "{err}");
    assert!(err.contains("key file bom.secret starts with a byte-order mark"), "{err}");
}
