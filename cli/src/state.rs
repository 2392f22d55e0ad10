//! The rollback floor remembered across runs (docs/spec.md §6, "Remembered
//! trust-root versions"), like a TUF client's trusted root: per set of pinned
//! root keys, the highest trust-root version a chain verification accepted.
//!
//! One small JSON file per key set, `trust-root-<id>.json` in the state
//! directory (`--state-dir`, else `$XDG_STATE_HOME/attest`, else
//! `~/.local/state/attest`), where `<id>` is the SHA-256 of the sorted,
//! deduplicated pinned key hexes joined by `\n`. A file that exists but
//! cannot be read or parsed stops the command (exit 2): the floor is never
//! silently dropped. A file that cannot be written is a warning: the
//! verification itself stands.

use std::path::{Path, PathBuf};

use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::TrustOutcome;
use clap::Args;
use serde::{Deserialize, Serialize};

use crate::io::{self, CliError};
use crate::render::esc;

/// The `type` member of a state file.
const STATE_TYPE: &str = "attest.cli-trust-root-state.v1";

/// Where the remembered trust-root versions live.
#[derive(Debug, Args, Clone, Default)]
pub struct StateArgs {
    /// Directory of the remembered highest trust-root versions (rollback floor per
    /// set of pinned keys; default $XDG_STATE_HOME/attest, else ~/.local/state/attest).
    #[arg(long = "state-dir", value_name = "DIR", conflicts_with = "no_state")]
    pub state_dir: Option<PathBuf>,
    /// Neither read nor record the highest trust-root version verified.
    #[arg(long = "no-state")]
    pub no_state: bool,
}

/// A state file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct StateFile {
    #[serde(rename = "type")]
    kind: String,
    /// The pinned keys (sorted lowercase hex) this floor belongs to.
    pinned_keys: Vec<String>,
    /// The highest trust-root version verified under them.
    trust_root_version: u64,
    /// The digest of that version's document.
    trust_root_digest: String,
}

/// The remembered floor of one set of pinned keys.
pub struct State {
    file: PathBuf,
    keys: Vec<String>,
    remembered: Option<u64>,
}

/// The default state directory: `$XDG_STATE_HOME/attest`, else `$HOME/.local/state/attest`
/// (only absolute values count, as the XDG base directory specification says).
fn default_dir() -> Option<PathBuf> {
    let abs = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    if let Some(x) = std::env::var_os("XDG_STATE_HOME").and_then(abs) {
        return Some(x.join("attest"));
    }
    std::env::var_os("HOME").and_then(abs).map(|h| h.join(".local/state/attest"))
}

impl State {
    /// Opens the floor of `pinned`; `None` with `--no-state` (or when no
    /// directory can be named: a warning). A file that exists but cannot be
    /// read or parsed, or names other keys, is an error naming it.
    pub fn open(args: &StateArgs, pinned: &[Ed25519PublicKey]) -> Result<Option<Self>, CliError> {
        if args.no_state {
            return Ok(None);
        }
        let Some(dir) = args.state_dir.clone().or_else(default_dir) else {
            eprintln!(
                "warning: no state directory (neither XDG_STATE_HOME nor HOME is set; give --state-dir DIR or \
                 --no-state): the highest trust-root version verified is not remembered"
            );
            return Ok(None);
        };
        let mut keys: Vec<String> = pinned.iter().map(|k| k.to_hex()).collect();
        keys.sort();
        keys.dedup();
        let id = attest_verifier::crypto::sha256(keys.join("\n").as_bytes());
        let file = dir.join(format!("trust-root-{}.json", id.to_hex()));
        let remembered = match std::fs::symlink_metadata(&file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(read_state(&file, &keys)?),
        };
        Ok(Some(Self { file, keys, remembered }))
    }

    /// The remembered highest version, if any.
    pub fn floor(&self) -> Option<u64> {
        self.remembered
    }

    /// Records the newest version of a verified chain when it is higher than
    /// the remembered one (atomically: a temporary file renamed over the
    /// state file). A failure to write is a warning on stderr.
    pub fn record(&self, trust: &TrustOutcome) {
        let Ok(chain) = trust else { return };
        let newest = chain.newest();
        if self.remembered.is_some_and(|r| r >= newest.version()) {
            return;
        }
        let state = StateFile {
            kind: STATE_TYPE.to_string(),
            pinned_keys: self.keys.clone(),
            trust_root_version: newest.version(),
            trust_root_digest: newest.digest().to_hex(),
        };
        let text = match serde_json::to_string_pretty(&state) {
            Ok(t) => t + "\n",
            Err(e) => return warn(&format!("state file {}: {e}", self.file.display())),
        };
        // The error names the state file.
        if let Err(e) = io::write_file(&self.file, text.as_bytes(), "state file", true) {
            warn(&e.to_string());
        }
    }

    /// A note for stderr when the chain was refused as a rollback below the remembered floor.
    pub fn explain(&self, trust: &TrustOutcome, explicit: Option<u64>) {
        if let (Err(e), None, Some(floor)) = (trust, explicit, self.remembered) {
            if e.reason() == attest_verifier::Reason::Rollback {
                eprintln!(
                    "note: trust-root version {floor} was verified earlier under these pinned keys (remembered in {}); \
                     an older chain is refused (--min-trust-root-version N overrides the remembered floor)",
                    esc(&self.file.display().to_string())
                );
            }
        }
    }
}

fn warn(why: &str) {
    eprintln!("warning: the highest trust-root version verified is not remembered: {}", esc(why));
}

/// Reads and checks a state file (exit 2 when it is not one, naming it).
fn read_state(file: &Path, keys: &[String]) -> Result<u64, CliError> {
    let bytes = io::read_document(file, "state file")?;
    let bad = |why: String| {
        CliError::new(format!(
            "state file {}: {why} (remove it, or give --no-state or --state-dir DIR, to verify without the \
             remembered trust-root version)",
            file.display()
        ))
    };
    let state: StateFile = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not a state file: {e}")))?;
    if state.kind != STATE_TYPE {
        return Err(bad(format!("type {:?} is not {STATE_TYPE:?}", state.kind)));
    }
    if state.pinned_keys != keys {
        return Err(bad("it belongs to other pinned keys".to_string()));
    }
    if state.trust_root_version == 0 {
        return Err(bad("trustRootVersion 0 (versions start at 1)".to_string()));
    }
    Ok(state.trust_root_version)
}

/// The rollback floor fed into the chain verification: an explicit
/// `--min-trust-root-version` overrides the remembered one (lower or higher).
pub fn min_version(explicit: Option<u64>, state: Option<&State>) -> Option<u64> {
    explicit.or_else(|| state.and_then(State::floor))
}
