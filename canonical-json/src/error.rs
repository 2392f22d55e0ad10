//! Parse errors.

use core::fmt;

/// Longest number literal copied into an error; longer ones are cut and end
/// in `...`.
pub(crate) const MAX_LITERAL_IN_ERROR: usize = 40;

/// Why [`parse`](crate::parse) rejected its input, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// Byte offset into the input where the error was detected (0-based).
    /// For [`ParseErrorKind::TooLarge`] this is 0.
    pub offset: usize,
    /// Line of `offset`, 1-based; lines end at `\n`.
    pub line: usize,
    /// Column of `offset`, 1-based, counted in Unicode characters from the
    /// start of the line.
    pub column: usize,
    /// The member where the error was found, in the form `$`,
    /// `$.decision.reason`, `$.keys[2].publicKey`, `$["a b"]`. For a
    /// duplicate key and other errors between members it is the path of the
    /// enclosing object or array.
    pub path: String,
}

/// The kind of a [`ParseError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input is longer than [`Limits::max_bytes`](crate::Limits::max_bytes).
    TooLarge {
        /// Length of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Containers are nested deeper than
    /// [`Limits::max_depth`](crate::Limits::max_depth).
    TooDeep {
        /// The effective depth limit.
        limit: usize,
    },
    /// The input is not valid UTF-8 (including overlong forms, encoded
    /// surrogates and code points above U+10FFFF).
    InvalidUtf8,
    /// A `\u` escape of a UTF-16 surrogate that is not part of a
    /// high-then-low pair.
    LoneSurrogate,
    /// An object has two members with the same (decoded) key.
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// An integer literal (no fraction, no exponent) outside ±(2^53 − 1).
    IntegerOutOfRange {
        /// The literal as written (cut after 40 characters).
        literal: String,
    },
    /// A number literal whose correctly rounded double value is infinite.
    NumberNotFinite {
        /// The literal as written (cut after 40 characters).
        literal: String,
    },
    /// A byte that the JSON grammar does not allow here.
    Syntax {
        /// What was expected instead.
        expected: &'static str,
    },
    /// The input ended before the value was complete.
    UnexpectedEnd {
        /// What was expected instead.
        expected: &'static str,
    },
    /// A string contains an unescaped control character (U+0000–U+001F).
    ControlCharacter {
        /// The character's value.
        byte: u8,
    },
    /// A backslash escape that JSON does not define, or a `\u` escape
    /// without four hex digits.
    InvalidEscape,
    /// Something other than whitespace follows the value.
    TrailingData,
    /// The input starts with a UTF-8 byte order mark (EF BB BF).
    ByteOrderMark,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::TooLarge { limit, .. } => {
                // The size is not shown: a caller may have read only one byte past the limit.
                if *limit >= 1 << 20 && limit % (1 << 20) == 0 {
                    write!(f, "input is larger than the {} MiB limit", limit >> 20)
                } else {
                    write!(f, "input is larger than the {limit}-byte limit")
                }
            }
            ParseErrorKind::TooDeep { limit } => {
                write!(f, "nesting is deeper than the limit of {limit} levels")
            }
            ParseErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8"),
            ParseErrorKind::LoneSurrogate => f.write_str("unpaired UTF-16 surrogate in \\u escape"),
            ParseErrorKind::DuplicateKey { key } => {
                f.write_str("duplicate key ")?;
                write_quoted(f, key)
            }
            ParseErrorKind::IntegerOutOfRange { literal } => {
                write!(f, "integer {literal} is outside the range ±(2^53-1) and is not rounded")
            }
            ParseErrorKind::NumberNotFinite { literal } => {
                write!(f, "number {literal} is too large for a 64-bit float")
            }
            ParseErrorKind::Syntax { expected } => write!(f, "syntax error: expected {expected}"),
            ParseErrorKind::UnexpectedEnd { expected } => {
                write!(f, "unexpected end of input: expected {expected}")
            }
            ParseErrorKind::ControlCharacter { byte } => {
                write!(f, "unescaped control character U+{byte:04X} in string")
            }
            ParseErrorKind::InvalidEscape => f.write_str("invalid escape sequence in string"),
            ParseErrorKind::TrailingData => f.write_str("trailing data after the JSON value"),
            ParseErrorKind::ByteOrderMark => {
                f.write_str("byte order mark at start of input (UTF-8 without BOM required)")
            }
        }
    }
}

impl fmt::Display for ParseError {
    /// For example `duplicate key "a" at $.decision (line 3, column 5)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {} (line {}, column {})", self.kind, self.path, self.line, self.column)
    }
}

impl std::error::Error for ParseError {}

/// Writes `s` as a JSON string literal (canonical escaping).
pub(crate) fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    let mut buf = Vec::with_capacity(s.len() + 2);
    crate::canon::write_string(s, &mut buf);
    f.write_str(&String::from_utf8_lossy(&buf))
}

/// Copies a number literal for an error message, cut to a bounded length.
pub(crate) fn literal_for_error(bytes: &[u8]) -> String {
    if bytes.len() <= MAX_LITERAL_IN_ERROR {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        let mut s = String::from_utf8_lossy(bytes.get(..MAX_LITERAL_IN_ERROR).unwrap_or(bytes)).into_owned();
        s.push_str("...");
        s
    }
}
