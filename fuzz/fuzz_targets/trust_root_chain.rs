//! Fuzz target `trust_root_chain`: see `attest_fuzz_support::verify::trust_root_chain_input`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = attest_fuzz_support::verify::trust_root_chain_input(data);
});
