//! Attesto's JSON: a strict parser that keeps integers exact, and the
//! canonical bytes `A(x)` (docs/spec.md §12.1).
//!
//! `A(x)` is Python's `json.dumps(x, ensure_ascii=False, sort_keys=True,
//! separators=(",", ":"))` as UTF-8, which is **not** RFC 8785:
//!
//! - object members sorted by code point (= UTF-8 byte order; JCS sorts by
//!   UTF-16 code units, so `"😀"` and `"\u{e000}"` swap);
//! - integers as their exact digits, of any size (`18446744073709551616`),
//!   `-0` as `0`; a literal of more than [`MAX_INT_DIGITS`] digits is refused,
//!   as Python's `json.loads` refuses it;
//! - floats as Python's `repr` ([`python_float_repr`]); where a float is not
//!   allowed ([`FloatRule::Refuse`]) it is an error;
//! - strings escaped as RFC 8785 does (`\"`, `\\`, `\b`, `\t`, `\n`, `\f`,
//!   `\r`, other characters below U+0020 as lowercase `\u00xx`, all else
//!   literal UTF-8).
//!
//! The parser follows formats.md §0 (UTF-8 only, no byte-order mark,
//! duplicate keys and lone surrogates refused, 16 MiB and 128 levels) and
//! reports [`attest_json::ParseError`]s, so a refused Attesto document fails
//! `parse` with the same reasons as any other document.

use attest_json::{ParseError, ParseErrorKind, DEFAULT_MAX_BYTES};

/// Deepest nesting accepted (as [`attest_json::Limits::default`]).
pub const MAX_DEPTH: usize = 128;

/// Longest integer literal accepted, in digits: Python's default
/// `sys.int_info.default_max_str_digits`, beyond which its `json.loads` fails.
pub const MAX_INT_DIGITS: usize = 4300;

/// A parsed Attesto JSON value. Integers keep their exact decimal text.
#[derive(Debug, Clone, PartialEq)]
pub enum AValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer literal, as canonical decimal digits (`-0` is `0`).
    Int(String),
    /// A literal with a fraction or an exponent: the correctly rounded double.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<AValue>),
    /// An object, members in document order, keys unique.
    Object(Vec<(String, AValue)>),
}

impl AValue {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, AValue)]> {
        match self {
            AValue::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&AValue> {
        self.as_object()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The JSON type's name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            AValue::Null => "null",
            AValue::Bool(_) => "a boolean",
            AValue::Int(_) => "an integer",
            AValue::Float(_) => "a float",
            AValue::Str(_) => "a string",
            AValue::Array(_) => "an array",
            AValue::Object(_) => "an object",
        }
    }

    /// The JSON path of the first float inside this value (`$` = this value), if any.
    pub fn first_float(&self, path: &str) -> Option<String> {
        match self {
            AValue::Float(_) => Some(path.to_string()),
            AValue::Array(items) => items.iter().enumerate().find_map(|(i, v)| v.first_float(&format!("{path}[{i}]"))),
            AValue::Object(members) => members.iter().find_map(|(k, v)| v.first_float(&member_path(path, k))),
            _ => None,
        }
    }
}

/// `path.key`, or `path["key"]` for keys that are not identifiers.
pub(crate) fn member_path(path: &str, key: &str) -> String {
    let ident = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        format!("{path}.{key}")
    } else {
        let mut quoted = String::new();
        write_string(&mut quoted, key);
        format!("{path}[{quoted}]")
    }
}

/// Whether a float may appear where `A` is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatRule {
    /// Envelopes, receipts and evidence: a float is an error.
    Refuse,
    /// Relay payloads (user data): written as Python's `repr`.
    PythonRepr,
}

/// `A(x)`: Attesto's canonical bytes of a value, or the path of a float
/// under [`FloatRule::Refuse`].
pub fn canonical(v: &AValue, floats: FloatRule) -> Result<Vec<u8>, String> {
    if floats == FloatRule::Refuse {
        if let Some(path) = v.first_float("$") {
            return Err(path);
        }
    }
    let mut out = String::new();
    write_value(&mut out, v);
    Ok(out.into_bytes())
}

fn write_value(out: &mut String, v: &AValue) {
    match v {
        AValue::Null => out.push_str("null"),
        AValue::Bool(true) => out.push_str("true"),
        AValue::Bool(false) => out.push_str("false"),
        AValue::Int(digits) => out.push_str(digits),
        AValue::Float(f) => out.push_str(&python_float_repr(*f)),
        AValue::Str(s) => write_string(out, s),
        AValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        AValue::Object(members) => {
            // Code-point order is UTF-8 byte order, which is `str`'s `Ord`.
            let mut sorted: Vec<&(String, AValue)> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `repr(float)` of a finite double: the shortest digits that read
/// back as the same double; positional when the decimal exponent `e` of
/// `d.ddd × 10^e` satisfies −4 ≤ e < 16 (with `.0` for integral values),
/// otherwise `d.ddde±XX` with at least two exponent digits (`1e-05`,
/// `1e+16`, `1.2345678901234568e+20`); `-0.0` keeps its sign. A non-finite
/// value (never produced by the parser) is written `NaN`/`inf` as Python would.
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let (digits, exp) = shortest_digits(f.abs());
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs());
    }
    let n = digits.len() as i32;
    let point = exp + 1; // digits before the decimal point
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point >= n {
        format!("{digits}{}.0", "0".repeat((point - n) as usize))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// The shortest round-trip decimal digits of a finite, non-negative double
/// and the exponent `e` of `d.ddd × 10^e`, read from ECMAScript's form
/// (ryu-js: `1e-7`, `0.000001`, `100`, `1.5e+300`).
fn shortest_digits(f: f64) -> (String, i32) {
    let mut buf = ryu_js::Buffer::new();
    let es = buf.format_finite(f);
    let (mantissa, exp) = match es.split_once('e') {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
        None => (es, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = format!("{int}{frac}");
    let lead = all.bytes().take_while(|&b| b == b'0').count();
    let digits = all.trim_start_matches('0').trim_end_matches('0');
    if digits.is_empty() {
        return ("0".to_string(), 0);
    }
    // The first significant digit sits at position `lead` of int‖frac; the point after `int`.
    let e = exp + int.len() as i32 - 1 - lead as i32;
    (digits.to_string(), e)
}

/// Parses Attesto JSON strictly (see the module documentation).
pub fn parse(input: &[u8]) -> Result<AValue, ParseError> {
    if input.len() > DEFAULT_MAX_BYTES {
        return Err(ParseError {
            kind: ParseErrorKind::TooLarge { size: input.len(), limit: DEFAULT_MAX_BYTES },
            offset: 0,
            line: 1,
            column: 1,
            path: "$".to_string(),
        });
    }
    let text = match core::str::from_utf8(input) {
        Ok(t) => t,
        Err(e) => return Err(error_at(input, e.valid_up_to(), ParseErrorKind::InvalidUtf8, "$")),
    };
    if text.starts_with('\u{feff}') {
        return Err(error_at(input, 0, ParseErrorKind::ByteOrderMark, "$"));
    }
    let mut p = Parser { s: text.as_bytes(), text, i: 0 };
    p.ws();
    let v = p.value(0, "$")?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err(ParseErrorKind::TrailingData, "$"));
    }
    Ok(v)
}

fn error_at(input: &[u8], offset: usize, kind: ParseErrorKind, path: &str) -> ParseError {
    let before = input.get(..offset).unwrap_or_default();
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default()).chars().count() + 1;
    ParseError { kind, offset, line, column, path: path.to_string() }
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, kind: ParseErrorKind, path: &str) -> ParseError {
        error_at(self.s, self.i, kind, path)
    }

    fn syntax(&self, expected: &'static str, path: &str) -> ParseError {
        match self.peek() {
            None => self.err(ParseErrorKind::UnexpectedEnd { expected }, path),
            Some(_) => self.err(ParseErrorKind::Syntax { expected }, path),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8, expected: &'static str, path: &str) -> Result<(), ParseError> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.syntax(expected, path))
        }
    }

    fn value(&mut self, depth: usize, path: &str) -> Result<AValue, ParseError> {
        match self.peek() {
            Some(b'{') | Some(b'[') if depth >= MAX_DEPTH => {
                Err(self.err(ParseErrorKind::TooDeep { limit: MAX_DEPTH }, path))
            }
            Some(b'{') => self.object(depth + 1, path),
            Some(b'[') => self.array(depth + 1, path),
            Some(b'"') => self.string(path).map(AValue::Str),
            Some(b'-' | b'0'..=b'9') => self.number(path),
            Some(b't') => self.word("true", AValue::Bool(true), path),
            Some(b'f') => self.word("false", AValue::Bool(false), path),
            Some(b'n') => self.word("null", AValue::Null, path),
            _ => Err(self.syntax("a JSON value", path)),
        }
    }

    fn word(&mut self, w: &'static str, v: AValue, path: &str) -> Result<AValue, ParseError> {
        if self.s.get(self.i..self.i + w.len()) == Some(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.syntax(w, path))
        }
    }

    fn object(&mut self, depth: usize, path: &str) -> Result<AValue, ParseError> {
        self.i += 1;
        let mut members: Vec<(String, AValue)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(AValue::Object(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.syntax("a string key", path));
            }
            let key_at = self.i;
            let key = self.string(path)?;
            if !seen.insert(key.clone()) {
                return Err(error_at(self.s, key_at, ParseErrorKind::DuplicateKey { key }, path));
            }
            self.ws();
            self.eat(b':', "':'", path)?;
            self.ws();
            let child = member_path(path, &key);
            let v = self.value(depth, &child)?;
            members.push((key, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(AValue::Object(members));
                }
                _ => return Err(self.syntax("',' or '}'", path)),
            }
        }
    }

    fn array(&mut self, depth: usize, path: &str) -> Result<AValue, ParseError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(AValue::Array(items));
        }
        loop {
            self.ws();
            let child = format!("{path}[{}]", items.len());
            items.push(self.value(depth, &child)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(AValue::Array(items));
                }
                _ => return Err(self.syntax("',' or ']'", path)),
            }
        }
    }

    fn hex4(&mut self, path: &str) -> Result<u32, ParseError> {
        let h = self.s.get(self.i..self.i + 4).and_then(|b| core::str::from_utf8(b).ok());
        match h.filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit())).and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err(self.err(ParseErrorKind::InvalidEscape, path)),
        }
    }

    fn string(&mut self, path: &str) -> Result<String, ParseError> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // `start..i` ends before an ASCII byte (or at the end), so on char boundaries.
            out.push_str(self.text.get(start..self.i).unwrap_or_default());
            match self.peek() {
                None => return Err(self.syntax("'\"'", path)),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let at = self.i;
                            let hi = self.hex4(path)?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                let lo = if self.s.get(self.i..self.i + 2) == Some(b"\\u") {
                                    self.i += 2;
                                    self.hex4(path)?
                                } else {
                                    0
                                };
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(error_at(self.s, at, ParseErrorKind::LoneSurrogate, path));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&hi) {
                                return Err(error_at(self.s, at, ParseErrorKind::LoneSurrogate, path));
                            } else {
                                hi
                            };
                            match char::from_u32(cp) {
                                Some(c) => out.push(c),
                                None => return Err(error_at(self.s, at, ParseErrorKind::LoneSurrogate, path)),
                            }
                            continue;
                        }
                        _ => return Err(self.err(ParseErrorKind::InvalidEscape, path)),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(b) => return Err(self.err(ParseErrorKind::ControlCharacter { byte: b }, path)),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self, path: &str) -> Result<AValue, ParseError> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        match self.digits() {
            0 => return Err(self.syntax("a digit", path)),
            n if n > 1 && self.s.get(int_start) == Some(&b'0') => {
                self.i = int_start + 1;
                return Err(self.err(ParseErrorKind::Syntax { expected: "no leading zero" }, path));
            }
            _ => {}
        }
        let int_end = self.i;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.syntax("a digit after '.'", path));
            }
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax("an exponent digit", path));
            }
            float = true;
        }
        let literal = self.text.get(start..self.i).unwrap_or_default();
        let short = || literal.chars().take(40).collect::<String>();
        if float {
            return match attest_json::parse_f64(literal.as_bytes()) {
                Some(f) if f.is_finite() => Ok(AValue::Float(f)),
                _ => Err(error_at(self.s, start, ParseErrorKind::NumberNotFinite { literal: short() }, path)),
            };
        }
        let digits = self.text.get(int_start..int_end).unwrap_or_default();
        if digits.len() > MAX_INT_DIGITS {
            return Err(error_at(self.s, start, ParseErrorKind::IntegerOutOfRange { literal: short() }, path));
        }
        Ok(AValue::Int(if negative && digits != "0" { format!("-{digits}") } else { digits.to_string() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str, rule: FloatRule) -> String {
        String::from_utf8(canonical(&parse(s.as_bytes()).unwrap(), rule).unwrap()).unwrap()
    }

    #[test]
    fn python_repr_of_floats() {
        for (input, want) in [
            ("1e-05", "1e-05"),
            ("0.00001", "1e-05"),
            ("1e16", "1e+16"),
            ("1e2", "100.0"),
            ("100.0", "100.0"),
            ("-0.0", "-0.0"),
            ("1.0", "1.0"),
            ("1.2345678901234568e+20", "1.2345678901234568e+20"),
            ("1e-07", "1e-07"),
            ("0.0001", "0.0001"),
            ("123456789012345.6", "123456789012345.6"),
            ("9999999999999998.0", "9999999999999998.0"),
            ("0.1", "0.1"),
            ("1.5e300", "1.5e+300"),
            ("5e-324", "5e-324"),
            ("-2.5e-10", "-2.5e-10"),
        ] {
            assert_eq!(a(input, FloatRule::PythonRepr), want, "{input}");
        }
    }

    #[test]
    fn float_repr_round_trips_and_is_shortest() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let f = f64::from_bits(x);
            if !f.is_finite() {
                continue;
            }
            let repr = python_float_repr(f);
            let back = attest_json::parse_f64(repr.as_bytes()).unwrap();
            assert_eq!(back.to_bits(), f.to_bits(), "{repr}");
            // As short as Rust's shortest form (which may round a tie the other way).
            let (digits, _) = shortest_digits(f.abs());
            let sci = format!("{:e}", f.abs());
            let rust_digits = sci.split_once('e').unwrap().0.chars().filter(char::is_ascii_digit).count();
            assert!(digits.len() <= rust_digits.max(1), "{repr} vs {sci}");
        }
        assert_eq!(python_float_repr(0.0), "0.0");
        assert_eq!(python_float_repr(1e22), "1e+22");
        assert_eq!(python_float_repr(123.456), "123.456");
        // A tie at 17 digits (exactly ...042.125): Python's repr rounds half to even, as ryu does;
        // Rust's `{:e}` gives ...042.13.
        assert_eq!(python_float_repr(1.6221497202904213e14), "162214972029042.12");
    }

    #[test]
    fn keys_by_code_point_and_exact_integers() {
        assert_eq!(
            a(r#"{"😀":1,"\ue000":2,"a":3,"｡":4}"#, FloatRule::Refuse),
            "{\"a\":3,\"\u{e000}\":2,\"｡\":4,\"😀\":1}"
        );
        assert_eq!(a("[18446744073709551616,-0,-12]", FloatRule::Refuse), "[18446744073709551616,0,-12]");
        assert_eq!(a(r#""\u0001\u007f/\u2028\"""#, FloatRule::Refuse), "\"\\u0001\u{7f}/\u{2028}\\\"\"");
    }

    #[test]
    fn floats_refused_where_not_allowed() {
        let v = parse(br#"{"a":{"b":[1,2.5]}}"#).unwrap();
        assert_eq!(canonical(&v, FloatRule::Refuse), Err("$.a.b[1]".to_string()));
    }

    #[test]
    fn strict_rejections() {
        let kind = |s: &[u8]| parse(s).unwrap_err().kind;
        assert!(matches!(kind(br#"{"a":1,"a":2}"#), ParseErrorKind::DuplicateKey { .. }));
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let dup = format!("{{{},\"k3\":0}}", many.join(","));
        assert!(matches!(kind(dup.as_bytes()), ParseErrorKind::DuplicateKey { key } if key == "k3"));
        assert!(parse(format!("{{{}}}", many.join(",")).as_bytes()).is_ok());
        assert!(matches!(kind(br#""\ud800""#), ParseErrorKind::LoneSurrogate));
        assert!(matches!(kind(br#""\udc00\ud800""#), ParseErrorKind::LoneSurrogate));
        assert!(matches!(kind(b"\xef\xbb\xbf{}"), ParseErrorKind::ByteOrderMark));
        assert!(matches!(kind(b"{\"a\":\xff}"), ParseErrorKind::InvalidUtf8));
        assert!(matches!(kind(b"01"), ParseErrorKind::Syntax { .. }));
        assert!(matches!(kind(b"1e400"), ParseErrorKind::NumberNotFinite { .. }));
        assert!(matches!(kind(b"{} x"), ParseErrorKind::TrailingData));
        assert!(matches!(kind(b"[1,]"), ParseErrorKind::Syntax { .. }));
        assert!(matches!(kind(b"\"a\x01\""), ParseErrorKind::ControlCharacter { .. }));
        assert!(matches!(kind(b"{\"a\""), ParseErrorKind::UnexpectedEnd { .. }));
        assert!(matches!(kind(b"NaN"), ParseErrorKind::Syntax { .. }));
        let deep = "[".repeat(129) + &"]".repeat(129);
        assert!(matches!(kind(deep.as_bytes()), ParseErrorKind::TooDeep { .. }));
        let long = "9".repeat(MAX_INT_DIGITS + 1);
        assert!(matches!(kind(long.as_bytes()), ParseErrorKind::IntegerOutOfRange { .. }));
        assert!(parse("9".repeat(MAX_INT_DIGITS).as_bytes()).is_ok());
        let e = parse(b"{\"a\":\n {\"b c\": tru}}").unwrap_err();
        assert_eq!((e.line, e.path.as_str()), (2, "$.a[\"b c\"]"));
    }
}
