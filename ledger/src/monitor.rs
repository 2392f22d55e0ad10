//! Heartbeat stream monitoring (docs/spec.md §10.9): the stream checks of
//! formats.md §7 over the heartbeats the ledger appended, at ingest and on a
//! timer, with health transitions reported as a log line, metrics and an
//! alert webhook.
//!
//! - Every appended heartbeat (a verified [`HeartbeatDocument`]) is kept
//!   per stream for [`RETENTION_SECONDS`] after its timestamp; older ones
//!   are dropped and the stream is then checked from that cut
//!   (`window_start`), so memory is bounded by the retention.
//! - A heartbeat received more than `submit_timeout_seconds` (the policy's,
//!   default 15) after its own timestamp is counted as late.
//! - At start-up the heartbeats of the log are verified again (as a batch:
//!   history) to rebuild the monitor.
//! - Health is `healthy`, `missing`, `invalid` or `drift`
//!   ([`attest_verifier::heartbeat::Health`]); [`StreamMonitor::tick`]
//!   returns each stream whose health changed since the last tick.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use attest_verifier::heartbeat::payload::Windows;
use attest_verifier::heartbeat::{check_streams, Health, HeartbeatDocument, StreamOptions, StreamReport};
use attest_verifier::Timestamp;

/// How long heartbeats are kept for the stream checks (24 hours).
pub const RETENTION_SECONDS: u64 = 86_400;

#[derive(Debug, Default)]
struct Stream {
    heartbeats: Vec<HeartbeatDocument>,
    /// Heartbeats before this time were dropped: the checks start here.
    cut: Option<i64>,
    late: u64,
    health: Option<Health>,
}

/// A stream checked by [`StreamMonitor::tick`].
#[derive(Debug, Clone)]
pub struct Checked {
    /// The stream's report now.
    pub report: StreamReport,
    /// Its health at the tick before (`None`: the stream's first tick).
    pub from: Option<Health>,
}

impl Checked {
    /// The health changed since the last tick (or this is the stream's first).
    pub fn changed(&self) -> bool {
        self.from != Some(self.report.health())
    }
}

/// The heartbeat streams the ledger has seen.
#[derive(Debug)]
pub struct StreamMonitor {
    windows: Windows,
    streams: Mutex<BTreeMap<String, Stream>>,
}

impl StreamMonitor {
    /// The window a stream's current health is judged on: twice
    /// `max_gap_seconds` (a gap that ended before it is history, listed by
    /// `?window=` queries but no longer making the stream unhealthy).
    pub fn health_window(&self) -> u64 {
        self.windows.max_gap_seconds.saturating_mul(2)
    }

    /// A monitor with the heartbeat policy's time windows (or the defaults).
    pub fn new(windows: Windows) -> Self {
        Self { windows, streams: Mutex::default() }
    }

    /// Records an appended heartbeat received at `received` (unix seconds);
    /// returns whether it was late.
    pub fn observe(&self, doc: HeartbeatDocument, received: i64) -> bool {
        let hb = doc.heartbeat();
        let late = received.saturating_sub(hb.timestamp())
            > i64::try_from(self.windows.submit_timeout_seconds).unwrap_or(i64::MAX);
        let mut streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        let s = streams.entry(hb.stream().to_string()).or_default();
        if late {
            s.late += 1;
        }
        s.heartbeats.push(doc);
        late
    }

    fn check(&self, s: &Stream, now: Timestamp, window: Option<u64>) -> Vec<StreamReport> {
        let from_window = window.map(|w| now.unix_seconds().saturating_sub(i64::try_from(w).unwrap_or(i64::MAX)));
        // A window that starts before the stream's first heartbeat would
        // count the time before it as a gap: the window applies only to a
        // stream that has heartbeats before it.
        let earliest = s.heartbeats.iter().map(|h| h.heartbeat().timestamp()).min();
        let start = match (from_window, earliest) {
            (Some(w), Some(e)) if e < w => Some(s.cut.map_or(w, |c| c.max(w))),
            _ => s.cut,
        };
        let opts = StreamOptions {
            now,
            max_gap_seconds: self.windows.max_gap_seconds,
            window_start: start.map(|t| Timestamp::from_unix(t, 0)),
        };
        check_streams(s.heartbeats.iter(), &opts)
    }

    /// The report of every stream (or of `only`) at `now`, with its late
    /// count, over the last `window` seconds (default: the health window;
    /// at most the retention).
    pub fn reports(&self, now: Timestamp, window: Option<u64>, only: Option<&str>) -> Vec<(StreamReport, u64)> {
        let window = Some(window.unwrap_or_else(|| self.health_window()).min(RETENTION_SECONDS));
        let streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        streams
            .iter()
            .filter(|(name, _)| only.is_none_or(|o| o == name.as_str()))
            .flat_map(|(_, s)| self.check(s, now, window).into_iter().map(|r| (r, s.late)))
            .collect()
    }

    /// The retained heartbeats with a timestamp ≥ `since` (of one stream,
    /// or all), as entry bytes (canonical envelopes), one per line, by
    /// stream and time.
    pub fn heartbeats_since(&self, since: i64, only: Option<&str>) -> Vec<u8> {
        let streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::new();
        for (_, s) in streams.iter().filter(|(name, _)| only.is_none_or(|o| o == name.as_str())) {
            let mut hs: Vec<&HeartbeatDocument> =
                s.heartbeats.iter().filter(|h| h.heartbeat().timestamp() >= since).collect();
            hs.sort_by_key(|h| (h.heartbeat().timestamp(), h.heartbeat().seq()));
            for h in hs {
                out.extend_from_slice(&h.envelope().canonical_bytes());
                out.push(b'\n');
            }
        }
        out
    }

    /// Drops heartbeats older than the retention, checks every stream at
    /// `now` and returns each with its health at the tick before.
    pub fn tick(&self, now: Timestamp) -> Vec<Checked> {
        let cut = now.unix_seconds().saturating_sub(i64::try_from(RETENTION_SECONDS).unwrap_or(i64::MAX));
        let mut streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::new();
        for s in streams.values_mut() {
            let before = s.heartbeats.len();
            s.heartbeats.retain(|h| h.heartbeat().timestamp() >= cut);
            if s.heartbeats.len() != before {
                s.cut = Some(cut);
            }
            let Some(report) = self.check(s, now, Some(self.health_window())).into_iter().next() else { continue };
            let from = s.health.replace(report.health());
            out.push(Checked { report, from });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use attest_attestor::scenario::HeartbeatWorld;
    use attest_verifier::trust_root::ChainOptions;
    use attest_verifier::{Document, Evidence, TrustAnchor, VerifyContext};

    use super::*;

    fn verified(w: &HeartbeatWorld, envelopes: &[String], now: Timestamp) -> Vec<HeartbeatDocument> {
        let anchor = TrustAnchor::new(
            vec![("t".into(), attest_attestor::json::to_pretty(&w.trust_root).into_bytes())],
            vec![w.root.master_ed25519().public_key()],
            ChainOptions { now, min_version: None },
        );
        let trust = anchor.verify();
        let evidence = Evidence::default();
        let ctx = VerifyContext::new(&trust, &evidence, now);
        let mut b = attest_verifier::batch::BatchVerifier::new();
        envelopes
            .iter()
            .map(|e| match b.verify(e.as_bytes(), &ctx).into_parts().1.map(|v| v.into_inner()) {
                Some(Document::Heartbeat(h)) => h,
                other => panic!("not a verified heartbeat: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn health_transitions_missing_and_recovery() {
        let w = HeartbeatWorld::new("monitor").unwrap();
        let t0 = 1_800_000_000i64;
        let beats = w.boot("edge-1", "boot-1", 3, t0 as u64, 30).unwrap();
        let docs = verified(&w, &beats, Timestamp::from_unix(t0 + 60, 0));
        let m = StreamMonitor::new(Windows { max_gap_seconds: 120, ..Windows::default() });
        // The first heartbeat late (received 100 s after its timestamp), the others on time.
        for (i, d) in docs.into_iter().enumerate() {
            let received = t0 + 30 * i as i64 + if i == 0 { 100 } else { 1 };
            assert_eq!(m.observe(d, received), i == 0);
        }
        let at = |s: i64| Timestamp::from_unix(t0 + s, 0);
        let t = m.tick(at(70));
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].from, t[0].report.health(), t[0].changed()), (None, Health::Healthy, true));
        assert!(!m.tick(at(80))[0].changed(), "no change, no transition");
        // 120 s after the last heartbeat (t0 + 60): missing.
        let t = m.tick(at(60 + 121));
        assert_eq!((t[0].from, t[0].report.health()), (Some(Health::Healthy), Health::Missing));
        let r = m.reports(at(60 + 121), None, Some("edge-1"));
        assert_eq!((r.len(), r[0].1), (1, 1), "one stream, one late heartbeat");
        assert!(r[0].0.gaps().iter().any(|g| g.open));
        assert!(m.reports(at(0), None, Some("other")).is_empty());
    }
}
