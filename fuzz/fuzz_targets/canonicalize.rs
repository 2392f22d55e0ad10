//! Fuzz target `canonicalize`: see `attest_fuzz_support::json::canonicalize`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = attest_fuzz_support::json::canonicalize(data);
});
