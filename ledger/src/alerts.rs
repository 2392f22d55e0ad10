//! The stream timer and alert webhook (docs/spec.md §10.9): every
//! `--monitor-interval-ms` the stream checks run at the current time; for
//! each stream whose health changed (or was seen for the first time) the
//! ledger writes one JSON log line on stderr and, with `--alert-webhook`,
//! POSTs an `attest.stream-alert.v1` body there: three attempts, 5 s
//! timeout each, 1 s then 2 s apart; a 2xx answer is a delivery. Metrics:
//! per-stream health and gaps every tick, alerts sent and failed.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::client::Base;
use crate::metrics::Metrics;
use crate::monitor::{Checked, StreamMonitor};

/// The alert body's `type`.
pub const STREAM_ALERT_TYPE: &str = "attest.stream-alert.v1";

/// The alert body of a checked stream.
pub fn alert_body(origin: &str, c: &Checked, at: &str) -> serde_json::Value {
    let r = &c.report;
    let failed: Vec<serde_json::Value> = r
        .report()
        .checks()
        .iter()
        .filter(|k| k.reason.is_some())
        .map(|k| json!({"check": k.id.as_str(), "reason": k.reason.map(|x| x.as_str())}))
        .collect();
    json!({
        "type": STREAM_ALERT_TYPE,
        "origin": origin,
        "stream": r.stream(),
        "health": r.health().as_str(),
        "previous": c.from.map(|h| h.as_str()),
        "at": at,
        "lastHeartbeat": attest_verifier::Timestamp::from_unix(r.last(), 0).to_rfc3339(),
        "count": r.count(),
        "gaps": r.gaps(),
        "drift": r.drift(),
        "failed": failed,
    })
}

fn deliver(webhook: &Base, body: &[u8]) -> bool {
    for (attempt, wait) in [(1, 1u64), (2, 2), (3, 0)] {
        match webhook.request("POST", "", Some(("application/json", body)), Duration::from_secs(5), 64 * 1024) {
            Ok((status, _)) if (200..300).contains(&status) => return true,
            Ok((status, _)) => eprintln!("{}", json!({"event": "alert-retry", "attempt": attempt, "status": status})),
            Err(e) => eprintln!("{}", json!({"event": "alert-retry", "attempt": attempt, "error": e})),
        }
        std::thread::sleep(Duration::from_secs(wait));
    }
    false
}

/// Runs the timer until aborted.
pub async fn run(
    monitor: Arc<StreamMonitor>,
    metrics: Arc<Metrics>,
    webhook: Option<Base>,
    origin: String,
    interval: Duration,
) {
    let mut tick = tokio::time::interval(interval.max(Duration::from_millis(100)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (m, me, hook, origin) = (monitor.clone(), metrics.clone(), webhook.clone(), origin.clone());
        // Checks and deliveries block: off the async workers, one tick at a time (alerts stay in order).
        let _ = tokio::task::spawn_blocking(move || {
            let now = crate::http::now();
            let at = now.to_rfc3339();
            for c in m.tick(now) {
                let r = &c.report;
                me.stream(r.stream(), r.health().as_str(), r.gaps().len());
                if !c.changed() {
                    continue;
                }
                let body = alert_body(&origin, &c, &at);
                eprintln!("{}", json!({"event": "stream-health", "stream": r.stream(), "health": r.health().as_str(), "previous": c.from.map(|h| h.as_str()), "at": at}));
                if let Some(hook) = &hook {
                    me.alert(deliver(hook, body.to_string().as_bytes()));
                }
            }
        })
        .await;
    }
}
