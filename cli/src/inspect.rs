//! `attest inspect`: pretty-print any attest document with decoded fields and digests.

use std::path::PathBuf;

use attest_attestor::json::to_pretty;
use attest_verifier::inspect::decode;
use clap::Args;
use serde_json::json;

use crate::io::{read_document, CliError};
use crate::render::esc;
use crate::verify::Format;

/// `attest inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Document to inspect.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// `attest inspect`.
pub fn run(a: &InspectArgs) -> Result<i32, CliError> {
    let bytes = read_document(&a.file, "document")?;
    let v = match attest_verifier::doc::parse_json(&bytes) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}: {}", esc(&a.file.display().to_string()), esc(&e.to_string()));
            return Ok(1);
        }
    };
    let decoded = match decode(&v) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {}", esc(&a.file.display().to_string()), esc(&e.to_string()));
            return Ok(1);
        }
    };
    match a.format {
        Format::Json => {
            let doc = attest_verifier::inspect::to_serde_json(&v);
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({"decoded": decoded, "document": doc})).unwrap_or_default()
            );
        }
        Format::Human => {
            let mut out = format!("{}\n", esc(&a.file.display().to_string()));
            print_fields(&mut out, &decoded, 1);
            out.push_str("document:\n");
            // Pretty JSON escapes C0 controls in strings; DEL, C1 and bidi controls
            // are made visible line by line.
            for line in to_pretty(&v).lines() {
                out.push_str(&esc(line));
                out.push('\n');
            }
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes());
        }
    }
    Ok(0)
}

fn print_fields(out: &mut String, v: &serde_json::Value, depth: usize) {
    let pad = "  ".repeat(depth);
    if let serde_json::Value::Object(o) = v {
        for (k, val) in o {
            match val {
                serde_json::Value::Object(_) => {
                    out.push_str(&format!("{pad}{}:\n", esc(k)));
                    print_fields(out, val, depth + 1);
                }
                serde_json::Value::Array(items) if items.iter().any(|i| i.is_object()) => {
                    out.push_str(&format!("{pad}{}:\n", esc(k)));
                    for i in items {
                        out.push_str(&format!("{pad}  - {}\n", esc(&i.to_string())));
                    }
                }
                other => {
                    let text = other.as_str().map_or_else(|| other.to_string(), str::to_string);
                    out.push_str(&format!("{pad}{}: {}\n", esc(k), esc(&text)));
                }
            }
        }
    }
}
