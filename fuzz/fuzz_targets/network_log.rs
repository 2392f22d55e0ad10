//! Fuzz target `network_log`: see `attest_fuzz_support::verify::network_log_input`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = attest_fuzz_support::verify::network_log_input(data);
});
