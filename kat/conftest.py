"""Shared fixtures: repository paths, the `attest` binary, the vector results."""

import json
import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import kat_check  # noqa: E402

VECTOR_DIR = ROOT / "test-vectors" / "vectors"


def load_vectors():
    return [json.loads(p.read_text()) for p in sorted(VECTOR_DIR.glob("*.json"))]


def is_dsse_vector(v):
    """Whether the vector's document(s) are DSSE envelopes (an object with
    `payloadType` and no `type`, docs/spec.md §9.1): checked by test_dsse.py."""
    docs = [v["document"]] if v.get("document") is not None else list(v.get("documents") or [])
    for d in docs:
        try:
            x = json.loads(d)
        except ValueError:
            continue
        if isinstance(x, dict) and "payloadType" in x and "type" not in x:
            return True
    return False


def is_fork_vector(v):
    """Whether the vector's document is fork evidence (`attest.fork-evidence.v1`,
    docs/spec.md §11): checked by test_fork.py. Told by the type string in the
    bytes, so malformed evidence counts too."""
    d = v.get("document")
    return isinstance(d, str) and '"attest.fork-evidence.v1"' in d


@pytest.fixture(scope="session")
def attest_bin():
    p = os.environ.get("ATTEST_BIN") or str(
        pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "attest"
    )
    if not os.path.isfile(p):
        pytest.fail(f"attest binary not found at {p} (run `cargo build -p attest-cli` or set ATTEST_BIN)")
    return p


SUMMARY = {}


def pytest_terminal_summary(terminalreporter):
    if not SUMMARY:
        return
    tr = terminalreporter
    tr.section("independent known answers")
    for k, v in SUMMARY.items():
        tr.write_line(f"{k}: {v}")
    if kat_check.STATS:
        tr.write_line("recomputed: " + ", ".join(f"{k} {v}" for k, v in sorted(kat_check.STATS.items())))
