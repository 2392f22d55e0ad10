//! Strict JSON parsing and RFC 8785 (JCS) canonicalization for attest.
//!
//! ```
//! use attest_json::{parse, to_canonical_vec, Limits};
//!
//! let v = parse(br#"{"b": 1.50, "a": "\u00e9"}"#, &Limits::default())?;
//! assert_eq!(to_canonical_vec(&v), r#"{"a":"é","b":1.5}"#.as_bytes());
//! # Ok::<(), attest_json::ParseError>(())
//! ```
//!
//! # What the parser accepts
//!
//! Exactly the JSON grammar of RFC 8259, with these project decisions
//! (formats §0). Each rejection is a [`ParseError`] with a
//! [`ParseErrorKind`], a byte offset, a line and column, and a path such as
//! `$.keys[2].publicKey`.
//!
//! - **Encoding.** The input must be UTF-8. Invalid UTF-8 anywhere is
//!   rejected ([`ParseErrorKind::InvalidUtf8`]), including overlong
//!   encodings, encoded surrogates (`ED A0 80`), code points above U+10FFFF
//!   and truncated sequences. UTF-16 and Latin-1 inputs are therefore
//!   rejected. A leading UTF-8 byte order mark is rejected
//!   ([`ParseErrorKind::ByteOrderMark`]).
//! - **Whitespace.** Only space, tab, line feed and carriage return, between
//!   tokens. Nothing but whitespace may follow the value
//!   ([`ParseErrorKind::TrailingData`]).
//! - **Strings.** Unescaped characters below U+0020 are rejected
//!   ([`ParseErrorKind::ControlCharacter`]); U+007F and all other characters
//!   are allowed literally. Only the eight JSON escapes and `\uXXXX` exist
//!   ([`ParseErrorKind::InvalidEscape`]). A `\u` escape of a surrogate must
//!   be a high surrogate (D800–DBFF) immediately followed by a `\u` escape of
//!   a low surrogate (DC00–DFFF); the pair is decoded to one character. A
//!   high surrogate without a low one, a low one alone, or an inverted pair
//!   is rejected ([`ParseErrorKind::LoneSurrogate`]). `\u0000` is allowed
//!   and decodes to U+0000. Strings are not Unicode-normalized.
//! - **Objects.** Duplicate keys are rejected at any depth
//!   ([`ParseErrorKind::DuplicateKey`]), comparing the decoded strings (so
//!   `"a"` and `"\u0061"` are duplicates). Members keep document order in
//!   [`Object`].
//! - **Numbers.** Strict JSON grammar: no leading `+`, no leading zeros, no
//!   `.5` or `5.`, no hex, no `NaN`/`Infinity`.
//!   - A literal without fraction and exponent is an integer,
//!     [`Number::Int`]. It must be within ±(2^53 − 1)
//!     ([`MAX_SAFE_INTEGER`]), else [`ParseErrorKind::IntegerOutOfRange`]; it
//!     is never rounded. `-0` is `Int(0)`.
//!   - A literal with a fraction or an exponent is a [`Number::Float`],
//!     the correctly rounded (round-half-to-even) IEEE 754 double. If that
//!     is infinite (`1e400`, `-1e400`) it is rejected
//!     ([`ParseErrorKind::NumberNotFinite`]). **Underflow is accepted**: a
//!     literal too small for a subnormal rounds to ±0 (`1e-400` is
//!     `Float(0.0)`), because that is what correct rounding gives, it is
//!     what ECMAScript `JSON.parse` does, and the result canonicalizes to
//!     `0` like any zero. `-0.0` is `Float(-0.0)`, which canonicalizes to
//!     `0`. Integral floats stay floats: `1.0` is `Float(1.0)` (canonical
//!     form `1`).
//!   - Literals of any length are parsed exactly; error messages quote at
//!     most 40 characters of a literal.
//! - **Limits** ([`Limits`]). An input longer than `max_bytes` (default
//!   16 MiB) is rejected before parsing ([`ParseErrorKind::TooLarge`],
//!   reported at offset 0). More than `max_depth` nested arrays/objects
//!   (default 128; `[]` is depth 1, a scalar depth 0) is rejected
//!   ([`ParseErrorKind::TooDeep`]). `max_depth` is capped at
//!   [`MAX_DEPTH_CAP`] (1024) because dropping, cloning, comparing or
//!   debug-printing a `Value` recurses (Rust's derived implementations).
//!
//! The parser never panics, has no recursion (an explicit stack), and keeps
//! the duplicate-key check linear (small objects scan, large ones hash).
//!
//! # Error positions
//!
//! `offset` is the 0-based byte offset where the error was detected; `line`
//! and `column` are 1-based, lines end at `\n`, columns count Unicode
//! characters. `path` names the member being parsed when the error was
//! found: `$` for the top level, `.name` for identifier keys (ASCII letter,
//! digit, `_`, `$`, not starting with a digit), `["a b"]` for other keys
//! (JSON string syntax), `[2]` for array elements. For a duplicate key, a
//! bad key string, or a bad separator between members, the path is that of
//! the enclosing object or array. [`ParseError`]'s `Display` reads like
//! `duplicate key "a" at $.decision (line 3, column 5)`.
//!
//! # Canonicalization (RFC 8785)
//!
//! [`canonicalize`] writes no whitespace; object members are sorted by the
//! UTF-16 code units of their keys (not by UTF-8 bytes: U+1F600 sorts before
//! U+E000), see [`cmp_utf16`]; strings are written with minimal escaping
//! (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other characters below U+0020
//! as `\u00xx` in lowercase hex, everything else, including U+007F and
//! `/`, as literal UTF-8); numbers are written as ECMAScript
//! `Number.prototype.toString` does: an `Int` as a plain integer, a `Float`
//! through `ryu-js` (shortest round-trip digits; `1e21` → `1e+21`,
//! `1e20` → `100000000000000000000`, `-0.0` → `0`, `1e-7` → `1e-7`,
//! `0.000001` → `0.000001`). [`canonicalize_object_without`] leaves out
//! named top-level members, which is how signing inputs are built.
//!
//! Values that the parser never produces are still written
//! deterministically: an `Int` outside ±(2^53 − 1) as the double it rounds
//! to, a non-finite `Float` as `null` (as `JSON.stringify` does).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod canon;
mod error;
mod float;
mod parse;
mod scan;
mod value;

pub use canon::{canonicalize, canonicalize_object_without, cmp_utf16, to_canonical_string, to_canonical_vec};
pub use error::{ParseError, ParseErrorKind};
pub use float::parse_f64;
pub use parse::parse;
pub use value::{DuplicateKey, Number, Object, Value, MAX_SAFE_INTEGER};

/// The largest nesting depth [`parse`] will allow, whatever
/// [`Limits::max_depth`] says. Deeper values could overflow the stack when
/// dropped, cloned, compared or debug-printed (those operations recurse;
/// measured: a debug build on a 2 MiB thread stack handles 2,000 levels).
pub const MAX_DEPTH_CAP: usize = 1024;

/// The default size limit of [`Limits`]: 16 MiB (formats.md §0).
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Size and depth limits of [`parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted input in bytes (default 16 MiB). Checked before
    /// parsing.
    pub max_bytes: usize,
    /// Deepest accepted nesting of arrays and objects (default 128; `[]` is
    /// depth 1). Values above [`MAX_DEPTH_CAP`] act as `MAX_DEPTH_CAP`.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_bytes: DEFAULT_MAX_BYTES, max_depth: 128 }
    }
}

impl Limits {
    pub(crate) fn effective_max_depth(&self) -> usize {
        self.max_depth.min(MAX_DEPTH_CAP)
    }
}
