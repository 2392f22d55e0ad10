//! C2SP tlog-tiles (`c2sp.org/tlog-tiles`): paths, hash tiles and entry bundles.
//!
//! Tiles have height 8: a tile at level `L`, index `N` holds up to 256
//! consecutive hashes of the tree's level `8·L` (the roots of complete
//! subtrees of `256^L` leaves), starting at hash `256·N`; a partial tile of
//! width `W` holds the first `W` of them. An entry bundle holds the entries
//! `256·N …` each prefixed by its length as 2 bytes, big-endian. `N` is
//! written as 3-digit path elements, all but the last prefixed with `x`
//! (`1234067` → `x001/x234/067`).

use crate::hashes::TreeHashes;

/// Hashes (or entries) per full tile.
pub const TILE_WIDTH: u64 = 256;

/// What a tile path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileKind {
    /// A hash tile of this level.
    Hashes(u8),
    /// An entry bundle.
    Entries,
}

/// A parsed tile path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TilePath {
    /// Hash tile level, or entry bundle.
    pub kind: TileKind,
    /// Tile index.
    pub index: u64,
    /// Width: 256 for a full tile, 1–255 for a partial one.
    pub width: u64,
}

/// Why a tile path is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// Not a tile path in its one canonical spelling.
    #[error("not a tile path: {0}")]
    BadPath(&'static str),
}

fn decimal(s: &str) -> Option<u64> {
    let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    ok.then(|| s.parse().ok()).flatten()
}

/// The `N` path elements of a tile index.
pub fn index_path(index: u64) -> String {
    let mut groups = vec![index % 1000];
    let mut n = index / 1000;
    while n > 0 {
        groups.push(n % 1000);
        n /= 1000;
    }
    let mut parts: Vec<String> = groups.iter().rev().map(|g| format!("x{g:03}")).collect();
    if let Some(last) = parts.last_mut() {
        last.remove(0);
    }
    parts.join("/")
}

impl TilePath {
    /// Parses the part after `tile/`: `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`.
    pub fn parse(rest: &str) -> Result<Self, TileError> {
        let bad = TileError::BadPath;
        let (head, width) = match rest.rsplit_once(".p/") {
            Some((h, w)) => {
                let w = decimal(w).filter(|w| (1..TILE_WIDTH).contains(w)).ok_or(bad("width must be 1-255"))?;
                (h, w)
            }
            None => (rest, TILE_WIDTH),
        };
        let mut parts = head.split('/');
        let kind = match parts.next() {
            Some("entries") => TileKind::Entries,
            Some(l) => TileKind::Hashes(
                decimal(l).and_then(|l| u8::try_from(l).ok()).filter(|l| *l <= 63).ok_or(bad("level must be 0-63"))?,
            ),
            None => return Err(bad("empty")),
        };
        let elems: Vec<&str> = parts.collect();
        let Some((last, prefix)) = elems.split_last() else { return Err(bad("no index")) };
        let three =
            |s: &str| (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u64>().ok()).flatten();
        let mut index: u64 = 0;
        for (i, e) in prefix.iter().enumerate() {
            let g = e.strip_prefix('x').and_then(three).ok_or(bad("index elements are x + 3 digits"))?;
            if i == 0 && g == 0 {
                return Err(bad("leading zero index element"));
            }
            index = index.checked_mul(1000).and_then(|n| n.checked_add(g)).ok_or(bad("index out of range"))?;
        }
        let g = three(last).ok_or(bad("the last index element is 3 digits"))?;
        index = index.checked_mul(1000).and_then(|n| n.checked_add(g)).ok_or(bad("index out of range"))?;
        Ok(Self { kind, index, width })
    }

    /// The canonical path after `tile/`.
    pub fn to_path(&self) -> String {
        let kind = match self.kind {
            TileKind::Hashes(l) => l.to_string(),
            TileKind::Entries => "entries".to_string(),
        };
        let p = if self.width == TILE_WIDTH { String::new() } else { format!(".p/{}", self.width) };
        format!("{kind}/{}{p}", index_path(self.index))
    }

    /// A full tile (immutable once it exists).
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// The range `[start, end)` of level items (hashes at the tile's level, or
    /// entries) this tile holds.
    pub fn items(&self) -> Option<(u64, u64)> {
        let start = self.index.checked_mul(TILE_WIDTH)?;
        Some((start, start.checked_add(self.width)?))
    }
}

/// The hash tile at `level`, hashes `[start, end)` of tree level `8·level`
/// (the complete subtrees of `256^level` leaves), looked up in the tree's
/// hashes; `None` when the tree does not hold them (yet).
pub fn hash_tile(hashes: &TreeHashes, level: u8, start: u64, end: u64) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(32 * usize::try_from(end.checked_sub(start)?).ok()?);
    for i in start..end {
        out.extend_from_slice(hashes.complete(8 * u32::from(level), i)?.as_bytes());
    }
    Some(out)
}

/// An entry bundle: each entry as a 2-byte big-endian length and its bytes.
pub fn entry_bundle(entries: &[Vec<u8>]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&u16::try_from(e.len()).ok()?.to_be_bytes());
        out.extend_from_slice(e);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_in_their_one_spelling() {
        assert_eq!(index_path(1_234_067), "x001/x234/067");
        assert_eq!(index_path(5), "005");
        assert_eq!(index_path(1000), "x001/000");
        for (p, kind, index, width) in [
            ("0/000", TileKind::Hashes(0), 0, 256),
            ("1/x001/x234/067.p/8", TileKind::Hashes(1), 1_234_067, 8),
            ("entries/005.p/255", TileKind::Entries, 5, 255),
            ("63/x001/000", TileKind::Hashes(63), 1000, 256),
        ] {
            let t = TilePath::parse(p).unwrap();
            assert_eq!(t, TilePath { kind, index, width }, "{p}");
            assert_eq!(t.to_path(), p);
        }
        for bad in [
            "",
            "0",
            "0/",
            "0/5",
            "0/0005",
            "0/x000/005",
            "00/000",
            "64/000",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/08",
            "0/001/002",
            "0/x1/002",
            "entries/",
            "x/000",
            "0/000.p/",
            "0/x018/x446/x744/x073/x709/x551/616",
        ] {
            assert!(TilePath::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(TilePath::parse("0/x018/x446/x744/x073/x709/x551/615").unwrap().index, u64::MAX);
    }

    #[test]
    fn hash_tiles_and_bundles() {
        use attest_verifier::merkle;
        use attest_verifier::types::Sha256Digest;
        let leaves: Vec<Sha256Digest> = (0u32..300).map(|i| merkle::leaf_hash(&i.to_be_bytes())).collect();
        let mut h = TreeHashes::new();
        for l in &leaves {
            h.push(*l);
        }
        let t0 = hash_tile(&h, 0, 0, 256).unwrap();
        assert_eq!(t0.len(), 256 * 32);
        assert_eq!(&t0[32..64], leaves[1].as_bytes());
        assert_eq!(hash_tile(&h, 0, 256, 300).unwrap().len(), 44 * 32);
        assert!(hash_tile(&h, 0, 256, 301).is_none());
        let t1 = hash_tile(&h, 1, 0, 1).unwrap();
        assert_eq!(t1, merkle::tree_hash(&leaves[..256]).as_bytes().to_vec());
        assert!(hash_tile(&h, 1, 0, 2).is_none());
        assert!(hash_tile(&h, 63, 0, 1).is_none());
        assert_eq!(entry_bundle(&[b"a".to_vec(), vec![7u8; 300]]).unwrap()[..5], [0, 1, b'a', 1, 44]);
        assert!(entry_bundle(&[vec![0u8; 65_536]]).is_none());
    }
}
