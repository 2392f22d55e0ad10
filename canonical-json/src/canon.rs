//! RFC 8785 (JSON Canonicalization Scheme) serialization.

use core::cmp::Ordering;

use crate::value::{Number, Object, Value, MAX_SAFE_INTEGER};

/// Writes the RFC 8785 canonical form of `v` to `out` (appending).
///
/// Object members are sorted by the UTF-16 code units of their keys, strings
/// use minimal escaping, numbers use the ECMAScript `Number.prototype.toString`
/// form. No whitespace is written. The output is always valid UTF-8.
///
/// The writer is iterative: any nesting depth is handled without recursion.
pub fn canonicalize(v: &Value, out: &mut Vec<u8>) {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    write_value(v, out, &mut stack);
    drain(out, &mut stack);
}

/// Writes the canonical form of object `o` without its top-level members
/// whose keys are listed in `exclude` (nested members are never skipped).
///
/// This is the signing input `C(D without "signature", ...)` of formats §0.
pub fn canonicalize_object_without(o: &Object, exclude: &[&str], out: &mut Vec<u8>) {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    out.push(b'{');
    stack.push(Frame::Object { members: Members::new(o, exclude), first: true });
    drain(out, &mut stack);
}

/// The canonical form of `v` as a new vector.
pub fn to_canonical_vec(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    canonicalize(v, &mut out);
    out
}

/// The canonical form of `v` as a string.
pub fn to_canonical_string(v: &Value) -> String {
    // The writer only emits valid UTF-8; the lossy conversion never replaces.
    match String::from_utf8(to_canonical_vec(v)) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Compares two strings by their UTF-16 code units, as RFC 8785 §3.2.3
/// requires for sorting object members.
///
/// UTF-8 byte order equals code point order, which differs from UTF-16
/// order only between supplementary characters (U+10000 and up, encoded in
/// UTF-16 as surrogates D800–DFFF) and characters U+E000–U+FFFF: in UTF-16
/// the former sort first.
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    match first_difference(ab, bb) {
        None => ab.len().cmp(&bb.len()),
        Some((x, y)) => {
            // Both strings share the bytes before the difference, so `x`
            // and `y` are either both continuation bytes (same lead byte,
            // same encoding length: byte order is right) or both lead bytes.
            let supplementary = |c: u8| c >= 0xF0;
            let upper_bmp = |c: u8| c == 0xEE || c == 0xEF; // U+E000..U+FFFF
            if supplementary(x) && upper_bmp(y) {
                Ordering::Less
            } else if upper_bmp(x) && supplementary(y) {
                Ordering::Greater
            } else {
                x.cmp(&y)
            }
        }
    }
}

/// The first pair of differing bytes at the same index, if any.
#[inline]
fn first_difference(a: &[u8], b: &[u8]) -> Option<(u8, u8)> {
    a.iter().zip(b).find(|(x, y)| x != y).map(|(&x, &y)| (x, y))
}

type Member = (String, Value);

/// A member with its sort prefix (see [`sort_prefix`]).
type Keyed<'a> = (u64, &'a Member);

/// The sort prefix of a key: its first eight bytes as a big-endian integer,
/// zero-padded, where the first byte of 0xEE or above (a character U+E000 and
/// up, whose UTF-16 order may differ from its UTF-8 order) becomes 0xEE and
/// ends the prefix.
///
/// Prefix order never contradicts UTF-16 order: bytes below 0xEE compare
/// the same in both, and any of them sorts before U+E000 and up. So most
/// comparisons while sorting are one integer comparison; equal prefixes fall
/// back to [`cmp_utf16`].
fn sort_prefix(key: &str) -> u64 {
    let b = key.as_bytes();
    let mut p = [0u8; 8];
    let n = b.len().min(8);
    if let (Some(dst), Some(src)) = (p.get_mut(..n), b.get(..n)) {
        dst.copy_from_slice(src);
    }
    if let Some(k) = p.iter().position(|&c| c >= 0xEE) {
        for (i, c) in p.iter_mut().enumerate().skip(k) {
            *c = if i == k { 0xEE } else { 0 };
        }
    }
    u64::from_be_bytes(p)
}

/// The members of an object in canonical order.
struct Members<'a> {
    /// Sorted members, when the object was not already in order or some
    /// members are excluded.
    sorted: Option<Vec<Keyed<'a>>>,
    /// The object's own members, used when they are already in order.
    slice: &'a [Member],
    next: usize,
}

impl<'a> Members<'a> {
    fn new(o: &'a Object, exclude: &[&str]) -> Members<'a> {
        let slice = o.as_slice();
        let in_order = slice.windows(2).all(|w| matches!(w, [a, b] if cmp_utf16(&a.0, &b.0) == Ordering::Less));
        let excluding = !exclude.is_empty() && slice.iter().any(|(k, _)| exclude.contains(&k.as_str()));
        let sorted = if in_order && !excluding {
            None
        } else {
            let mut v: Vec<Keyed<'a>> = slice
                .iter()
                .filter(|(k, _)| !exclude.contains(&k.as_str()))
                .map(|m| (if in_order { 0 } else { sort_prefix(&m.0) }, m))
                .collect();
            if !in_order {
                v.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| cmp_utf16(&a.1 .0, &b.1 .0)));
            }
            Some(v)
        };
        Members { sorted, slice, next: 0 }
    }

    fn next_member(&mut self) -> Option<&'a Member> {
        let m = match &self.sorted {
            Some(v) => v.get(self.next).map(|k| k.1),
            None => self.slice.get(self.next),
        };
        self.next += 1;
        m
    }
}

enum Frame<'a> {
    Array { items: core::slice::Iter<'a, Value>, first: bool },
    Object { members: Members<'a>, first: bool },
}

/// Writes a scalar, or opens a container and pushes its frame.
fn write_value<'a>(v: &'a Value, out: &mut Vec<u8>, stack: &mut Vec<Frame<'a>>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(a) => {
            out.push(b'[');
            stack.push(Frame::Array { items: a.iter(), first: true });
        }
        Value::Object(o) => {
            out.push(b'{');
            stack.push(Frame::Object { members: Members::new(o, &[]), first: true });
        }
    }
}

/// Runs the explicit stack until every open container is closed.
fn drain<'a>(out: &mut Vec<u8>, stack: &mut Vec<Frame<'a>>) {
    loop {
        let next: &'a Value = match stack.last_mut() {
            None => return,
            Some(Frame::Array { items, first }) => match items.next() {
                Some(v) => {
                    if !*first {
                        out.push(b',');
                    }
                    *first = false;
                    v
                }
                None => {
                    out.push(b']');
                    stack.pop();
                    continue;
                }
            },
            Some(Frame::Object { members, first }) => match members.next_member() {
                Some((k, v)) => {
                    if !*first {
                        out.push(b',');
                    }
                    *first = false;
                    write_string(k, out);
                    out.push(b':');
                    v
                }
                None => {
                    out.push(b'}');
                    stack.pop();
                    continue;
                }
            },
        };
        write_value(next, out, stack);
    }
}

/// Writes a number in ECMAScript `Number.prototype.toString` form.
pub(crate) fn write_number(n: &Number, out: &mut Vec<u8>) {
    match *n {
        Number::Int(i) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) => write_i64(i, out),
        // Not produced by the parser: canonicalize as the double it rounds to.
        Number::Int(i) => write_f64(i as f64, out),
        Number::Float(f) if f.is_finite() => write_f64(f, out),
        // Not produced by the parser: `JSON.stringify(NaN)` is `null`.
        Number::Float(_) => out.extend_from_slice(b"null"),
    }
}

fn write_f64(f: f64, out: &mut Vec<u8>) {
    // ryu-js prints -0 as "0" and integral values below 1e21 without
    // fraction, exactly like ECMAScript.
    let mut buf = ryu_js::Buffer::new();
    out.extend_from_slice(buf.format_finite(f).as_bytes());
}

fn write_i64(n: i64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut u = n.unsigned_abs();
    let mut p = buf.len();
    while p > 0 {
        p -= 1;
        if let Some(d) = buf.get_mut(p) {
            *d = b'0' + (u % 10) as u8;
        }
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(buf.get(p..).unwrap_or_default());
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `s` as a JSON string with RFC 8785 minimal escaping: `\"`, `\\`,
/// `\b`, `\f`, `\n`, `\r`, `\t`, other characters below U+0020 as `\u00xx`
/// (lowercase hex), everything else as literal UTF-8.
pub(crate) fn write_string(s: &str, out: &mut Vec<u8>) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut start = 0;
    loop {
        let i = crate::scan::plain_run(b, start);
        let Some(&c) = b.get(i) else {
            break;
        };
        out.extend_from_slice(b.get(start..i).unwrap_or_default());
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                let hex = |n: u8| HEX.get(usize::from(n)).copied().unwrap_or(b'0');
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(c >> 4), hex(c & 15)]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(b.get(start..).unwrap_or_default());
    out.push(b'"');
}
