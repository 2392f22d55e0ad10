//! # attest-verifier-wasm
//!
//! The browser and Node surface of attest: a thin layer over
//! [`attest_verifier`] compiled to WebAssembly with wasm-bindgen. It exports
//! to JavaScript (see `README.md` for the TypeScript signatures):
//!
//! - `verifyAttestation(attestation, options)` — the report object that
//!   `attest verify --format json` prints (`valid`, `type`, `checks` with
//!   `id`/`status`/`detail`/`reason`, `digest`);
//! - `verifyTrustRootChain(trustRoots, options)` — the verdict of
//!   `attest trust-root verify`;
//! - `inspect(document)` — the object `attest inspect --format json` prints;
//! - `version()` — the crate version.
//!
//! The crate has two layers:
//!
//! - [`native`]: plain Rust, no JavaScript types. It maps the options onto
//!   [`attest_verifier::AttestationInputs`] and a trust-root chain exactly as
//!   `cli/src/verify.rs` does, and is what the native benchmark
//!   (`examples/native_bench.rs`) runs.
//! - `js` (wasm-bindgen exports): reads and type-checks the JavaScript
//!   options, calls [`native`], and returns the report as a plain JS object
//!   (`JSON.parse` of the serde_json serialization, so the object is the
//!   CLI's JSON output, member for member).
//!
//! Errors: a wrongly shaped option (a root key that is not lowercase hex, a
//! malformed `now`, a number where a string is expected, an unknown option
//! name) throws a JS `Error` whose `code` is `ATTEST_INVALID_ARGUMENT` and
//! whose `option` names the option — the CLI's exit 2. Malformed evidence
//! (bad JSON in the attestation or a trust root) is a report with a failing
//! check — the CLI's exit 1.
//!
//! Panics: a panic cannot be caught in wasm (`catch_unwind` is unavailable
//! and the module is built with `panic = "abort"`), so this layer is written
//! not to panic: no `unwrap`/`expect`/indexing/`panic!` (denied below), and
//! the core it calls denies `unwrap` and is fuzzed. `console_error_panic_hook`
//! is deliberately not used.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod native;

mod js;
