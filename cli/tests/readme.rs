//! The README's checked examples are what the binary prints: every
//! ```console block preceded by a `readme-check` comment is run, command by
//! command, in the files `attest demo --dir` writes, and its output must
//! equal the block's text byte for byte (docs agree with behaviour).

use std::path::Path;
use std::process::Command;

/// (command words, expected output) of each `$ ` command in a checked block.
fn checked_commands(readme: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut lines = readme.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with("<!-- readme-check:") {
            continue;
        }
        assert_eq!(lines.next(), Some("```console"), "a readme-check comment must precede a console block");
        let mut current: Option<(String, String)> = None;
        let mut continued = false;
        for l in lines.by_ref() {
            if l == "```" {
                break;
            }
            if continued {
                let (cmd, _) = current.as_mut().expect("a command being continued");
                continued = l.ends_with('\\');
                cmd.push(' ');
                cmd.push_str(l.trim().trim_end_matches('\\').trim());
            } else if let Some(cmd) = l.strip_prefix("$ ") {
                out.extend(current.take());
                continued = cmd.ends_with('\\');
                current = Some((cmd.trim_end_matches('\\').trim().to_string(), String::new()));
            } else if let Some((_, expected)) = current.as_mut() {
                expected.push_str(l);
                expected.push('\n');
            }
        }
        out.extend(current.take());
    }
    out.into_iter().map(|(cmd, expected)| (cmd.split_whitespace().map(str::to_string).collect(), expected)).collect()
}

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).expect("README");
    let commands = checked_commands(&readme);
    assert!(commands.len() >= 2, "only {} checked README commands", commands.len());
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = dir.path().join("demo");
    let bin = env!("CARGO_BIN_EXE_attest");
    let ok = Command::new(bin).arg("demo").arg("--dir").arg(&demo).output().expect("demo runs");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    for (words, expected) in commands {
        assert_eq!(words.first().map(String::as_str), Some("attest"), "{words:?}");
        let out = Command::new(bin)
            .args(&words[1..])
            .current_dir(&demo)
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .output()
            .expect("attest runs");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            expected,
            "README example `{}` prints something else",
            words.join(" ")
        );
        assert!(out.status.success(), "`{}` exit {:?}", words.join(" "), out.status.code());
    }
}
