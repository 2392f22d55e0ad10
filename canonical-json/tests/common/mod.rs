//! Shared helpers for the integration tests: a seeded PRNG and a random
//! JSON value generator.
#![allow(dead_code)]

use attest_json::{Number, Object, Value, MAX_SAFE_INTEGER};

/// PCG-style 64-bit generator; deterministic for a given seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x9e37_79b9_7f4a_7c15);
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let x = self.0;
        let x = (x ^ (x >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^ (x >> 33)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A character from a pool that covers the interesting ranges: ASCII
    /// (including quote, backslash, controls), Latin-1, U+E000–U+FFFF and
    /// supplementary characters.
    pub fn char(&mut self) -> char {
        let c = match self.below(8) {
            0 => self.below(0x20) as u32,
            1 => *self.pick(&[0x22u32, 0x5c, 0x2f, 0x7f, 0x20]),
            2 | 3 => 0x20 + self.below(0x5f) as u32,
            4 => 0x80 + self.below(0x780) as u32,
            5 => 0xe000 + self.below(0x2000) as u32,
            6 => 0xfff0 + self.below(0x10) as u32,
            _ => 0x10000 + self.below(0x100000) as u32,
        };
        char::from_u32(c).unwrap_or('?')
    }

    pub fn string(&mut self, max_len: usize) -> String {
        let n = self.below(max_len + 1);
        (0..n).map(|_| self.char()).collect()
    }

    /// A finite double whose canonical form the strict parser reads back:
    /// integral doubles from 2^53 to 1e21 print as plain integers, which
    /// are outside the accepted integer range.
    pub fn float(&mut self) -> f64 {
        loop {
            let f = match self.below(4) {
                0 => f64::from_bits(self.next()),
                1 => (self.next() >> 11) as f64 / (1u64 << 20) as f64,
                2 => self.below(1000) as f64 / 8.0 - 60.0,
                _ => (self.next() % 2_000_000) as f64 * 10f64.powi(self.below(60) as i32 - 30),
            };
            let integral_unsafe = f.fract() == 0.0 && f.abs() > MAX_SAFE_INTEGER as f64 && f.abs() < 1e21;
            if f.is_finite() && !integral_unsafe {
                return f;
            }
        }
    }

    pub fn int(&mut self) -> i64 {
        match self.below(3) {
            0 => self.below(200) as i64 - 100,
            1 => (self.next() % (2 * MAX_SAFE_INTEGER as u64 + 1)) as i64 - MAX_SAFE_INTEGER,
            _ => *self.pick(&[0, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 1 << 31, -(1 << 31)]),
        }
    }

    /// A random value at most `depth` containers deep.
    pub fn value(&mut self, depth: usize) -> Value {
        let kinds = if depth == 0 { 5 } else { 7 };
        match self.below(kinds) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(2)),
            2 => Value::Number(Number::Int(self.int())),
            3 => Value::Number(Number::Float(self.float())),
            4 => Value::String(self.string(12)),
            5 => {
                let n = self.below(6);
                Value::Array((0..n).map(|_| self.value(depth - 1)).collect())
            }
            _ => {
                let n = self.below(7);
                let mut o = Object::new();
                for _ in 0..n {
                    let k = if self.chance(2) {
                        self.string(6)
                    } else {
                        self.pick(&["a", "b", "type", "", "\u{e000}", "\u{1f600}", "é"]).to_string()
                    };
                    let v = self.value(depth - 1);
                    let _ = o.insert(k, v); // repeated keys are skipped
                }
                Value::Object(o)
            }
        }
    }
}

/// Writes `v` as valid but non-canonical JSON: random whitespace, members
/// in insertion order, random escapes (including surrogate pairs), numbers
/// in random equivalent spellings.
pub fn write_noisy(v: &Value, rng: &mut Rng, out: &mut String) {
    fn ws(rng: &mut Rng, out: &mut String) {
        for _ in 0..rng.below(3) {
            out.push(*rng.pick(&[' ', '\n', '\r', '\t']));
        }
    }
    ws(rng, out);
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(Number::Int(i)) => {
            out.push_str(&i.to_string());
        }
        Value::Number(Number::Float(f)) => match rng.below(3) {
            // Rust's shortest round-trip forms are valid JSON literals
            // when they contain a fraction or exponent.
            0 => out.push_str(&format!("{f:e}")),
            1 => out.push_str(&format!("{f:E}").replace('E', "E+").replace("E+-", "E-")),
            _ => {
                let s = format!("{f:?}");
                if s.contains(['.', 'e']) {
                    out.push_str(&s);
                } else {
                    out.push_str(&format!("{f:e}"));
                }
            }
        },
        Value::String(s) => write_noisy_string(s, rng, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_noisy(x, rng, out);
                ws(rng, out);
            }
            ws(rng, out);
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                ws(rng, out);
                write_noisy_string(k, rng, out);
                ws(rng, out);
                out.push(':');
                write_noisy(x, rng, out);
                ws(rng, out);
            }
            ws(rng, out);
            out.push('}');
        }
    }
}

fn write_noisy_string(s: &str, rng: &mut Rng, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let must_escape = c == '"' || c == '\\' || (c as u32) < 0x20;
        if must_escape || rng.chance(4) {
            match (c, rng.below(2)) {
                ('"', 0) => out.push_str("\\\""),
                ('\\', 0) => out.push_str("\\\\"),
                ('/', 0) => out.push_str("\\/"),
                ('\n', 0) => out.push_str("\\n"),
                ('\t', 0) => out.push_str("\\t"),
                _ => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        if rng.chance(2) {
                            out.push_str(&format!("\\u{u:04x}"));
                        } else {
                            out.push_str(&format!("\\u{u:04X}"));
                        }
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out.push('"');
}
