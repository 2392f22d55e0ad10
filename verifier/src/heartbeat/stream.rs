//! Stream checks of heartbeats (formats.md §7): every signature-verified
//! heartbeat of one `stream`, ordered by `timestamp`, then `seq`.
//!
//! | check | rule |
//! |---|---|
//! | `sequence` | within a `boot_id`: `seq` contiguous from 0 (from the first one seen when checking a window), `previous` = SHA-256 of the previous payload |
//! | `gap` | consecutive heartbeats (across boots too) at most `max_gap_seconds` apart; with a window, its start to the first one too; at `now` the newest at most `max_gap_seconds` old, else the stream is `missing` |
//! | `drift` | `policy_hash`, `zero_retention`, `kernel_config_hash`, `version` and the three flags unchanged between consecutive heartbeats |
//! | `counters` | within a boot, the four counters and `uptime_seconds` never decrease |
//!
//! `replay` (an `attestation_id` or digest seen twice) is checked per
//! heartbeat across the batch ([`crate::batch`]); a heartbeat that fails its
//! signature or `replay` takes no part in stream checks.
//!
//! Health, in this order of precedence: `missing` (newest too old at `now`),
//! `invalid` (a heartbeat of the stream is invalid, or `sequence`, `gap` or
//! `counters` failed), `drift`, else `healthy`.

use serde::Serialize;

use super::payload::Heartbeat;
use crate::reason::Reason;
use crate::report::{CheckId, Plan, Report, ReportBuilder};
use crate::time::Timestamp;

/// Checks of a stream, in report order.
pub const STREAM_PLAN: Plan = Plan {
    doc_type: "attest.heartbeat-stream",
    checks: &[(CheckId::Sequence, true), (CheckId::Gap, true), (CheckId::Drift, true), (CheckId::Counters, true)],
};

/// How a stream is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// The time of the check (the newest heartbeat must be at most `max_gap_seconds` older).
    pub now: Timestamp,
    /// Largest allowed distance between consecutive heartbeats.
    pub max_gap_seconds: u64,
    /// The start of the window checked (`attest gate --window`): heartbeats
    /// before it are left out, so a boot may begin mid-chain, and the first
    /// heartbeat must be within `max_gap_seconds` of it.
    pub window_start: Option<Timestamp>,
}

/// One heartbeat taking part in stream checks.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Batch index.
    pub(crate) index: usize,
    pub(crate) heartbeat: Heartbeat,
    /// Whether the heartbeat's own report is valid.
    pub(crate) valid: bool,
    /// Position in stream (time) order, set by the stream checks.
    pub(crate) rank: usize,
}

/// A gap: two consecutive heartbeats too far apart, or the newest too old at `now` (`end` = now, `open`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// Timestamp of the heartbeat before the gap (or the window start).
    pub start: i64,
    /// Timestamp of the heartbeat after it (or `now`).
    pub end: i64,
    /// `end − start`.
    pub seconds: i64,
    /// The gap lasts until `now` (the stream is missing).
    pub open: bool,
    /// The heartbeats on either side are of different boots.
    #[serde(rename = "acrossBoot")]
    pub across_boot: bool,
}

/// A configuration change between consecutive heartbeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftEvent {
    /// The member that changed.
    pub member: &'static str,
    /// Timestamp of the heartbeat with the new value.
    pub at: i64,
    /// `boot_id:seq` of the heartbeat before.
    pub from: String,
    /// `boot_id:seq` of the heartbeat with the new value.
    pub to: String,
    /// The old value (JSON text).
    pub old: String,
    /// The new value (JSON text).
    pub new: String,
}

/// Health of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// Every check passed.
    Healthy,
    /// The newest heartbeat is older than `max_gap_seconds` at `now`.
    Missing,
    /// An invalid heartbeat, or a `sequence`, `gap` or `counters` failure.
    Invalid,
    /// A configuration change between heartbeats.
    Drift,
}

impl Health {
    /// `healthy`, `missing`, `invalid` or `drift`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Missing => "missing",
            Health::Invalid => "invalid",
            Health::Drift => "drift",
        }
    }
}

/// The stream checks of one stream, with its summary.
#[derive(Debug, Clone, Serialize)]
pub struct StreamReport {
    stream: String,
    health: Health,
    report: Report,
    count: usize,
    invalid: usize,
    first: i64,
    last: i64,
    boots: Vec<String>,
    gaps: Vec<Gap>,
    drift: Vec<DriftEvent>,
    /// Batch indices of the heartbeats, in stream order.
    #[serde(skip)]
    indices: Vec<usize>,
}

impl StreamReport {
    /// The stream name.
    pub fn stream(&self) -> &str {
        &self.stream
    }
    /// Health.
    pub fn health(&self) -> Health {
        self.health
    }
    /// The stream checks.
    pub fn report(&self) -> &Report {
        &self.report
    }
    /// Heartbeats in the stream.
    pub fn count(&self) -> usize {
        self.count
    }
    /// Of those, how many have an invalid report.
    pub fn invalid(&self) -> usize {
        self.invalid
    }
    /// Oldest timestamp.
    pub fn first(&self) -> i64 {
        self.first
    }
    /// Newest timestamp.
    pub fn last(&self) -> i64 {
        self.last
    }
    /// Boot ids, in order of first appearance.
    pub fn boots(&self) -> &[String] {
        &self.boots
    }
    /// Gaps, oldest first.
    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }
    /// Configuration changes, oldest first.
    pub fn drift(&self) -> &[DriftEvent] {
        &self.drift
    }
    /// Batch indices of the stream's heartbeats, in stream order.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }
}

fn at(t: i64) -> String {
    Timestamp::from_unix(t, 0).to_rfc3339()
}

fn label(h: &Heartbeat) -> String {
    format!("{}:{}", h.boot_id, h.seq)
}

/// Stream order: stream, then time, seq and batch index.
fn by_time(a: &Item, b: &Item) -> core::cmp::Ordering {
    let (x, y) = (&a.heartbeat, &b.heartbeat);
    (x.stream.as_str(), x.timestamp, x.seq, a.index).cmp(&(y.stream.as_str(), y.timestamp, y.seq, b.index))
}

/// Boot order: stream, boot, then time, seq and batch index.
fn by_boot(a: &Item, b: &Item) -> core::cmp::Ordering {
    let (x, y) = (&a.heartbeat, &b.heartbeat);
    (x.stream.as_str(), x.boot_id.as_str(), x.timestamp, x.seq, a.index).cmp(&(
        y.stream.as_str(),
        y.boot_id.as_str(),
        y.timestamp,
        y.seq,
        b.index,
    ))
}

/// The length of the run at the start of `items` whose `key` equals the first's.
fn run_len(items: &[Item], key: fn(&Item) -> &str) -> usize {
    match items.first() {
        None => 0,
        Some(first) => items.iter().take_while(|i| key(i) == key(first)).count(),
    }
}

fn stream_of(i: &Item) -> &str {
    &i.heartbeat.stream
}

fn boot_of(i: &Item) -> &str {
    &i.heartbeat.boot_id
}

/// Runs the stream checks over every item, one report per stream (sorted by name).
/// (Sorted runs, not maps: no chosen input degrades it, and no map code in the WASM module.)
pub(crate) fn check_items(mut items: Vec<Item>, opts: &StreamOptions) -> Vec<StreamReport> {
    let order: fn(&Item, &Item) -> core::cmp::Ordering = by_time;
    items.sort_by(order);
    let mut out = Vec::new();
    let mut rest = items.as_mut_slice();
    while !rest.is_empty() {
        let n = run_len(rest, stream_of);
        let (run, tail) = rest.split_at_mut(n);
        out.push(check_one(run, opts));
        rest = tail;
    }
    out
}

fn check_one(all: &mut [Item], opts: &StreamOptions) -> StreamReport {
    let stream = all.first().map(|i| i.heartbeat.stream.clone()).unwrap_or_default();
    // The newest heartbeat at all decides `missing`; the others are checked
    // only from the window start on (time order: those before it come first).
    let newest_overall = all.last().map(|i| i.heartbeat.timestamp);
    let start = opts.window_start.map(|t| t.unix_seconds());
    let before = all.iter().take_while(|i| start.is_some_and(|s| i.heartbeat.timestamp < s)).count();
    let items = all.get_mut(before..).unwrap_or_default();
    let mut r = ReportBuilder::new(STREAM_PLAN);
    let max_gap = i64::try_from(opts.max_gap_seconds).unwrap_or(i64::MAX);
    let now = opts.now.unix_seconds();
    let mut gaps = Vec::new();
    let mut drift = Vec::new();

    // Time order: gap and drift, across boots.
    if let (Some(first), Some(start)) = (items.first(), opts.window_start) {
        let start = start.unix_seconds();
        let t = first.heartbeat.timestamp;
        if t - start > max_gap {
            gaps.push(Gap { start, end: t, seconds: t - start, open: false, across_boot: false });
        }
    }
    // Boots in order of first appearance: slot `rank` of the boot's first heartbeat.
    let mut first_seen: Vec<Option<String>> = vec![None; items.len()];
    for (rank, item) in items.iter_mut().enumerate() {
        item.rank = rank;
    }
    for pair in items.windows(2) {
        let [p, h] = pair else { continue };
        let (p, h) = (&p.heartbeat, &h.heartbeat);
        let d = h.timestamp - p.timestamp;
        if d > max_gap {
            gaps.push(Gap {
                start: p.timestamp,
                end: h.timestamp,
                seconds: d,
                open: false,
                across_boot: p.boot_id != h.boot_id,
            });
        }
        for ((member, old), (_, new)) in p.config.compared().into_iter().zip(h.config.compared()) {
            if old != new {
                drift.push(DriftEvent { member, at: h.timestamp, from: label(p), to: label(h), old, new });
            }
        }
    }
    let newest = newest_overall;
    let first_ts = items.first().map(|i| i.heartbeat.timestamp).or(newest).unwrap_or(0);
    let mut missing = false;
    if let Some(last) = newest {
        let d = now - last;
        if d > max_gap {
            missing = true;
            gaps.push(Gap { start: last, end: now, seconds: d, open: true, across_boot: false });
        }
    }

    // Boot order: sequence and counters, within each boot.
    let order: fn(&Item, &Item) -> core::cmp::Ordering = by_boot;
    items.sort_by(order);
    let mut sequence: Option<(Reason, String)> = None;
    let mut counters: Option<String> = None;
    let mut boot_count = 0;
    let mut rest: &[Item] = items;
    while !rest.is_empty() {
        let n = run_len(rest, boot_of);
        let (boot, tail) = rest.split_at(n);
        rest = tail;
        boot_count += 1;
        let Some(first) = boot.first() else { continue };
        if let Some(slot) = first_seen.get_mut(first.rank) {
            *slot = Some(first.heartbeat.boot_id.clone());
        }
        let h = &first.heartbeat;
        if h.seq != 0 && opts.window_start.is_none() && sequence.is_none() {
            sequence = Some((
                Reason::SeqNotZero,
                format!("boot {:?} begins at seq {} (at {}), not 0", h.boot_id, h.seq, at(h.timestamp)),
            ));
        }
        for pair in boot.windows(2) {
            let [p, h] = pair else { continue };
            let (p, h) = (&p.heartbeat, &h.heartbeat);
            if sequence.is_none() {
                if h.seq != p.seq.saturating_add(1) {
                    sequence = Some((
                        Reason::SeqGap,
                        format!("boot {:?}: seq {} follows seq {} (at {})", h.boot_id, h.seq, p.seq, at(h.timestamp)),
                    ));
                } else if h.previous != Some(p.payload_hash) {
                    sequence = Some((
                        Reason::ChainBroken,
                        format!(
                            "boot {:?}: previous of seq {} is not the SHA-256 of seq {}'s payload ({})",
                            h.boot_id, h.seq, p.seq, p.payload_hash
                        ),
                    ));
                }
            }
            if counters.is_none() {
                let (old, new) = (p.counters.named(), h.counters.named());
                if let Some(((name, a), (_, b))) = old.iter().zip(new.iter()).find(|((_, a), (_, b))| b < a) {
                    counters = Some(format!(
                        "boot {:?}: {name} decreased from {a} (seq {}) to {b} (seq {})",
                        h.boot_id, p.seq, h.seq
                    ));
                }
            }
        }
    }
    let boots: Vec<String> = first_seen.into_iter().flatten().collect();

    match sequence {
        None => r.pass(CheckId::Sequence, format!("{boot_count} boot(s): seq contiguous and previous chains")),
        Some((reason, detail)) => r.fail(CheckId::Sequence, reason, detail),
    }
    match gaps.iter().find(|g| g.open).or(gaps.first()) {
        None => r.pass(
            CheckId::Gap,
            format!(
                "no two heartbeats more than {max_gap} s apart; newest at {}",
                newest.map_or_else(|| "-".to_string(), at)
            ),
        ),
        Some(g) if g.open => r.fail(
            CheckId::Gap,
            Reason::StreamMissing,
            format!(
                "newest heartbeat at {} is {} s old at {} (max_gap_seconds {max_gap})",
                at(g.start),
                g.seconds,
                at(g.end)
            ),
        ),
        Some(g) => r.fail(
            CheckId::Gap,
            Reason::GapExceeded,
            format!(
                "{} gap(s); first: {} s from {} to {}{} (max_gap_seconds {max_gap})",
                gaps.len(),
                g.seconds,
                at(g.start),
                at(g.end),
                if g.across_boot { " across a reboot" } else { "" }
            ),
        ),
    }
    match drift.first() {
        None => r.pass(CheckId::Drift, "configuration unchanged between consecutive heartbeats"),
        Some(d) => r.fail(
            CheckId::Drift,
            Reason::ConfigChanged,
            format!(
                "{} change(s); first: {} {} → {} between {} and {} (at {})",
                drift.len(),
                d.member,
                d.old,
                d.new,
                d.from,
                d.to,
                at(d.at)
            ),
        ),
    }
    match &counters {
        None => r.pass(CheckId::Counters, "counters and uptime_seconds never decrease within a boot"),
        Some(detail) => r.fail(CheckId::Counters, Reason::CounterDecreased, detail.clone()),
    }
    let report = r.finish();
    let invalid = items.iter().filter(|i| !i.valid).count();
    let health = if missing {
        Health::Missing
    } else if invalid > 0 || report.failed_ids().iter().any(|c| *c != CheckId::Drift) {
        Health::Invalid
    } else if !drift.is_empty() {
        Health::Drift
    } else {
        Health::Healthy
    };
    // Indices in stream (time) order: by rank.
    let mut indices = vec![0usize; items.len()];
    for i in items.iter() {
        if let Some(slot) = indices.get_mut(i.rank) {
            *slot = i.index;
        }
    }
    StreamReport {
        stream,
        health,
        report,
        count: items.len(),
        invalid,
        first: first_ts,
        last: newest.unwrap_or(0),
        boots,
        gaps,
        drift,
        indices,
    }
}

/// Stream checks over verified heartbeats given directly (e.g. a ledger's
/// stored heartbeats, each verified before it was stored). A
/// [`super::HeartbeatDocument`] is made only by a verification whose
/// signature check passed.
pub fn check_streams<'a>(
    heartbeats: impl IntoIterator<Item = &'a super::HeartbeatDocument>,
    opts: &StreamOptions,
) -> Vec<StreamReport> {
    let items = heartbeats
        .into_iter()
        .enumerate()
        .map(|(index, d)| Item { index, heartbeat: d.heartbeat().clone(), valid: true, rank: 0 })
        .collect();
    check_items(items, opts)
}
