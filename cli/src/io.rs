//! File access for the CLI: every error names the file and the problem.

use std::fmt;
use std::path::{Path, PathBuf};

use attest_verifier::bundle::EntryKind;

/// Largest document read (formats.md §0: documents over 16 MiB are refused).
pub const MAX_DOCUMENT_BYTES: u64 = attest_verifier::doc::MAX_DOCUMENT_BYTES as u64;
/// Largest raw input (output files, bundle files, network logs).
pub const MAX_INPUT_BYTES: u64 = attest_verifier::doc::MAX_INPUT_BYTES as u64;

/// An error that stops the command before anything is checked (exit 2).
#[derive(Debug)]
pub struct CliError {
    /// What went wrong, naming the file.
    pub message: String,
}

impl CliError {
    /// A new error.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads a file of at most `limit` bytes.
pub fn read_limited(path: &Path, what: &str, limit: u64) -> Result<Vec<u8>, CliError> {
    let meta =
        std::fs::metadata(path).map_err(|e| CliError::new(format!("cannot read {what} {}: {e}", path.display())))?;
    if meta.is_dir() {
        return Err(CliError::new(format!("cannot read {what} {}: it is a directory", path.display())));
    }
    if meta.len() > limit {
        return Err(CliError::new(format!(
            "cannot read {what} {}: {} bytes exceeds the limit of {limit} bytes",
            path.display(),
            meta.len()
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| CliError::new(format!("cannot read {what} {}: {e}", path.display())))?;
    if bytes.len() as u64 > limit {
        return Err(CliError::new(format!(
            "cannot read {what} {}: grew beyond {limit} bytes while reading",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Reads a document for checking. A file over the 16 MiB limit is read only
/// up to one byte past the limit, so that the strict parser refuses it as
/// malformed evidence (exit 1) without holding a huge file in memory.
pub fn read_document(path: &Path, what: &str) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    let f =
        std::fs::File::open(path).map_err(|e| CliError::new(format!("cannot read {what} {}: {e}", path.display())))?;
    if f.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(CliError::new(format!("cannot read {what} {}: it is a directory", path.display())));
    }
    let mut bytes = Vec::new();
    f.take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::new(format!("cannot read {what} {}: {e}", path.display())))?;
    Ok(bytes)
}

/// Reads a UTF-8 text file.
pub fn read_text(path: &Path, what: &str) -> Result<String, CliError> {
    let bytes = read_document(path, what)?;
    String::from_utf8(bytes).map_err(|_| CliError::new(format!("{what} {} is not UTF-8 text", path.display())))
}

/// Writes a file, creating parent directories.
pub fn write_file(path: &Path, bytes: &[u8], what: &str) -> Result<(), CliError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::new(format!("cannot create directory {} for {what}: {e}", parent.display())))?;
    }
    std::fs::write(path, bytes).map_err(|e| CliError::new(format!("cannot write {what} {}: {e}", path.display())))
}

/// Writes a secret file readable by the owner only.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(path).map_err(|e| {
        CliError::new(format!(
            "cannot create key file {}: {e} (existing key files are never overwritten)",
            path.display()
        ))
    })?;
    f.write_all(bytes).map_err(|e| CliError::new(format!("cannot write key file {}: {e}", path.display())))
}

/// One entry of a walked bundle directory (the core's owned type).
pub use attest_verifier::BundleFile as WalkedEntry;

/// Walks a bundle directory without following symlinks. Directories are
/// descended into, not reported. A name that is not UTF-8 is reported with its
/// bad bytes as `\\xNN` (see [`entry_name`]), so it is an unlisted file.
pub fn walk_dir(root: &Path) -> Result<Vec<WalkedEntry>, CliError> {
    let mut out = Vec::new();
    let mut total = 0u64;
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let rd = std::fs::read_dir(&dir)
            .map_err(|e| CliError::new(format!("cannot read bundle directory {}: {e}", dir.display())))?;
        for entry in rd {
            let entry =
                entry.map_err(|e| CliError::new(format!("cannot read bundle directory {}: {e}", dir.display())))?;
            let name = entry_name(&entry.file_name());
            let name = name.as_str();
            let rel = if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
            let meta = std::fs::symlink_metadata(entry.path())
                .map_err(|e| CliError::new(format!("cannot stat bundle entry {}: {e}", entry.path().display())))?;
            let ft = meta.file_type();
            if ft.is_dir() {
                stack.push((entry.path(), rel));
            } else if ft.is_symlink() {
                out.push(WalkedEntry { path: rel, kind: EntryKind::Symlink, bytes: Vec::new() });
            } else if ft.is_file() {
                total += meta.len();
                if total > MAX_INPUT_BYTES {
                    return Err(CliError::new(format!(
                        "bundle directory {} holds more than {MAX_INPUT_BYTES} bytes",
                        root.display()
                    )));
                }
                let bytes = read_limited(&entry.path(), "bundle file", MAX_INPUT_BYTES)?;
                out.push(WalkedEntry { path: rel, kind: EntryKind::File, bytes });
            } else {
                out.push(WalkedEntry { path: rel, kind: EntryKind::Other, bytes: Vec::new() });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Reads a master secret file.
pub fn read_secret(path: &Path) -> Result<attest_attestor::MasterSecret, CliError> {
    let text = read_text(path, "key file")?;
    attest_attestor::MasterSecret::from_hex(&text)
        .map_err(|e| CliError::new(format!("key file {}: {e}", path.display())))
}

/// A directory entry's name as a bundle path segment. Manifest paths are JSON
/// strings and may not contain `\\` (formats.md §2), so a name that is not
/// UTF-8 can never be listed: its invalid bytes are written `\\xNN`, which
/// keeps it readable in the report and guarantees `bundle-files` refuses it as
/// an unlisted file (instead of failing to check the directory at all).
fn entry_name(name: &std::ffi::OsStr) -> String {
    if let Some(s) = name.to_str() {
        return s.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        format!("{}\\(not UTF-8)", name.to_string_lossy())
    }
}
