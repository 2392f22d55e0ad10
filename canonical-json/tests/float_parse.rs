//! The number parser (`attest_json::parse_f64`, src/float.rs) against core's `f64::from_str`, the reference for correct
//! rounding: every ECMAScript test double, random literals of every shape,
//! exact halfway points between adjacent doubles (ties to even) and their
//! nearest neighbours above and below, very long mantissas, and the
//! classic hard cases. A single differing bit fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use attest_json::parse_f64;

const ES6: &str = include_str!("data/es6-numbers.txt");

fn check(literal: &str, failures: &mut Vec<String>) {
    let core = literal.parse::<f64>().expect(literal);
    match parse_f64(literal.as_bytes()) {
        Some(got) if got.to_bits() == core.to_bits() => {}
        got => failures.push(format!("{literal}: core {core:e} ({:016x}), got {got:?}", core.to_bits())),
    }
}

/// xorshift64*: a fixed-seed generator (deterministic test).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// Decimal digits of `m · 5^e` (exact, schoolbook base 10^9).
fn times_pow5(m: u64, e: u32) -> String {
    let mut limbs: Vec<u128> = vec![u128::from(m)];
    let mul = |k: u128, limbs: &mut Vec<u128>| {
        let mut carry = 0u128;
        for l in limbs.iter_mut() {
            let v = *l * k + carry;
            *l = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(carry % 1_000_000_000);
            carry /= 1_000_000_000;
        }
    };
    mul(1, &mut limbs);
    for _ in 0..e {
        mul(5, &mut limbs);
    }
    let mut s = limbs.last().unwrap().to_string();
    for l in limbs.iter().rev().skip(1) {
        s.push_str(&format!("{l:09}"));
    }
    s
}

#[test]
fn ecmascript_doubles() {
    let mut failures = Vec::new();
    for line in ES6.lines() {
        let (_, js) = line.split_once(' ').unwrap();
        check(js, &mut failures);
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn random_literals() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut failures = Vec::new();
    for _ in 0..200_000 {
        let int_len = 1 + rng.below(20) as usize;
        let mut s = String::new();
        if rng.below(2) == 0 {
            s.push('-');
        }
        let int = rng.digits(int_len);
        s.push_str(if int.len() > 1 { int.trim_start_matches('0') } else { &int });
        if s.is_empty() || s == "-" {
            s.push('0');
        }
        if rng.below(3) > 0 {
            s.push('.');
            let frac_len = 1 + rng.below(25) as usize;
            s.push_str(&rng.digits(frac_len));
        }
        if rng.below(3) > 0 {
            s.push(if rng.below(2) == 0 { 'e' } else { 'E' });
            match rng.below(3) {
                0 => s.push('-'),
                1 => s.push('+'),
                _ => {}
            }
            s.push_str(&rng.below(360).to_string());
        }
        check(&s, &mut failures);
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures[..failures.len().min(20)].join("\n"));
}

#[test]
fn halfway_points_and_neighbours() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut failures = Vec::new();
    for _ in 0..5_000 {
        // Between 1 + k·2^-52 and the next double: 1 + (2k+1)·2^-53
        // = 1 + (2k+1)·5^53 / 10^53, exactly.
        let k = rng.below(1 << 52);
        let n = times_pow5(2 * k + 1, 53);
        let frac = format!("{n:0>53}");
        // The ties themselves (at exponent 0), then the same digits scaled
        // by a power of ten (ordinary values with 54+ significant digits).
        let below_frac = times_pow5(2 * k + 1, 53);
        // The digits end in 5: replace it by 4 and append 9s.
        let below_frac = format!("{:0>53}", below_frac[..below_frac.len() - 1].to_string().add_digit(4));
        let exp = rng.below(600) as i64 - 300;
        for s in [
            format!("1.{frac}"),
            format!("1.{frac}000000000000000000001"),
            format!("1.{below_frac}99999999999999999999"),
            format!("1.{frac}e{exp}"),
            format!("1.{below_frac}99999999999999999999e{exp}"),
        ] {
            check(&s, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures[..failures.len().min(20)].join("\n"));
}

#[test]
fn subnormal_and_overflow_halfway_points() {
    let mut rng = Rng(0x05ee_d0ff_10a7);
    let mut failures = Vec::new();
    let mut ks: Vec<u64> = (0..64).collect();
    ks.extend((0..1_000).map(|_| rng.below(1 << 52)));
    for k in ks {
        // Between k·2^-1074 and (k+1)·2^-1074: (2k+1)·5^1075 · 10^-1075.
        let n = times_pow5(2 * k + 1, 1075);
        check(&format!("{n}e-1075"), &mut failures);
        check(&format!("{n}1e-1076"), &mut failures);
        let below = n[..n.len() - 1].to_string().add_digit(4);
        check(&format!("{below}9e-1076"), &mut failures);
        // Past the 800 kept digits: the tie padded with zeros stays a tie,
        // a 1 far out makes it round up, trailing 9s far out keep it below.
        let zeros = "0".repeat(150);
        check(&format!("{n}{zeros}e-1225"), &mut failures);
        check(&format!("{n}{zeros}1e-1226"), &mut failures);
        check(&format!("{below}{}e-1226", "9".repeat(151)), &mut failures);
    }
    // Between the largest double (2^53−1)·2^971 and 2^1024: (2^54−1)·2^970,
    // a tie that rounds to even, i.e. to infinity (`from_str` gives inf).
    let mut big: Vec<u32> = vec![1];
    let mut mul = |k: u64| {
        let mut carry = 0u64;
        for d in big.iter_mut() {
            let v = u64::from(*d) * k + carry;
            *d = (v % 10) as u32;
            carry = v / 10;
        }
        while carry > 0 {
            big.push((carry % 10) as u32);
            carry /= 10;
        }
    };
    mul((1 << 54) - 1);
    for _ in 0..970 {
        mul(2);
    }
    let tie: String = big.iter().rev().map(|d| char::from(b'0' + *d as u8)).collect();
    check(&tie, &mut failures);
    check(&format!("{tie}.0"), &mut failures);
    // Just below and just above the tie.
    let mut below_tie: Vec<u8> = tie.clone().into_bytes();
    let mut i = below_tie.len() - 1;
    while below_tie[i] == b'0' {
        below_tie[i] = b'9';
        i -= 1;
    }
    below_tie[i] -= 1;
    let below_tie = String::from_utf8(below_tie).unwrap();
    check(&format!("{below_tie}.999999999999"), &mut failures);
    check(&format!("{tie}.000000000001"), &mut failures);
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures[..failures.len().min(20)].join("\n"));
}

/// Worst-case literals stay cheap (no quadratic blow-up on long mantissas).
#[test]
fn long_literals_are_fast() {
    let long = "9".repeat(5_000);
    let start = std::time::Instant::now();
    for lit in [format!("{long}.5"), format!("0.{long}e-300"), format!("{long}e-1"), format!("1.{long}e-5000")] {
        let core = lit.parse::<f64>().unwrap();
        assert_eq!(parse_f64(lit.as_bytes()).map(f64::to_bits), Some(core.to_bits()), "{}", &lit[..20]);
    }
    assert!(start.elapsed() < std::time::Duration::from_millis(500), "{:?}", start.elapsed());
}

trait AddDigit {
    fn add_digit(self, d: u8) -> String;
}
impl AddDigit for String {
    fn add_digit(mut self, d: u8) -> String {
        self.push(char::from(b'0' + d));
        self
    }
}

#[test]
fn long_mantissas_and_classic_hard_cases() {
    let mut rng = Rng(0x0bad_cafe_dead_beef);
    let mut failures = Vec::new();
    for _ in 0..2_000 {
        let len = 1 + rng.below(900) as usize;
        let d = rng.digits(len);
        let exp = rng.below(800) as i64 - 400 - len as i64 / 2;
        check(&format!("0.{d}e{exp}"), &mut failures);
        check(&format!("{}.{d}", 1 + rng.below(9)), &mut failures);
    }
    for s in [
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "2.2250738585072014e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "9007199254740993.0",
        "9007199254740992.999999999999999999",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "0.1",
        "0.3",
        "123456789012345678901234567890e-30",
        "1e-400",
        "1e400",
        "-0.0",
        "0e0",
        "7.038531e-26",
        "8.533e+68",
        "4.1006e-184",
        "9.998e+307",
        "9.9538452227e-280",
        "6.47660115e-260",
        "7.4e+47",
        "5.92e+48",
        "7.35e+66",
        "8.32116e+55",
    ] {
        check(s, &mut failures);
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures[..failures.len().min(20)].join("\n"));
}
