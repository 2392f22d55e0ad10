//! The rules of the `network` check over parsed records (`seq`, `order`,
//! `binding`, `https`, `tls`, `dns`, `allow-host`, `summary`; see [`super`]),
//! and the summary they recompute.

use super::record::{parse_log, Record, RecordBody};
use super::summary::NetworkSummary;
use super::NetworkError;
use crate::merkle::tree_hash;
use crate::reason::Reason;
use crate::time::Timestamp;
use crate::types::Sha256Digest;

/// Options of the log rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogRules<'a> {
    /// With a non-empty list, every request host must be listed.
    pub allow_hosts: &'a [String],
    /// Permit plain `http` requests.
    pub allow_http: bool,
}

/// Checks the §5 rules over parsed records and recomputes the summary.
pub fn check_records(
    records: &[Record],
    execution_id: &str,
    rules: &LogRules<'_>,
) -> Result<NetworkSummary, NetworkError> {
    let rule = |seq: u64, rule: Reason, detail: String| Err(NetworkError::Rule { seq, rule, detail });
    let mut dns_names: Vec<&str> = Vec::new();
    let mut answered: Vec<Option<bool>> = Vec::with_capacity(records.len()); // Some(answered?) for requests
    let mut request_https: Vec<bool> = Vec::with_capacity(records.len());
    let (mut dns, mut requests, mut responses) = (0u64, 0u64, 0u64);
    let mut hosts: Vec<String> = Vec::new();
    let mut prev_at: Option<Timestamp> = None;
    for (i, r) in records.iter().enumerate() {
        if r.seq != i as u64 {
            return rule(r.seq, Reason::Seq, format!("expected seq {i}: seq must be contiguous from 0"));
        }
        if prev_at.is_some_and(|p| r.at < p) {
            return rule(r.seq, Reason::Order, format!("at {} is before the previous record's", r.at_text));
        }
        prev_at = Some(r.at);
        match &r.body {
            RecordBody::Dns { name, .. } => {
                dns += 1;
                dns_names.push(name);
                answered.push(None);
                request_https.push(false);
            }
            RecordBody::Request { host, https, ip_literal, url, .. } => {
                requests += 1;
                if !https && !rules.allow_http {
                    return rule(r.seq, Reason::Https, format!("{url} is not https"));
                }
                if !ip_literal && !dns_names.contains(&host.as_str()) {
                    return rule(r.seq, Reason::Dns, format!("host {host} has no earlier dns record"));
                }
                if !rules.allow_hosts.is_empty() && !rules.allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                    return rule(r.seq, Reason::AllowHost, format!("host {host} is not in the allowed hosts"));
                }
                if let Err(pos) = hosts.binary_search(host) {
                    hosts.insert(pos, host.clone());
                }
                answered.push(Some(false));
                request_https.push(*https);
            }
            RecordBody::Response { request_seq, tls, .. } => {
                responses += 1;
                let rs = *request_seq;
                let target = usize::try_from(rs).ok().filter(|&t| t < i);
                let slot = target.and_then(|t| answered.get_mut(t).zip(request_https.get(t).copied()));
                let https = match slot {
                    Some((a @ Some(false), https)) => {
                        *a = Some(true);
                        https
                    }
                    Some((Some(true), _)) => {
                        return rule(r.seq, Reason::Binding, format!("request {rs} already has a response"))
                    }
                    _ => return rule(r.seq, Reason::Binding, format!("requestSeq {rs} is not an earlier request")),
                };
                if https != tls.is_some() {
                    return rule(
                        r.seq,
                        Reason::Tls,
                        if https {
                            "response to an https request has no tls facts".into()
                        } else {
                            "response to a plain http request has tls facts".into()
                        },
                    );
                }
                answered.push(None);
                request_https.push(false);
            }
        }
    }
    let leaves: Vec<Sha256Digest> = records.iter().map(|r| r.leaf).collect();
    Ok(NetworkSummary {
        execution_id: execution_id.to_string(),
        records: records.len() as u64,
        dns,
        requests,
        responses,
        hosts,
        first_at: records.first().map(|r| r.at_text.clone()),
        last_at: records.last().map(|r| r.at_text.clone()),
        root: tree_hash(&leaves),
    })
}

/// The `network` check: parse the log, apply the rules, recompute the summary digest.
pub fn check_log_against(
    log: &[u8],
    execution_id: &str,
    expected: &Sha256Digest,
    allow_hosts: &[String],
) -> Result<String, NetworkError> {
    let records = parse_log(log)?;
    let summary = check_records(&records, execution_id, &LogRules { allow_hosts, allow_http: false })?;
    let computed = summary.digest();
    if &computed != expected {
        return Err(NetworkError::Summary { expected: *expected, computed });
    }
    Ok(format!(
        "{} record(s) ({} dns, {} requests, {} responses) to {} host(s) recompute networkSummaryHash; root {}",
        summary.records,
        summary.dns,
        summary.requests,
        summary.responses,
        summary.hosts.len(),
        summary.root
    ))
}

/// Parses a log, applies the rules and recomputes its summary (`attest network summarize`).
pub fn summarize_log(log: &[u8], execution_id: &str, rules: &LogRules<'_>) -> Result<NetworkSummary, NetworkError> {
    check_records(&parse_log(log)?, execution_id, rules)
}
