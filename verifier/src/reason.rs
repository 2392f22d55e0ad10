//! The one registry of stable reason codes.
//!
//! Every failed check carries a [`Reason`]: a stable, kebab-case string that
//! the CLI (`[reason]` and `--format json`), the WASM module, the golden
//! vectors (`reason`) and the contract's custom errors
//! ([`CONTRACT_ERRORS`]) share. Reasons keep their meaning once published;
//! new ones may be added. `docs/spec.md` lists every one (a test checks it).

use core::fmt;

use serde::Serialize;

use crate::report::CheckId;

// A reason may carry `#[cfg(feature = "…")]` after its doc comment: it then
// exists only in builds with that feature (the `tee` reasons: the core WASM
// module never gives them and has no room for their strings).
macro_rules! reasons {
    ($( $(#[doc = $doc:literal])* $(#[cfg($cfg:meta)])? $variant:ident = $text:literal, )*) => {
        /// A stable reason code of a failed check.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Reason {
            $( $(#[doc = $doc])* $(#[cfg($cfg)])? $variant, )*
        }

        impl Reason {
            /// Every reason, in registry order.
            pub const ALL: &'static [Reason] = &[ $( $(#[cfg($cfg)])? Reason::$variant, )* ];

            /// The stable string.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $(#[cfg($cfg)])? Reason::$variant => $text, )*
                }
            }
        }
    };
}

reasons! {
    // --- parse: the document itself (JSON, §0) ---
    /// The document exceeds the size limit (16 MiB).
    TooLarge = "too-large",
    /// Nesting deeper than the limit (128).
    TooDeep = "too-deep",
    /// Bytes that are not UTF-8.
    InvalidUtf8 = "invalid-utf8",
    /// A `\u` escape of an unpaired UTF-16 surrogate.
    LoneSurrogate = "lone-surrogate",
    /// The same key twice in one object.
    DuplicateKey = "duplicate-key",
    /// An integer outside ±(2^53−1).
    IntegerOutOfRange = "integer-out-of-range",
    /// A number that is not finite.
    NumberNotFinite = "number-not-finite",
    /// Not JSON: syntax, bad escape, control character, unexpected end.
    Syntax = "syntax",
    /// Bytes after the JSON value.
    TrailingData = "trailing-data",
    /// A leading byte-order mark.
    ByteOrderMark = "byte-order-mark",
    // --- parse: members of our documents ---
    /// A required member is absent.
    MissingMember = "missing-member",
    /// A member the document type does not define.
    UnknownMember = "unknown-member",
    /// A member of the wrong JSON type.
    WrongJsonType = "wrong-json-type",
    /// The `type` member names another document type.
    WrongDocumentType = "wrong-document-type",
    /// Bad hex, base64 or address encoding.
    BadEncoding = "bad-encoding",
    /// Not an RFC 3339 UTC timestamp.
    BadTimestamp = "bad-timestamp",
    /// An empty string where text is required.
    EmptyString = "empty-string",
    /// A number outside its allowed range (negative, zero where ≥ 1 is required).
    OutOfRange = "out-of-range",
    /// Two times in the wrong order (`expiresAt ≤ issuedAt`, `validUntil ≤ validFrom`).
    TimeOrder = "time-order",
    /// A value that must be unique occurs twice (keyId, role, bundle path).
    Duplicate = "duplicate",
    /// A list that must be sorted is not.
    Unsorted = "unsorted",
    /// A bundle path breaks the path rules of formats.md §2.
    BadPath = "bad-path",
    /// A value outside its enumeration (algorithm, role, execution_state, record kind).
    UnknownValue = "unknown-value",
    /// A `keyId` that is not the SHA-256 of its key.
    KeyIdMismatch = "key-id-mismatch",
    /// An `address` that is not the key's address.
    AddressMismatch = "address-mismatch",
    /// A public key that is not a valid, canonical, prime-order point.
    InvalidKey = "invalid-key",
    /// A list that must not be empty is empty.
    EmptyList = "empty-list",
    /// Any other structural rule of the document kind (named in the detail).
    Malformed = "malformed",
    /// No `type`, or a type this verifier does not know.
    UnknownType = "unknown-type",
    /// A known document type that is not verified on its own.
    NotVerifiable = "not-verifiable",
    // --- trust-root ---
    /// No trust root was given.
    NoTrustRoot = "no-trust-root",
    /// No pinned root key was given.
    NoPinnedKey = "no-pinned-key",
    /// The first document lacks enough pinned root signatures.
    NotAnchored = "not-anchored",
    /// A version is not the previous plus one.
    VersionSequence = "version-sequence",
    /// `previousDigest` does not name the previous document.
    PreviousDigest = "previous-digest",
    /// Too few signatures from the previous document's root keys.
    RotationThreshold = "rotation-threshold",
    /// Too few signatures from the document's own root keys.
    Threshold = "threshold",
    /// The newest trust root is expired.
    Expired = "expired",
    /// The newest trust root is below the rollback floor.
    Rollback = "rollback",
    /// A trust-root document given as the subject is not the newest of the chain.
    NotInChain = "not-in-chain",
    // --- signer and keys ---
    /// No key with this id.
    UnknownKey = "unknown-key",
    /// The key lacks the role.
    WrongRole = "wrong-role",
    /// The key has another algorithm.
    WrongAlgorithm = "wrong-algorithm",
    /// The key is revoked.
    KeyRevoked = "key-revoked",
    /// The document time is outside the key's window.
    KeyWindow = "key-window",
    /// `signerKeyId` is not the delegated ephemeral key.
    SignerMismatch = "signer-mismatch",
    /// The document's time lies further after `now` than the allowed clock skew.
    IssuedInFuture = "issued-in-future",
    // --- signatures ---
    /// A signature that is not canonical base64 / hex of the right length.
    SignatureEncoding = "signature-encoding",
    /// An Ed25519 signature that does not verify.
    BadSignature = "bad-signature",
    // --- delegation and on-chain (contract codes 1–10) ---
    /// The master is not a usable attestor-master key.
    MasterUntrusted = "master-untrusted",
    /// The master key is revoked.
    MasterRevoked = "master-revoked",
    /// The master key is outside its window.
    MasterWindow = "master-window",
    /// The delegation's contextHash is not the attestation's.
    ContextMismatch = "context-mismatch",
    /// `issuedAt` outside `[notBefore, notAfter)`.
    DelegationWindow = "delegation-window",
    /// ECDSA s in the upper half.
    HighS = "high-s",
    /// No signer can be recovered.
    InvalidSignature = "invalid-signature",
    /// The recovered signer is not the expected one.
    WrongSigner = "wrong-signer",
    /// `onchainSignature` without `onchainDomain`.
    MissingDomain = "missing-domain",
    /// An attestation signature without the delegation's `ephemeralAddress`.
    Incomplete = "incomplete",
    /// A time that cannot be a uint64 of Unix seconds.
    TimeRange = "time-range",
    /// The contract already consumed this execution (contract code 10).
    AlreadyConsumed = "already-consumed",
    // --- fingerprint, runtime, version ---
    /// `signalsHash` ≠ `execution_fingerprint` or `evaluatorHash` ≠ `evaluatorSemanticHash`.
    AliasMismatch = "alias-mismatch",
    /// The signals do not hash to the fingerprint.
    FingerprintMismatch = "fingerprint-mismatch",
    /// The signals file is not strict JSON.
    SignalsMalformed = "signals-malformed",
    /// The runtime is not listed in the trust root.
    UnlistedRuntime = "unlisted-runtime",
    /// `trustRootVersion` is not a decimal version.
    MalformedVersion = "malformed-version",
    /// `trustRootVersion` is newer than the newest verified trust root.
    VersionAhead = "version-ahead",
    // --- bundle ---
    /// `bundleHash` is not SHA-256(C(files)).
    BundleHash = "bundle-hash",
    /// A symlink in the bundle.
    Symlink = "symlink",
    /// A non-regular entry in the bundle.
    NotRegular = "not-regular",
    /// A file the manifest does not list.
    UnlistedFile = "unlisted-file",
    /// A listed file is absent.
    MissingFile = "missing-file",
    /// A file of another size.
    SizeMismatch = "size-mismatch",
    /// A file with another hash.
    HashMismatch = "hash-mismatch",
    /// The attestation names another bundle.
    BindingMismatch = "binding-mismatch",
    // --- output ---
    /// The output does not hash to outputHash.
    OutputMismatch = "output-mismatch",
    /// `--output` given but no outputHash bound.
    NoOutputHash = "no-output-hash",
    // --- network (formats.md §5; the rule ids) ---
    /// `--network` given but no networkSummaryHash bound.
    NoNetworkHash = "no-network-hash",
    /// A log record is malformed.
    MalformedRecord = "malformed-record",
    /// `seq` is not contiguous from 0.
    Seq = "seq",
    /// `at` decreases.
    Order = "order",
    /// A response names no earlier unanswered request.
    Binding = "binding",
    /// A request is not https.
    Https = "https",
    /// TLS facts absent on https or present on http.
    Tls = "tls",
    /// A request's host has no earlier dns record.
    Dns = "dns",
    /// A host is not in the allow list.
    AllowHost = "allow-host",
    /// The log does not recompute the attested summary.
    Summary = "summary",
    // --- replay (batch) ---
    /// An executionId seen before in the batch.
    RepeatedExecutionId = "repeated-execution-id",
    /// An ephemeral key that signed another execution in the batch.
    ReusedEphemeralKey = "reused-ephemeral-key",
    /// The same heartbeat (digest) seen before in the batch.
    RepeatedHeartbeat = "repeated-heartbeat",
    /// A heartbeat `attestation_id` seen before in the batch, with other content.
    RepeatedAttestationId = "repeated-attestation-id",
    // --- heartbeats (formats.md §7) ---
    /// A heartbeat's timestamp lies more than `max_skew_seconds` after now.
    FromFuture = "from-future",
    /// A heartbeat's timestamp lies more than `max_age_seconds` before now.
    Stale = "stale",
    /// `policy_hash` differs from the heartbeat policy's.
    PolicyMismatch = "policy-mismatch",
    /// `zero_retention` or a pinned member differs from the policy's.
    PinnedMismatch = "pinned-mismatch",
    /// `current_usage` exceeds `max_epsilon`.
    EpsilonExceeded = "epsilon-exceeded",
    /// `blocked_requests` exceeds `total_requests`.
    BlockedExceedsTotal = "blocked-exceeds-total",
    /// A boot's first heartbeat does not have seq 0.
    SeqNotZero = "seq-not-zero",
    /// A seq that is not the previous plus one within a boot.
    SeqGap = "seq-gap",
    /// `previous` is not the SHA-256 of the boot's previous payload.
    ChainBroken = "chain-broken",
    /// Two consecutive heartbeats more than `max_gap_seconds` apart.
    GapExceeded = "gap-exceeded",
    /// The newest heartbeat is more than `max_gap_seconds` old at now.
    StreamMissing = "stream-missing",
    /// A configuration member changed between consecutive heartbeats.
    ConfigChanged = "config-changed",
    /// A counter or `uptime_seconds` decreased within a boot.
    CounterDecreased = "counter-decreased",
    // --- log-inclusion (formats.md §8, C2SP tlog-proof) ---
    /// The tlog-proof is not well-formed (header, index, hashes, blank line, checkpoint note).
    MalformedLogProof = "malformed-log-proof",
    /// The inclusion proof does not lead from the entry to the checkpoint's root (or the index is outside the tree).
    NotIncluded = "not-included",
    /// The `--witness-policy` is not a well-formed C2SP tlog-policy (strict: unknown keywords refused).
    MalformedWitnessPolicy = "malformed-witness-policy",
    /// The witness policy lists logs and the log key is not one of them.
    LogNotInPolicy = "log-not-in-policy",
    /// The checkpoint's valid witness cosignatures do not satisfy the policy's quorum.
    QuorumNotMet = "quorum-not-met",
    // --- fork evidence (formats.md §9); the last two also log-inclusion ---
    /// The two checkpoints are consistent (or one checkpoint twice): no split view is shown.
    NotAFork = "not-a-fork",
    /// The consistency proof has the wrong length or does not lead to checkpoint B's root.
    BadProof = "bad-proof",
    /// A checkpoint lacks a valid signature by the log key (the evidence's, or `--log-key`).
    BadLogSignature = "bad-log-signature",
    /// The log key's name, the evidence's `origin` and a checkpoint's origin line differ.
    OriginMismatch = "origin-mismatch",
    // --- Attesto Local Vault documents (formats.md §10, docs/spec.md §12) ---
    /// A float in an Attesto envelope, statement or evidence (only relay payloads may hold floats).
    FloatNotAllowed = "float-not-allowed",
    /// A receipt's `canonical_json_hex` is not hex(A(statement)).
    CanonicalMismatch = "canonical-mismatch",
    /// A receipt's top-level checkpoint member differs from its statement's.
    StatementMismatch = "statement-mismatch",
    /// `statement.key_epoch`, `signature.kid` and the key blocks' ids disagree.
    KidMismatch = "kid-mismatch",
    // --- expect (pinned claims) ---
    /// A pinned claim has another value in the document.
    ClaimMismatch = "claim-mismatch",
    /// A pinned field is not a claim of this document's kind.
    UnknownClaim = "unknown-claim",
    // --- report machinery ---
    /// A check outside the document kind's plan was recorded (a verifier bug; fails closed).
    UnplannedCheck = "unplanned-check",
    /// The caller required a check (`--require`) that was skipped or is not a check of the document kind.
    RequiredCheckSkipped = "required-check-skipped",
    // --- tee (TEE-bound keys, formats.md §11; last, so that builds without
    // the `tee` feature number the others as before) ---
    /// A TEE-bound key signed and no binding for it was given (`--tee-binding`).
    #[cfg(feature = "tee")]
    TeeBindingMissing = "tee-binding-missing",
    /// No quote verifier was given to the verification: a binding cannot be checked.
    #[cfg(feature = "tee")]
    TeeUnavailable = "tee-unavailable",
    /// A binding's key has no `tee` member in the trust root.
    #[cfg(feature = "tee")]
    NoTeePolicy = "no-tee-policy",
    /// The binding's, the policy's and the quote's platforms differ.
    #[cfg(feature = "tee")]
    PlatformMismatch = "platform-mismatch",
    /// The DCAP quote cannot be decoded or is of an unsupported version, vendor or key type.
    #[cfg(feature = "tee")]
    MalformedQuote = "malformed-quote",
    /// The collateral cannot be read.
    #[cfg(feature = "tee")]
    MalformedCollateral = "malformed-collateral",
    /// A collateral item is issued after `boundAt`.
    #[cfg(feature = "tee")]
    CollateralNotYetValid = "collateral-not-yet-valid",
    /// A collateral item's nextUpdate (or a certificate) lies before `boundAt`.
    #[cfg(feature = "tee")]
    CollateralExpired = "collateral-expired",
    /// The quote's QE report or TD/enclave report signature (or QE report hash) does not verify.
    #[cfg(feature = "tee")]
    BadQuoteSignature = "bad-quote-signature",
    /// A certificate chain, CRL, TCB info or QE identity signature does not chain to the root.
    #[cfg(feature = "tee")]
    BadCollateralSignature = "bad-collateral-signature",
    /// A certificate is revoked or the platform TCB is Revoked.
    #[cfg(feature = "tee")]
    TeeRevoked = "tee-revoked",
    /// No TCB level of the collateral matches the quote.
    #[cfg(feature = "tee")]
    NoTcbLevel = "no-tcb-level",
    /// TD attributes refused (migratable, service TD, SEPT_VE not disabled, reserved bits).
    #[cfg(feature = "tee")]
    TeeAttributes = "tee-attributes",
    /// The TCB status is not in the policy's `allowedTcbStatus`.
    #[cfg(feature = "tee")]
    TcbStatus = "tcb-status",
    /// A debug TD or enclave, and the policy does not allow debug.
    #[cfg(feature = "tee")]
    TeeDebug = "tee-debug",
    /// A measurement differs from the policy's.
    #[cfg(feature = "tee")]
    MeasurementMismatch = "measurement-mismatch",
    /// A PCK platform flag is set that the policy does not allow.
    #[cfg(feature = "tee")]
    PlatformFlag = "platform-flag",
    /// `report_data` does not bind the key (and nonce).
    #[cfg(feature = "tee")]
    ReportDataMismatch = "report-data-mismatch",
    /// The signed document's time (or now, for a binding alone) is outside `[boundAt, boundAt + maxBindingAgeSeconds]`.
    #[cfg(feature = "tee")]
    BindingAge = "binding-age",
}

impl Reason {
    /// The reason with this stable string.
    pub fn from_id(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One custom error of the Solidity verifier (`contracts/src/AttestVerifierLib.sol`
/// result codes) with the Rust check id and reason it mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractError {
    /// Result code of `tryVerifyDelegated`.
    pub code: u8,
    /// Custom error name.
    pub name: &'static str,
    /// The Rust check that reports the same failure.
    pub check: CheckId,
    /// The Rust reason.
    pub reason: Reason,
}

/// The contract's result codes 1–10, as the Rust verifier reports them.
pub const CONTRACT_ERRORS: &[ContractError] = &[
    ContractError {
        code: 1,
        name: "SignatureEncoding",
        check: CheckId::OnchainSignature,
        reason: Reason::SignatureEncoding,
    },
    ContractError { code: 2, name: "HighS", check: CheckId::OnchainSignature, reason: Reason::HighS },
    ContractError {
        code: 3,
        name: "InvalidSignature",
        check: CheckId::OnchainSignature,
        reason: Reason::InvalidSignature,
    },
    ContractError {
        code: 4,
        name: "MasterUntrusted",
        check: CheckId::OnchainSignature,
        reason: Reason::MasterUntrusted,
    },
    ContractError { code: 5, name: "MasterRevoked", check: CheckId::OnchainSignature, reason: Reason::MasterRevoked },
    ContractError {
        code: 6,
        name: "MasterOutsideWindow",
        check: CheckId::OnchainSignature,
        reason: Reason::MasterWindow,
    },
    ContractError {
        code: 7,
        name: "ContextMismatch",
        check: CheckId::OnchainSignature,
        reason: Reason::ContextMismatch,
    },
    ContractError {
        code: 8,
        name: "DelegationWindow",
        check: CheckId::OnchainSignature,
        reason: Reason::DelegationWindow,
    },
    ContractError { code: 9, name: "WrongSigner", check: CheckId::OnchainSignature, reason: Reason::WrongSigner },
    ContractError { code: 10, name: "AlreadyConsumed", check: CheckId::Replay, reason: Reason::AlreadyConsumed },
];

/// The contract error with this custom error name.
pub fn contract_error(name: &str) -> Option<&'static ContractError> {
    CONTRACT_ERRORS.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            assert!(seen.insert(r.as_str()), "{} twice", r.as_str());
            assert_eq!(Reason::from_id(r.as_str()), Some(*r));
            assert!(r.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        }
    }

    /// Every reason is documented in docs/spec.md (as `` `reason` ``).
    #[test]
    fn every_reason_is_in_the_spec() {
        let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/spec.md")).unwrap();
        let missing: Vec<&str> =
            Reason::ALL.iter().map(|r| r.as_str()).filter(|r| !spec.contains(&format!("`{r}`"))).collect();
        assert!(missing.is_empty(), "reasons missing from docs/spec.md: {missing:?}");
        for c in CheckId::ALL {
            assert!(spec.contains(&format!("`{}`", c.as_str())), "check id {} missing from docs/spec.md", c);
        }
    }

    /// The result-code table of the Solidity library maps each code to the same
    /// check id and reason as the Rust registry.
    #[test]
    fn solidity_table_matches_the_registry() {
        let sol =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../contracts/src/AttestVerifierLib.sol"))
                .unwrap();
        let mut rows = Vec::new();
        for line in sol.lines() {
            let cells: Vec<&str> =
                line.trim_start_matches([' ', '/']).split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
            if cells.len() == 5 {
                if let Ok(code) = cells[0].parse::<u8>() {
                    if code > 0 {
                        rows.push((code, cells[1].to_string(), cells[3].to_string(), cells[4].to_string()));
                    }
                }
            }
        }
        let expected: Vec<(u8, String, String, String)> = CONTRACT_ERRORS
            .iter()
            .map(|e| (e.code, e.name.to_string(), e.check.as_str().to_string(), e.reason.as_str().to_string()))
            .collect();
        assert_eq!(rows, expected);
        // Every error the contract declares is in the registry, with its code in the @dev line.
        for e in CONTRACT_ERRORS {
            let contract = std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../contracts/src/AttestationVerifier.sol"
            ))
            .unwrap();
            let dev = format!("Rust check `{}`, reason `{}`. Code {}.", e.check, e.reason, e.code);
            assert!(contract.contains(&dev), "AttestationVerifier.sol lacks {dev:?}");
            assert!(contract.contains(&format!("error {}(", e.name)), "no error {}", e.name);
        }
    }
}
