//! `attest inspect`: pretty-print any attest document with decoded fields and digests.

use std::path::PathBuf;

use attest_attestor::json::to_pretty;
use attest_verifier::inspect::decode;
use clap::Args;
use serde_json::json;

use crate::io::{read_document, CliError};
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
            eprintln!("{}: {e}", a.file.display());
            return Ok(1);
        }
    };
    let decoded = match decode(&v) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", a.file.display());
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
            println!("{}", a.file.display());
            print_fields(&decoded, 1);
            println!("document:");
            print!("{}", to_pretty(&v));
        }
    }
    Ok(0)
}

fn print_fields(v: &serde_json::Value, depth: usize) {
    let pad = "  ".repeat(depth);
    if let serde_json::Value::Object(o) = v {
        for (k, val) in o {
            match val {
                serde_json::Value::Object(_) => {
                    println!("{pad}{k}:");
                    print_fields(val, depth + 1);
                }
                serde_json::Value::Array(items) if items.iter().any(|i| i.is_object()) => {
                    println!("{pad}{k}:");
                    for i in items {
                        println!("{pad}  - {}", i);
                    }
                }
                other => println!("{pad}{k}: {}", other.as_str().map_or_else(|| other.to_string(), str::to_string)),
            }
        }
    }
}
