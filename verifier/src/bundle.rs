//! Policy-bundle manifests `attest.bundle-manifest.v1` (formats.md §2).
//!
//! ```text
//! bundleHash   = SHA-256(JCS(files))          files: [{path, size, sha256}], sorted by path bytes
//! manifestHash = digest(manifest) = SHA-256(M(manifest))
//! signature    = Ed25519(bundle-signing key usable at createdAt, M(manifest))
//! ```
//!
//! Path rules: relative, `/`-separated, no empty, `.` or `..` segment, no `\`,
//! no NUL, unique, sorted bytewise. The directory is supplied by the caller
//! as `(path, kind, bytes)` entries (the verifier does no I/O): symlinks and
//! other non-regular entries are refused, and so is any file not listed
//! (besides the top-level `manifest.json`), and any size or hash mismatch.

use attest_json::Value;

use crate::crypto::sha256;
use crate::doc::{self, err, DocResult, Members, Signed};
use crate::report::Verified;
use crate::time::Timestamp;
use crate::trust_root::{KeyUseError, Role, TrustRootChain};
use crate::types::{Ed25519Signature, KeyId, Sha256Digest};

/// Document type and signing domain of bundle manifests.
pub const BUNDLE_MANIFEST_TYPE: &str = "attest.bundle-manifest.v1";

/// The manifest's own file name inside a bundle directory.
pub const MANIFEST_FILE_NAME: &str = "manifest.json";

/// One listed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative `/`-separated path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the contents.
    pub sha256: Sha256Digest,
}

/// A parsed manifest.
#[derive(Debug, Clone)]
pub struct BundleManifest {
    /// Policy id.
    pub policy_id: String,
    /// Policy version.
    pub policy_version: String,
    /// Schema version.
    pub schema_version: String,
    /// Creation time (the time at which the signing key must be usable).
    pub created_at: Timestamp,
    /// Listed files.
    pub files: Vec<FileEntry>,
    /// `bundleHash` as stated.
    pub bundle_hash: Sha256Digest,
    /// `SHA-256(JCS(files))` as recomputed.
    pub computed_bundle_hash: Sha256Digest,
    /// Signing key.
    pub signer_key_id: KeyId,
    /// Signature.
    pub signature: Ed25519Signature,
    /// Signature text as in the document (the attestation's `manifestSignature`).
    pub signature_text: String,
    /// Signing message and digest (`manifestHash`).
    pub signed: Signed,
}

impl BundleManifest {
    /// `manifestHash = digest(manifest)`.
    pub fn manifest_hash(&self) -> Sha256Digest {
        self.signed.digest
    }
}

/// Checks one bundle path against the rules of formats.md §2.
pub fn check_bundle_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("empty path");
    }
    if path.contains('\\') {
        return Err("contains a backslash");
    }
    if path.contains('\0') {
        return Err("contains NUL");
    }
    if path.starts_with('/') {
        return Err("absolute path");
    }
    for seg in path.split('/') {
        match seg {
            "" => return Err("empty segment"),
            "." | ".." => return Err("`.` or `..` segment"),
            _ => {}
        }
    }
    Ok(())
}

const MANIFEST_MEMBERS: &[&str] = &[
    "type",
    "policyId",
    "policyVersion",
    "schemaVersion",
    "createdAt",
    "files",
    "bundleHash",
    "signerKeyId",
    "signature",
];

/// Parses a manifest from bytes.
pub fn parse_bundle_manifest(bytes: &[u8]) -> DocResult<BundleManifest> {
    parse_bundle_manifest_value(&doc::parse_json(bytes)?)
}

/// Parses a manifest from a JSON value (structure and path rules; no signature check).
pub fn parse_bundle_manifest_value(v: &Value) -> DocResult<BundleManifest> {
    let m = Members::of(v, "$")?;
    m.expect_type(BUNDLE_MANIFEST_TYPE)?;
    m.only(MANIFEST_MEMBERS)?;
    let files_value = m.req("files")?;
    let fp = m.path("files");
    let mut files: Vec<FileEntry> = Vec::new();
    for (i, fv) in m.array("files")?.iter().enumerate() {
        let p = format!("{fp}[{i}]");
        let f = Members::of(fv, &p)?;
        f.only(&["path", "size", "sha256"])?;
        let path = f.str("path")?;
        if let Err(why) = check_bundle_path(path) {
            return err(f.path("path"), format!("invalid bundle path {path:?}: {why}"));
        }
        if let Some(prev) = files.last() {
            match prev.path.as_bytes().cmp(path.as_bytes()) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => return err(f.path("path"), format!("duplicate path {path:?}")),
                core::cmp::Ordering::Greater => {
                    return err(f.path("path"), format!("files are not sorted by path: {path:?} after {:?}", prev.path))
                }
            }
        }
        files.push(FileEntry { path: path.to_string(), size: f.uint("size")?, sha256: f.digest("sha256")? });
    }
    let computed_bundle_hash = sha256(&attest_json::to_canonical_vec(files_value));
    let signature_text = m.str("signature")?.to_string();
    let signature = m.parse_str("signature", Ed25519Signature::from_base64)?;
    let Value::Object(obj) = v else {
        return err("$", "expected an object");
    };
    Ok(BundleManifest {
        policy_id: m.text("policyId")?.to_string(),
        policy_version: m.text("policyVersion")?.to_string(),
        schema_version: m.text("schemaVersion")?.to_string(),
        created_at: m.time("createdAt")?,
        files,
        bundle_hash: m.digest("bundleHash")?,
        computed_bundle_hash,
        signer_key_id: m.parse_str("signerKeyId", KeyId::from_hex)?,
        signature,
        signature_text,
        signed: Signed::of(BUNDLE_MANIFEST_TYPE, obj),
    })
}

/// Why a manifest is not trusted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// `bundleHash` is not `SHA-256(JCS(files))`.
    #[error("bundleHash {stated} does not match SHA-256 of the canonical file list {computed}")]
    BundleHash {
        /// As stated.
        stated: Sha256Digest,
        /// As computed.
        computed: Sha256Digest,
    },
    /// The signer is not a usable bundle-signing key.
    #[error("signerKeyId: {0}")]
    Signer(#[from] KeyUseError),
    /// The signer is not an Ed25519 key.
    #[error("signerKeyId {0} is not an Ed25519 key")]
    SignerAlgorithm(KeyId),
    /// The signature does not verify.
    #[error("signature does not verify under bundle-signing key {0}")]
    Signature(KeyId),
}

impl BundleError {
    /// The stable reason code.
    pub fn reason(&self) -> &'static str {
        match self {
            BundleError::BundleHash { .. } => "bundle-hash",
            BundleError::Signer(e) => e.reason(),
            BundleError::SignerAlgorithm(_) => "wrong-algorithm",
            BundleError::Signature(_) => "bad-signature",
        }
    }
}

/// Verifies a manifest's hash and signature against the trust root.
pub fn verify_bundle_manifest(
    manifest: BundleManifest,
    trust: &Verified<TrustRootChain>,
) -> Result<Verified<BundleManifest>, BundleError> {
    if manifest.bundle_hash != manifest.computed_bundle_hash {
        return Err(BundleError::BundleHash { stated: manifest.bundle_hash, computed: manifest.computed_bundle_hash });
    }
    let entry = trust.newest().usable_key(&manifest.signer_key_id, Role::BundleSigning, manifest.created_at)?;
    let key = entry.ed25519().ok_or(BundleError::SignerAlgorithm(manifest.signer_key_id))?;
    if !key.verify(&manifest.signed.message, &manifest.signature) {
        return Err(BundleError::Signature(manifest.signer_key_id));
    }
    Ok(Verified::new(manifest))
}

/// Kind of a directory entry, as the caller found it (without following links).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A symbolic link (always refused).
    Symlink,
    /// Anything else: device, socket, FIFO (always refused).
    Other,
}

/// One entry of a bundle directory, supplied by the caller.
#[derive(Debug, Clone, Copy)]
pub struct BundleEntry<'a> {
    /// Path relative to the bundle directory, `/`-separated.
    pub path: &'a str,
    /// Kind.
    pub kind: EntryKind,
    /// Contents (regular files only).
    pub bytes: &'a [u8],
}

/// Why a directory does not match its manifest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleFilesError {
    /// A symlink in the bundle.
    #[error("{path}: symbolic links are not allowed in a bundle")]
    Symlink {
        /// The path.
        path: String,
    },
    /// A non-regular entry.
    #[error("{path}: not a regular file")]
    NotRegular {
        /// The path.
        path: String,
    },
    /// A file the manifest does not list.
    #[error("{path}: file is not listed in the manifest")]
    Unlisted {
        /// The path.
        path: String,
    },
    /// A listed file is absent.
    #[error("{path}: listed in the manifest but missing from the bundle")]
    Missing {
        /// The path.
        path: String,
    },
    /// Wrong size.
    #[error("{path}: size {found} bytes, manifest says {expected}")]
    Size {
        /// The path.
        path: String,
        /// Listed.
        expected: u64,
        /// Found.
        found: u64,
    },
    /// Wrong hash.
    #[error("{path}: SHA-256 {found}, manifest says {expected}")]
    Hash {
        /// The path.
        path: String,
        /// Listed.
        expected: Sha256Digest,
        /// Found.
        found: Sha256Digest,
    },
}

impl BundleFilesError {
    /// The stable reason code.
    pub fn reason(&self) -> &'static str {
        match self {
            BundleFilesError::Symlink { .. } => "symlink",
            BundleFilesError::NotRegular { .. } => "not-regular",
            BundleFilesError::Unlisted { .. } => "unlisted-file",
            BundleFilesError::Missing { .. } => "missing-file",
            BundleFilesError::Size { .. } => "size-mismatch",
            BundleFilesError::Hash { .. } => "hash-mismatch",
        }
    }
}

/// Checks a directory's entries against a manifest. Returns the number of files checked.
pub fn check_bundle_files(manifest: &BundleManifest, entries: &[BundleEntry<'_>]) -> Result<usize, BundleFilesError> {
    let mut seen = vec![false; manifest.files.len()];
    let mut sorted: Vec<&BundleEntry<'_>> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    for e in sorted {
        match e.kind {
            EntryKind::Symlink => return Err(BundleFilesError::Symlink { path: e.path.to_string() }),
            EntryKind::Other => return Err(BundleFilesError::NotRegular { path: e.path.to_string() }),
            EntryKind::File => {}
        }
        if e.path == MANIFEST_FILE_NAME {
            continue;
        }
        let Ok(i) = manifest.files.binary_search_by(|f| f.path.as_bytes().cmp(e.path.as_bytes())) else {
            return Err(BundleFilesError::Unlisted { path: e.path.to_string() });
        };
        let f = &manifest.files[i];
        let size = e.bytes.len() as u64;
        if size != f.size {
            return Err(BundleFilesError::Size { path: f.path.clone(), expected: f.size, found: size });
        }
        let h = sha256(e.bytes);
        if h != f.sha256 {
            return Err(BundleFilesError::Hash { path: f.path.clone(), expected: f.sha256, found: h });
        }
        seen[i] = true;
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(BundleFilesError::Missing { path: manifest.files[i].path.clone() });
    }
    Ok(manifest.files.len())
}
