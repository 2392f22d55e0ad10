//! `attest demo`: the whole path on the bundled example, end to end.

use std::path::{Path, PathBuf};

use attest_attestor::heartbeat::{sign_envelope, BootChain, HeartbeatInput};
use attest_attestor::json::to_pretty;
use attest_attestor::scenario::{times, HeartbeatWorld, Scenario, NOW_UNIX};
use clap::Args;

use crate::io::{write_file, CliError};
use crate::verify::{run_verify, EvidenceArgs, Format};

/// `attest demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Write the files here and keep them (default: a temporary directory, removed afterwards).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print reports as JSON.
    #[arg(long)]
    pub json: bool,
    /// Replace the files of an earlier demo in --dir.
    #[arg(long)]
    pub force: bool,
}

fn write_world(dir: &Path, s: &Scenario, force: bool) -> Result<(), CliError> {
    let err = |e: attest_attestor::attestation::SignError| CliError::new(format!("demo: {e}"));
    write_file(&dir.join("keys/root.pub"), s.root_key_line().as_bytes(), "root key", force)?;
    for (name, secret) in [("root", &s.root), ("bundle", &s.bundle_key), ("runtime", &s.runtime), ("master", &s.master)]
    {
        write_file(
            &dir.join(format!("keys/{name}.secret")),
            format!("{}\n", secret.to_hex()).as_bytes(),
            "demo key",
            force,
        )?;
    }
    write_file(&dir.join("trust-root.json"), to_pretty(&s.trust_root).as_bytes(), "trust root", force)?;
    for (path, bytes) in &s.bundle_files {
        write_file(&dir.join("bundle").join(path), bytes, "bundle file", force)?;
    }
    write_file(&dir.join("bundle/manifest.json"), to_pretty(&s.manifest).as_bytes(), "manifest", force)?;
    write_file(&dir.join("signals.json"), s.signals_text().as_bytes(), "signals", force)?;
    write_file(&dir.join("output.json"), &s.output, "output", force)?;
    let direct = s.direct("88a9db95-1c7e-4f5b-9a65-demo00000001").map_err(err)?;
    write_file(&dir.join("attestation.json"), to_pretty(&direct).as_bytes(), "attestation", force)?;
    let delegated = s.delegated("88a9db95-1c7e-4f5b-9a65-demo00000002").map_err(err)?;
    write_file(&dir.join("attestation-delegated.json"), to_pretty(&delegated).as_bytes(), "attestation", force)?;
    // The tampered copy: the decision flipped after signing.
    let text = to_pretty(&direct).replace("\"action\": \"approve\"", "\"action\": \"reject\"");
    write_file(&dir.join("attestation-tampered.json"), text.as_bytes(), "attestation", force)?;
    Ok(())
}

fn evidence(dir: &Path, json: bool) -> EvidenceArgs {
    EvidenceArgs {
        trust_roots: vec![dir.join("trust-root.json")],
        trust_root_dir: None,
        attesto_keys: Vec::new(),
        root_keys: vec![dir.join("keys/root.pub")],
        bundle: Some(dir.join("bundle")),
        signals: Some(dir.join("signals.json")),
        output: Some(dir.join("output.json")),
        network: None,
        allow_hosts: Vec::new(),
        now: Some(times::NOW.to_string()),
        min_trust_root_version: None,
        max_clock_skew: "5m".to_string(),
        heartbeat_policy: None,
        log_proof: None,
        witness_policy: None,
        log_key: None,
        expect: Vec::new(),
        policy: None,
        require: Vec::new(),
        tee_bindings: Vec::new(),
        tee_root_ca: None,
        format: if json { Format::Json } else { Format::Human },
        // The demo's world is temporary: nothing is remembered from it.
        state: crate::state::StateArgs { state_dir: None, no_state: true },
    }
}

/// The heartbeat part of the demo: a trust root with a heartbeat key, a
/// policy, a healthy stream and a stream with a gap and a drift.
fn write_heartbeats(dir: &Path, force: bool) -> Result<(), CliError> {
    let err = |e: attest_attestor::attestation::SignError| CliError::new(format!("demo: {e}"));
    let w = HeartbeatWorld::new("demo").map_err(err)?;
    let hb = |e: attest_attestor::heartbeat::HeartbeatError| CliError::new(format!("demo: {e}"));
    write_file(&dir.join("heartbeats/trust-root.json"), to_pretty(&w.trust_root).as_bytes(), "trust root", force)?;
    write_file(
        &dir.join("heartbeats/root.pub"),
        format!("{}\n", w.root.master_ed25519().public_key()).as_bytes(),
        "root key",
        force,
    )?;
    write_file(&dir.join("heartbeats/policy.json"), to_pretty(&w.policy).as_bytes(), "heartbeat policy", force)?;
    let healthy = w.boot("edge-eu-1", "boot-1", 5, NOW_UNIX - 300, 60).map_err(err)?;
    write_file(&dir.join("heartbeats/healthy.jsonl"), (healthy.join("\n") + "\n").as_bytes(), "heartbeats", force)?;
    // Four minutes of silence, then the runtime comes back with another version.
    let key = w.heartbeat.master_ed25519();
    let mut chain = BootChain::new("edge-eu-1", "boot-1");
    let mut lines = Vec::new();
    for (i, t) in [540u64, 480, 240, 180, 120, 60].iter().enumerate() {
        let mut input = w.input_at(i as u64).object().clone();
        if i >= 2 {
            attest_attestor::json::set(&mut input, "version", attest_attestor::json::s("1.5.0"));
        }
        let input = HeartbeatInput::from_value(&attest_json::Value::Object(input)).map_err(hb)?;
        lines.push(sign_envelope(&chain.next_payload(&input, NOW_UNIX - t).map_err(hb)?, &[&key]));
    }
    write_file(&dir.join("heartbeats/gap-drift.jsonl"), (lines.join("\n") + "\n").as_bytes(), "heartbeats", force)?;
    Ok(())
}

fn gate_args(dir: &Path, file: &str, window: &str, json: bool) -> crate::heartbeat::GateArgs {
    let mut evidence = evidence(dir, json);
    evidence.trust_roots = vec![dir.join("heartbeats/trust-root.json")];
    evidence.root_keys = vec![dir.join("heartbeats/root.pub")];
    evidence.bundle = None;
    evidence.signals = None;
    evidence.output = None;
    evidence.heartbeat_policy = Some(dir.join("heartbeats/policy.json"));
    crate::heartbeat::GateArgs {
        heartbeats: Some(dir.join("heartbeats").join(file)),
        ledger: None,
        window: window.into(),
        streams: vec!["edge-eu-1".into()],
        evidence,
    }
}

/// Step 6: an in-process ledger on loopback; the attestation submitted, its
/// tlog-proof fetched, the ledger stopped, the proof verified offline.
fn ledger_step(dir: &Path, s: &Scenario, a: &DemoArgs) -> Result<i32, CliError> {
    use attest_ledger::client::Base;
    use std::time::Duration;
    let fail = |e: String| CliError::new(format!("demo ledger: {e}"));
    let secret =
        attest_attestor::MasterSecret::from_bytes(*attest_verifier::crypto::sha256(b"attest.demo.log").as_bytes());
    write_file(&dir.join("keys/log.secret"), format!("{}\n", secret.to_hex()).as_bytes(), "demo key", a.force)?;
    let signer = attest_attestor::note::NoteSigner::new("demo.example/log", secret.master_ed25519())
        .map_err(|e| fail(e.to_string()))?;
    let vkey = signer.verifier_key().to_string();
    write_file(&dir.join("ledger/log.vkey"), format!("{vkey}\n").as_bytes(), "log key", a.force)?;
    let db = dir.join("ledger/ledger.db");
    if a.force {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    let config = attest_ledger::Config {
        database: attest_ledger::Database::Sqlite(db),
        signer,
        verification: attest_ledger::http::Verification {
            trust_roots: vec![("trust-root.json".into(), to_pretty(&s.trust_root).into_bytes())],
            pinned: vec![s.root.master_ed25519().public_key()],
            evidence: attest_verifier::Evidence::default(),
            attesto: Default::default(),
            tee_root_ca: None,
        },
        listen: "127.0.0.1:0".parse().map_err(|e: std::net::AddrParseError| fail(e.to_string()))?,
        batch: attest_ledger::sequencer::BatchConfig::default(),
        alert_webhook: None,
        monitor_interval: Duration::from_secs(5),
        tls: None,
        witnessing: None,
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| fail(e.to_string()))?;
    let addr = listener.local_addr().map_err(|e| fail(e.to_string()))?;
    let (stop, stopped) = attest_ledger::stop_handle();
    let server = std::thread::spawn(move || attest_ledger::serve_on(config, listener, stopped));
    let base = Base::parse(&format!("http://{addr}")).map_err(fail)?;
    let doc = std::fs::read(dir.join("attestation.json")).map_err(|e| fail(e.to_string()))?;
    let submitted =
        base.request("POST", "/v1/entries", Some(("application/json", &doc)), Duration::from_secs(15), 1 << 20);
    let proof = submitted.and_then(|(status, body)| {
        println!("POST /v1/entries: HTTP {status} {}", String::from_utf8_lossy(&body));
        base.get("/v1/entries/0/tlog-proof", Duration::from_secs(15), 1 << 20)
    });
    stop.stop();
    let served = server.join().map_err(|_| fail("the ledger thread panicked".into()))?;
    served.map_err(|e| fail(e.to_string()))?;
    let proof = proof.map_err(fail)?;
    println!("{}", String::from_utf8_lossy(&proof));
    write_file(&dir.join("ledger/attestation.tlog-proof"), &proof, "tlog-proof", a.force)?;
    let mut ev = evidence(dir, a.json);
    ev.log_proof = Some(dir.join("ledger/attestation.tlog-proof"));
    ev.log_key = Some(dir.join("ledger/log.vkey").display().to_string());
    ev.now = None;
    run_verify(&dir.join("attestation.json"), &ev)
}

/// Runs the demo. Exit 0 when the genuine attestations verify and the tampered one is rejected.
pub fn run(a: &DemoArgs) -> Result<i32, CliError> {
    let tmp;
    let dir = match &a.dir {
        Some(d) => d.clone(),
        None => {
            tmp =
                tempfile::tempdir().map_err(|e| CliError::new(format!("cannot create a temporary directory: {e}")))?;
            tmp.path().to_path_buf()
        }
    };
    let s = Scenario::new("demo").map_err(|e| CliError::new(format!("demo: {e}")))?;
    write_world(&dir, &s, a.force)?;
    println!("attest demo: keys, a trust root, a signed policy bundle and attestations in {}\n", dir.display());
    let ev = evidence(&dir, a.json);
    let cmd = |f: &str| {
        format!(
            "$ attest verify {f} --trust-root trust-root.json --root-key keys/root.pub --bundle bundle --signals signals.json --output output.json --now {}",
            times::NOW
        )
    };
    println!("1. An attestation signed by the runtime key:\n{}", cmd("attestation.json"));
    let direct = run_verify(&dir.join("attestation.json"), &ev)?;
    println!("\n2. An attestation signed by a per-execution key delegated by the attestor master, with EIP-712 signatures:\n{}", cmd("attestation-delegated.json"));
    let delegated = run_verify(&dir.join("attestation-delegated.json"), &ev)?;
    println!(
        "\n3. The first attestation with its decision changed from approve to reject after signing:\n{}",
        cmd("attestation-tampered.json")
    );
    let tampered = run_verify(&dir.join("attestation-tampered.json"), &ev)?;
    write_heartbeats(&dir, a.force)?;
    let gate_cmd = |f: &str, window: &str| {
        format!(
            "$ attest gate --heartbeats heartbeats/{f} --window {window} --stream edge-eu-1 --trust-root heartbeats/trust-root.json --root-key heartbeats/root.pub --heartbeat-policy heartbeats/policy.json --now {}",
            times::NOW
        )
    };
    println!(
        "\n4. Runtime heartbeats (DSSE, one a minute): a healthy stream passes the release gate:\n{}",
        gate_cmd("healthy.jsonl", "5m")
    );
    let healthy = crate::heartbeat::gate(&gate_args(&dir, "healthy.jsonl", "5m", a.json))?;
    println!(
        "\n5. The same stream with four silent minutes and a version change: the gate catches the gap and the drift:\n{}",
        gate_cmd("gap-drift.jsonl", "10m")
    );
    let broken = crate::heartbeat::gate(&gate_args(&dir, "gap-drift.jsonl", "10m", a.json))?;
    println!(
        "\n6. The ledger (embedded SQLite): submit the attestation, get the signed checkpoint and its tlog-proof, stop the ledger, verify offline:\n$ attest ledger serve --db sqlite:ledger/ledger.db --origin demo.example/log --key keys/log.secret --trust-root trust-root.json --root-key keys/root.pub\n$ curl -X POST --data-binary @attestation.json http://127.0.0.1:PORT/v1/entries\n$ curl http://127.0.0.1:PORT/v1/entries/0/tlog-proof > ledger/attestation.tlog-proof\n$ attest verify attestation.json … --log-proof ledger/attestation.tlog-proof --log-key ledger/log.vkey"
    );
    let logged = ledger_step(&dir, &s, a)?;
    let ok = direct == 0 && delegated == 0 && tampered == 1 && healthy == 0 && broken == 1 && logged == 0;
    println!(
        "\n{}",
        if ok {
            "demo: the genuine attestations verify (exit 0), the tampered one is rejected (exit 1), the healthy heartbeat stream passes the gate (exit 0) and the broken one fails it (exit 1), and the logged attestation's inclusion verifies offline (exit 0)."
        } else {
            "demo: UNEXPECTED RESULT (see above)."
        }
    );
    if a.dir.is_some() {
        println!("files kept in {}", dir.display());
    }
    Ok(if ok { 0 } else { 1 })
}
