//! RFC 8785 test data (cyberphone/json-canonicalization `testdata/`):
//! every input canonicalizes to its output, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use attest_json::{canonicalize, parse, to_canonical_vec, Limits};

fn jcs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/external/jcs")
}

const CASES: [&str; 6] = ["arrays.json", "french.json", "structures.json", "unicode.json", "values.json", "weird.json"];

#[test]
fn all_pairs_byte_identical() {
    let mut names: Vec<String> = std::fs::read_dir(jcs_dir().join("input"))
        .expect("test-vectors/external/jcs is missing")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, CASES, "the suite has exactly these 6 inputs");
    for name in CASES {
        let input = std::fs::read(jcs_dir().join("input").join(name)).unwrap();
        let expected = std::fs::read(jcs_dir().join("output").join(name)).unwrap();
        let value = parse(&input, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = to_canonical_vec(&value);
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&expected), "{name}");
        assert_eq!(got, expected, "{name}");

        // The canonical form is a fixed point.
        let again = parse(&got, &Limits::default()).unwrap();
        assert_eq!(again, value, "{name}: reparsed value differs");
        let mut out = Vec::new();
        canonicalize(&again, &mut out);
        assert_eq!(out, expected, "{name}: not idempotent");
    }
}
