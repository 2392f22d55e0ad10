//! File access for the CLI: every error names the file and the problem.

use std::fmt;
use std::path::{Path, PathBuf};

use attest_verifier::bundle::EntryKind;

/// Largest document read (docs/spec.md §0: documents over 16 MiB are refused).
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

/// What a non-regular file is, for error messages.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
    }
    if ft.is_dir() {
        return "a directory";
    }
    "not a regular file"
}

/// Why `meta` is not a regular file, if it is not.
fn not_regular(meta: &std::fs::Metadata) -> Option<String> {
    if meta.is_file() {
        return None;
    }
    let ft = meta.file_type();
    Some(if ft.is_dir() {
        "it is a directory".to_string()
    } else {
        format!("it is {} (only regular files are read)", kind_of(ft))
    })
}

/// Opens an input that must be a regular file. FIFOs, sockets, devices and
/// directories are refused from their metadata before anything is opened
/// (opening a FIFO would block), and the file is then opened with
/// `O_NONBLOCK` and checked again, so that an entry swapped for a FIFO in
/// between is refused instead of hanging (docs/spec.md §6).
pub fn open_regular(path: &Path, what: &str) -> Result<(std::fs::File, std::fs::Metadata), CliError> {
    let fail = |why: String| CliError::new(format!("cannot read {what} {}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if let Some(why) = not_regular(&meta) {
        return Err(fail(why));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let f = opts.open(path).map_err(|e| fail(e.to_string()))?;
    let meta = f.metadata().map_err(|e| fail(e.to_string()))?;
    if let Some(why) = not_regular(&meta) {
        return Err(fail(why));
    }
    Ok((f, meta))
}

/// `-`: standard input (docs/spec.md §6).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads standard input up to one byte past `limit` (as a file is read).
/// Standard input can stand for one input of a command only; that input may
/// be read more than once (the bytes are kept).
static STDIN: std::sync::Mutex<Option<(String, Vec<u8>)>> = std::sync::Mutex::new(None);

/// Takes standard input as a stream for `what` (the lines of `attest audit
/// -`): no other input of the command may then be `-`.
pub fn stream_stdin(what: &str) -> Result<std::io::BufReader<std::io::Stdin>, CliError> {
    let mut taken = STDIN.lock().map_err(|_| CliError::new("stdin: internal lock poisoned"))?;
    if let Some((first, _)) = taken.as_ref() {
        return Err(CliError::new(format!(
            "cannot read {what} from stdin (-): stdin is already the {first} of this command"
        )));
    }
    // Marked as taken by a stream: a later read of stdin for anything is refused.
    *taken = Some((format!("{what} (streamed)"), Vec::new()));
    Ok(std::io::BufReader::with_capacity(1 << 18, std::io::stdin()))
}

fn read_stdin(what: &str, limit: u64) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    let mut taken = STDIN.lock().map_err(|_| CliError::new("stdin: internal lock poisoned"))?;
    match taken.as_ref() {
        Some((first, bytes)) if first == what => return Ok(bytes.clone()),
        Some((first, _)) => {
            return Err(CliError::new(format!(
                "cannot read {what} from stdin (-): stdin is already the {first} of this command"
            )))
        }
        None => {}
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::new(format!("cannot read {what} from stdin: {e}")))?;
    *taken = Some((what.to_string(), bytes.clone()));
    Ok(bytes)
}

/// A byte limit as people write it: `16 MiB`, `1 GiB`, else bytes.
pub fn limit_text(limit: u64) -> String {
    const MIB: u64 = 1 << 20;
    if limit >= 1 << 30 && limit % (1 << 30) == 0 {
        format!("{} GiB", limit >> 30)
    } else if limit >= MIB && limit % MIB == 0 {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{limit} bytes")
    }
}

/// Reads a regular file of at most `limit` bytes.
pub fn read_limited(path: &Path, what: &str, limit: u64) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    if is_stdin(path) {
        let bytes = read_stdin(what, limit)?;
        if bytes.len() as u64 > limit {
            return Err(CliError::new(format!(
                "cannot read {what} from stdin: larger than the {} limit",
                limit_text(limit)
            )));
        }
        return Ok(bytes);
    }
    let (f, meta) = open_regular(path, what)?;
    let too_large =
        || CliError::new(format!("cannot read {what} {}: larger than the {} limit", path.display(), limit_text(limit)));
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::new(format!("cannot read {what} {}: {e}", path.display())))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads a document for checking. A file over the 16 MiB limit is read only
/// up to one byte past the limit, so that the strict parser refuses it as
/// malformed evidence (exit 1) without holding a huge file in memory.
pub fn read_document(path: &Path, what: &str) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    if is_stdin(path) {
        return read_stdin(what, MAX_DOCUMENT_BYTES);
    }
    let (f, meta) = open_regular(path, what)?;
    // Sized from the metadata, so that the buffer holds what is read and not
    // twice that after doubling (`attest audit` budgets the bytes it holds).
    let expect = usize::try_from(meta.len().min(MAX_DOCUMENT_BYTES + 1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expect);
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

/// Writes a file atomically, creating parent directories: the bytes go to a
/// temporary file in the same directory, which is then renamed over `path`.
/// An existing `path` (any kind of entry, a dangling symlink included) is
/// refused unless `force`; without `force` the rename itself refuses to
/// replace a file created in between (docs/spec.md §6).
pub fn write_file(path: &Path, bytes: &[u8], what: &str, force: bool) -> Result<(), CliError> {
    use std::io::Write as _;
    let fail = |why: String| CliError::new(format!("cannot write {what} {}: {why}", path.display()));
    let exists = || {
        CliError::new(format!(
            "refusing to overwrite {what} {}: it exists (give --force to replace it)",
            path.display()
        ))
    };
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(exists());
    }
    let parent = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => {
            std::fs::create_dir_all(parent)
                .map_err(|e| CliError::new(format!("cannot create directory {} for {what}: {e}", parent.display())))?;
            parent
        }
        None => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".attest-")
        .suffix(".tmp")
        .tempfile_in(parent)
        .map_err(|e| fail(format!("cannot create a temporary file in {}: {e}", parent.display())))?;
    tmp.write_all(bytes).and_then(|()| tmp.as_file().sync_all()).map_err(|e| fail(e.to_string()))?;
    if force {
        tmp.persist(path).map_err(|e| fail(e.error.to_string()))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                exists()
            } else {
                fail(e.error.to_string())
            }
        })?;
    }
    Ok(())
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
                // Over the input limit (this file, or the bundle so far): not
                // read, and refused by `bundle-files` as `too-large` (exit 1).
                total = total.saturating_add(meta.len());
                if total > MAX_INPUT_BYTES {
                    out.push(WalkedEntry { path: rel, kind: EntryKind::TooLarge, bytes: Vec::new() });
                    continue;
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
    crate::trust_inputs::refuse_bom(path, "key file", &text)?;
    attest_attestor::MasterSecret::from_hex(&text)
        .map_err(|e| CliError::new(format!("key file {}: {e}", path.display())))
}

/// A directory entry's name as a bundle path segment. Manifest paths are JSON
/// strings and may not contain `\\` (docs/spec.md §2), so a name that is not
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
