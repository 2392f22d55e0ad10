#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from the golden vectors
(test-vectors/vectors), the canonical-json number table
(canonical-json/tests/data/es6-numbers.txt) and a few hand-written edge cases.

Files are named by the SHA-256 of their contents (first 16 hex digits), so
re-running adds nothing twice. Record proofs are made with the `attest`
binary (`attest network prove`), path in $ATTEST (default target/debug/attest).
Inputs larger than MAX_SEED bytes (the 10k-record logs) are left out.

Usage: python3 fuzz/make-seeds.py   (from the repository root)
"""
import base64
import glob
import hashlib
import json
import os
import subprocess
import tempfile

MAX_SEED = 64 * 1024
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
ATTEST = os.environ.get("ATTEST", os.path.join(ROOT, "target", "debug", "attest"))


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        return
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha256(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def doc_bytes(v):
    if "documentBase64" in v:
        return base64.b64decode(v["documentBase64"])
    if "document" in v:
        return v["document"].encode()
    return None


vectors = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(ROOT, "test-vectors", "vectors", "*.json")))]

logs = []
for v in vectors:
    docs = [d for d in [doc_bytes(v)] if d is not None] + [d.encode() for d in v.get("documents", [])]
    roots = [t.encode() for t in v.get("trustRoots", [])]
    for d in docs:
        add("json_parse", d)
        add("canonicalize", d)
        bundle = v.get("bundle") or {}
        parts = [
            d,
            (v.get("signals") or "").encode(),
            base64.b64decode(v["outputBase64"]) if "outputBase64" in v else b"",
            (bundle.get("manifest") or "").encode(),
            (v.get("network") or "").encode(),
            "\n".join(v.get("allowHosts", [])).encode(),
        ]
        while parts and not parts[-1]:
            parts.pop()
        add("verify_document", b"\0".join(parts))
    for t in roots:
        add("json_parse", t)
        add("verify_document", t)
    if roots:
        add("trust_root_chain", b"\0".join(roots[:3]))
        for t in roots:
            add("trust_root_chain", t)
    if v.get("signals"):
        add("json_parse", v["signals"])
        add("canonicalize", v["signals"])
    if (v.get("bundle") or {}).get("manifest"):
        add("verify_document", v["bundle"]["manifest"])
    if "network" in v:
        add("network_log", v["network"])
        if len(v["network"]) <= MAX_SEED:
            logs.append(v["network"])

# Witness policies: each policy alone, and with its vector's cosigned checkpoint after a NUL.
for v in vectors:
    if "witnessPolicy" in v:
        add("witness_policy", v["witnessPolicy"])
        note = v["logProof"].split("\n\n", 1)[1]
        add("witness_policy", v["witnessPolicy"].encode() + b"\0" + note.encode())

# Heartbeat batches: each stream vector's envelopes, NUL-separated, and every single envelope.
for v in vectors:
    docs = [d for d in [doc_bytes(v)] if d is not None] + [d.encode() for d in v.get("documents", [])]
    envelopes = [d for d in docs if b'"payloadType"' in d]
    if envelopes:
        add("heartbeat_stream", b"\0".join(envelopes))
        for e in envelopes:
            add("heartbeat_stream", e)

# Record proofs of valid logs: first, middle and last record.
with tempfile.TemporaryDirectory() as tmp:
    for i, log in enumerate(sorted(set(logs))):
        path = os.path.join(tmp, f"{i}.jsonl")
        with open(path, "w") as f:
            f.write(log)
        summary = subprocess.run([ATTEST, "network", "summarize", path], capture_output=True)
        if summary.returncode != 0:
            continue
        n = log.count("\n") + (0 if log.endswith("\n") else 1)
        for seq in sorted({0, n // 2, n - 1}):
            p = subprocess.run([ATTEST, "network", "prove", "--seq", str(seq), path], capture_output=True)
            if p.returncode == 0:
                add("record_proof", p.stdout)
                add("record_proof", p.stdout + b"\0" + summary.stdout)

# Numbers: every 2000th line of the ES6 number table (a double's bits and its string).
with open(os.path.join(ROOT, "canonical-json", "tests", "data", "es6-numbers.txt")) as f:
    for i, line in enumerate(f):
        if i % 2000 == 0 and " " in line:
            text = line.strip().split(" ", 1)[1]
            add("json_parse", text)
            add("canonicalize", "[" + text + "]")

# Edge cases of formats §0.
edge = [
    '{"a":1,"a":2}', '{"a":1,"\\u0061":2}', '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"',
    "9007199254740991", "9007199254740992", "-9007199254740992", "-0", "-0.0", "1e400", "1e-400",
    "1.7976931348623157e308", "5e-324", "0.1", "1E+2", "[" * 128 + "]" * 128, "[" * 129 + "]" * 129,
    '{"\\u00e9":"\\u0000","\\uE000":1,"\\ud83d\\ude00":2}', "\ufeff{}", '"\\/\\b\\f\\n\\r\\t"',
    ' \t\r\n[] ', "1e20", "[1e20,9007199254740993.0]", '{"b":[1,2.50,{"z":null,"y":true}],"a":"x"}',
]
for e in edge:
    add("json_parse", e)
    add("canonicalize", e)

total = 0
for target in sorted(os.listdir(CORPUS)):
    files = glob.glob(os.path.join(CORPUS, target, "*"))
    size = sum(os.path.getsize(p) for p in files)
    total += size
    print(f"{target}: {len(files)} files, {size} bytes")
print(f"total {total} bytes")
