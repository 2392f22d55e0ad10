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
    stack.push(Frame::Object {
        members: Members::new(o, exclude),
        first: true,
    });
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
    match ab.iter().zip(bb).position(|(x, y)| x != y) {
        None => ab.len().cmp(&bb.len()),
        Some(i) => {
            let (x, y) = match (ab.get(i), bb.get(i)) {
                (Some(&x), Some(&y)) => (x, y),
                _ => return ab.len().cmp(&bb.len()),
            };
            // Both strings share the bytes before `i`, so `x` and `y` are
            // either both continuation bytes (same lead byte, same
            // encoding length: byte order is right) or both lead bytes.
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

type Member = (String, Value);

/// The members of an object in canonical order.
struct Members<'a> {
    /// Sorted references, when the object was not already in order or some
    /// members are excluded.
    sorted: Option<Vec<&'a Member>>,
    /// The object's own members, used when they are already in order.
    slice: &'a [Member],
    next: usize,
}

impl<'a> Members<'a> {
    fn new(o: &'a Object, exclude: &[&str]) -> Members<'a> {
        let slice = o.as_slice();
        let in_order = slice
            .windows(2)
            .all(|w| matches!(w, [a, b] if cmp_utf16(&a.0, &b.0) == Ordering::Less));
        let excluding = !exclude.is_empty() && slice.iter().any(|(k, _)| exclude.contains(&k.as_str()));
        let sorted = if in_order && !excluding {
            None
        } else {
            let mut v: Vec<&Member> = slice
                .iter()
                .filter(|(k, _)| !exclude.contains(&k.as_str()))
                .collect();
            if !in_order {
                v.sort_unstable_by(|a, b| cmp_utf16(&a.0, &b.0));
            }
            Some(v)
        };
        Members {
            sorted,
            slice,
            next: 0,
        }
    }

    fn next_member(&mut self) -> Option<&'a Member> {
        let m = match &self.sorted {
            Some(v) => v.get(self.next).copied(),
            None => self.slice.get(self.next),
        };
        self.next += 1;
        m
    }
}

enum Frame<'a> {
    Array {
        items: core::slice::Iter<'a, Value>,
        first: bool,
    },
    Object {
        members: Members<'a>,
        first: bool,
    },
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
            stack.push(Frame::Array {
                items: a.iter(),
                first: true,
            });
        }
        Value::Object(o) => {
            out.push(b'{');
            stack.push(Frame::Object {
                members: Members::new(o, &[]),
                first: true,
            });
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
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 15)],
            ]),
        }
        start = i + 1;
    }
    out.extend_from_slice(b.get(start..).unwrap_or_default());
    out.push(b'"');
}
