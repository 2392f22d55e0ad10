//! Fuzz target `witness_policy`: see `attest_fuzz_support::verify::witness_policy_input`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = attest_fuzz_support::verify::witness_policy_input(data);
});
