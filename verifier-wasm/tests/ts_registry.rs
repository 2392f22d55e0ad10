//! The string-literal unions of the npm package's TypeScript declarations
//! (`types/registry.d.ts`: `CheckId`, `Reason`) are generated from the Rust
//! registry (`CheckId::ALL`, `Reason::ALL`). This test fails when the
//! committed file is stale; regenerate it with
//! `ATTEST_UPDATE_TYPES=1 cargo test -p attest-verifier-wasm --test ts_registry`.
//! `scripts/package.mjs` inlines the file into the published declarations.

use attest_verifier::{CheckId, Reason};

fn union(name: &str, doc: &str, items: &[&str]) -> String {
    let mut out = format!("/** {doc} */\nexport type {name} =\n");
    for (i, s) in items.iter().enumerate() {
        let end = if i + 1 == items.len() { ";" } else { "" };
        out.push_str(&format!("  | \"{s}\"{end}\n"));
    }
    out
}

fn generate() -> String {
    let ids: Vec<&str> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
    let reasons: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
    let mut out = String::from(
        "// Generated from the Rust registry (verifier/src/report.rs CheckId::ALL,\n\
         // verifier/src/reason.rs Reason::ALL) by verifier-wasm/tests/ts_registry.rs.\n\
         // Do not edit: ATTEST_UPDATE_TYPES=1 cargo test -p attest-verifier-wasm --test ts_registry\n\n",
    );
    out.push_str(&union("CheckId", "Stable check id of a report check, in report order (docs/formats.md §3).", &ids));
    out.push('\n');
    out.push_str(&union("Reason", "Stable reason code of a failed check (docs/spec.md lists every one).", &reasons));
    out
}

#[test]
fn committed_registry_types_are_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/types/registry.d.ts");
    let want = generate();
    if std::env::var_os("ATTEST_UPDATE_TYPES").is_some() {
        std::fs::write(path, &want).expect("write types/registry.d.ts");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "verifier-wasm/types/registry.d.ts is stale (the Rust registry changed): run \
         ATTEST_UPDATE_TYPES=1 cargo test -p attest-verifier-wasm --test ts_registry"
    );
}
