//! Shared by the test binaries: the compiled contracts, once per binary.

use std::path::Path;
use std::sync::OnceLock;

use attest_anvil_tests::{check_foundry_toml, compile, tools, Compiled};

/// Compiles the contracts once per test binary (foundry-compilers cache under
/// `CARGO_TARGET_TMPDIR`). Panics with the tool error, so that a missing anvil,
/// solc wrapper or Node.js fails every test that needs them (never a skip).
pub fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let tools = tools().unwrap_or_else(|e| panic!("on-chain tests need anvil and solc: {e}"));
        check_foundry_toml().unwrap_or_else(|e| panic!("{e}"));
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("attest-contracts");
        compile(&tools, &cache).unwrap_or_else(|e| panic!("{e}"))
    })
}
