//! Reading our JSON documents: strict parsing, typed member access with
//! paths, and the signing message and digest of formats.md §0.
//!
//! ```text
//! M(D)      = utf8(D.type) || 0x00 || JCS(D without top-level "signature", "signatures", "onchainSignature")
//! digest(D) = SHA-256(M(D))
//! ```

use attest_json::{Limits, Number, Object, ParseError, ParseErrorKind, Value};

use crate::crypto::sha256;
use crate::reason::Reason;
use crate::time::{Timestamp, TimestampError};
use crate::types::{EncodingError, Sha256Digest};

/// Top-level members excluded from the signing message (formats.md §0).
pub const SIGNATURE_MEMBERS: [&str; 3] = ["signature", "signatures", "onchainSignature"];

/// Why a document could not be read as the expected kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// Not strict JSON (duplicate key, lone surrogate, out-of-range integer, …).
    #[error("{0}")]
    Json(#[from] ParseError),
    /// A member has the wrong shape or value.
    #[error("{path}: {problem}")]
    Member {
        /// Path of the offending member, e.g. `$.keys[2].publicKey`.
        path: String,
        /// What is wrong with it.
        problem: Problem,
    },
}

/// What is wrong with a member.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A required member is absent.
    #[error("required member is missing")]
    Missing,
    /// A member this document type does not define.
    #[error("unknown member (documents of this type do not define it)")]
    Unknown,
    /// Wrong JSON type.
    #[error("expected {expected}")]
    JsonType {
        /// The JSON type expected.
        expected: &'static str,
    },
    /// The `type` member names another document type.
    #[error("document type is {found:?}, expected {expected:?}")]
    DocumentType {
        /// Expected type.
        expected: &'static str,
        /// Type found.
        found: String,
    },
    /// Bad hex/base64/address encoding.
    #[error("{0}")]
    Encoding(#[from] EncodingError),
    /// Bad timestamp.
    #[error("{0}")]
    Timestamp(#[from] TimestampError),
    /// An empty string where text is required.
    #[error("must not be empty")]
    Empty,
    /// A number below its minimum.
    #[error("must be at least {min}")]
    BelowMinimum {
        /// The smallest allowed value.
        min: i64,
    },
    /// A time not after another member's time.
    #[error("must be after {earlier}")]
    NotAfter {
        /// The member it must follow.
        earlier: &'static str,
    },
    /// A value that must be unique.
    #[error("duplicate {what}")]
    Duplicate {
        /// What is duplicated (`keyId`, `role`, `path`).
        what: &'static str,
    },
    /// A list out of order.
    #[error("not sorted: {value:?} after {previous:?}")]
    Unsorted {
        /// The previous value.
        previous: String,
        /// This value.
        value: String,
    },
    /// A bundle path breaking formats.md §2.
    #[error("invalid bundle path {path:?}: {rule}")]
    BundlePath {
        /// The path.
        path: String,
        /// The rule broken.
        rule: crate::bundle::PathRule,
    },
    /// A value outside its enumeration.
    #[error("unknown value {found:?} (expected {expected})")]
    UnknownValue {
        /// The value found.
        found: String,
        /// The allowed values.
        expected: &'static str,
    },
    /// A keyId that is not the SHA-256 of the key.
    #[error("does not match the SHA-256 of the public key")]
    KeyIdMismatch,
    /// An address that is not the key's.
    #[error("does not match the public key (expected {expected})")]
    AddressMismatch {
        /// The key's address.
        expected: crate::types::EthAddress,
    },
    /// A public key refused.
    #[error("{0}")]
    Key(#[from] crate::crypto::KeyError),
    /// A list that must not be empty.
    #[error("at least one {what} is required")]
    EmptyList {
        /// What the list holds.
        what: &'static str,
    },
    /// A fixed structural rule of the document kind.
    #[error("{0}")]
    Rule(&'static str),

    /// A record proof's `index` that is not its record's `seq`.
    #[error("index {index} differs from the record's seq {seq}")]
    IndexMismatch {
        /// The proof's index.
        index: u64,
        /// The record's seq.
        seq: u64,
    },
}

impl Problem {
    /// The stable reason of a `parse` failure with this problem.
    pub fn reason(&self) -> Reason {
        match self {
            Problem::Missing => Reason::MissingMember,
            Problem::Unknown => Reason::UnknownMember,
            Problem::JsonType { .. } => Reason::WrongJsonType,
            Problem::DocumentType { .. } => Reason::WrongDocumentType,
            Problem::Encoding(_) => Reason::BadEncoding,
            Problem::Timestamp(_) => Reason::BadTimestamp,
            Problem::Empty => Reason::EmptyString,
            Problem::BelowMinimum { .. } => Reason::OutOfRange,
            Problem::NotAfter { .. } => Reason::TimeOrder,
            Problem::Duplicate { .. } => Reason::Duplicate,
            Problem::Unsorted { .. } => Reason::Unsorted,
            Problem::BundlePath { .. } => Reason::BadPath,
            Problem::UnknownValue { .. } => Reason::UnknownValue,
            Problem::KeyIdMismatch => Reason::KeyIdMismatch,
            Problem::AddressMismatch { .. } => Reason::AddressMismatch,
            Problem::Key(_) => Reason::InvalidKey,
            Problem::EmptyList { .. } => Reason::EmptyList,
            Problem::IndexMismatch { .. } => Reason::OutOfRange,
            Problem::Rule(_) => Reason::Malformed,
        }
    }
}

impl DocumentError {
    /// The stable reason of a `parse` failure with this error.
    pub fn reason(&self) -> Reason {
        match self {
            DocumentError::Json(e) => json_reason(e),
            DocumentError::Member { problem, .. } => problem.reason(),
        }
    }

    /// The JSON path of the problem (`$` for the document as a whole).
    pub fn path(&self) -> &str {
        match self {
            DocumentError::Json(e) => &e.path,
            DocumentError::Member { path, .. } => path,
        }
    }
}

/// The stable reason of a strict-JSON parse error.
pub fn json_reason(e: &ParseError) -> Reason {
    match e.kind {
        ParseErrorKind::TooLarge { .. } => Reason::TooLarge,
        ParseErrorKind::TooDeep { .. } => Reason::TooDeep,
        ParseErrorKind::InvalidUtf8 => Reason::InvalidUtf8,
        ParseErrorKind::LoneSurrogate => Reason::LoneSurrogate,
        ParseErrorKind::DuplicateKey { .. } => Reason::DuplicateKey,
        ParseErrorKind::IntegerOutOfRange { .. } => Reason::IntegerOutOfRange,
        ParseErrorKind::NumberNotFinite { .. } => Reason::NumberNotFinite,
        ParseErrorKind::TrailingData => Reason::TrailingData,
        ParseErrorKind::ByteOrderMark => Reason::ByteOrderMark,
        _ => Reason::Syntax,
    }
}

/// Result type of document reading.
pub type DocResult<T> = Result<T, DocumentError>;

pub(crate) fn err<T>(path: impl Into<String>, problem: impl Into<Problem>) -> DocResult<T> {
    Err(DocumentError::Member { path: path.into(), problem: problem.into() })
}

impl From<&'static str> for Problem {
    fn from(s: &'static str) -> Self {
        Problem::Rule(s)
    }
}

/// Largest document accepted anywhere (formats.md §0): 16 MiB. The CLI,
/// the WASM module and the parser's default limit all use this one constant.
pub const MAX_DOCUMENT_BYTES: usize = attest_json::DEFAULT_MAX_BYTES;

/// Largest raw evidence input (output bytes, network log, all bundle files
/// together): 1 GiB.
pub const MAX_INPUT_BYTES: usize = 1 << 30;

/// Parses bytes as strict JSON with the default limits (16 MiB, depth 128).
pub fn parse_json(bytes: &[u8]) -> DocResult<Value> {
    Ok(attest_json::parse(bytes, &Limits::default())?)
}

/// Joins a member name onto a path.
pub(crate) fn join(path: &str, key: &str) -> String {
    let ident = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if ident {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}

/// Typed access to the members of one JSON object, with its path for errors.
#[derive(Clone, Copy)]
pub(crate) struct Members<'a> {
    pub(crate) obj: &'a Object,
    pub(crate) path: &'a str,
}

impl<'a> Members<'a> {
    pub(crate) fn of(v: &'a Value, path: &'a str) -> DocResult<Self> {
        match v {
            Value::Object(obj) => Ok(Self { obj, path }),
            _ => err(path, Problem::JsonType { expected: "an object" }),
        }
    }

    /// Rejects members not in `allowed`.
    pub(crate) fn only(&self, allowed: &[&str]) -> DocResult<()> {
        for (k, _) in self.obj.iter() {
            if !allowed.contains(&k) {
                return err(join(self.path, k), Problem::Unknown);
            }
        }
        Ok(())
    }

    pub(crate) fn path(&self, key: &str) -> String {
        join(self.path, key)
    }

    pub(crate) fn opt(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key)
    }

    pub(crate) fn req(&self, key: &str) -> DocResult<&'a Value> {
        match self.obj.get(key) {
            Some(v) => Ok(v),
            None => err(self.path(key), Problem::Missing),
        }
    }

    pub(crate) fn str(&self, key: &str) -> DocResult<&'a str> {
        match self.req(key)? {
            Value::String(s) => Ok(s),
            _ => err(self.path(key), Problem::JsonType { expected: "a string" }),
        }
    }

    /// A string that must not be empty.
    pub(crate) fn text(&self, key: &str) -> DocResult<&'a str> {
        let s = self.str(key)?;
        if s.is_empty() {
            return err(self.path(key), Problem::Empty);
        }
        Ok(s)
    }

    pub(crate) fn opt_str(&self, key: &str) -> DocResult<Option<&'a str>> {
        match self.opt(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => err(self.path(key), Problem::JsonType { expected: "a string" }),
        }
    }

    pub(crate) fn bool(&self, key: &str) -> DocResult<bool> {
        match self.req(key)? {
            Value::Bool(b) => Ok(*b),
            _ => err(self.path(key), Problem::JsonType { expected: "true or false" }),
        }
    }

    /// A non-negative integer (JSON number without fraction or exponent).
    pub(crate) fn uint(&self, key: &str) -> DocResult<u64> {
        match self.req(key)? {
            Value::Number(Number::Int(n)) if *n >= 0 => Ok(*n as u64),
            Value::Number(Number::Int(_)) => err(self.path(key), Problem::BelowMinimum { min: 0 }),
            _ => err(self.path(key), Problem::JsonType { expected: "an integer" }),
        }
    }

    pub(crate) fn parse_str<T, E: Into<Problem>>(
        &self,
        key: &str,
        f: impl FnOnce(&str) -> Result<T, E>,
    ) -> DocResult<T> {
        let s = self.str(key)?;
        f(s).map_err(|e| DocumentError::Member { path: self.path(key), problem: e.into() })
    }

    pub(crate) fn opt_parse_str<T, E: Into<Problem>>(
        &self,
        key: &str,
        f: impl FnOnce(&str) -> Result<T, E>,
    ) -> DocResult<Option<T>> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => f(s).map(Some).map_err(|e| DocumentError::Member { path: self.path(key), problem: e.into() }),
        }
    }

    pub(crate) fn digest(&self, key: &str) -> DocResult<Sha256Digest> {
        self.parse_str(key, Sha256Digest::from_hex)
    }

    pub(crate) fn time(&self, key: &str) -> DocResult<Timestamp> {
        self.parse_str(key, Timestamp::parse)
    }

    /// A timestamp or `null` (the member itself is required).
    pub(crate) fn time_or_null(&self, key: &str) -> DocResult<Option<Timestamp>> {
        match self.req(key)? {
            Value::Null => Ok(None),
            Value::String(s) => Timestamp::parse(s)
                .map(Some)
                .map_err(|e| DocumentError::Member { path: self.path(key), problem: e.into() }),
            _ => err(self.path(key), Problem::JsonType { expected: "a timestamp string or null" }),
        }
    }

    pub(crate) fn array(&self, key: &str) -> DocResult<&'a [Value]> {
        match self.req(key)? {
            Value::Array(a) => Ok(a),
            _ => err(self.path(key), Problem::JsonType { expected: "an array" }),
        }
    }

    /// Checks the `type` member.
    pub(crate) fn expect_type(&self, expected: &'static str) -> DocResult<()> {
        let t = self.str("type")?;
        if t != expected {
            return err(self.path("type"), Problem::DocumentType { expected, found: t.to_string() });
        }
        Ok(())
    }
}

/// The signing message `M(D)` of a document object with type `doc_type`.
pub fn signing_message(doc_type: &str, obj: &Object) -> Vec<u8> {
    let mut out = Vec::with_capacity(doc_type.len() + 1 + 1024);
    out.extend_from_slice(doc_type.as_bytes());
    out.push(0);
    attest_json::canonicalize_object_without(obj, &SIGNATURE_MEMBERS, &mut out);
    out
}

/// `digest(D) = SHA-256(M(D))`.
pub fn document_digest(doc_type: &str, obj: &Object) -> Sha256Digest {
    sha256(&signing_message(doc_type, obj))
}

/// The `type` member of a parsed document, if it has one.
pub fn document_type(v: &Value) -> Option<&str> {
    match v {
        Value::Object(o) => match o.get("type") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// A parsed document's signing message and digest, computed by the parser
/// (never settable from outside this crate).
#[derive(Debug, Clone)]
pub struct Signed {
    message: Vec<u8>,
    digest: Sha256Digest,
}

impl Signed {
    /// `M(D)`.
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    /// `digest(D) = SHA-256(M(D))`.
    pub fn digest(&self) -> Sha256Digest {
        self.digest
    }

    pub(crate) fn of(doc_type: &str, obj: &Object) -> Self {
        let message = signing_message(doc_type, obj);
        let digest = sha256(&message);
        Self { message, digest }
    }
}
