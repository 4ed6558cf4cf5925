"""``fictra node compact`` on a real node: after blocks of transfers with pruning (3 heights
kept, so CometBFT deletes its old blocks), the stopped node's stores are compacted, no store
grows, the app hash is unchanged and the node starts again and goes on; a running node and a
directory that is not a node home are refused and left as they were, and a failure of
CometBFT's compaction (which exits 0) is reported."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest

from app.crypto import Key
from app.node.cometrpc import call
from genesis.network import init_single
from tests.localnets import Procs, fictra, free_base_port, height, transfers_until_exit, wait_until

pytestmark = pytest.mark.integration

CHAIN_ID = "fictra-compact"
HALT = 25


def _apphash(home: Path) -> dict:
    return json.loads(fictra("node", "apphash", "--home", str(home), "--json").stdout)


def test_compact_a_stopped_pruning_node(tmp_path: Path, procs: Procs) -> None:
    home = tmp_path / "node"
    keys: dict[str, Key] = {}
    node = init_single(home, CHAIN_ID, base_port=free_base_port(1),
                       write_key=lambda name, key: keys.setdefault(name, key))
    app_toml = home / "config" / "app.toml"
    app_toml.write_text(app_toml.read_text().replace("keep_recent = 3888000", "keep_recent = 3"))
    assert "keep_recent = 3\n" in app_toml.read_text()
    procs.node(home)
    running = procs.fictra("node", "start", "--home", str(home), "--halt-height", str(HALT))
    wait_until(lambda: height(node.rpc_url) >= 1, "first block")
    accepted = transfers_until_exit(node.rpc_url, CHAIN_ID, keys["faucet"], running,
                                    wait_commit=False)
    out, _ = running.communicate(timeout=120)
    assert running.returncode == 0 and f"halt height {HALT} reached" in out, out
    assert len(accepted) > 20
    at_halt = _apphash(home)

    done = json.loads(fictra("node", "compact", "--home", str(home), "--json").stdout)
    before, after = done["before"], done["after"]
    assert before["blockstore.db"] > 0 and before["state/pt"] > 0
    for name in ("blockstore.db", "state.db", "state/pt"):
        assert after[name] <= before[name], (name, before[name], after[name])
    assert _apphash(home) == at_halt
    text = fictra("node", "compact", "--home", str(home)).stdout  # the summary a person reads
    assert text.startswith("compacted in ") and "blockstore.db" in text

    proc = procs.fictra("node", "start", "--home", str(home))
    try:
        wait_until(lambda: height(node.rpc_url) >= HALT + 2, "blocks after the compaction")
        assert call(node.rpc_url, "block", height=str(HALT))["block"]["header"]["height"] \
            == str(HALT)
        refused = fictra("node", "compact", "--home", str(home), check=False)
        assert refused.returncode == 2 and "stop the node first" in refused.stderr
        assert height(node.rpc_url) >= HALT + 2  # and it goes on
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out

    # CometBFT's compaction exits 0 when it fails; its logged failure is still an error.
    blockstore = home / "data" / "blockstore.db"
    shutil.rmtree(blockstore)
    blockstore.write_text("not a database")
    broken = fictra("node", "compact", "--home", str(home), check=False)
    assert broken.returncode == 2 and "cometbft could not compact" in broken.stderr

    bad = fictra("node", "compact", "--home", str(tmp_path), check=False)
    assert bad.returncode == 2 and "is not a node home" in bad.stderr
    assert not (tmp_path / "data").exists()


def test_compact_needs_a_home() -> None:
    proc = fictra("node", "compact", check=False)
    assert proc.returncode == 2 and "--home" in proc.stderr
