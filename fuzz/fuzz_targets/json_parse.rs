//! Fuzz target `json_parse`: see `attest_fuzz_support::json::json_parse`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = attest_fuzz_support::json::json_parse(data);
});
