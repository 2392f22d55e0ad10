//! Fuzz target `attesto_document`: see `attest_fuzz_support::verify::attesto_document_input`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = attest_fuzz_support::verify::attesto_document_input(data);
});
