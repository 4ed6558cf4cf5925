"""Conformance: CometBFT's own abci-cli drives the server through every request it supports."""

from __future__ import annotations

import hashlib
import subprocess

from app.node.binaries import tool

from .recording_app import RecordingApp

SCRIPT = """echo hello
info
check_tx 0x0102
check_tx "bad"
prepare_proposal "a" "b"
process_proposal "a"
process_proposal "bad"
finalize_block "a" "b"
commit
query "key"
"""


def _blocks(out: str) -> list[str]:
    return [b.strip() for b in out.strip().split("\n\n")]


def test_abci_cli_batch(serve) -> None:  # noqa: ANN001
    app = RecordingApp()
    srv = serve(app)
    proc = subprocess.run(
        [tool("abci-cli"), "--address", srv.server.address, "--log_level", "error", "batch"],
        input=SCRIPT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    b = _blocks(proc.stdout)
    assert len(b) == 10, proc.stdout
    assert "-> data: hello" in b[0]
    assert "-> data: recording" in b[1]
    assert "-> code: OK" in b[2] and "0x0201" in b[2]
    assert "-> code: 7" in b[3] and "bad prefix" in b[3]
    assert "Tx: a" in b[4] and "Tx: b" in b[4]
    assert "status: ACCEPT" in b[5]
    assert "status: REJECT" in b[6]
    app_hash = hashlib.sha256(b"ab").hexdigest().upper()
    assert b[7].count("-> code: OK") == 3 and app_hash in b[7]
    assert "-> code: OK" in b[8]
    assert "-> value: KEY" in b[9] and "-> height: 1" in b[9]
    assert app.calls == ["info", "check_tx", "check_tx", "prepare_proposal", "process_proposal",
                         "process_proposal", "finalize_block", "commit", "query"]
