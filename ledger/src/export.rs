//! `attest ledger export-tiles`: the log as static files for any web server
//! (C2SP tlog-tiles layout: `checkpoint`, `tile/<L>/<N>[.p/<W>]`,
//! `tile/entries/<N>[.p/<W>]`), read from the database without a server and
//! without the log's secret key.
//!
//! - The stored checkpoint is verified under the log's verifier key, and the
//!   root recomputed from the stored leaves must be its root: nothing
//!   unverified is published.
//! - Every file is written to a temporary name and renamed; `checkpoint` is
//!   written last, so a reader that sees a checkpoint finds all its tiles.
//! - A full tile that already exists must be byte-identical (full tiles are
//!   immutable): a difference is an error naming the file, never an
//!   overwrite — the directory then holds another history of this log.
//!   Partial tiles are rewritten (they are replaced by wider ones).

use std::path::{Path, PathBuf};

use attest_verifier::checkpoint::{verify_checkpoint, VerifierKey};

use crate::hashes::TreeHashes;
use crate::store::Store;
use crate::tiles::{self, TileKind, TilePath, TILE_WIDTH};
use crate::LedgerError;

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    /// The tree size of the exported checkpoint.
    pub tree_size: u64,
    /// Files written (new or rewritten partial tiles, and the checkpoint).
    pub written: u64,
    /// Full tiles already present and identical.
    pub unchanged: u64,
}

/// The tile paths of a tree of `size` entries: every full tile and the
/// partial one at the right edge of each level, then the entry bundles.
pub fn tile_paths(size: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    let mut level = 0u8;
    let mut hashes = size;
    while hashes > 0 {
        push_row(&mut out, TileKind::Hashes(level), hashes);
        hashes /= TILE_WIDTH;
        level += 1;
    }
    push_row(&mut out, TileKind::Entries, size);
    out
}

fn push_row(out: &mut Vec<TilePath>, kind: TileKind, items: u64) {
    for index in 0..items / TILE_WIDTH {
        out.push(TilePath { kind, index, width: TILE_WIDTH });
    }
    if items % TILE_WIDTH != 0 {
        out.push(TilePath { kind, index: items / TILE_WIDTH, width: items % TILE_WIDTH });
    }
}

fn io_err(path: &Path, e: std::io::Error) -> LedgerError {
    LedgerError::Io(format!("{}: {e}", path.display()))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), LedgerError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))
}

/// Exports the log in `store` to `dir`.
pub fn export_tiles(store: &mut dyn Store, log_key: &VerifierKey, dir: &Path) -> Result<ExportSummary, LedgerError> {
    let latest =
        store.latest_checkpoint()?.ok_or_else(|| LedgerError::Io("the database holds no checkpoint".into()))?;
    let cp = verify_checkpoint(latest.note.as_bytes(), log_key)
        .map_err(|e| LedgerError::Io(format!("the stored checkpoint does not verify under the log key: {e}")))?
        .into_inner();
    let size = cp.size();
    let leaves = store.leaf_hashes(0, size)?;
    let mut hashes = TreeHashes::new();
    for l in &leaves {
        hashes.push(*l);
    }
    if hashes.size() != size || hashes.root(size).ok() != Some(cp.root()) {
        return Err(LedgerError::Io(format!(
            "the stored entries do not have the root of the checkpoint of size {size}"
        )));
    }
    let mut summary = ExportSummary { tree_size: size, written: 0, unchanged: 0 };
    for t in tile_paths(size) {
        let (start, end) = t.items().ok_or_else(|| LedgerError::Io("tile index out of range".into()))?;
        let bytes = match t.kind {
            TileKind::Hashes(level) => tiles::hash_tile(&hashes, level, start, end),
            TileKind::Entries => tiles::entry_bundle(&store.entries(start, end)?),
        }
        .ok_or_else(|| LedgerError::Io(format!("tile/{} cannot be built", t.to_path())))?;
        let path = dir.join("tile").join(t.to_path());
        if t.is_full() {
            match std::fs::read(&path) {
                Ok(existing) if existing == bytes => {
                    summary.unchanged += 1;
                    continue;
                }
                Ok(_) => {
                    return Err(LedgerError::Io(format!(
                        "{}: a full tile with other contents exists (another history of this log?); not overwritten",
                        path.display()
                    )))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&path, e)),
            }
        }
        write_atomically(&path, &bytes)?;
        summary.written += 1;
    }
    write_atomically(&dir.join("checkpoint"), latest.note.as_bytes())?;
    summary.written += 1;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(size: u64) -> Vec<String> {
        tile_paths(size).iter().map(TilePath::to_path).collect()
    }

    #[test]
    fn the_tiles_of_a_tree() {
        assert!(names(0).is_empty());
        assert_eq!(names(1), ["0/000.p/1", "entries/000.p/1"]);
        assert_eq!(names(256), ["0/000", "1/000.p/1", "entries/000"]);
        assert_eq!(
            names(513),
            ["0/000", "0/001", "0/002.p/1", "1/000.p/2", "entries/000", "entries/001", "entries/002.p/1"]
        );
        // 256² entries: a full level-1 tile and one hash at level 2.
        let n = names(65_536);
        assert_eq!(n.iter().filter(|p| p.starts_with("0/")).count(), 256);
        assert!(n.contains(&"1/000".to_string()) && n.contains(&"2/000.p/1".to_string()));
    }
}
