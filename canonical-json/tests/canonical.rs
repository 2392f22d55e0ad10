//! RFC 8785 canonicalization: key order, escaping, numbers, exclusion,
//! and the parse → canonicalize → parse round trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cmp::Ordering;

use attest_json::{
    canonicalize, canonicalize_object_without, cmp_utf16, parse, to_canonical_string, to_canonical_vec, DuplicateKey,
    Limits, Number, Object, Value,
};
use common::{write_noisy, Rng};

fn canon(json: &str) -> String {
    let v = parse(json.as_bytes(), &Limits::default()).unwrap_or_else(|e| panic!("{json}: {e}"));
    to_canonical_string(&v)
}

#[test]
fn keys_sort_by_utf16_code_units() {
    // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+E000, although
    // its UTF-8 bytes (F0 ..) sort after EE 80 80.
    assert_eq!(canon("{\"\u{e000}\":1,\"\u{1f600}\":2}"), "{\"\u{1f600}\":2,\"\u{e000}\":1}");
    assert_eq!(cmp_utf16("\u{e000}", "\u{1f600}"), Ordering::Greater);
    assert_eq!(cmp_utf16("\u{ffff}", "\u{10000}"), Ordering::Greater);
    assert_eq!(cmp_utf16("\u{d7ff}", "\u{10000}"), Ordering::Less);
    assert_eq!(cmp_utf16("a\u{fb33}", "a\u{1f602}"), Ordering::Greater);
    assert_eq!(cmp_utf16("", "a"), Ordering::Less);
    assert_eq!(cmp_utf16("ab", "a"), Ordering::Greater);
    assert_eq!(cmp_utf16("é", "é"), Ordering::Equal);
    // Uppercase before lowercase, "10" before "9", no locale.
    assert_eq!(
        canon(r#"{"b":0,"a":0,"B":0,"10":0,"9":0,"":0,"é":0,"e":0}"#),
        r#"{"":0,"10":0,"9":0,"B":0,"a":0,"b":0,"e":0,"é":0}"#
    );
    // Nested objects are sorted; arrays keep their order.
    assert_eq!(
        canon(r#"{"z":[3,1,{"y":1,"x":2}],"a":{"d":1,"c":{"f":1,"e":2}}}"#),
        r#"{"a":{"c":{"e":2,"f":1},"d":1},"z":[3,1,{"x":2,"y":1}]}"#
    );
}

#[test]
fn cmp_utf16_matches_utf16_encoding() {
    let mut rng = Rng::new(1);
    for _ in 0..100_000 {
        let a = rng.string(4);
        // Often share a prefix.
        let b = if rng.chance(2) {
            let mut b: String = a.chars().take(rng.below(4)).collect();
            b.push_str(&rng.string(3));
            b
        } else {
            rng.string(4)
        };
        let want = a.encode_utf16().cmp(b.encode_utf16());
        assert_eq!(cmp_utf16(&a, &b), want, "{a:?} {b:?}");
        assert_eq!(cmp_utf16(&b, &a), want.reverse(), "{a:?} {b:?}");
    }
}

#[test]
fn random_objects_sort_like_utf16() {
    let mut rng = Rng::new(6);
    for _ in 0..5000 {
        let mut o = Object::new();
        for _ in 0..rng.below(40) {
            let k = if rng.chance(3) {
                // Long shared prefixes exercise the tie-break.
                format!("evaluator{}", rng.string(3))
            } else {
                rng.string(10)
            };
            let _ = o.insert(k, Value::Null);
        }
        let c = to_canonical_vec(&Value::Object(o.clone()));
        let back = parse(&c, &Limits::default()).unwrap();
        let keys: Vec<&str> = back.as_object().unwrap().keys().collect();
        let mut want: Vec<&str> = o.keys().collect();
        want.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
        assert_eq!(keys, want);
    }
}

#[test]
fn strings_use_minimal_escaping() {
    let all_controls: String = (0u8..0x20).map(char::from).collect();
    let v = Value::from(all_controls);
    assert_eq!(
        to_canonical_string(&v),
        "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\
         \\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\""
    );
    assert_eq!(
        to_canonical_string(&Value::from("\"\\/\u{7f}\u{80}é€😀\u{2028}\u{feff}<>&'")),
        "\"\\\"\\\\/\u{7f}\u{80}é€😀\u{2028}\u{feff}<>&'\""
    );
    // Escapes in the input are decoded, then written minimally.
    assert_eq!(canon(r#"["\u0041\u00e9\/\u001F\u007f\ud83d\ude00"]"#), "[\"Aé/\\u001f\u{7f}😀\"]");
    // Long strings (the SWAR path) with escapes at every position.
    for pos in 0..40 {
        let mut s = "x".repeat(40);
        s.insert(pos, '"');
        s.insert(pos / 2, '\u{1}');
        let want = format!("\"{}\"", s.replace('"', "\\\"").replace('\u{1}', "\\u0001"));
        assert_eq!(to_canonical_string(&Value::from(s.as_str())), want);
    }
}

#[test]
fn numbers_use_ecmascript_form() {
    let cases = [
        ("0", "0"),
        ("-0", "0"),
        ("-0.0", "0"),
        ("0.0e10", "0"),
        ("1", "1"),
        ("-1", "-1"),
        ("1.0", "1"),
        ("1.50", "1.5"),
        ("9007199254740991", "9007199254740991"),
        ("-9007199254740991", "-9007199254740991"),
        ("1e20", "100000000000000000000"),
        ("1e21", "1e+21"),
        ("123e18", "123000000000000000000"),
        ("1e-6", "0.000001"),
        ("1e-7", "1e-7"),
        ("1.5e-7", "1.5e-7"),
        ("0.1", "0.1"),
        ("333333333.33333329", "333333333.3333333"),
        ("1E30", "1e+30"),
        ("4.50", "4.5"),
        ("2e-3", "0.002"),
        ("0.000000000000000000000000001", "1e-27"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("5e-324", "5e-324"),
        ("-5e-324", "-5e-324"),
        ("1e-400", "0"),
        ("9007199254740993.0", "9007199254740992"),
        ("295147905179352825856.0", "295147905179352830000"),
    ];
    for (input, want) in cases {
        assert_eq!(canon(input), want, "{input}");
    }
    // Hand-built values the parser never produces.
    let n = |n: Number| to_canonical_string(&Value::Number(n));
    assert_eq!(n(Number::Int(i64::MAX)), "9223372036854776000");
    assert_eq!(n(Number::Int(i64::MIN)), "-9223372036854776000");
    assert_eq!(n(Number::Int(1 << 60)), "1152921504606847000"); // as String(2 ** 60)
    assert_eq!(n(Number::Float(f64::NAN)), "null");
    assert_eq!(n(Number::Float(f64::INFINITY)), "null");
    assert_eq!(n(Number::Float(-0.0)), "0");
    assert_eq!(Number::from_i64(1 << 53), None);
    assert_eq!(Number::from_i64(-(1 << 53) + 1), Some(Number::Int(-(1 << 53) + 1)));
    assert_eq!(Number::from_f64(f64::NAN), None);
    assert_eq!(Number::from_f64(0.5), Some(Number::Float(0.5)));
    // Numeric equality.
    assert_eq!(Number::Int(1), Number::Float(1.0));
    assert_eq!(Number::Float(-0.0), Number::Int(0));
    assert_ne!(Number::Int(1), Number::Float(1.5));
    assert_ne!(Number::Int(i64::MAX), Number::Float((1u64 << 63) as f64));
}

#[test]
fn object_without_skips_top_level_members_only() {
    let doc = r#"{"type":"t","signature":"s","body":{"signature":"kept"},"signatures":[1],"a":1}"#;
    let v = parse(doc.as_bytes(), &Limits::default()).unwrap();
    let o = v.as_object().unwrap();
    let mut out = Vec::new();
    canonicalize_object_without(o, &["signature", "signatures", "onchainSignature"], &mut out);
    assert_eq!(String::from_utf8(out).unwrap(), r#"{"a":1,"body":{"signature":"kept"},"type":"t"}"#);
    let mut out = Vec::new();
    canonicalize_object_without(o, &[], &mut out);
    assert_eq!(out, to_canonical_vec(&v));
    let mut out = b"prefix:".to_vec();
    canonicalize_object_without(o, &["type", "signature", "body", "signatures", "a"], &mut out);
    assert_eq!(out, b"prefix:{}");
    // Equivalent to removing the members and canonicalizing.
    let mut copy = o.clone();
    copy.remove("signature");
    copy.remove("signatures");
    let mut a = Vec::new();
    canonicalize_object_without(o, &["signatures", "signature"], &mut a);
    assert_eq!(a, to_canonical_vec(&Value::Object(copy)));
}

#[test]
fn canonicalize_appends_and_handles_any_depth() {
    let mut out = b"x".to_vec();
    canonicalize(&Value::Null, &mut out);
    assert_eq!(out, b"xnull");
    assert_eq!(to_canonical_string(&Value::Array(vec![])), "[]");
    assert_eq!(to_canonical_string(&Value::Object(Object::new())), "{}");

    // 100,000 levels built by hand: the writer is iterative.
    let depth = 100_000;
    let mut v = Value::Null;
    for i in 0..depth {
        v = if i % 2 == 0 {
            Value::Array(vec![v, Value::Bool(true)])
        } else {
            let mut o = Object::new();
            o.insert("k".into(), v).unwrap();
            Value::Object(o)
        };
    }
    let out = to_canonical_vec(&v);
    assert_eq!(out.len(), 4 + (depth / 2) * ("[,true]".len() + "{\"k\":}".len()));
    assert!(out.starts_with(b"{\"k\":[{\"k\":["));
    // Take it apart iteratively: dropping it whole would recurse.
    loop {
        v = match v {
            Value::Array(mut a) => a.swap_remove(0),
            Value::Object(o) => o.into_iter().next().map(|(_, x)| x).unwrap(),
            _ => break,
        };
    }
}

#[test]
fn display_is_canonical() {
    let v = parse(br#"{"b":[1.0, "x\n"],"a":null}"#, &Limits::default()).unwrap();
    assert_eq!(v.to_string(), r#"{"a":null,"b":[1,"x\n"]}"#);
}

#[test]
fn object_api() {
    let mut o = Object::new();
    assert!(o.is_empty());
    o.insert("b".into(), Value::from(1.5 == 1.5)).unwrap();
    o.insert("a".into(), Value::Number(Number::Int(2))).unwrap();
    o.insert("c".into(), Value::from("x")).unwrap();
    assert_eq!(o.insert("a".into(), Value::Null), Err(DuplicateKey { key: "a".into() }));
    assert_eq!(DuplicateKey { key: "a".into() }.to_string(), "duplicate key \"a\"");
    assert_eq!(o.len(), 3);
    assert_eq!(o.get("a").and_then(Value::as_i64), Some(2));
    assert_eq!(o.get("zz"), None);
    assert!(o.contains_key("c"));
    assert_eq!(o.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
    assert_eq!(o.remove("a"), Some(Value::Number(Number::Int(2))));
    assert_eq!(o.remove("a"), None);
    assert_eq!(o.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "c"]);
    *o.get_mut("c").unwrap() = Value::Null;
    assert!(o.get("c").unwrap().is_null());
    // Equality ignores member order.
    let a = parse(br#"{"x":1,"y":[true,{"p":1,"q":2}]}"#, &Limits::default()).unwrap();
    let b = parse(br#"{"y":[true,{"q":2,"p":1.0}],"x":1e0}"#, &Limits::default()).unwrap();
    assert_eq!(a, b);
    let c = parse(br#"{"y":[{"q":2,"p":1},true],"x":1}"#, &Limits::default()).unwrap();
    assert_ne!(a, c);
    // Large objects too.
    let big = |rev: bool| {
        let mut o = Object::new();
        let mut keys: Vec<usize> = (0..100).collect();
        if rev {
            keys.reverse();
        }
        for k in keys {
            o.insert(k.to_string(), Value::Number(Number::Int(k as i64))).unwrap();
        }
        o
    };
    assert_eq!(big(false), big(true));
    let members = vec![("a".to_string(), Value::Null), ("a".to_string(), Value::Null)];
    assert!(Object::try_from(members).is_err());
    // Accessors.
    let v = Value::from(vec![Value::from("s"), Value::from(true)]);
    assert_eq!(v.kind_name(), "array");
    assert_eq!(v.as_array().unwrap()[0].as_str(), Some("s"));
    assert_eq!(v.as_array().unwrap()[1].as_bool(), Some(true));
    assert!(v.as_object().is_none());
}

#[test]
fn round_trip_parse_canonicalize_parse() {
    let mut rng = Rng::new(2);
    let limits = Limits::default();
    for i in 0..3000 {
        let v = rng.value(5);
        let c = to_canonical_vec(&v);
        let back = parse(&c, &limits).unwrap_or_else(|e| panic!("case {i}: {e}\n{}", String::from_utf8_lossy(&c)));
        assert_eq!(back, v, "case {i}");
        assert_eq!(to_canonical_vec(&back), c, "case {i}: not a fixed point");

        // A noisy, non-canonical spelling of the same value parses to an
        // equal value with the same canonical form.
        let mut noisy = String::new();
        write_noisy(&v, &mut rng, &mut noisy);
        let parsed = parse(noisy.as_bytes(), &limits).unwrap_or_else(|e| panic!("case {i}: {e}\n{noisy}"));
        assert_eq!(parsed, v, "case {i}: {noisy}");
        assert_eq!(to_canonical_vec(&parsed), c, "case {i}: {noisy}");
    }
}
