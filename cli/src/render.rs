//! Rendering reports for people and machines.

use attest_verifier::{Report, Status};

/// The `--format json` object, pretty-printed, with a trailing newline.
pub fn json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

fn tag(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Skip => "SKIP",
    }
}

/// The human report: one line per check with the reason for each failure.
pub fn human(report: &Report, name: &str) -> String {
    let mut out = format!("{name}: {}\n", report.doc_type());
    if let Some(d) = report.digest() {
        out.push_str(&format!("  digest {d}\n"));
    }
    for c in report.checks() {
        let reason = c.reason.map(|r| format!(" [{r}]")).unwrap_or_default();
        out.push_str(&format!("  {} {:<19} {}{}\n", tag(c.status), c.id.as_str(), c.detail, reason));
    }
    let failed: Vec<&str> =
        report.checks().iter().filter(|c| c.status == Status::Fail).map(|c| c.id.as_str()).collect();
    if report.valid() {
        out.push_str("VALID\n");
    } else if failed.is_empty() {
        out.push_str("INVALID: a required check did not run\n");
    } else {
        out.push_str(&format!("INVALID: {} failed\n", failed.join(", ")));
    }
    out
}

/// One JSON line of `attest audit`: `{"item": NAME, "report": REPORT}`.
pub fn audit_line(name: &str, report: &Report) -> String {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        item: &'a str,
        report: &'a Report,
    }
    let mut s =
        serde_json::to_string(&Line { item: name, report }).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// One human line of `attest audit`.
pub fn audit_human_line(name: &str, report: &Report) -> String {
    match report.first_failure() {
        None if report.valid() => format!("VALID   {name}\n"),
        None => format!("INVALID {name}: a required check did not run\n"),
        Some(c) => format!("INVALID {name}: {} [{}] {}\n", c.id, c.reason.map_or("", |r| r.as_str()), c.detail),
    }
}

/// The closing summary of `attest audit`.
pub fn audit_summary(total: usize, valid: usize, secs: f64, format: super::verify::Format) -> String {
    let rate = if secs > 0.0 { total as f64 / secs } else { 0.0 };
    match format {
        super::verify::Format::Json => format!(
            "{}\n",
            serde_json::json!({"summary": {"total": total, "valid": valid, "invalid": total - valid, "seconds": secs, "perSecond": rate.round()}})
        ),
        super::verify::Format::Human => {
            format!("{total} attestation(s): {valid} valid, {} invalid ({rate:.0}/s)\n", total - valid)
        }
    }
}
