//! Rendering reports for people and machines.

use std::borrow::Cow;

use attest_verifier::{Report, Status};

/// Whether a character could move the cursor, change colours or reorder text
/// on a terminal: control characters (C0 incl. CR, LF, TAB and ESC; DEL; C1),
/// Unicode bidi controls and the line/paragraph separators.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Terminal-safe text: every file name and document-derived string printed in
/// human output goes through this one function (docs/spec.md §6). `\r`, `\n`
/// and `\t` are written as those escapes, other dangerous characters as
/// `\u{…}` (ESC is `\u{1b}`), so no name or detail can start a fake line,
/// overwrite one or colour it. Everything else, backslashes included, is
/// shown as is. JSON output is not passed through this: it is JSON-escaped.
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

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
    let mut out = format!("{}: {}\n", esc(name), esc(report.doc_type()));
    if let Some(d) = report.digest() {
        out.push_str(&format!("  digest {d}\n"));
    }
    for c in report.checks() {
        let reason = c.reason.map(|r| format!(" [{r}]")).unwrap_or_default();
        out.push_str(&format!("  {} {:<19} {}{}\n", tag(c.status), c.id.as_str(), esc(&c.detail), reason));
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
///
/// Written directly, byte for byte what `serde_json::to_string` gives for
/// the same value (the test `audit_line_is_serde_json` compares them): this is
/// per-item work of the audit, and the serde path costs about twice as much.
pub fn audit_line(name: &str, report: &Report) -> String {
    let mut s = String::with_capacity(2048);
    s.push_str("{\"item\":");
    json_str(&mut s, name);
    s.push_str(",\"report\":{\"valid\":");
    s.push_str(if report.valid() { "true" } else { "false" });
    s.push_str(",\"type\":");
    json_str(&mut s, report.doc_type());
    s.push_str(",\"checks\":[");
    for (i, c) in report.checks().iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str("{\"id\":\"");
        s.push_str(c.id.as_str());
        s.push_str("\",\"status\":\"");
        s.push_str(c.status.as_str());
        s.push_str("\",\"detail\":");
        json_str(&mut s, &c.detail);
        if let Some(r) = c.reason {
            s.push_str(",\"reason\":");
            json_str(&mut s, r.as_str());
        }
        if let Some(p) = &c.path {
            s.push_str(",\"path\":");
            json_str(&mut s, p);
        }
        s.push('}');
    }
    s.push(']');
    if let Some(d) = report.digest() {
        s.push_str(",\"digest\":\"");
        s.push_str(&d.to_hex());
        s.push('"');
    }
    s.push_str("}}\n");
    s
}

/// A JSON string with serde_json's escapes: `\"`, `\\`, the short forms
/// `\b \t \n \f \r`, `\u00xx` for the other control characters, and
/// everything else (including non-ASCII) as is.
fn json_str(out: &mut String, v: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in v.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(v.get(start..i).unwrap_or(""));
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
            out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(v.get(start..).unwrap_or(""));
    out.push('"');
}

/// One human line of `attest audit`.
pub fn audit_human_line(name: &str, report: &Report) -> String {
    let name = esc(name);
    match report.first_failure() {
        None if report.valid() => format!("VALID   {name}\n"),
        None => format!("INVALID {name}: a required check did not run\n"),
        Some(c) => format!("INVALID {name}: {} [{}] {}\n", c.id, c.reason.map_or("", |r| r.as_str()), esc(&c.detail)),
    }
}

/// One heartbeat stream of `attest audit`: human lines (status, summary,
/// gaps, drift events, failed checks) or one JSON line `{"stream": {…}}`.
pub fn stream(s: &attest_verifier::heartbeat::StreamReport, format: super::verify::Format) -> String {
    use attest_verifier::Timestamp;
    let at = |t: i64| Timestamp::from_unix(t, 0).to_rfc3339();
    match format {
        super::verify::Format::Json => {
            let mut line = serde_json::json!({ "stream": s }).to_string();
            line.push('\n');
            line
        }
        super::verify::Format::Human => {
            let mut out = format!(
                "STREAM  {} {}: {} heartbeat(s) ({} invalid) from {} to {}, {} boot(s)\n",
                s.stream(),
                s.health().as_str().to_uppercase(),
                s.count(),
                s.invalid(),
                at(s.first()),
                at(s.last()),
                s.boots().len()
            );
            for g in s.gaps() {
                let kind = if g.open { "missing since" } else { "gap" };
                let reboot = if g.across_boot { " (across a reboot)" } else { "" };
                out.push_str(&format!("  {kind} {} → {} ({} s){reboot}\n", at(g.start), at(g.end), g.seconds));
            }
            for d in s.drift() {
                out.push_str(&format!(
                    "  drift {} {} → {} at {} ({} → {})\n",
                    d.member,
                    d.old,
                    d.new,
                    at(d.at),
                    d.from,
                    d.to
                ));
            }
            for c in s.report().checks().iter().filter(|c| c.status == Status::Fail) {
                out.push_str(&format!("  FAIL {} [{}] {}\n", c.id, c.reason.map_or("", |r| r.as_str()), c.detail));
            }
            out
        }
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

#[cfg(test)]
mod tests {
    use attest_verifier::report::CheckId;

    use super::*;

    #[test]
    fn esc_makes_every_dangerous_character_visible() {
        assert_eq!(esc("plain é ≤ \\x41"), "plain é ≤ \\x41");
        assert!(matches!(esc("plain"), Cow::Borrowed(_)));
        assert_eq!(esc("a\rb\nc\td"), "a\\rb\\nc\\td");
        assert_eq!(esc("\u{1b}[31m\u{7f}\u{85}\u{9b}"), "\\u{1b}[31m\\u{7f}\\u{85}\\u{9b}");
        assert_eq!(esc("\u{202e}txt.exe\u{2066}\u{2028}"), "\\u{202e}txt.exe\\u{2066}\\u{2028}");
        // No character that needs escaping survives, for every code point below U+3000.
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            let s = c.to_string();
            let e = esc(&s);
            assert!(!e.chars().any(needs_escape), "{c:?} -> {e:?}");
        }
    }

    fn serde_line(name: &str, report: &Report) -> String {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            item: &'a str,
            report: &'a Report,
        }
        let mut s = serde_json::to_string(&Line { item: name, report }).expect("serializes");
        s.push('\n');
        s
    }

    #[test]
    fn audit_line_is_serde_json() {
        // Every byte value below 0x80 and some non-ASCII, in names and details.
        let mut tricky: String = (0u8..0x80).map(char::from).collect();
        tricky.push_str("é ≤ \u{2028} \u{1F600} end");
        let ids = [CheckId::Parse, CheckId::Signer, CheckId::Signature, CheckId::Replay];
        let statuses = [Status::Pass, Status::Fail, Status::Skip];
        const PLAN: attest_verifier::Plan = attest_verifier::Plan {
            doc_type: "t\u{7f}",
            checks: &[
                (CheckId::Parse, true),
                (CheckId::Signer, false),
                (CheckId::Signature, false),
                (CheckId::Replay, false),
            ],
        };
        for (n, name) in ["a.jsonl:1", tricky.as_str(), ""].iter().enumerate() {
            for valid in [true, false] {
                let mut r = attest_verifier::ReportBuilder::new(PLAN);
                for i in 0..n * 3 {
                    let id = ids[i % ids.len()];
                    let detail = if i % 2 == 0 { tricky.clone() } else { format!("detail {i} \"q\"") };
                    match statuses[i % statuses.len()] {
                        Status::Pass => r.pass(id, detail),
                        Status::Skip => r.skip(id, detail),
                        _ if valid => r.pass(id, detail),
                        _ => r.fail_at(id, attest_verifier::Reason::BadSignature, Some(format!("$.x[{i}]")), detail),
                    }
                }
                if valid {
                    r.pass(CheckId::Parse, "ok");
                    r.digest(attest_verifier::types::Sha256Digest::from_hex(&"ab".repeat(32)).expect("hex"));
                }
                let report = r.finish();
                assert_eq!(audit_line(name, &report), serde_line(name, &report));
            }
        }
    }
}
