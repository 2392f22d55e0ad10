//! Fuzz target `heartbeat_stream`: see `attest_fuzz_support::verify::heartbeat_stream_input`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = attest_fuzz_support::verify::heartbeat_stream_input(data);
});
