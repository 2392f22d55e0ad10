//! Decimal → binary64 conversion, correctly rounded (round half to even),
//! for number literals with a fraction or an exponent.
//!
//! Why not a crate: core's `f64::from_str` is exact but brings a 10 KB
//! power-of-five table into the WebAssembly module (~8.5 KB gzipped), and
//! lexical's compact parser — the small alternative — rounds some inputs
//! one ulp off (e.g. `1.07206528606629858391130483141751028597354888916015625e-206`).
//! This is the textbook exact method on small big integers, slow but only
//! used for the rare non-integer number: `tests/float_parse.rs` checks it
//! bit for bit against `f64::from_str` on ~290,000 literals, including
//! exact halfway points between adjacent doubles and their neighbours.
//!
//! Method. The literal is `D · 10^E` with `D` the significant digits as an
//! integer. For `E ≥ 0`, `N = D · 10^E` exactly. For `E < 0`,
//! `N = ⌊D / (5^−E · 2^r)⌋` scaled by `2^(r+E)`, with `r` (of either sign)
//! chosen so that `N` has 57 or 58 bits, and a sticky bit for a non-zero
//! remainder. `N` is then rounded to the binary64 grid at its exponent
//! (normal or subnormal).
//! Digits past the 800th significant one only feed the sticky bit: a
//! halfway point between doubles has at most 768 significant digits, so
//! they cannot move a value across one.

/// Little-endian base-2^32 natural number.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from_u32(v: u32) -> Big {
        Big(vec![v])
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    /// self = self · m + a.
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for l in self.0.iter_mut() {
            let v = u64::from(*l) * u64::from(m) + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    /// self = self · k^n (k ≤ 10).
    fn mul_pow(&mut self, k: u32, mut n: u32) {
        // k^13 < 2^32 for k ≤ 5; k^9 < 2^32 for k = 10.
        let step = if k <= 5 { 13 } else { 9 };
        while n > 0 {
            let e = n.min(step);
            self.mul_add(k.pow(e), 0);
            n -= e;
        }
    }

    fn shl(&mut self, bits: u32) {
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        if bits > 0 {
            let mut carry = 0u32;
            for l in self.0.iter_mut() {
                let v = (*l << bits) | carry;
                carry = *l >> (32 - bits);
                *l = v;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        if words > 0 {
            self.0.splice(0..0, core::iter::repeat_n(0, words));
        }
    }

    fn bit_len(&self) -> u32 {
        match self.0.iter().enumerate().rev().find(|(_, &l)| l != 0) {
            Some((i, l)) => i as u32 * 32 + (32 - l.leading_zeros()),
            None => 0,
        }
    }

    fn bit(&self, i: u32) -> bool {
        self.0.get((i / 32) as usize).is_some_and(|l| (l >> (i % 32)) & 1 == 1)
    }

    /// Any bit below `i` set.
    fn any_below(&self, i: u32) -> bool {
        let (words, bits) = ((i / 32) as usize, i % 32);
        self.0.iter().take(words).any(|&l| l != 0)
            || (bits > 0 && self.0.get(words).is_some_and(|l| l & ((1u32 << bits) - 1) != 0))
    }

    /// Bits `[lo, lo + 64)` as a u64.
    fn bits_from(&self, lo: u32) -> u64 {
        (0..64).filter(|&j| self.bit(lo + j)).fold(0u64, |acc, j| acc | (1u64 << j))
    }

    fn cmp(&self, other: &Big) -> core::cmp::Ordering {
        let (a, b) = (self.bit_len(), other.bit_len());
        if a != b {
            return a.cmp(&b);
        }
        let n = self.0.len().max(other.0.len());
        for i in (0..n).rev() {
            let x = self.0.get(i).copied().unwrap_or(0);
            let y = other.0.get(i).copied().unwrap_or(0);
            if x != y {
                return x.cmp(&y);
            }
        }
        core::cmp::Ordering::Equal
    }

    /// self -= other (other ≤ self).
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, l) in self.0.iter_mut().enumerate() {
            let v = i64::from(*l) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            *l = v.rem_euclid(1 << 32) as u32;
        }
        self.trim();
    }
}

/// Significant digits kept exactly; later ones only set the sticky bit.
const MAX_DIGITS: usize = 800;

/// Correctly rounded decimal → double of a literal matching the JSON number
/// grammar (`-? int frac? exp?`; any number of digits, any exponent);
/// `None` if it does not match. Overflow gives ±∞, underflow ±0.
pub fn parse_f64(literal: &[u8]) -> Option<f64> {
    let (negative, rest) = match literal.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, literal),
    };
    let (mantissa, exp_part) = match rest.iter().position(|&c| c == b'e' || c == b'E') {
        Some(i) => {
            let (m, e) = rest.split_at_checked(i)?;
            (m, Some(e.get(1..).unwrap_or_default()))
        }
        None => (rest, None),
    };
    let (int, frac) = match mantissa.iter().position(|&c| c == b'.') {
        Some(i) => {
            let (int, frac) = mantissa.split_at_checked(i)?;
            (int, frac.get(1..).unwrap_or_default())
        }
        None => (mantissa, &[][..]),
    };
    if int.is_empty()
        || !int.iter().chain(frac).all(u8::is_ascii_digit)
        || (mantissa.contains(&b'.') && frac.is_empty())
    {
        return None;
    }
    // Decimal exponent, saturated (any |E| beyond 10^6 is 0 or ∞ anyway).
    let mut exp: i64 = 0;
    if let Some(e) = exp_part {
        let (neg, digits) = match e.split_first() {
            Some((b'-', d)) => (true, d),
            Some((b'+', d)) => (false, d),
            _ => (false, e),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for &d in digits {
            exp = (exp * 10 + i64::from(d - b'0')).min(1_000_000_000);
        }
        if neg {
            exp = -exp;
        }
    }
    exp -= frac.len() as i64;
    // D without leading zeros; digits beyond MAX_DIGITS → sticky.
    let all = int.iter().chain(frac).copied().skip_while(|&c| c == b'0');
    let mut d = Big::from_u32(0);
    let mut kept = 0usize;
    let mut dropped = 0i64;
    let mut tail = false;
    for c in all {
        if kept < MAX_DIGITS {
            d.mul_add(10, u32::from(c - b'0'));
            kept += 1;
        } else {
            dropped += 1;
            tail |= c != b'0';
        }
    }
    let sign = |f: f64| if negative { -f } else { f };
    if d.is_zero() {
        return Some(sign(0.0));
    }
    let exp = exp + dropped;
    // value < 10^(exp + kept): below 10^-326 it rounds to zero; at or above
    // 10^310 (exp + kept - 1 ≥ 309) it overflows.
    let magnitude = exp + kept as i64;
    if magnitude < -326 {
        return Some(sign(0.0));
    }
    if magnitude > 310 {
        return Some(sign(f64::INFINITY));
    }
    let (n, e2, sticky) = if exp >= 0 {
        d.mul_pow(10, exp as u32);
        (d, 0i64, tail)
    } else {
        let m = (-exp) as u32;
        let mut p = Big::from_u32(1);
        p.mul_pow(5, m);
        // Scale so that q = ⌊d / p⌋ has 57 or 58 bits: d · 2^s if d is
        // short, p · 2^r if d is long (then d / p is a large number and its
        // low bits only matter as sticky). value = q · 2^(r − m) + rest.
        let r = i64::from(d.bit_len()) - i64::from(p.bit_len()) - 57;
        if r < 0 {
            d.shl((-r) as u32);
        } else {
            p.shl(r as u32);
        }
        // q by shift-and-subtract.
        let qbits = d.bit_len().saturating_sub(p.bit_len()) + 1;
        let mut q = 0u64;
        for i in (0..qbits).rev() {
            let mut shifted = p.clone();
            shifted.shl(i);
            if d.cmp(&shifted) != core::cmp::Ordering::Less {
                d.sub(&shifted);
                q |= 1 << i;
            }
        }
        let mut qb = Big(vec![q as u32, (q >> 32) as u32]);
        qb.trim();
        (qb, r - i64::from(m), tail || !d.is_zero())
    };
    Some(sign(round(&n, e2, sticky)))
}

/// The double nearest to `n · 2^e2` (+ a sticky fraction below `n`'s last bit).
fn round(n: &Big, e2: i64, sticky: bool) -> f64 {
    let len = i64::from(n.bit_len());
    // Exponent of the grid spacing: 52 below the leading bit, at least 2^-1074.
    let ulp = (len - 1 + e2 - 52).max(-1074);
    let t = ulp - e2; // bits of n below the grid
    let mut mant: u64;
    if t <= 0 {
        // Exact: n has at most 53 bits at this exponent.
        mant = n.bits_from(0) << (-t);
    } else if t > len {
        // Below half the smallest spacing.
        return 0.0;
    } else {
        let t32 = t as u32;
        mant = n.bits_from(t32);
        let half = n.bit(t32 - 1);
        let rest = sticky || n.any_below(t32 - 1);
        if half && (rest || mant & 1 == 1) {
            mant += 1;
        }
    }
    let mut ulp = ulp;
    if mant == 1u64 << 53 {
        mant >>= 1;
        ulp += 1;
    }
    if mant >= 1u64 << 52 {
        let biased = ulp + 52 + 1023;
        if biased >= 2047 {
            return f64::INFINITY;
        }
        f64::from_bits(((biased as u64) << 52) | (mant & ((1u64 << 52) - 1)))
    } else {
        // Subnormal (ulp = -1074) or zero.
        f64::from_bits(mant)
    }
}
