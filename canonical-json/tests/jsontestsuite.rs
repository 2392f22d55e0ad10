//! nst/JSONTestSuite `test_parsing`: every `y_` accepted (except the
//! listed duplicate-key cases), every `n_` rejected, every `i_` pinned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use attest_json::{parse, Limits, ParseErrorKind};

fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/external/jsontestsuite/test_parsing")
}

fn files() -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(suite_dir()).expect("test-vectors/external/jsontestsuite is missing") {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        out.insert(name, std::fs::read(entry.path()).unwrap());
    }
    out
}

/// A stable name for each error kind, so outcomes can be pinned.
fn kind(k: &ParseErrorKind) -> &'static str {
    match k {
        ParseErrorKind::TooLarge { .. } => "TooLarge",
        ParseErrorKind::TooDeep { .. } => "TooDeep",
        ParseErrorKind::InvalidUtf8 => "InvalidUtf8",
        ParseErrorKind::LoneSurrogate => "LoneSurrogate",
        ParseErrorKind::DuplicateKey { .. } => "DuplicateKey",
        ParseErrorKind::IntegerOutOfRange { .. } => "IntegerOutOfRange",
        ParseErrorKind::NumberNotFinite { .. } => "NumberNotFinite",
        ParseErrorKind::Syntax { .. } => "Syntax",
        ParseErrorKind::UnexpectedEnd { .. } => "UnexpectedEnd",
        ParseErrorKind::ControlCharacter { .. } => "ControlCharacter",
        ParseErrorKind::InvalidEscape => "InvalidEscape",
        ParseErrorKind::TrailingData => "TrailingData",
        ParseErrorKind::ByteOrderMark => "ByteOrderMark",
        _ => "other",
    }
}

/// `y_` files that must be rejected: formats §0 rejects duplicate object
/// keys at any depth, which RFC 8259 (and so the suite) allows.
const Y_EXCEPTIONS: &[(&str, &str)] = &[
    ("y_object_duplicated_key.json", "duplicate key \"a\" (formats §0: duplicates rejected)"),
    ("y_object_duplicated_key_and_value.json", "duplicate key \"a\", even with the same value (formats §0)"),
];

/// Outcome of an implementation-defined case: `None` = accepted,
/// `Some(kind)` = rejected with that error kind.
type Pinned = (&'static str, Option<&'static str>, &'static str);

/// Every `i_` file, with the decision and the reason.
const I_OUTCOMES: &[Pinned] = &[
    // Numbers: floats are correctly rounded; overflow to ±infinity is
    // rejected, underflow to 0 is accepted; integers beyond ±(2^53-1) are
    // rejected, never rounded.
    ("i_number_double_huge_neg_exp.json", None, "123.456e-789 underflows to 0.0: accepted"),
    ("i_number_huge_exp.json", Some("NumberNotFinite"), "0.4e00669...9 overflows to infinity"),
    ("i_number_neg_int_huge_exp.json", Some("NumberNotFinite"), "-1e+9999 overflows to -infinity"),
    ("i_number_pos_double_huge_exp.json", Some("NumberNotFinite"), "1.5e+9999 overflows to infinity"),
    ("i_number_real_neg_overflow.json", Some("NumberNotFinite"), "-123123e100000 overflows"),
    ("i_number_real_pos_overflow.json", Some("NumberNotFinite"), "123123e100000 overflows"),
    ("i_number_real_underflow.json", None, "123e-10000000 underflows to 0.0: accepted"),
    ("i_number_too_big_neg_int.json", Some("IntegerOutOfRange"), "integer below -(2^53-1)"),
    ("i_number_too_big_pos_int.json", Some("IntegerOutOfRange"), "1e20 written as integer, above 2^53-1"),
    ("i_number_very_big_negative_int.json", Some("IntegerOutOfRange"), "integer far below -(2^53-1)"),
    // Escaped surrogates must form a high-low pair.
    ("i_object_key_lone_2nd_surrogate.json", Some("LoneSurrogate"), "key \\uDFAA alone"),
    ("i_string_1st_surrogate_but_2nd_missing.json", Some("LoneSurrogate"), "\\uDADA without low surrogate"),
    ("i_string_1st_valid_surrogate_2nd_invalid.json", Some("LoneSurrogate"), "\\uD888 followed by \\u1234"),
    ("i_string_incomplete_surrogate_and_escape_valid.json", Some("LoneSurrogate"), "\\uD800 followed by \\n"),
    ("i_string_incomplete_surrogate_pair.json", Some("LoneSurrogate"), "\\uDd1e (low) alone"),
    ("i_string_incomplete_surrogates_escape_valid.json", Some("LoneSurrogate"), "\\uD800\\uD800: high then high"),
    ("i_string_invalid_lonely_surrogate.json", Some("LoneSurrogate"), "\\ud800 alone"),
    ("i_string_invalid_surrogate.json", Some("LoneSurrogate"), "\\ud800 followed by text"),
    ("i_string_inverted_surrogates_U+1D11E.json", Some("LoneSurrogate"), "low before high"),
    ("i_string_lone_second_surrogate.json", Some("LoneSurrogate"), "\\uDFAA alone"),
    // Input must be UTF-8, without BOM.
    ("i_string_UTF-16LE_with_BOM.json", Some("InvalidUtf8"), "UTF-16: FF FE is not UTF-8"),
    ("i_string_UTF-8_invalid_sequence.json", Some("InvalidUtf8"), "invalid UTF-8 sequence in string"),
    ("i_string_UTF8_surrogate_U+D800.json", Some("InvalidUtf8"), "ED A0 80 encodes a surrogate"),
    ("i_string_invalid_utf-8.json", Some("InvalidUtf8"), "FF is never UTF-8"),
    ("i_string_iso_latin_1.json", Some("InvalidUtf8"), "Latin-1 E9 alone is not UTF-8"),
    ("i_string_lone_utf8_continuation_byte.json", Some("InvalidUtf8"), "continuation byte 81 alone"),
    ("i_string_not_in_unicode_range.json", Some("InvalidUtf8"), "F4 BF BF BF is above U+10FFFF"),
    ("i_string_overlong_sequence_2_bytes.json", Some("InvalidUtf8"), "overlong C0 AF"),
    ("i_string_overlong_sequence_6_bytes.json", Some("InvalidUtf8"), "6-byte form FC.. is not UTF-8"),
    ("i_string_overlong_sequence_6_bytes_null.json", Some("InvalidUtf8"), "overlong 6-byte NUL"),
    ("i_string_truncated-utf-8.json", Some("InvalidUtf8"), "E0 FF: truncated sequence"),
    ("i_string_utf16BE_no_BOM.json", Some("Syntax"), "UTF-16BE: NUL byte where a value must start"),
    ("i_string_utf16LE_no_BOM.json", Some("Syntax"), "UTF-16LE: NUL byte after '['"),
    ("i_structure_UTF-8_BOM_empty_object.json", Some("ByteOrderMark"), "leading UTF-8 BOM rejected"),
    // Limits.
    ("i_structure_500_nested_arrays.json", Some("TooDeep"), "500 levels > default max_depth 128"),
];

fn outcome(bytes: &[u8]) -> Option<&'static str> {
    match parse(bytes, &Limits::default()) {
        Ok(_) => None,
        Err(e) => Some(kind(&e.kind)),
    }
}

#[test]
fn suite_is_complete() {
    let files = files();
    assert_eq!(files.len(), 318, "expected the 318 upstream test_parsing files");
    for name in files.keys() {
        assert!(name.starts_with("y_") || name.starts_with("n_") || name.starts_with("i_"), "unexpected file {name}");
    }
}

#[test]
fn y_files_accepted() {
    let mut checked = 0;
    for (name, bytes) in files().iter().filter(|(n, _)| n.starts_with("y_")) {
        let result = parse(bytes, &Limits::default());
        if let Some((_, why)) = Y_EXCEPTIONS.iter().find(|(n, _)| n == name) {
            let err = result.expect_err(name);
            assert_eq!(kind(&err.kind), "DuplicateKey", "{name}: {why}: {err}");
        } else if let Err(e) = result {
            panic!("{name} must be accepted, got: {e}");
        }
        checked += 1;
    }
    assert_eq!(checked, 95);
    for (n, _) in Y_EXCEPTIONS {
        assert!(files().contains_key(*n), "exception {n} is not in the suite");
    }
}

#[test]
fn n_files_rejected() {
    let mut checked = 0;
    for (name, bytes) in files().iter().filter(|(n, _)| n.starts_with("n_")) {
        assert!(parse(bytes, &Limits::default()).is_err(), "{name} must be rejected");
        // Also with limits far apart from the defaults: still rejected, and
        // never a panic or a stack overflow.
        let unlimited = Limits { max_bytes: usize::MAX, max_depth: usize::MAX };
        assert!(parse(bytes, &unlimited).is_err(), "{name} must be rejected");
        checked += 1;
    }
    assert_eq!(checked, 188);
}

#[test]
fn i_files_pinned() {
    let files = files();
    let listed: BTreeMap<&str, (Option<&str>, &str)> = I_OUTCOMES.iter().map(|(n, o, why)| (*n, (*o, *why))).collect();
    assert_eq!(listed.len(), I_OUTCOMES.len(), "file listed twice");
    let mut failures = Vec::new();
    for (name, bytes) in files.iter().filter(|(n, _)| n.starts_with("i_")) {
        match listed.get(name.as_str()) {
            None => failures.push(format!("{name}: not listed in I_OUTCOMES")),
            Some((want, why)) => {
                let got = outcome(bytes);
                if got != *want {
                    failures.push(format!(
                        "{name}: pinned {} ({why}), got {}",
                        want.unwrap_or("accept"),
                        got.unwrap_or("accept")
                    ));
                }
            }
        }
    }
    for name in listed.keys() {
        if !files.contains_key(*name) {
            failures.push(format!("{name}: listed but not in the suite"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(listed.len(), 35);
}

#[test]
fn underflowing_i_cases_parse_to_zero() {
    let files = files();
    for name in ["i_number_double_huge_neg_exp.json", "i_number_real_underflow.json"] {
        let v = parse(&files[name], &Limits::default()).unwrap();
        let n = v.as_array().unwrap()[0].as_number().copied().unwrap();
        assert_eq!(n, attest_json::Number::Float(0.0), "{name}");
    }
}
