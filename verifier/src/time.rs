//! RFC 3339 timestamps in UTC (formats.md §0).
//!
//! Accepted form: `YYYY-MM-DDTHH:MM:SSZ` with an optional fraction of 1 to 9
//! digits after the seconds (`2026-11-21T10:00:00.123Z`). Upper-case `T` and
//! `Z` only, no offsets other than `Z`, no leap second (`:60`), years
//! 0001–9999. The verifier never reads a clock: the caller passes `now`.

use core::cmp::Ordering;
use core::fmt;

/// Why a timestamp string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// Not of the form `YYYY-MM-DDTHH:MM:SS[.f]Z`.
    #[error("not an RFC 3339 UTC timestamp of the form YYYY-MM-DDTHH:MM:SS[.fffffffff]Z")]
    Syntax,
    /// A field is out of range (month 13, February 30, hour 24, second 60, year 0).
    #[error("{field} out of range")]
    Range {
        /// Which field.
        field: &'static str,
    },
    /// A negative time cannot be given as on-chain Unix seconds.
    #[error("before 1970 cannot be expressed as Unix seconds")]
    BeforeEpoch,
}

/// A point in time: seconds since the Unix epoch plus nanoseconds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// A timestamp from Unix seconds and nanoseconds (`nanos` is clamped below 10^9).
    pub const fn from_unix(secs: i64, nanos: u32) -> Self {
        Self { secs, nanos: if nanos < 1_000_000_000 { nanos } else { 999_999_999 } }
    }

    /// Parses the strict RFC 3339 UTC form.
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let b = s.as_bytes();
        if b.len() < 20 || b.len() > 30 {
            return Err(TimestampError::Syntax);
        }
        let num = |range: core::ops::Range<usize>| -> Result<u32, TimestampError> {
            let mut v = 0u32;
            for &c in b.get(range).ok_or(TimestampError::Syntax)? {
                if !c.is_ascii_digit() {
                    return Err(TimestampError::Syntax);
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Ok(v)
        };
        let at = |i: usize| b.get(i).copied();
        if at(4) != Some(b'-')
            || at(7) != Some(b'-')
            || at(10) != Some(b'T')
            || at(13) != Some(b':')
            || at(16) != Some(b':')
        {
            return Err(TimestampError::Syntax);
        }
        let year = num(0..4)?;
        let month = num(5..7)?;
        let day = num(8..10)?;
        let hour = num(11..13)?;
        let minute = num(14..16)?;
        let second = num(17..19)?;
        let mut nanos = 0u32;
        let rest = b.get(19..).unwrap_or_default();
        let tail = match rest.first() {
            Some(b'.') => {
                let digits = rest.iter().skip(1).take_while(|c| c.is_ascii_digit()).count();
                if digits == 0 || digits > 9 {
                    return Err(TimestampError::Syntax);
                }
                let f = num(20..20 + digits)?;
                nanos = f * 10u32.pow((9 - digits) as u32);
                rest.get(1 + digits..).unwrap_or_default()
            }
            _ => rest,
        };
        if tail != b"Z" {
            return Err(TimestampError::Syntax);
        }
        if year == 0 {
            return Err(TimestampError::Range { field: "year" });
        }
        if !(1..=12).contains(&month) {
            return Err(TimestampError::Range { field: "month" });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(TimestampError::Range { field: "day" });
        }
        if hour > 23 {
            return Err(TimestampError::Range { field: "hour" });
        }
        if minute > 59 {
            return Err(TimestampError::Range { field: "minute" });
        }
        if second > 59 {
            return Err(TimestampError::Range { field: "second" });
        }
        let days = days_from_civil(i64::from(year), month, day);
        let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Ok(Self { secs, nanos })
    }

    /// Seconds since the Unix epoch (fraction dropped toward negative infinity).
    pub const fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// This time plus `secs` seconds (saturating at the ends of the range).
    pub const fn plus_seconds(&self, secs: u64) -> Self {
        let add = if secs > i64::MAX as u64 { i64::MAX } else { secs as i64 };
        Self { secs: self.secs.saturating_add(add), nanos: self.nanos }
    }

    /// Nanoseconds within the second.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The on-chain value: Unix seconds as `uint64`, fraction dropped.
    pub fn onchain_seconds(&self) -> Result<u64, TimestampError> {
        u64::try_from(self.secs).map_err(|_| TimestampError::BeforeEpoch)
    }

    /// Formats as RFC 3339 UTC with the fraction only when non-zero (minimal digits).
    pub fn to_rfc3339(&self) -> String {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let mut s = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, (rem / 60) % 60, rem % 60);
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s.push('Z');
        s
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.secs, self.nanos).cmp(&(other.secs, other.nanos))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_rfc3339())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let a = Timestamp::parse("2026-11-21T10:00:00Z").expect("valid");
        assert_eq!(a.unix_seconds(), 1_795_255_200);
        let b = Timestamp::parse("2026-11-21T10:00:00.5Z").expect("valid");
        assert!(a < b);
        assert_eq!(b.subsec_nanos(), 500_000_000);
        assert_eq!(b.to_rfc3339(), "2026-11-21T10:00:00.5Z");
        assert_eq!(Timestamp::parse("1970-01-01T00:00:00Z").expect("epoch").unix_seconds(), 0);
        assert_eq!(
            Timestamp::parse("2000-02-29T23:59:59.999999999Z").expect("leap").to_rfc3339(),
            "2000-02-29T23:59:59.999999999Z"
        );
    }

    #[test]
    fn rejects_non_canonical_forms() {
        for bad in [
            "2026-11-21T10:00:00",
            "2026-11-21t10:00:00Z",
            "2026-11-21T10:00:00z",
            "2026-11-21T10:00:00+00:00",
            "2026-11-21 10:00:00Z",
            "2026-11-21T10:00:00.Z",
            "2026-11-21T10:00:00.1234567890Z",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-21T24:00:00Z",
            "2026-11-21T10:00:60Z",
            "0000-01-01T00:00:00Z",
            "+026-11-21T10:00:00Z",
            "２026-11-21T10:00:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn round_trips_many_days() {
        let mut t = Timestamp::parse("1600-01-01T00:00:00Z").expect("valid").unix_seconds();
        for _ in 0..200_000 {
            let ts = Timestamp::from_unix(t, 0);
            assert_eq!(Timestamp::parse(&ts.to_rfc3339()).expect("round trip"), ts);
            t += 86_400 * 3 + 3_601;
        }
    }
}
