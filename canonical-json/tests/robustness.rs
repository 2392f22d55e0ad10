//! Quick property tests: garbage, truncated and mutated input never panics;
//! whatever is accepted canonicalizes to a fixed point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use attest_json::{parse, to_canonical_vec, Limits, Number, ParseErrorKind, Value, MAX_SAFE_INTEGER};
use common::{write_noisy, Rng};

/// `true` if `v` holds a float with an integral value beyond 2^53 - 1 and
/// below 1e21. Its canonical (ECMAScript) form is a plain integer literal
/// such as `100000000000000000000`, which the strict parser rejects: the
/// one case where canonical output does not parse back.
fn has_big_integral_float(v: &Value) -> bool {
    match v {
        Value::Number(Number::Float(f)) => f.fract() == 0.0 && f.abs() > MAX_SAFE_INTEGER as f64 && f.abs() < 1e21,
        Value::Array(a) => a.iter().any(has_big_integral_float),
        Value::Object(o) => o.iter().any(|(_, x)| has_big_integral_float(x)),
        _ => false,
    }
}

/// Checks the invariants of one parse result.
fn check(input: &[u8], limits: &Limits) -> Option<Value> {
    match parse(input, limits) {
        Ok(v) => {
            let c = to_canonical_vec(&v);
            if has_big_integral_float(&v) {
                let e = parse(&c, limits).unwrap_err();
                assert!(matches!(e.kind, ParseErrorKind::IntegerOutOfRange { .. }));
                return Some(v);
            }
            let again = parse(&c, limits).unwrap_or_else(|e| panic!("canonical form of {input:?} does not parse: {e}"));
            assert_eq!(again, v);
            assert_eq!(to_canonical_vec(&again), c);
            Some(v)
        }
        Err(e) => {
            assert!(e.offset <= input.len(), "{e:?}");
            assert!(e.line >= 1 && e.column >= 1, "{e:?}");
            assert!(e.path.starts_with('$'), "{e:?}");
            assert!(!e.to_string().is_empty());
            None
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"\\",
    b"\\u",
    b"d83d",
    b"\\ude00",
    b"\\ud800",
    b"0",
    b"1",
    b"-",
    b".",
    b"e",
    b"+",
    b"9007199254740993",
    b"1e400",
    b"true",
    b"false",
    b"null",
    b" ",
    b"\n",
    b"\t",
    b"\"a\"",
    b"\"a\":",
    b"\xc3\xa9",
    b"\xf0\x9f\x98\x80",
    b"\xff",
    b"\xed\xa0\x80",
    b"\xc0",
    b"\x00",
    b"\x1f",
    b"\xef\xbb\xbf",
    b"tru",
    b"\"\\\"",
];

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(3);
    let small = Limits { max_bytes: 1 << 20, max_depth: 8 };
    let mut accepted = 0;
    for _ in 0..100_000 {
        let mut input = Vec::new();
        let n = rng.below(40);
        for _ in 0..n {
            if rng.chance(3) {
                input.push(rng.next() as u8);
            } else {
                let token = TOKENS[rng.below(TOKENS.len())];
                input.extend_from_slice(token);
            }
        }
        if check(&input, &Limits::default()).is_some() {
            accepted += 1;
        }
        check(&input, &small);
    }
    // The token soup is mostly invalid but not entirely.
    assert!(accepted > 100, "{accepted}");
}

#[test]
fn truncations_and_mutations_never_panic() {
    let mut rng = Rng::new(4);
    let limits = Limits::default();
    for _ in 0..300 {
        let v = rng.value(4);
        let mut docs = vec![to_canonical_vec(&v)];
        let mut noisy = String::new();
        write_noisy(&v, &mut rng, &mut noisy);
        docs.push(noisy.into_bytes());
        for doc in docs {
            let rooted_in_container = matches!(v, Value::Array(_) | Value::Object(_));
            // Every prefix; strict prefixes of an array or object are
            // never complete documents.
            for cut in 0..doc.len() {
                let r = check(&doc[..cut], &limits);
                if rooted_in_container {
                    assert!(r.is_none(), "prefix {cut} of {:?}", String::from_utf8_lossy(&doc));
                }
            }
            // Random byte changes, insertions and deletions.
            for _ in 0..20 {
                let mut m = doc.clone();
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(m.len() + 1);
                    match rng.below(3) {
                        0 if at < m.len() => m[at] = rng.next() as u8,
                        1 => m.insert(at, *rng.pick(b"{}[]\",:\\0-e.\x80\xff")),
                        _ if at < m.len() => {
                            m.remove(at);
                        }
                        _ => {}
                    }
                }
                check(&m, &limits);
            }
        }
    }
}

#[test]
fn huge_inputs() {
    let limits = Limits::default();
    // A long string, a long number literal, many members, long whitespace.
    let mut s = vec![b'"'];
    s.extend(std::iter::repeat_n(b'a', 4 << 20));
    s.push(b'"');
    assert_eq!(parse(&s, &limits).unwrap().as_str().map(str::len), Some(4 << 20));
    let digits = [b"0.".as_slice(), &[b'1'; 1 << 20]].concat();
    assert!(parse(&digits, &limits).is_ok());
    let int = vec![b'7'; 1 << 20];
    assert!(matches!(parse(&int, &limits).unwrap_err().kind, ParseErrorKind::IntegerOutOfRange { .. }));
    let mut ws = vec![b' '; 8 << 20];
    ws.extend(b"[]");
    assert!(parse(&ws, &limits).is_ok());
    let mut arr = b"[".to_vec();
    for _ in 0..1_000_000 {
        arr.extend(b"0,");
    }
    arr.extend(b"0]");
    assert_eq!(parse(&arr, &limits).unwrap().as_array().map(<[_]>::len), Some(1_000_001));
    // Garbage of the maximum size.
    let mut rng = Rng::new(5);
    let garbage: Vec<u8> = (0..limits.max_bytes).map(|_| rng.next() as u8).collect();
    assert!(parse(&garbage, &limits).is_err());
}
