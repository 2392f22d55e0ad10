//! Properties of the strict JSON parser and the RFC 8785 canonicalizer
//! (package `attest-json`). No verifier API is used here.

use attest_json::{
    canonicalize_object_without, parse, to_canonical_vec, Limits, Number, ParseError, ParseErrorKind, Value,
};

/// Limits of the fuzzed parses: the default depth; a byte limit far above
/// any fuzz input (the size check is exercised separately).
pub const LIMITS: Limits = Limits { max_bytes: 1 << 20, max_depth: 128 };

/// The rejections that attest-json makes on top of RFC 8259 (formats §0):
/// serde_json may accept such inputs.
fn is_project_rejection(kind: &ParseErrorKind) -> bool {
    matches!(
        kind,
        ParseErrorKind::DuplicateKey { .. }
            | ParseErrorKind::LoneSurrogate
            | ParseErrorKind::IntegerOutOfRange { .. }
            | ParseErrorKind::TooDeep { .. }
            | ParseErrorKind::TooLarge { .. }
    )
}

/// Error positions are inside the input and 1-based.
fn check_position(e: &ParseError, len: usize) {
    assert!(e.offset <= len, "offset {} beyond input of {len} bytes: {e:?}", e.offset);
    assert!(e.line >= 1 && e.column >= 1, "line/column not 1-based: {e:?}");
    assert!(e.path.starts_with('$'), "path does not start at $: {e:?}");
}

/// Whether a serde_json error is its nesting limit (serde_json allows 128
/// levels counted differently from ours), not a syntax verdict.
fn is_serde_depth_limit(e: &serde_json::Error) -> bool {
    e.to_string().starts_with("recursion limit exceeded")
}

/// `ours` and `theirs` are the same JSON value. Integers compare exactly;
/// a float compares as the same double (`-0.0 == 0.0`, as both mean zero).
fn same_value(ours: &Value, theirs: &serde_json::Value) -> bool {
    match (ours, theirs) {
        (Value::Null, serde_json::Value::Null) => true,
        (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
        (Value::String(a), serde_json::Value::String(b)) => a == b,
        (Value::Number(a), serde_json::Value::Number(b)) => same_number(a, b),
        (Value::Array(a), serde_json::Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(a), serde_json::Value::Object(b)) => {
            // Ours accepted, so there are no duplicate keys and the member
            // counts must agree.
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

fn same_number(a: &Number, b: &serde_json::Number) -> bool {
    match a {
        Number::Int(i) => match b.as_i64() {
            Some(j) => *i == j,
            // serde_json reads `-0` as the float -0.0.
            None => b.as_f64().is_some_and(|f| f == *i as f64),
        },
        Number::Float(f) => b.as_f64().is_some_and(|g| g == *f),
    }
}

/// Target `json_parse`: attest-json against serde_json.
///
/// - ours accepts ⇒ serde_json accepts the same value;
/// - serde_json rejects ⇒ ours rejects (unless serde_json's own nesting
///   limit is the reason);
/// - ours rejects but serde_json accepts ⇒ the reason is one of the
///   project's extra rules (duplicates, lone surrogates, integers beyond
///   ±(2^53 − 1), depth, size);
/// - error positions are within the input; the size limit is applied
///   before parsing.
///
/// Returns whether ours accepted the input.
pub fn json_parse(data: &[u8]) -> bool {
    let ours = parse(data, &LIMITS);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (&ours, &theirs) {
        (Ok(v), Ok(w)) => assert!(same_value(v, w), "values differ:\n ours   {v:?}\n serde  {w:?}"),
        (Ok(v), Err(e)) => assert!(is_serde_depth_limit(e), "ours accepts what serde_json rejects ({e}): {v:?}"),
        (Err(e), Ok(_)) => {
            check_position(e, data.len());
            assert!(is_project_rejection(&e.kind), "ours rejects valid JSON with {:?}", e.kind);
        }
        (Err(e), Err(_)) => check_position(e, data.len()),
    }
    if let Some(limit) = data.len().checked_sub(1) {
        let small = Limits { max_bytes: limit, ..LIMITS };
        match parse(data, &small) {
            Err(ParseError { kind: ParseErrorKind::TooLarge { size, limit: l }, offset: 0, .. }) => {
                assert_eq!((size, l), (data.len(), limit));
            }
            other => panic!("input over max_bytes not refused as too large: {other:?}"),
        }
    }
    ours.is_ok()
}

/// Whether `v` holds a float that canonicalizes to an integer literal
/// beyond ±(2^53 − 1): integral with 2^53 ≤ |f| < 10^21.
fn has_wide_integral_float(v: &Value) -> bool {
    match v {
        Value::Number(Number::Float(f)) => f.fract() == 0.0 && f.abs() >= 9_007_199_254_740_992.0 && f.abs() < 1e21,
        Value::Array(a) => a.iter().any(has_wide_integral_float),
        Value::Object(o) => o.iter().any(|(_, x)| has_wide_integral_float(x)),
        _ => false,
    }
}

fn no_whitespace_outside_strings(json: &[u8]) -> bool {
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            return false;
        }
    }
    true
}

/// Target `canonicalize`: `C(parse(C(x))) == C(x)`, `C(x)` parses (with
/// ours and with serde_json) and contains no whitespace outside strings,
/// and leaving out a member equals canonicalizing the object without it.
///
/// Returns whether the input parsed.
pub fn canonicalize(data: &[u8]) -> bool {
    let Ok(v) = parse(data, &LIMITS) else { return false };
    let c1 = to_canonical_vec(&v);
    let v2 = match parse(&c1, &LIMITS) {
        Ok(v2) => v2,
        // Documented exception (spec §0.2): an integral float between 2^53
        // and 10^21 is written as an integer literal, which the strict
        // parser refuses. serde_json must still read the same value.
        Err(ParseError { kind: ParseErrorKind::IntegerOutOfRange { .. }, .. }) if has_wide_integral_float(&v) => {
            let w: serde_json::Value = serde_json::from_slice(&c1).expect("serde_json reads canonical output");
            assert!(same_value(&v, &w), "canonical output changes the value: {}", String::from_utf8_lossy(&c1));
            return true;
        }
        Err(e) => panic!("canonical output does not parse: {e}\n{}", String::from_utf8_lossy(&c1)),
    };
    let c2 = to_canonical_vec(&v2);
    assert_eq!(c1, c2, "canonicalization is not idempotent");
    assert!(no_whitespace_outside_strings(&c1), "whitespace in canonical output: {}", String::from_utf8_lossy(&c1));
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&c1) {
        assert!(is_serde_depth_limit(&e), "serde_json rejects canonical output: {e}");
    }
    if let Value::Object(o) = &v {
        if let Some(first) = o.keys().next() {
            let mut without = o.clone();
            let _ = without.remove(first);
            let mut c3 = Vec::new();
            canonicalize_object_without(o, &[first], &mut c3);
            assert_eq!(c3, to_canonical_vec(&Value::Object(without)), "canonicalize_object_without({first:?})");
        }
    }
    true
}
