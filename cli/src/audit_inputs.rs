//! `attest audit --inputs FILE.jsonl` (docs/spec.md §6): per-item evidence,
//! so different executions are checked in one run.
//!
//! Each line is a strict JSON object:
//!
//! ```json
//! {"item": "batch.jsonl:3", "signals": "s3.json", "output": "o3.bin", "bundle": "bundle-3", "network": "n3.jsonl"}
//! ```
//!
//! `item` names an item as the audit names it (`FILE:LINE` for a JSON Lines
//! source, the file's path for a directory source — or just its file name);
//! the other members are optional paths, relative to the inputs file's
//! directory, that replace the command line's `--signals`, `--output`,
//! `--bundle`, `--network` for that item (the others stay as given). No
//! other member; each item at most once. An entry that names no item of the
//! source is an error (exit 2) when the audit ends. The files of an item are
//! read just before it is verified and dropped after.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use attest_json::Value;
use attest_verifier::Evidence;

use crate::io::{read_limited, CliError};

/// One item's evidence files.
#[derive(Debug, Clone, Default)]
pub struct ItemInputs {
    signals: Option<PathBuf>,
    output: Option<PathBuf>,
    bundle: Option<PathBuf>,
    network: Option<PathBuf>,
}

impl ItemInputs {
    /// The item's evidence: its own files, the command line's for the rest.
    pub fn evidence(&self, base: &Evidence) -> Result<Evidence, CliError> {
        let mut e = base.clone();
        if let Some(p) = &self.signals {
            e.signals = crate::verify::read_signals(Some(p))?;
        }
        if let Some(p) = &self.output {
            e.output = crate::verify::read_output(Some(p))?;
        }
        if let Some(p) = &self.bundle {
            e.bundle = crate::verify::read_bundle(Some(p))?;
        }
        if let Some(p) = &self.network {
            e.network = crate::verify::read_network(Some(p))?;
        }
        Ok(e)
    }
}

/// The parsed inputs file.
#[derive(Debug)]
pub struct Inputs {
    file: String,
    by_item: HashMap<String, (usize, ItemInputs)>,
    used: Mutex<Vec<bool>>,
}

impl Inputs {
    /// Reads and checks an inputs file (at most 64 MiB).
    pub fn read(path: &Path) -> Result<Self, CliError> {
        let file = path.display().to_string();
        let bytes = read_limited(path, "inputs file", 64 << 20)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut by_item = HashMap::new();
        for (n, line) in (1..).zip(bytes.split(|&b| b == b'\n')) {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let bad = |why: String| CliError::new(format!("inputs {file}:{n}: {why}"));
            let v = attest_verifier::doc::parse_json(line).map_err(|e| bad(e.to_string()))?;
            let Value::Object(o) = &v else { return Err(bad("not a JSON object".into())) };
            let mut item = None;
            let mut inputs = ItemInputs::default();
            for (k, val) in o.iter() {
                let Value::String(text) = val else { return Err(bad(format!("{k}: a string"))) };
                let path = || Some(base.join(text.as_str()));
                match k {
                    "item" => item = Some(text.to_string()),
                    "signals" => inputs.signals = path(),
                    "output" => inputs.output = path(),
                    "bundle" => inputs.bundle = path(),
                    "network" => inputs.network = path(),
                    other => return Err(bad(format!("unknown member {other:?}"))),
                }
            }
            let item = item.ok_or_else(|| bad("no item".into()))?;
            let index = by_item.len();
            if by_item.insert(item.clone(), (index, inputs)).is_some() {
                return Err(bad(format!("item {item:?} given twice")));
            }
        }
        let n = by_item.len();
        Ok(Self { file, by_item, used: Mutex::new(vec![false; n]) })
    }

    /// The inputs of an item named `name` (or by its file name).
    pub fn for_item(&self, name: &str) -> Option<&ItemInputs> {
        let file_name = Path::new(name).file_name().and_then(|f| f.to_str());
        let (index, inputs) = self.by_item.get(name).or_else(|| file_name.and_then(|f| self.by_item.get(f)))?;
        if let Ok(mut used) = self.used.lock() {
            if let Some(u) = used.get_mut(*index) {
                *u = true;
            }
        }
        Some(inputs)
    }

    /// Entries that named no item of the source.
    pub fn unused(&self) -> Result<(), CliError> {
        let used = self.used.lock().map_err(|_| CliError::new("inputs: internal lock poisoned"))?;
        let mut missing: Vec<&str> = self
            .by_item
            .iter()
            .filter(|(_, (i, _))| !used.get(*i).copied().unwrap_or(false))
            .map(|(name, _)| name.as_str())
            .collect();
        missing.sort_unstable();
        if missing.is_empty() {
            return Ok(());
        }
        Err(CliError::new(format!("inputs {}: no item of the audit source is named {}", self.file, missing.join(", "))))
    }
}
