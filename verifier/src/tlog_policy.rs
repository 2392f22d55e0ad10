//! C2SP transparency-log policies (`c2sp.org/tlog-policy`, formats.md §8):
//! which logs are accepted and which witness cosignatures a checkpoint
//! needs (the quorum).
//!
//! # Text format
//!
//! ```text
//! policy  = line*                    ; each line ends in "\n" (the last may not)
//! line    = ws* [ item (ws+ item)* ] ws*     ; ws = space or tab
//!         | ws* "#" comment
//! items   = "log" vkey [url]
//!         | "witness" name vkey [url]          ; vkey of signature type 0x04
//!         | "group" name ("all" | "any" | k) name+   ; 1 ≤ k ≤ n
//!         | "quorum" name                      ; a witness, a group, or "none"
//! ```
//!
//! A checkpoint satisfies the policy when it is signed by one of the logs
//! (when the policy lists any) and its cosignatures satisfy the quorum: a
//! witness is satisfied when one of its cosignature lines verifies
//! ([`crate::cosignature::cosigned_at`]); a group of `k` when at least `k`
//! of its members are.
//!
//! # Decisions (docs/spec.md §11.4)
//!
//! - Strict: an unknown keyword, a line with too few or too many items, a
//!   control character other than tab, a name defined twice, a duplicate
//!   key (the same public key on two log or two witness lines), a member
//!   listed twice in a group, a name used before it is defined, `none` as a
//!   member, `k` outside `1..=n` or not plain decimal, and a missing or
//!   second `quorum` line are all refused. A policy that cannot be read
//!   never verifies anything (fail closed).
//! - Limits: at most [`MAX_POLICY_BYTES`] bytes and [`MAX_ENTRIES`] logs,
//!   witnesses and groups each (the spec recommends supporting 32).
//! - Names are opaque byte strings (compared exactly).
//! - A witness cosignature that does not verify is not counted (the quorum
//!   may still be met by others); duplicate lines of one witness count once.

use crate::checkpoint::{Note, VerifierKey};
use crate::cosignature::{cosigned_at, CosignerKey};

/// The largest policy file read.
pub const MAX_POLICY_BYTES: usize = 65_536;
/// At most this many logs, witnesses and groups (each).
pub const MAX_ENTRIES: usize = 256;

/// Why a policy file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file is larger than [`MAX_POLICY_BYTES`].
    #[error("the policy is {0} bytes, more than the {MAX_POLICY_BYTES}-byte limit")]
    TooLarge(usize),
    /// A line breaks the format (1-based line number and what).
    #[error("line {line}: {problem}")]
    Line {
        /// The line number.
        line: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// No `quorum` line.
    #[error("no quorum line")]
    NoQuorum,
}

/// A quorum rule node: a witness (index) or a group (index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    Witness(usize),
    Group(usize),
}

#[derive(Debug, Clone)]
struct Group {
    name: Vec<u8>,
    threshold: usize,
    members: Vec<Member>,
}

/// The quorum: `none`, or a witness or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quorum {
    None,
    Of(Member),
}

/// A parsed, well-formed witness policy.
#[derive(Debug, Clone)]
pub struct Policy {
    logs: Vec<VerifierKey>,
    witnesses: Vec<(Vec<u8>, CosignerKey, Option<String>)>,
    groups: Vec<Group>,
    quorum: Quorum,
}

/// How a checkpoint note fared against a policy's quorum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumOutcome {
    satisfied: bool,
    cosigned: Vec<String>,
    required: String,
}

impl QuorumOutcome {
    /// Whether the quorum is met.
    pub fn satisfied(&self) -> bool {
        self.satisfied
    }
    /// The policy names of the witnesses whose cosignature verified, in policy order.
    pub fn cosigned(&self) -> &[String] {
        &self.cosigned
    }
    /// The quorum's name (`none` for no witnesses).
    pub fn required(&self) -> &str {
        &self.required
    }
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn lossy(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

impl Policy {
    /// Parses a policy file (strict, see the module docs).
    pub fn parse(bytes: &[u8]) -> Result<Self, PolicyError> {
        if bytes.len() > MAX_POLICY_BYTES {
            return Err(PolicyError::TooLarge(bytes.len()));
        }
        let mut p = Policy { logs: Vec::new(), witnesses: Vec::new(), groups: Vec::new(), quorum: Quorum::None };
        let mut quorum_seen = false;
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let line = i + 1;
            let err = |problem| PolicyError::Line { line, problem };
            if raw.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return Err(err("control character (only tab and newline are allowed)"));
            }
            let items: Vec<&[u8]> = raw.split(|&b| is_ws(b)).filter(|s| !s.is_empty()).collect();
            let Some((&keyword, args)) = items.split_first() else { continue };
            if keyword.first() == Some(&b'#') {
                continue;
            }
            match keyword {
                b"log" => {
                    let ([vkey] | [vkey, _]) = args else { return Err(err("expected `log <vkey> [<url>]`")) };
                    let text = core::str::from_utf8(vkey).map_err(|_| err("the log vkey is not UTF-8"))?;
                    let key = VerifierKey::parse(text).map_err(|_| err("not a log vkey (Ed25519, type 0x01)"))?;
                    if p.logs.iter().any(|k| k.public_key() == key.public_key()) {
                        return Err(err("duplicate log key"));
                    }
                    if p.logs.len() == MAX_ENTRIES {
                        return Err(err("more than 256 logs"));
                    }
                    p.logs.push(key);
                }
                b"witness" => {
                    let (name, vkey, url) = match args {
                        [name, vkey] => (name, vkey, None),
                        [name, vkey, url] => (name, vkey, Some(String::from_utf8_lossy(url).into_owned())),
                        _ => return Err(err("expected `witness <name> <vkey> [<url>]`")),
                    };
                    p.check_new_name(name).map_err(err)?;
                    let text = core::str::from_utf8(vkey).map_err(|_| err("the witness vkey is not UTF-8"))?;
                    let key = CosignerKey::parse(text)
                        .map_err(|_| err("not a witness vkey (Ed25519 cosignature, type 0x04)"))?;
                    if p.witnesses.iter().any(|(_, k, _)| k.public_key() == key.public_key()) {
                        return Err(err("duplicate witness key"));
                    }
                    if p.witnesses.len() == MAX_ENTRIES {
                        return Err(err("more than 256 witnesses"));
                    }
                    p.witnesses.push((name.to_vec(), key, url));
                }
                b"group" => {
                    let [name, k, members @ ..] = args else {
                        return Err(err("expected `group <name> <all|any|k> <name>...`"));
                    };
                    if members.is_empty() {
                        return Err(err("a group needs at least one member"));
                    }
                    p.check_new_name(name).map_err(err)?;
                    let mut resolved: Vec<Member> = Vec::with_capacity(members.len());
                    for m in members {
                        if *m == b"none" {
                            return Err(err("`none` cannot be a group member"));
                        }
                        let member = p.lookup(m).ok_or(err("a member is not defined on a preceding line"))?;
                        if resolved.contains(&member) {
                            return Err(err("a member is listed twice"));
                        }
                        resolved.push(member);
                    }
                    let n = resolved.len();
                    let threshold = match *k {
                        b"all" => n,
                        b"any" => 1,
                        digits => {
                            let plain = !digits.is_empty()
                                && digits.iter().all(u8::is_ascii_digit)
                                && !(digits.len() > 1 && digits.first() == Some(&b'0'));
                            let k = core::str::from_utf8(digits)
                                .ok()
                                .filter(|_| plain)
                                .and_then(|s| s.parse::<usize>().ok())
                                .ok_or(err("the threshold is not all, any or a decimal number"))?;
                            if k == 0 || k > n {
                                return Err(err("the threshold is outside 1..=n"));
                            }
                            k
                        }
                    };
                    if p.groups.len() == MAX_ENTRIES {
                        return Err(err("more than 256 groups"));
                    }
                    p.groups.push(Group { name: name.to_vec(), threshold, members: resolved });
                }
                b"quorum" => {
                    let [name] = args else { return Err(err("expected `quorum <name>`")) };
                    if quorum_seen {
                        return Err(err("a second quorum line"));
                    }
                    quorum_seen = true;
                    p.quorum = if *name == b"none" {
                        Quorum::None
                    } else {
                        Quorum::Of(p.lookup(name).ok_or(err("the quorum is not defined on a preceding line"))?)
                    };
                }
                _ => return Err(err("unknown keyword (expected log, witness, group or quorum)")),
            }
        }
        if !quorum_seen {
            return Err(PolicyError::NoQuorum);
        }
        Ok(p)
    }

    fn lookup(&self, name: &[u8]) -> Option<Member> {
        if let Some(i) = self.witnesses.iter().position(|(n, _, _)| n == name) {
            return Some(Member::Witness(i));
        }
        self.groups.iter().position(|g| g.name == name).map(Member::Group)
    }

    fn check_new_name(&self, name: &[u8]) -> Result<(), &'static str> {
        if name == b"none" {
            return Err("`none` is a reserved name");
        }
        if self.lookup(name).is_some() {
            return Err("a name is defined twice");
        }
        Ok(())
    }

    /// The accepted logs (empty: the log is known from context).
    pub fn logs(&self) -> &[VerifierKey] {
        &self.logs
    }

    /// The witnesses: policy name (lossy UTF-8) and key.
    pub fn witnesses(&self) -> impl Iterator<Item = (String, &CosignerKey)> {
        self.witnesses.iter().map(|(n, k, _)| (lossy(n), k))
    }

    /// The witnesses with the URL of their line (a tlog-witness submission prefix), if any.
    pub fn witness_urls(&self) -> impl Iterator<Item = (String, &CosignerKey, Option<String>)> {
        self.witnesses.iter().map(|(n, k, u)| (lossy(n), k, u.clone()))
    }

    /// Whether the policy accepts `log` (same name and key on a `log` line,
    /// or no `log` lines at all).
    pub fn accepts_log(&self, log: &VerifierKey) -> bool {
        self.logs.is_empty() || self.logs.iter().any(|k| k.name() == log.name() && k.public_key() == log.public_key())
    }

    /// Evaluates the quorum on the cosignatures of `note` (whose text is the
    /// checkpoint; its log signature is the caller's check).
    pub fn evaluate(&self, note: &Note) -> QuorumOutcome {
        let cosigned: Vec<bool> = self.witnesses.iter().map(|(_, k, _)| cosigned_at(note, k).is_ok()).collect();
        // Groups only name earlier groups, so one pass in order settles them all.
        let mut groups: Vec<bool> = Vec::with_capacity(self.groups.len());
        for g in &self.groups {
            let met = g
                .members
                .iter()
                .filter(|m| match **m {
                    Member::Witness(i) => cosigned.get(i).copied().unwrap_or(false),
                    Member::Group(i) => groups.get(i).copied().unwrap_or(false),
                })
                .count();
            groups.push(met >= g.threshold);
        }
        let (satisfied, required) = match self.quorum {
            Quorum::None => (true, "none".to_string()),
            Quorum::Of(Member::Witness(i)) => (
                cosigned.get(i).copied().unwrap_or(false),
                self.witnesses.get(i).map(|(n, _, _)| lossy(n)).unwrap_or_default(),
            ),
            Quorum::Of(Member::Group(i)) => (
                groups.get(i).copied().unwrap_or(false),
                self.groups.get(i).map(|g| lossy(&g.name)).unwrap_or_default(),
            ),
        };
        let names = self.witnesses.iter().zip(&cosigned).filter(|(_, c)| **c).map(|((n, _, _), _)| lossy(n)).collect();
        QuorumOutcome { satisfied, cosigned: names, required }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(name: &str, seed: u8) -> String {
        use ed25519_dalek::SigningKey;
        let pk = SigningKey::from_bytes(&[seed; 32]).verifying_key().to_bytes();
        CosignerKey::new(name, crate::types::Ed25519PublicKey::from_bytes(pk)).unwrap().to_string()
    }

    fn err_line(text: &str) -> usize {
        match Policy::parse(text.as_bytes()) {
            Err(PolicyError::Line { line, .. }) => line,
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn strict_syntax() {
        let a = w("w.example/a", 1);
        let b = w("w.example/b", 2);
        let ok = format!("# c\n  witness A {a} https://a\n\twitness B {b}\ngroup G 2 A B\nquorum G\n");
        let p = Policy::parse(ok.as_bytes()).unwrap();
        assert_eq!(p.witnesses().count(), 2);
        assert!(matches!(Policy::parse(b"witness A x\n"), Err(PolicyError::Line { line: 1, .. })));
        assert_eq!(err_line(&format!("witness A {a}\nwitness A {b}\nquorum A\n")), 2);
        assert_eq!(err_line(&format!("witness A {a}\nwitness B {a}\nquorum A\n")), 2);
        assert_eq!(err_line(&format!("witness A {a}\ngroup G 1 A A\nquorum G\n")), 2);
        assert_eq!(err_line(&format!("witness A {a}\ngroup G 2 A\nquorum G\n")), 2);
        assert_eq!(err_line(&format!("witness A {a}\ngroup G 0 A\nquorum G\n")), 2);
        assert_eq!(err_line(&format!("witness A {a}\ngroup G 01 A\nquorum G\n")), 2);
        assert_eq!(err_line(&format!("witness A {a}\ngroup G any none\nquorum G\n")), 2);
        assert_eq!(err_line(&format!("group G any A\nwitness A {a}\nquorum G\n")), 1);
        assert_eq!(err_line(&format!("witness A {a}\nquorum A\nquorum A\n")), 3);
        assert_eq!(err_line(&format!("witness A {a}\nmirror A\nquorum A\n")), 2);
        assert_eq!(err_line(&format!("witness A {a}\x0b\nquorum A\n")), 1);
        assert_eq!(err_line("quorum X\n"), 1);
        assert!(matches!(Policy::parse(format!("witness A {a}\n").as_bytes()), Err(PolicyError::NoQuorum)));
        assert!(Policy::parse(b"quorum none").is_ok());
        assert!(matches!(Policy::parse(&vec![b' '; MAX_POLICY_BYTES + 1]), Err(PolicyError::TooLarge(_))));
    }
}
