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

use crate::batch::Pending;
use crate::crypto::sha256;
use crate::doc::{self, err, DocResult, Members, Problem, Signed};
pub use crate::evidence::BundleFile;
use crate::evidence::VerifyContext;
use crate::reason::Reason;
use crate::registry::Document;
use crate::report::{CheckId, Plan, ReportBuilder, Verified};
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
    pub(crate) path: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// SHA-256 of the contents.
    pub(crate) sha256: Sha256Digest,
}

impl FileEntry {
    /// Relative `/`-separated path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// SHA-256 of the contents.
    pub fn sha256(&self) -> Sha256Digest {
        self.sha256
    }
}

/// A parsed manifest.
#[derive(Debug, Clone)]
pub struct BundleManifest {
    /// Policy id.
    pub(crate) policy_id: String,
    /// Policy version.
    pub(crate) policy_version: String,
    /// Schema version.
    pub(crate) schema_version: String,
    /// Creation time (the time at which the signing key must be usable).
    pub(crate) created_at: Timestamp,
    /// Listed files.
    pub(crate) files: Vec<FileEntry>,
    /// `bundleHash` as stated.
    pub(crate) bundle_hash: Sha256Digest,
    /// `SHA-256(JCS(files))` as recomputed.
    pub(crate) computed_bundle_hash: Sha256Digest,
    /// Signing key.
    pub(crate) signer_key_id: KeyId,
    /// Signature.
    pub(crate) signature: Ed25519Signature,
    /// Signature text as in the document (the attestation's `manifestSignature`).
    pub(crate) signature_text: String,
    /// Signing message and digest (`manifestHash`).
    pub(crate) signed: Signed,
}

impl BundleManifest {
    /// Policy id.
    pub fn policy_id(&self) -> &str {
        &self.policy_id
    }

    /// Policy version.
    pub fn policy_version(&self) -> &str {
        &self.policy_version
    }

    /// Schema version.
    pub fn schema_version(&self) -> &str {
        &self.schema_version
    }

    /// Creation time (the time at which the signing key must be usable).
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// Listed files.
    pub fn files(&self) -> &[FileEntry] {
        &self.files
    }

    /// `bundleHash` as stated.
    pub fn bundle_hash(&self) -> Sha256Digest {
        self.bundle_hash
    }

    /// `SHA-256(JCS(files))` as recomputed.
    pub fn computed_bundle_hash(&self) -> Sha256Digest {
        self.computed_bundle_hash
    }

    /// Signing key.
    pub fn signer_key_id(&self) -> KeyId {
        self.signer_key_id
    }

    /// Signature.
    pub fn signature(&self) -> Ed25519Signature {
        self.signature
    }

    /// Signature text as in the document (the attestation's `manifestSignature`).
    pub fn signature_text(&self) -> &str {
        &self.signature_text
    }

    /// Signing message and digest (`manifestHash`).
    pub fn signed(&self) -> &Signed {
        &self.signed
    }
}

impl BundleManifest {
    /// `manifestHash = digest(manifest)`.
    pub fn manifest_hash(&self) -> Sha256Digest {
        self.signed.digest()
    }
}

/// A path rule of formats.md §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathRule {
    /// The path is empty.
    #[error("empty path")]
    Empty,
    /// It contains `\`.
    #[error("contains a backslash")]
    Backslash,
    /// It contains NUL.
    #[error("contains NUL")]
    Nul,
    /// It starts with `/`.
    #[error("absolute path")]
    Absolute,
    /// An empty segment (`a//b`, trailing `/`).
    #[error("empty segment")]
    EmptySegment,
    /// A `.` or `..` segment.
    #[error("`.` or `..` segment")]
    DotSegment,
}

/// Checks one bundle path against the rules of formats.md §2.
pub fn check_bundle_path(path: &str) -> Result<(), PathRule> {
    if path.is_empty() {
        return Err(PathRule::Empty);
    }
    if path.contains('\\') {
        return Err(PathRule::Backslash);
    }
    if path.contains('\0') {
        return Err(PathRule::Nul);
    }
    if path.starts_with('/') {
        return Err(PathRule::Absolute);
    }
    for seg in path.split('/') {
        match seg {
            "" => return Err(PathRule::EmptySegment),
            "." | ".." => return Err(PathRule::DotSegment),
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
            return err(f.path("path"), Problem::BundlePath { path: path.to_string(), rule: why });
        }
        if let Some(prev) = files.last() {
            match prev.path.as_bytes().cmp(path.as_bytes()) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => return err(f.path("path"), Problem::Duplicate { what: "path" }),
                core::cmp::Ordering::Greater => {
                    return err(
                        f.path("path"),
                        Problem::Unsorted { previous: prev.path.clone(), value: path.to_string() },
                    )
                }
            }
        }
        files.push(FileEntry { path: path.to_string(), size: f.uint("size")?, sha256: f.digest("sha256")? });
    }
    let computed_bundle_hash = sha256(&attest_json::to_canonical_vec(files_value));
    let signature_text = m.str("signature")?.to_string();
    let signature = m.parse_str("signature", Ed25519Signature::from_base64)?;
    let Value::Object(obj) = v else {
        return err("$", Problem::JsonType { expected: "an object" });
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
    pub fn reason(&self) -> Reason {
        match self {
            BundleError::BundleHash { .. } => Reason::BundleHash,
            BundleError::Signer(e) => e.reason(),
            BundleError::SignerAlgorithm(_) => Reason::WrongAlgorithm,
            BundleError::Signature(_) => Reason::BadSignature,
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
    if !key.verify(manifest.signed.message(), &manifest.signature) {
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
    /// A regular file the caller did not read because it (or the bundle so
    /// far) is over the caller's input limit (always refused: `too-large`).
    TooLarge,
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
    /// A file over the caller's input limit, not read.
    #[error("{path}: the bundle is larger than the input limit; this file was not read")]
    TooLarge {
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
    pub fn reason(&self) -> Reason {
        match self {
            BundleFilesError::Symlink { .. } => Reason::Symlink,
            BundleFilesError::NotRegular { .. } => Reason::NotRegular,
            BundleFilesError::TooLarge { .. } => Reason::TooLarge,
            BundleFilesError::Unlisted { .. } => Reason::UnlistedFile,
            BundleFilesError::Missing { .. } => Reason::MissingFile,
            BundleFilesError::Size { .. } => Reason::SizeMismatch,
            BundleFilesError::Hash { .. } => Reason::HashMismatch,
        }
    }
}

/// Checks a directory's entries against a manifest. Returns the number of files checked.
pub fn check_bundle_files(manifest: &BundleManifest, entries: &[BundleFile]) -> Result<usize, BundleFilesError> {
    let mut seen = vec![false; manifest.files.len()];
    let mut sorted: Vec<&BundleFile> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    for e in sorted {
        match e.kind {
            EntryKind::Symlink => return Err(BundleFilesError::Symlink { path: e.path.to_string() }),
            EntryKind::Other => return Err(BundleFilesError::NotRegular { path: e.path.to_string() }),
            EntryKind::TooLarge => return Err(BundleFilesError::TooLarge { path: e.path.to_string() }),
            EntryKind::File => {}
        }
        if e.path == MANIFEST_FILE_NAME {
            continue;
        }
        let found = manifest.files.binary_search_by(|f| f.path.as_bytes().cmp(e.path.as_bytes())).ok();
        let Some((i, f)) = found.and_then(|i| manifest.files.get(i).map(|f| (i, f))) else {
            return Err(BundleFilesError::Unlisted { path: e.path.to_string() });
        };
        let size = e.bytes.len() as u64;
        if size != f.size {
            return Err(BundleFilesError::Size { path: f.path.clone(), expected: f.size, found: size });
        }
        let h = sha256(&e.bytes);
        if h != f.sha256 {
            return Err(BundleFilesError::Hash { path: f.path.clone(), expected: f.sha256, found: h });
        }
        if let Some(s) = seen.get_mut(i) {
            *s = true;
        }
    }
    if let Some((f, _)) = manifest.files.iter().zip(&seen).find(|(_, s)| !**s) {
        return Err(BundleFilesError::Missing { path: f.path.clone() });
    }
    Ok(manifest.files.len())
}

/// Checks of a bundle manifest verified on its own.
pub const BUNDLE_MANIFEST_PLAN: Plan = Plan {
    doc_type: BUNDLE_MANIFEST_TYPE,
    checks: &[
        (CheckId::Parse, true),
        (CheckId::TrustRoot, true),
        (CheckId::BundleManifest, true),
        (CheckId::BundleFiles, false),
    ],
};

/// The registry entry's verification of a manifest on its own (`--bundle DIR` gives the directory).
pub(crate) fn verify_value(value: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let mut r = ReportBuilder::new(BUNDLE_MANIFEST_PLAN);
    let manifest = match parse_bundle_manifest_value(value) {
        Ok(m) => m,
        Err(e) => return Pending::from_document_error(r, &e),
    };
    r.digest(manifest.manifest_hash());
    r.pass(
        CheckId::Parse,
        format!("well-formed {BUNDLE_MANIFEST_TYPE} {} {}", manifest.policy_id, manifest.policy_version),
    );
    let Some(chain) = ctx.chain_or_halt(&mut r) else { return Pending::new(r, None, None) };
    r.pass(CheckId::TrustRoot, format!("newest trust root version {}", chain.newest().version()));
    match ctx.evidence.bundle.as_ref().and_then(|b| b.files.as_deref()) {
        None => r.skip(CheckId::BundleFiles, "no bundle directory given"),
        Some(entries) => match check_bundle_files(&manifest, entries) {
            Ok(n) => r.pass(CheckId::BundleFiles, format!("{n} file(s) match the manifest")),
            Err(e) => r.fail(CheckId::BundleFiles, e.reason(), e.to_string()),
        },
    }
    let signer = manifest.signer_key_id;
    match verify_bundle_manifest(manifest, chain) {
        Ok(v) => {
            r.pass(CheckId::BundleManifest, format!("signed by bundle-signing key {signer}; bundleHash recomputed"));
            Pending::new(r, Some(Document::BundleManifest(v.into_inner())), None)
        }
        Err(e) => {
            r.fail(CheckId::BundleManifest, e.reason(), e.to_string());
            Pending::new(r, None, None)
        }
    }
}
