//! Byte scanning helpers.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Index of the first byte at or after `i` that is `"`, `\` or below 0x20
/// (the bytes that end a run of plain string content), or `b.len()`.
///
/// Works eight bytes at a time (SWAR): for each condition the classic
/// "has zero byte" / "has byte less than n" tricks flag the lowest matching
/// byte exactly (borrows only propagate upwards from a true match), so the
/// lowest flagged byte of the union is the first match.
#[inline]
pub(crate) fn plain_run(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(arr) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(arr);
        let q = w ^ (ONES * u64::from(b'"'));
        let s = w ^ (ONES * u64::from(b'\\'));
        let m = (q.wrapping_sub(ONES) & !q) | (s.wrapping_sub(ONES) & !s) | (w.wrapping_sub(ONES * 0x20) & !w);
        let m = m & HIGH;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::plain_run;

    fn naive(b: &[u8], i: usize) -> usize {
        b.iter().skip(i).position(|&c| c == b'"' || c == b'\\' || c < 0x20).map_or(b.len(), |p| p + i)
    }

    #[test]
    fn matches_naive_scan() {
        let alphabet = [b'a', b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x21, 0x5b, 0x5d];
        let mut state: u64 = 0x1234_5678_9abc_def0;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = (state >> 59) as usize + 1;
            let mut buf = Vec::with_capacity(len);
            let mut x = state;
            for _ in 0..len {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                // Mostly plain bytes, sometimes a stop byte.
                let c = if (x >> 60) < 13 { b'a' } else { alphabet[((x >> 33) % alphabet.len() as u64) as usize] };
                buf.push(c);
            }
            for start in 0..=len {
                assert_eq!(plain_run(&buf, start), naive(&buf, start), "{buf:?} {start}");
            }
        }
    }
}
