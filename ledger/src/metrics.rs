//! Prometheus metrics (`GET /metrics`, OpenMetrics text): entries appended
//! by type, submissions rejected by type and failed check, the tree size,
//! and the append latency (submission to acknowledgement, which includes the
//! batch wait and the commit).

use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;

/// The ledger's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    appended: Family<Labels, Counter>,
    rejected: Family<Labels, Counter>,
    tree_size: Gauge,
    checkpoint_age: Gauge,
    append_latency: Histogram,
    heartbeats: Family<Labels, Counter>,
    last_heartbeat: Family<Labels, Gauge>,
    stream_health: Family<Labels, Gauge>,
    stream_gaps: Family<Labels, Gauge>,
    alerts_sent: Counter,
    alerts_failed: Counter,
    witness_requests: Family<Labels, Counter>,
    witness_size: Family<Labels, Gauge>,
    witness_quorum_size: Gauge,
    witness_quorum_met: Gauge,
    tee_bindings: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("attest_ledger");
        let appended = Family::<Labels, Counter>::default();
        let rejected = Family::<Labels, Counter>::default();
        let tree_size = Gauge::default();
        // 1 ms to about 16 s.
        let append_latency = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register("entries_appended", "Entries appended to the log, by document type", appended.clone());
        registry.register(
            "rejected",
            "Submissions refused by verification, by document type and failed check",
            rejected.clone(),
        );
        registry.register("tree_size", "Entries in the log", tree_size.clone());
        let checkpoint_age = Gauge::default();
        registry.register(
            "checkpoint_age_seconds",
            "Seconds since this process signed or adopted the latest checkpoint",
            checkpoint_age.clone(),
        );
        registry.register(
            "append_latency_seconds",
            "Time from a new entry's submission to its acknowledgement (batch wait, signing, commit)",
            append_latency.clone(),
        );
        let heartbeats = Family::<Labels, Counter>::default();
        let last_heartbeat = Family::<Labels, Gauge>::default();
        let stream_health = Family::<Labels, Gauge>::default();
        let stream_gaps = Family::<Labels, Gauge>::default();
        let alerts_sent = Counter::default();
        let alerts_failed = Counter::default();
        registry.register(
            "heartbeats",
            "Heartbeats appended, by stream and result (on-time, late)",
            heartbeats.clone(),
        );
        registry.register(
            "stream_last_heartbeat_timestamp_seconds",
            "Timestamp of the newest heartbeat appended, by stream",
            last_heartbeat.clone(),
        );
        registry.register(
            "stream_health",
            "1 for the stream's current health (healthy, missing, invalid, drift), 0 for the others",
            stream_health.clone(),
        );
        registry.register(
            "stream_gaps",
            "Gaps in the stream's retained heartbeats at the last check",
            stream_gaps.clone(),
        );
        registry.register("alerts_sent", "Stream alerts the webhook accepted", alerts_sent.clone());
        registry.register("alerts_failed", "Stream alerts not delivered after every retry", alerts_failed.clone());
        let witness_requests = Family::<Labels, Counter>::default();
        let witness_size = Family::<Labels, Gauge>::default();
        let (witness_quorum_size, witness_quorum_met) = (Gauge::default(), Gauge::default());
        registry.register(
            "witness_requests",
            "add-checkpoint requests to witnesses, by witness URL and result (cosigned, conflict, unreachable, http-<code>, bad-cosignature)",
            witness_requests.clone(),
        );
        registry.register("witness_cosigned_size", "The tree size each witness last cosigned", witness_size.clone());
        registry.register(
            "witness_checkpoint_size",
            "The size of the latest checkpoint witnesses were asked to cosign",
            witness_quorum_size.clone(),
        );
        registry.register(
            "witness_quorum_met",
            "1 when that checkpoint's cosignatures meet the --witness-quorum policy, else 0",
            witness_quorum_met.clone(),
        );
        let tee_bindings = Gauge::default();
        registry.register(
            "tee_bindings",
            "TEE bindings kept for documents by TEE-bound keys (logged, verified; docs/spec.md §13.7)",
            tee_bindings.clone(),
        );
        Self {
            registry,
            appended,
            rejected,
            tree_size,
            checkpoint_age,
            append_latency,
            heartbeats,
            last_heartbeat,
            stream_health,
            stream_gaps,
            alerts_sent,
            alerts_failed,
            witness_requests,
            witness_size,
            witness_quorum_size,
            witness_quorum_met,
            tee_bindings,
        }
    }

    /// How many TEE bindings the ledger keeps.
    pub fn tee_bindings(&self, kept: usize) {
        self.tee_bindings.set(i64::try_from(kept).unwrap_or(i64::MAX));
    }

    /// One add-checkpoint request to a witness and its result.
    pub fn witness_request(&self, witness: &str, result: &str) {
        let labels = vec![("witness".to_string(), witness.to_string()), ("result".to_string(), result.to_string())];
        self.witness_requests.get_or_create(&labels).inc();
    }

    /// The size a witness cosigned.
    pub fn witness_size(&self, witness: &str, size: u64) {
        self.witness_size
            .get_or_create(&vec![("witness".to_string(), witness.to_string())])
            .set(i64::try_from(size).unwrap_or(i64::MAX));
    }

    /// The checkpoint of a witnessing round and whether it met the quorum.
    pub fn witness_quorum(&self, size: u64, met: bool) {
        self.witness_quorum_size.set(i64::try_from(size).unwrap_or(i64::MAX));
        self.witness_quorum_met.set(i64::from(met));
    }

    /// A heartbeat of `stream` at `timestamp` appended, late or not.
    pub fn heartbeat(&self, stream: &str, timestamp: i64, late: bool) {
        let result = if late { "late" } else { "on-time" };
        self.heartbeats.get_or_create(&vec![("stream".into(), stream.into()), ("result".into(), result.into())]).inc();
        let g = self.last_heartbeat.get_or_create(&vec![("stream".into(), stream.into())]);
        g.set(g.get().max(timestamp));
    }

    /// A stream's health and gap count after a check.
    pub fn stream(&self, stream: &str, health: &str, gaps: usize) {
        for h in ["healthy", "missing", "invalid", "drift"] {
            let labels = vec![("stream".into(), stream.into()), ("health".into(), h.into())];
            self.stream_health.get_or_create(&labels).set(i64::from(h == health));
        }
        self.stream_gaps
            .get_or_create(&vec![("stream".into(), stream.into())])
            .set(i64::try_from(gaps).unwrap_or(i64::MAX));
    }

    /// An alert delivered (`true`) or given up on.
    pub fn alert(&self, delivered: bool) {
        if delivered {
            self.alerts_sent.inc();
        } else {
            self.alerts_failed.inc();
        }
    }

    /// One entry of this type appended.
    pub fn appended(&self, doc_type: &str) {
        self.appended.get_or_create(&vec![("type".to_string(), doc_type.to_string())]).inc();
    }

    /// One submission of this type refused, at this check.
    pub fn rejected(&self, doc_type: &str, check: &str) {
        let labels = vec![("type".to_string(), doc_type.to_string()), ("check".to_string(), check.to_string())];
        self.rejected.get_or_create(&labels).inc();
    }

    /// An append's latency.
    pub fn observe_append(&self, latency: Duration) {
        self.append_latency.observe(latency.as_secs_f64());
    }

    /// The OpenMetrics text, with the tree size and checkpoint age as given.
    pub fn encode(&self, tree_size: u64, checkpoint_age_seconds: i64) -> Result<String, std::fmt::Error> {
        self.tree_size.set(i64::try_from(tree_size).unwrap_or(i64::MAX));
        self.checkpoint_age.set(checkpoint_age_seconds);
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_encodes() {
        let m = Metrics::new();
        m.appended("a.v1");
        m.appended("a.v1");
        m.rejected("a.v1", "signature");
        m.observe_append(Duration::from_millis(3));
        let text = m.encode(7, 3).unwrap();
        assert!(text.contains("attest_ledger_checkpoint_age_seconds 3\n"), "{text}");
        assert!(text.contains("attest_ledger_entries_appended_total{type=\"a.v1\"} 2\n"), "{text}");
        assert!(text.contains("attest_ledger_rejected_total{type=\"a.v1\",check=\"signature\"} 1\n"), "{text}");
        assert!(text.contains("attest_ledger_tree_size 7\n"), "{text}");
        assert!(text.contains("attest_ledger_append_latency_seconds_count 1\n"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
