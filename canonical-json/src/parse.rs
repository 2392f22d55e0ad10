//! The strict parser.

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::hash::BuildHasher;

use crate::error::{literal_for_error, ParseError, ParseErrorKind};
use crate::value::{Number, Object, Value, MAX_SAFE_INTEGER};
use crate::Limits;

/// Objects with more members than this get a hash index for the duplicate
/// check, so that it stays linear in the number of members.
const LINEAR_DUP_CHECK: usize = 64;

/// Parses one JSON document under the strict rules of this crate (see the
/// crate documentation).
///
/// Never panics and never recurses: nesting is handled with an explicit
/// stack bounded by `limits.max_depth`.
pub fn parse(input: &[u8], limits: &Limits) -> Result<Value, ParseError> {
    if input.len() > limits.max_bytes {
        return Err(ParseError {
            kind: ParseErrorKind::TooLarge { size: input.len(), limit: limits.max_bytes },
            offset: 0,
            line: 1,
            column: 1,
            path: "$".to_owned(),
        });
    }
    // Validate all of the input as UTF-8 once. Parsing then runs on the
    // valid prefix; reaching its end before the end of the input means
    // the next byte starts an invalid sequence.
    let text = match core::str::from_utf8(input) {
        Ok(s) => s,
        Err(e) => core::str::from_utf8(input.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or_default(),
    };
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        input,
        pos: 0,
        max_depth: limits.effective_max_depth(),
        hasher: None,
        items: Vec::new(),
        members: Vec::new(),
    };
    if input.starts_with(b"\xEF\xBB\xBF") {
        return Err(p.error(ParseErrorKind::ByteOrderMark, 0, &[], false));
    }
    p.document()
}

/// An open container. Its elements or members so far live on the shared
/// scratch stacks (`Parser::items`, `Parser::members`) from `start` on, so
/// that each container is allocated once, with its exact size, when it
/// closes.
enum Frame {
    Array {
        start: usize,
    },
    Object {
        start: usize,
        /// The key of the member whose value is being parsed.
        key: String,
        /// Hashes of all keys so far, once the object is large.
        index: Option<HashSet<u64>>,
    },
}

struct Parser<'a> {
    text: &'a str,
    /// The valid UTF-8 prefix of the input (`text` as bytes).
    bytes: &'a [u8],
    input: &'a [u8],
    pos: usize,
    max_depth: usize,
    hasher: Option<RandomState>,
    /// Elements of all open arrays.
    items: Vec<Value>,
    /// Members of all open objects.
    members: Vec<(String, Value)>,
}

/// What to do after a value has been attached to its container.
enum Next {
    Value,
    Close,
}

impl Parser<'_> {
    fn document(&mut self) -> Result<Value, ParseError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // State: a value is expected.
            self.skip_ws();
            let mut value = match self.peek() {
                Some(b'[') | Some(b'{') if stack.len() >= self.max_depth => {
                    return Err(self.error(ParseErrorKind::TooDeep { limit: self.max_depth }, self.pos, &stack, true));
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        if self.items.capacity() == 0 {
                            self.items.reserve(16);
                        }
                        stack.push(Frame::Array { start: self.items.len() });
                        continue;
                    }
                }
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Object(Object::new())
                    } else {
                        if self.members.capacity() == 0 {
                            self.members.reserve(32);
                        }
                        stack.push(Frame::Object { start: self.members.len(), key: String::new(), index: None });
                        self.member_key(&mut stack)?;
                        continue;
                    }
                }
                Some(b'"') => Value::String(self.string(&stack, true)?),
                Some(b'-' | b'0'..=b'9') => Value::Number(self.number(&stack)?),
                Some(b't') => self.literal(b"true", Value::Bool(true), &stack)?,
                Some(b'f') => self.literal(b"false", Value::Bool(false), &stack)?,
                Some(b'n') => self.literal(b"null", Value::Null, &stack)?,
                _ => return Err(self.unexpected(self.pos, "a JSON value", &stack, true)),
            };
            // State: a value is complete; attach it, closing containers.
            loop {
                let next = match stack.last_mut() {
                    None => {
                        self.skip_ws();
                        if self.pos < self.input.len() {
                            let kind = if self.pos >= self.bytes.len() {
                                ParseErrorKind::InvalidUtf8
                            } else {
                                ParseErrorKind::TrailingData
                            };
                            return Err(self.error(kind, self.pos, &stack, false));
                        }
                        return Ok(value);
                    }
                    Some(Frame::Array { .. }) => {
                        self.items.push(value);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => Next::Value,
                            Some(b']') => Next::Close,
                            _ => return Err(self.unexpected(self.pos, "',' or ']'", &stack, false)),
                        }
                    }
                    Some(Frame::Object { key, .. }) => {
                        self.members.push((core::mem::take(key), value));
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => Next::Value,
                            Some(b'}') => Next::Close,
                            _ => return Err(self.unexpected(self.pos, "',' or '}'", &stack, false)),
                        }
                    }
                };
                self.pos += 1;
                match next {
                    Next::Value => {
                        if matches!(stack.last(), Some(Frame::Object { .. })) {
                            self.member_key(&mut stack)?;
                        }
                        break;
                    }
                    Next::Close => {
                        value = match stack.pop() {
                            Some(Frame::Array { start }) => Value::Array(self.items.drain(start..).collect()),
                            Some(Frame::Object { start, .. }) => {
                                Value::Object(Object::from_vec_unchecked(self.members.drain(start..).collect()))
                            }
                            None => Value::Null, // not reachable: the stack was not empty
                        };
                    }
                }
            }
        }
    }

    /// Reads `"key" :` of the innermost object frame, checking for
    /// duplicates.
    fn member_key(&mut self, stack: &mut [Frame]) -> Result<(), ParseError> {
        self.skip_ws();
        let key_start = self.pos;
        if self.peek() != Some(b'"') {
            return Err(self.unexpected(self.pos, "a string (object key)", stack, false));
        }
        let key = self.string(stack, false)?;
        let duplicate = match stack.last_mut() {
            Some(Frame::Object { start, index, .. }) => self.is_duplicate(*start, index, &key),
            _ => false,
        };
        if duplicate {
            return Err(self.error(ParseErrorKind::DuplicateKey { key }, key_start, stack, false));
        }
        if let Some(Frame::Object { key: k, .. }) = stack.last_mut() {
            *k = key;
        }
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected(self.pos, "':'", stack, true));
        }
        self.pos += 1;
        Ok(())
    }

    /// Whether `key` is among the members of the object whose members
    /// start at `start` on the scratch stack.
    fn is_duplicate(&mut self, start: usize, index: &mut Option<HashSet<u64>>, key: &str) -> bool {
        let members = self.members.get(start..).unwrap_or_default();
        if members.len() < LINEAR_DUP_CHECK {
            return members.iter().any(|(k, _)| k == key);
        }
        let hasher = self.hasher.get_or_insert_with(RandomState::new);
        let index = index.get_or_insert_with(|| members.iter().map(|(k, _)| hasher.hash_one(k.as_str())).collect());
        if index.insert(hasher.hash_one(key)) {
            false
        } else {
            // A 64-bit keyed hash collision, or a real duplicate.
            members.iter().any(|(k, _)| k == key)
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&c) = self.bytes.get(self.pos) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// Parses a string starting at the opening quote at `self.pos`.
    /// `inner` says whether the error path includes the current member.
    fn string(&mut self, stack: &[Frame], inner: bool) -> Result<String, ParseError> {
        let start = self.pos + 1;
        let mut i = crate::scan::plain_run(self.bytes, start);
        // Fast path: no escapes.
        if self.bytes.get(i) == Some(&b'"') {
            self.pos = i + 1;
            return Ok(self.slice(start, i, stack, inner)?.to_owned());
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(self.slice(start, i, stack, inner)?);
        loop {
            match self.bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    i = self.escape(i, &mut out, stack, inner)?;
                }
                Some(&c) => return Err(self.error(ParseErrorKind::ControlCharacter { byte: c }, i, stack, inner)),
                None => return Err(self.end_error(i, "'\"' (end of string)", stack, inner)),
            }
            let run_start = i;
            i = crate::scan::plain_run(self.bytes, i);
            out.push_str(self.slice(run_start, i, stack, inner)?);
        }
    }

    /// `text[a..b]`; both ends are always at ASCII bytes or at the end of
    /// the valid prefix, so this does not fail in practice.
    fn slice(&self, a: usize, b: usize, stack: &[Frame], inner: bool) -> Result<&str, ParseError> {
        match self.text.get(a..b) {
            Some(s) => Ok(s),
            None => Err(self.error(ParseErrorKind::InvalidUtf8, a, stack, inner)),
        }
    }

    /// Decodes the escape at `i` (a backslash) into `out`; returns the index
    /// after it.
    fn escape(&self, i: usize, out: &mut String, stack: &[Frame], inner: bool) -> Result<usize, ParseError> {
        let c = match self.bytes.get(i + 1) {
            Some(&c) => c,
            None => return Err(self.end_error(i + 1, "an escape character", stack, inner)),
        };
        let simple = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4(i, stack, inner)?;
                let (ch, len) = match hi {
                    0xD800..=0xDBFF => {
                        // Needs a following \uDC00..\uDFFF.
                        let j = i + 6;
                        if self.bytes.get(j) == Some(&b'\\') && self.bytes.get(j + 1) == Some(&b'u') {
                            let lo = self.hex4(j, stack, inner)?;
                            if (0xDC00..=0xDFFF).contains(&lo) {
                                let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                (char::from_u32(cp), 12)
                            } else {
                                (None, 0)
                            }
                        } else if j >= self.bytes.len()
                            || (self.bytes.get(j) == Some(&b'\\') && j + 1 >= self.bytes.len())
                        {
                            let at = if j < self.bytes.len() { j + 1 } else { j };
                            return Err(self.end_error(at, "'\\u' (low surrogate)", stack, inner));
                        } else {
                            (None, 0)
                        }
                    }
                    _ => (char::from_u32(hi), 6),
                };
                return match ch {
                    Some(ch) => {
                        out.push(ch);
                        Ok(i + len)
                    }
                    // Lone high or low surrogate.
                    None => Err(self.error(ParseErrorKind::LoneSurrogate, i, stack, inner)),
                };
            }
            _ => return Err(self.error(ParseErrorKind::InvalidEscape, i, stack, inner)),
        };
        out.push(simple);
        Ok(i + 2)
    }

    /// The four hex digits of the `\u` escape whose backslash is at `i`.
    fn hex4(&self, i: usize, stack: &[Frame], inner: bool) -> Result<u32, ParseError> {
        let mut v = 0u32;
        for k in 0..4 {
            let d = match self.bytes.get(i + 2 + k) {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                Some(_) => return Err(self.error(ParseErrorKind::InvalidEscape, i, stack, inner)),
                None => return Err(self.end_error(i + 2 + k, "a hex digit", stack, inner)),
            };
            v = (v << 4) | u32::from(d);
        }
        Ok(v)
    }

    fn number(&mut self, stack: &[Frame]) -> Result<Number, ParseError> {
        let b = self.bytes;
        let start = self.pos;
        let mut i = start;
        let negative = b.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let int_start = i;
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while matches!(b.get(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            Some(_) => return Err(self.unexpected(i, "a digit", stack, true)),
            None => return Err(self.end_error(i, "a digit", stack, true)),
        }
        let int_end = i;
        let mut float = false;
        if b.get(i) == Some(&b'.') {
            float = true;
            i += 1;
            i = self.digits(i, stack)?;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            float = true;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = self.digits(i, stack)?;
        }
        if !float && b.get(int_start) == Some(&b'0') && matches!(b.get(i), Some(b'0'..=b'9')) {
            return Err(self.unexpected(i, "the end of the number (leading zeros are not allowed)", stack, true));
        }
        let literal = b.get(start..i).unwrap_or_default();
        self.pos = i;
        if !float {
            let digits = b.get(int_start..int_end).unwrap_or_default();
            // 16 digits always fit in a u64; 17 or more (no leading zeros)
            // are at least 10^16 > 2^53 - 1.
            if digits.len() <= 16 {
                let mut v: i64 = 0;
                for &d in digits {
                    v = v * 10 + i64::from(d - b'0');
                }
                if v <= MAX_SAFE_INTEGER {
                    return Ok(Number::Int(if negative { -v } else { v }));
                }
            }
            return Err(self.error(
                ParseErrorKind::IntegerOutOfRange { literal: literal_for_error(literal) },
                start,
                stack,
                true,
            ));
        }
        // The grammar has been checked; the parser rounds correctly (any
        // number of digits, any exponent).
        let f = crate::float::parse_f64(literal);
        match f {
            Some(f) if f.is_finite() => Ok(Number::Float(f)),
            _ => Err(self.error(
                ParseErrorKind::NumberNotFinite { literal: literal_for_error(literal) },
                start,
                stack,
                true,
            )),
        }
    }

    /// One or more digits starting at `i`; returns the index after them.
    fn digits(&self, mut i: usize, stack: &[Frame]) -> Result<usize, ParseError> {
        match self.bytes.get(i) {
            Some(b'0'..=b'9') => {}
            Some(_) => return Err(self.unexpected(i, "a digit", stack, true)),
            None => return Err(self.end_error(i, "a digit", stack, true)),
        }
        while matches!(self.bytes.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        Ok(i)
    }

    fn literal(&mut self, word: &'static [u8], v: Value, stack: &[Frame]) -> Result<Value, ParseError> {
        let expected = match word {
            b"true" => "'true'",
            b"false" => "'false'",
            _ => "'null'",
        };
        for (k, &w) in word.iter().enumerate() {
            let i = self.pos + k;
            match self.bytes.get(i) {
                Some(&c) if c == w => {}
                Some(_) => return Err(self.unexpected(i, expected, stack, true)),
                None => return Err(self.end_error(i, expected, stack, true)),
            }
        }
        self.pos += word.len();
        Ok(v)
    }

    /// A byte that is not allowed at `i`: a syntax error, or invalid UTF-8
    /// if the valid prefix ends there.
    fn unexpected(&self, i: usize, expected: &'static str, stack: &[Frame], inner: bool) -> ParseError {
        if i >= self.bytes.len() {
            self.end_error(i, expected, stack, inner)
        } else {
            self.error(ParseErrorKind::Syntax { expected }, i, stack, inner)
        }
    }

    /// The valid prefix ends at `i`: the input is truncated, or the next
    /// byte starts an invalid UTF-8 sequence.
    fn end_error(&self, i: usize, expected: &'static str, stack: &[Frame], inner: bool) -> ParseError {
        if i < self.input.len() {
            self.error(ParseErrorKind::InvalidUtf8, i, stack, inner)
        } else {
            self.error(ParseErrorKind::UnexpectedEnd { expected }, i, stack, inner)
        }
    }

    /// Builds an error at byte `offset`. The path runs through every open
    /// container; `inner` says whether it includes the current position in
    /// the innermost one (the member or element being parsed).
    #[cold]
    fn error(&self, kind: ParseErrorKind, offset: usize, stack: &[Frame], inner: bool) -> ParseError {
        let offset = offset.min(self.input.len());
        let before = self.input.get(..offset).unwrap_or_default();
        let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
        let line_start = before.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
        let column = 1 + before.get(line_start..).unwrap_or_default().iter().filter(|&&c| c & 0xC0 != 0x80).count();
        let mut path = String::from("$");
        for (n, frame) in stack.iter().enumerate() {
            if n + 1 == stack.len() && !inner {
                break;
            }
            // The element count of a frame is the distance to the next
            // frame's start (or the top of the scratch stack).
            let next_start = |arrays: bool| {
                stack
                    .get(n + 1..)
                    .unwrap_or_default()
                    .iter()
                    .find_map(|f| match (f, arrays) {
                        (Frame::Array { start }, true) => Some(*start),
                        (Frame::Object { start, .. }, false) => Some(*start),
                        _ => None,
                    })
                    .unwrap_or(if arrays { self.items.len() } else { self.members.len() })
            };
            match frame {
                Frame::Array { start } => {
                    let _ = write!(path, "[{}]", next_start(true).saturating_sub(*start));
                }
                Frame::Object { key, .. } => push_key(&mut path, key),
            }
        }
        ParseError { kind, offset, line, column, path }
    }
}

/// Appends `.key`, or `["key"]` when the key is not an identifier.
pub(crate) fn push_key(path: &mut String, key: &str) {
    let mut chars = key.chars();
    let identifier = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        path.push('.');
        path.push_str(key);
    } else {
        let mut buf = Vec::with_capacity(key.len() + 2);
        crate::canon::write_string(key, &mut buf);
        path.push('[');
        path.push_str(&String::from_utf8_lossy(&buf));
        path.push(']');
    }
}
