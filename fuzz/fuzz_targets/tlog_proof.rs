//! Fuzz target `tlog_proof`: see `attest_fuzz_support::verify::tlog_proof_input`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = attest_fuzz_support::verify::tlog_proof_input(data);
});
