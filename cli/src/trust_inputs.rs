//! Trust inputs given without ten flags, and key files told apart
//! (docs/spec.md §6, "Trust inputs"): `--trust-root-dir DIR` (its `*.json`
//! files ordered by their `version` member), secret key files refused as
//! `--root-key`, a byte-order mark at the start of a key file named.

use std::path::{Path, PathBuf};

use attest_verifier::trust_root::parse_trust_root;
use attest_verifier::types::Ed25519PublicKey;

use crate::io::{self, CliError};

/// The `*.json` files of a trust-root directory, oldest first: ordered by the
/// `version` member of each document, then by name. A file whose version
/// cannot be read (not JSON, no integer `version`) is put last, so that the
/// chain verification names it (a malformed trust root is exit 1, as with
/// `--trust-root`). Subdirectories and files not ending in `.json` are not
/// read; an entry ending in `.json` that is not a regular file (a FIFO, a
/// socket, a device, a directory, a dangling link) is refused, exit 2.
pub fn trust_root_dir(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let err = |e: std::io::Error| CliError::new(format!("cannot read trust-root directory {}: {e}", dir.display()));
    let meta = std::fs::metadata(dir).map_err(err)?;
    if !meta.is_dir() {
        return Err(CliError::new(format!("trust-root directory {}: not a directory", dir.display())));
    }
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let p = entry.map_err(err)?.path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        if std::fs::metadata(&p).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        // `read_document` refuses a FIFO, socket or device from its metadata, unopened.
        let bytes = io::read_document(&p, "trust root")?;
        found.push((version_of(&bytes).unwrap_or(u64::MAX), p));
    }
    if found.is_empty() {
        return Err(CliError::new(format!("trust-root directory {} holds no trust root (*.json)", dir.display())));
    }
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// The `version` member of a JSON document, if it is an unsigned integer.
fn version_of(bytes: &[u8]) -> Option<u64> {
    let v = attest_verifier::doc::parse_json(bytes).ok()?;
    let n = v.as_object()?.get("version")?.as_i64()?;
    u64::try_from(n).ok()
}

/// Refuses a key file that starts with a UTF-8 byte-order mark, naming it.
pub fn refuse_bom(path: &Path, what: &str, text: &str) -> Result<(), CliError> {
    if text.starts_with('\u{feff}') {
        return Err(CliError::new(format!(
            "{what} {} starts with a byte-order mark (U+FEFF): save it as plain UTF-8 without one",
            path.display()
        )));
    }
    Ok(())
}

/// Refuses `--root-key` files that are secret key files (`attest keygen
/// --out`): both are one 64-hex line, so a file is told a secret when none
/// of its lines is a key of the given trust roots but a key derived from
/// one of them, read as a master secret, is. (Pinning a secret's hex as a
/// public key would otherwise fail later as a misleading `not-anchored`.)
pub fn refuse_secret_key_files(paths: &[PathBuf], docs: &[Vec<u8>]) -> Result<(), CliError> {
    let listed: Vec<Ed25519PublicKey> = docs
        .iter()
        .filter_map(|d| parse_trust_root(d).ok())
        .flat_map(|t| t.keys().iter().filter_map(|k| k.ed25519().map(|v| *v.public_key())).collect::<Vec<_>>())
        .collect();
    if listed.is_empty() {
        return Ok(());
    }
    for p in paths {
        let text = io::read_text(p, "root key file")?;
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
        let is_listed = |l: &&str| Ed25519PublicKey::from_hex(l).is_ok_and(|k| listed.contains(&k));
        if lines.iter().any(is_listed) {
            continue;
        }
        let derives_listed = lines.iter().any(|l| {
            attest_attestor::MasterSecret::from_hex(l).is_ok_and(|s| listed.contains(&s.master_ed25519().public_key()))
        });
        if derives_listed {
            return Err(CliError::new(format!(
                "root key file {}: this is a secret key file (attest keygen --out); pass the public key file \
                 (--pub-out) or the ed25519 publicKey of `attest key show {}`",
                p.display(),
                p.display()
            )));
        }
    }
    Ok(())
}
