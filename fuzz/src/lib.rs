//! Support crate of the cargo-fuzz targets in `fuzz/fuzz_targets/`.
//!
//! Each target is one line calling a function here, so that a change of the
//! verifier's API is adapted in one place: [`verify`] is the only module
//! that names `attest_verifier` items; [`json`] uses only `attest-json`.
//!
//! # Input layout
//!
//! Targets that need several byte strings split their input at NUL bytes
//! (`00`), which no JSON text contains outside a mutation:
//!
//! | target             | part 0     | part 1  | part 2 | part 3          | part 4      | part 5              |
//! |--------------------|------------|---------|--------|-----------------|-------------|---------------------|
//! | `verify_document`  | document   | signals | output | bundle manifest | network log | allowed hosts, one a line |
//! | `record_proof`     | proof      | summary |        |                 |             |                     |
//! | `trust_root_chain` | trust root | trust root | trust root |         |             |                     |
//!
//! An empty or missing part is "not given". `json_parse`, `canonicalize`
//! and `network_log` take the whole input.
//!
//! # Fixture
//!
//! The pinned root key, the trust-root chain, `now` and the bundle files
//! come from the golden vector `accept/direct-full`
//! (`test-vectors/vectors/accept__direct-full.json`, compiled in and decoded
//! with serde_json once per process).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// A fuzz harness reports a broken property by panicking; fixture decoding
// may panic too (it is not input).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod json;
pub mod verify;

/// Splits `data` at NUL bytes into at most `n` parts (the last part keeps
/// any further NULs).
pub fn split_parts(data: &[u8], n: usize) -> Vec<&[u8]> {
    data.splitn(n, |b| *b == 0).collect()
}

/// Part `i`, if given and not empty.
pub fn part<'a>(parts: &[&'a [u8]], i: usize) -> Option<&'a [u8]> {
    parts.get(i).copied().filter(|p| !p.is_empty())
}
