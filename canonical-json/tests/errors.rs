//! Every error kind, with its offset, line, column and path; the limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use attest_json::{parse, Limits, Number, ParseError, ParseErrorKind, Value, MAX_DEPTH_CAP};

fn err(input: &[u8]) -> ParseError {
    err_with(input, &Limits::default())
}

fn err_with(input: &[u8], limits: &Limits) -> ParseError {
    match parse(input, limits) {
        Ok(v) => panic!("{:?} was accepted as {v:?}", String::from_utf8_lossy(input)),
        Err(e) => e,
    }
}

fn ok(input: &[u8]) -> Value {
    parse(input, &Limits::default()).unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)))
}

/// Asserts kind, offset, line, column and path.
#[track_caller]
fn check(e: &ParseError, kind: ParseErrorKind, offset: usize, line: usize, column: usize, path: &str) {
    assert_eq!((&e.kind, e.offset, e.line, e.column, e.path.as_str()), (&kind, offset, line, column, path), "{e}");
}

#[test]
fn defaults() {
    let l = Limits::default();
    assert_eq!(l.max_bytes, 16 * 1024 * 1024);
    assert_eq!(l.max_depth, 128);
}

#[test]
fn too_large_is_checked_before_parsing() {
    let limits = Limits { max_bytes: 4, max_depth: 128 };
    assert!(parse(b"[12]", &limits).is_ok());
    // Checked before parsing: even garbage gets TooLarge.
    let e = err_with(b"\xff\xff\xff\xff\xff", &limits);
    check(&e, ParseErrorKind::TooLarge { size: 5, limit: 4 }, 0, 1, 1, "$");
    assert_eq!(e.to_string(), "input is larger than the 4-byte limit at $ (line 1, column 1)");
    // The 16 MiB default.
    let big = vec![b' '; 16 * 1024 * 1024 + 1];
    assert!(matches!(err(&big).kind, ParseErrorKind::TooLarge { .. }));
}

fn nested_arrays(depth: usize) -> Vec<u8> {
    let mut v = vec![b'['; depth];
    v.extend(std::iter::repeat_n(b']', depth));
    v
}

#[test]
fn depth_limit() {
    assert!(parse(&nested_arrays(128), &Limits::default()).is_ok());
    let e = err(&nested_arrays(129));
    assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 128 });
    assert_eq!(e.offset, 128);
    assert_eq!(e.path, format!("${}", "[0]".repeat(128)));

    let limits = Limits { max_bytes: 1 << 20, max_depth: 2 };
    assert!(parse(br#"{"a":[1]}"#, &limits).is_ok());
    let e = err_with(br#"{"a": [1, {"b": 2}]}"#, &limits);
    check(&e, ParseErrorKind::TooDeep { limit: 2 }, 10, 1, 11, "$.a[1]");
    let e = err_with(b"[[[1]]]", &limits);
    check(&e, ParseErrorKind::TooDeep { limit: 2 }, 2, 1, 3, "$[0][0]");
    // Scalars have depth 0.
    let zero = Limits { max_bytes: 100, max_depth: 0 };
    assert!(parse(b"1", &zero).is_ok());
    assert!(matches!(err_with(b"[]", &zero).kind, ParseErrorKind::TooDeep { limit: 0 }));
}

#[test]
fn depth_limit_has_no_stack_overflow() {
    // 100,000 '[' (unterminated, and terminated), default and huge limits.
    let open = vec![b'['; 100_000];
    assert!(matches!(err(&open).kind, ParseErrorKind::TooDeep { limit: 128 }));
    let unlimited = Limits { max_bytes: usize::MAX, max_depth: usize::MAX };
    let e = err_with(&open, &unlimited);
    assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: MAX_DEPTH_CAP });
    let e = err_with(&nested_arrays(100_000), &unlimited);
    assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: MAX_DEPTH_CAP });
    assert!(parse(&nested_arrays(MAX_DEPTH_CAP), &unlimited).is_ok());
    // Objects too.
    let mut objects = b"{\"a\":".repeat(100_000);
    objects.extend(b"1");
    objects.extend(b"}".repeat(100_000));
    let e = err(&objects);
    assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 128 });
    assert_eq!(e.path, format!("${}", ".a".repeat(128)));
}

#[test]
fn invalid_utf8() {
    let e = err(b"{\"a\":\"x\xffy\"}");
    check(&e, ParseErrorKind::InvalidUtf8, 7, 1, 8, "$.a");
    // Outside strings.
    check(&err(b"[1,\xff]"), ParseErrorKind::InvalidUtf8, 3, 1, 4, "$[1]");
    // Overlong, encoded surrogate, above U+10FFFF, truncated at the end,
    // lone continuation, in keys, after the value.
    for bad in [
        &b"[\"\xc0\xaf\"]"[..],
        b"[\"\xe0\x80\xaf\"]",
        b"[\"\xed\xa0\x80\"]",
        b"[\"\xed\xbf\xbf\"]",
        b"[\"\xf4\x90\x80\x80\"]",
        b"[\"\xf8\x88\x80\x80\x80\"]",
        b"[\"\xe2\x82",
        b"[\"\x80\"]",
        b"{\"\xfe\":1}",
        b"{} \xff",
        b"\xff",
    ] {
        assert_eq!(err(bad).kind, ParseErrorKind::InvalidUtf8, "{bad:?}");
    }
    check(&err(b"{} \xc3"), ParseErrorKind::InvalidUtf8, 3, 1, 4, "$");
    // Valid multi-byte characters and noncharacters are fine.
    assert_eq!(
        ok("[\"é€😀\u{fffe}\u{10ffff}\"]".as_bytes()),
        Value::Array(vec![Value::from("é€😀\u{fffe}\u{10ffff}")])
    );
}

#[test]
fn lone_surrogates() {
    let e = err(br#"{"k": ["x", "ab\ud800"]}"#);
    check(&e, ParseErrorKind::LoneSurrogate, 15, 1, 16, "$.k[1]");
    assert_eq!(e.to_string(), "unpaired UTF-16 surrogate in \\u escape at $.k[1] (line 1, column 16)");
    for bad in [
        r#"["\uDC00"]"#,       // low alone
        r#"["\uDE00\uD83D"]"#, // inverted
        r#"["\uD83D\uD83D"]"#, // high, high
        r#"["\uD83D\u0041"]"#, // high, non-surrogate
        r#"["\uD83Dx"]"#,      // high, text
        r#"["\uD83D\n"]"#,     // high, other escape
        r#"["\uD83D"]"#,       // high at end of string
        r#"["\udbff\udbff"]"#,
    ] {
        assert_eq!(err(bad.as_bytes()).kind, ParseErrorKind::LoneSurrogate, "{bad}");
    }
    // In a key: the path is the object's.
    check(&err(br#"{"a":{"\udfaa":0}}"#), ParseErrorKind::LoneSurrogate, 7, 1, 8, "$.a");
    // Pairs decode, in either hex case.
    assert_eq!(ok(br#""\ud83d\ude00""#), Value::from("😀"));
    assert_eq!(ok(br#""\uD834\uDD1E""#), Value::from("\u{1d11e}"));
    assert_eq!(ok(br#""\udbff\udfff""#), Value::from("\u{10ffff}"));
    // Truncated after a high surrogate.
    assert!(matches!(err(br#""\ud83d\"#).kind, ParseErrorKind::UnexpectedEnd { .. }));
    assert!(matches!(err(br#""\ud83d"#).kind, ParseErrorKind::UnexpectedEnd { .. }));
    assert_eq!(err(br#""\ud83d\u12"#).kind, ParseErrorKind::UnexpectedEnd { expected: "a hex digit" });
}

#[test]
fn duplicate_keys() {
    let doc = b"{\"decision\": {\n  \"a\": 1,\n    \"a\": 2}}";
    let e = err(doc);
    check(&e, ParseErrorKind::DuplicateKey { key: "a".into() }, 29, 3, 5, "$.decision");
    assert_eq!(e.to_string(), "duplicate key \"a\" at $.decision (line 3, column 5)");
    // Decoded strings are compared.
    assert_eq!(err(br#"{"a":1,"\u0061":2}"#).kind, ParseErrorKind::DuplicateKey { key: "a".into() });
    assert_eq!(err(br#"{"\ud83d\ude00":1,"\ud83d\ude00":2}"#).kind, ParseErrorKind::DuplicateKey { key: "😀".into() });
    // Any depth; inside arrays.
    let e = err(br#"{"x":[{"ok":1},{"b":1,"c":2,"b":3}]}"#);
    check(&e, ParseErrorKind::DuplicateKey { key: "b".into() }, 28, 1, 29, "$.x[1]");
    // Same key in different objects is fine; keys differing by case too.
    ok(br#"{"a":{"a":1},"b":{"a":2},"A":3}"#);
    // Keys are shown escaped.
    let e = err(b"{\"\\n\":1,\"\\n\":2}");
    assert_eq!(e.to_string(), "duplicate key \"\\n\" at $ (line 1, column 9)");
}

#[test]
fn duplicate_keys_in_large_objects() {
    let mut doc = String::from("{");
    for i in 0..5000 {
        doc.push_str(&format!("\"k{i}\":{i},"));
    }
    doc.push_str("\"last\":0}");
    let v = ok(doc.as_bytes());
    assert_eq!(v.as_object().unwrap().len(), 5001);
    assert_eq!(v.as_object().unwrap().get("k4321").and_then(Value::as_i64), Some(4321));
    // A duplicate far into a large object, of an early and of a late key.
    for dup in ["k0", "k17", "k4999"] {
        let bad = doc.replace("\"last\"", &format!("\"{dup}\""));
        assert_eq!(err(bad.as_bytes()).kind, ParseErrorKind::DuplicateKey { key: dup.into() });
    }
    // Around the size where the check switches from scanning to hashing.
    for n in 1..140 {
        let keys: Vec<String> = (0..n).map(|i| format!("\"key{i}\":{i}")).collect();
        let good = format!("{{{}}}", keys.join(","));
        assert_eq!(ok(good.as_bytes()).as_object().unwrap().len(), n);
        for dup in [0, n / 2, n - 1] {
            let bad = format!("{{{},\"key{dup}\":true}}", keys.join(","));
            assert_eq!(
                err(bad.as_bytes()).kind,
                ParseErrorKind::DuplicateKey { key: format!("key{dup}") },
                "{n} {dup}"
            );
        }
    }
    // 200,000 distinct keys parse quickly (the check is not quadratic).
    let mut big = String::from("{");
    for i in 0..200_000 {
        big.push_str(&format!("\"{i}\":0,"));
    }
    big.push_str("\"end\":0}");
    let start = std::time::Instant::now();
    ok(big.as_bytes());
    assert!(start.elapsed().as_secs() < 20, "duplicate check is too slow");
}

#[test]
fn integers() {
    assert_eq!(ok(b"9007199254740991").as_i64(), Some(9_007_199_254_740_991));
    assert_eq!(ok(b"-9007199254740991").as_i64(), Some(-9_007_199_254_740_991));
    assert_eq!(ok(b"0").as_number(), Some(&Number::Int(0)));
    // -0 is Int(0).
    assert!(matches!(ok(b"-0").as_number(), Some(Number::Int(0))));
    let e = err(br#"{"n": 9007199254740992}"#);
    check(&e, ParseErrorKind::IntegerOutOfRange { literal: "9007199254740992".into() }, 6, 1, 7, "$.n");
    assert_eq!(
        e.to_string(),
        "integer 9007199254740992 is outside the range ±(2^53-1) and is not rounded at $.n (line 1, column 7)"
    );
    assert!(matches!(err(b"[-9007199254740992]").kind, ParseErrorKind::IntegerOutOfRange { .. }));
    assert!(matches!(err(b"18446744073709551616").kind, ParseErrorKind::IntegerOutOfRange { .. }));
    // Long literals are cut in the error.
    let long = "1".repeat(1000);
    match err(long.as_bytes()).kind {
        ParseErrorKind::IntegerOutOfRange { literal } => {
            assert_eq!(literal, format!("{}...", "1".repeat(40)));
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn floats() {
    let f = |s: &str| match ok(s.as_bytes()) {
        Value::Number(Number::Float(f)) => f,
        v => panic!("{s}: {v:?}"),
    };
    assert_eq!(f("1.0"), 1.0);
    assert_eq!(f("1e2"), 100.0);
    assert_eq!(f("1E+2"), 100.0);
    assert_eq!(f("-1.5e-3"), -0.0015);
    assert_eq!(f("0.1").to_bits(), 0.1f64.to_bits());
    assert_eq!(f("-0.0").to_bits(), (-0.0f64).to_bits());
    // Correct rounding of long literals (halfway cases).
    assert_eq!(f("9007199254740993.0"), 9_007_199_254_740_992.0);
    assert_eq!(f("9007199254740995.0"), 9_007_199_254_740_996.0);
    // 2^-1075, exactly halfway between 0 and the smallest subnormal: ties
    // to even (0); a hair above it rounds up.
    let half_min = "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324";
    assert_eq!(f(half_min).to_bits(), 0);
    assert_eq!(f(&half_min.replace("125e-324", "1250001e-324")), 5e-324);
    assert_eq!(f("1.7976931348623157e308"), f64::MAX);
    assert_eq!(f("1.7976931348623158e308"), f64::MAX); // rounds down
                                                       // Underflow is accepted and gives ±0.
    assert_eq!(f("1e-400").to_bits(), 0);
    assert_eq!(f("-1e-400").to_bits(), (-0.0f64).to_bits());
    assert_eq!(f("2e-324").to_bits(), 0);
    assert_eq!(f("3e-324").to_bits(), 1); // rounds up to the smallest subnormal
    assert_eq!(f("0e999999999999999999999"), 0.0);
    // Overflow is rejected.
    let e = err(b"[1, 1e400]");
    check(&e, ParseErrorKind::NumberNotFinite { literal: "1e400".into() }, 4, 1, 5, "$[1]");
    assert_eq!(e.to_string(), "number 1e400 is too large for a 64-bit float at $[1] (line 1, column 5)");
    for bad in ["-1e400", "1.7976931348623159e308", "1e99999999999999999999", "123123e100000"] {
        assert!(matches!(err(bad.as_bytes()).kind, ParseErrorKind::NumberNotFinite { .. }), "{bad}");
    }
}

#[test]
fn number_grammar() {
    for (bad, offset) in [
        ("[01]", 2),
        ("[-01]", 3),
        ("[00.1]", 2),
        ("[1.]", 3),
        ("[.5]", 1),
        ("[+1]", 1),
        ("[1e]", 3),
        ("[1e+]", 4),
        ("[-]", 2),
        ("[- 1]", 2),
        ("[0x10]", 2),
        ("[NaN]", 1),
        ("[Infinity]", 1),
        ("[-Infinity]", 2),
        ("[1.5.2]", 4),
        ("[1_000]", 2),
    ] {
        let e = err(bad.as_bytes());
        assert!(matches!(e.kind, ParseErrorKind::Syntax { .. }), "{bad}: {e}");
        assert_eq!(e.offset, offset, "{bad}: {e}");
    }
    assert_eq!(
        err(b"[01]").kind,
        ParseErrorKind::Syntax { expected: "the end of the number (leading zeros are not allowed)" }
    );
}

#[test]
fn syntax_errors_and_paths() {
    check(&err(b"[1,]"), ParseErrorKind::Syntax { expected: "a JSON value" }, 3, 1, 4, "$[1]");
    check(&err(br#"{"a" 1}"#), ParseErrorKind::Syntax { expected: "':'" }, 5, 1, 6, "$.a");
    check(&err(br#"{"a":1 "b":2}"#), ParseErrorKind::Syntax { expected: "',' or '}'" }, 7, 1, 8, "$");
    check(&err(br#"{"a":1,}"#), ParseErrorKind::Syntax { expected: "a string (object key)" }, 7, 1, 8, "$");
    check(&err(b"[1 2]"), ParseErrorKind::Syntax { expected: "',' or ']'" }, 3, 1, 4, "$");
    check(
        &err(b"{\"a b\": [1, {\"x-y\": tru}]}"),
        ParseErrorKind::Syntax { expected: "'true'" },
        23,
        1,
        24,
        "$[\"a b\"][1][\"x-y\"]",
    );
    // Keys that are not identifiers use bracket notation, escaped.
    assert_eq!(err(b"{\"1a\":x}").path, "$[\"1a\"]");
    assert_eq!(err(b"{\"\":x}").path, "$[\"\"]");
    assert_eq!(err(b"{\"q\\\"\":x}").path, "$[\"q\\\"\"]");
    assert_eq!(err(b"{\"_$a1\":x}").path, "$._$a1");
    assert_eq!(err("{\"é\":x}".as_bytes()).path, "$[\"é\"]");
    assert_eq!(err(br#"{"keys":[{"publicKey":1},{"publicKey":1},{"publicKey":[}]}"#).path, "$.keys[2].publicKey[0]");
    // Columns count characters; lines end at \n.
    check(&err("[\"ééé\", x]".as_bytes()), ParseErrorKind::Syntax { expected: "a JSON value" }, 11, 1, 9, "$[1]");
    check(
        &err(b"{\r\n  \"a\": [\n    1,\n    @\n  ]\n}"),
        ParseErrorKind::Syntax { expected: "a JSON value" },
        23,
        4,
        5,
        "$.a[1]",
    );
    // Not JSON at all.
    for bad in [
        &b"'a'"[..],
        b"[true false]",
        b"nulx",
        b"{a:1}",
        b"[\"a\"\"b\"]",
        b"\x0c[]",             // form feed is not JSON whitespace
        "\u{a0}[]".as_bytes(), // nor is NBSP
        b"[1,\x00]",
        b"]",
        b"}",
        b"{]",
        b"[}",
    ] {
        let e = err(bad);
        assert!(matches!(e.kind, ParseErrorKind::Syntax { .. }), "{bad:?}: {e}");
    }
}

#[test]
fn unexpected_end() {
    for (bad, offset) in [
        ("", 0),
        ("   ", 3),
        ("[", 1),
        ("[1,", 3),
        ("{", 1),
        ("{\"a\"", 4),
        ("{\"a\":", 5),
        ("\"abc", 4),
        ("\"a\\", 3),
        ("tr", 2),
        ("-", 1),
        ("1.", 2),
        ("1e+", 3),
        ("\"\\u00", 5),
    ] {
        let e = err(bad.as_bytes());
        assert!(matches!(e.kind, ParseErrorKind::UnexpectedEnd { .. }), "{bad:?}: {e}");
        assert_eq!(e.offset, offset, "{bad:?}");
    }
    assert_eq!(err(b"[1,").to_string(), "unexpected end of input: expected a JSON value at $[1] (line 1, column 4)");
}

#[test]
fn control_characters() {
    check(&err(b"{\"a\":\"x\ty\"}"), ParseErrorKind::ControlCharacter { byte: 9 }, 7, 1, 8, "$.a");
    for c in 0u8..0x20 {
        let doc = [b'"', c, b'"'];
        assert_eq!(err(&doc).kind, ParseErrorKind::ControlCharacter { byte: c });
    }
    // After an escape (slow path) as well.
    assert_eq!(err(b"\"\\n\n\"").kind, ParseErrorKind::ControlCharacter { byte: b'\n' });
    assert_eq!(err(b"\"a\x1f\"").to_string(), "unescaped control character U+001F in string at $ (line 1, column 3)");
    // DEL is not a control character for JSON.
    assert_eq!(ok(b"\"\x7f\""), Value::from("\u{7f}"));
}

#[test]
fn escapes() {
    assert_eq!(ok(br#""\"\\\/\b\f\n\r\t\u0000\u00e9\u20AC""#), Value::from("\"\\/\u{8}\u{c}\n\r\t\u{0}é€"));
    for (bad, offset) in [
        (r#""\x""#, 1),
        (r#""ab\'""#, 3),
        (r#""\U0041""#, 1),
        (r#""\u12g4""#, 1),
        (r#""\u-123""#, 1),
        (r#""\ud83d\uZZZZ""#, 7),
        ("\"\\\u{e9}\"", 1),
    ] {
        let e = err(bad.as_bytes());
        assert_eq!(e.kind, ParseErrorKind::InvalidEscape, "{bad}");
        assert_eq!(e.offset, offset, "{bad}");
    }
    assert_eq!(err(br#"{"a":["\q"]}"#).to_string(), "invalid escape sequence in string at $.a[0] (line 1, column 8)");
}

#[test]
fn trailing_data() {
    check(&err(b"{} {}"), ParseErrorKind::TrailingData, 3, 1, 4, "$");
    check(&err(b"1 2"), ParseErrorKind::TrailingData, 2, 1, 3, "$");
    check(&err(b"[]\n\nx"), ParseErrorKind::TrailingData, 4, 3, 1, "$");
    assert_eq!(err(b"\"a\"\x00").kind, ParseErrorKind::TrailingData);
    assert_eq!(err(b"[] ]").to_string(), "trailing data after the JSON value at $ (line 1, column 4)");
    // Trailing (and leading) JSON whitespace is fine.
    assert_eq!(ok(b" \t\r\n[] \t\r\n"), Value::Array(vec![]));
}

#[test]
fn byte_order_mark() {
    check(&err(b"\xef\xbb\xbf{}"), ParseErrorKind::ByteOrderMark, 0, 1, 1, "$");
    assert_eq!(
        err(b"\xef\xbb\xbf{}").to_string(),
        "byte order mark at start of input (UTF-8 without BOM required) at $ (line 1, column 1)"
    );
    // A BOM later in a string is just U+FEFF.
    assert_eq!(ok(b"\"\xef\xbb\xbf\""), Value::from("\u{feff}"));
    // UTF-16 BOMs are not UTF-8.
    assert_eq!(err(b"\xff\xfe[]").kind, ParseErrorKind::InvalidUtf8);
}

#[test]
fn errors_implement_std_error() {
    let e: Box<dyn std::error::Error> = Box::new(err(b"["));
    assert!(!e.to_string().is_empty());
}
