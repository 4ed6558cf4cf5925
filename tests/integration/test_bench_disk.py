"""``fictra bench disk`` on a short run with real cometbft: every store is sampled, the txs
offered commit, and with a small ``--keep-recent`` CometBFT's block store is pruned."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.bench.disk import slope_per_hour

from .conftest import free_base_port

pytestmark = pytest.mark.integration


def test_slope_per_hour() -> None:
    assert slope_per_hour([(0, 100), (1800, 100), (3600, 100)]) == 0
    assert slope_per_hour([(0, 0), (1800, 50), (3600, 100)]) == pytest.approx(100)
    assert slope_per_hour([(5, 7)]) == 0.0


def test_bench_disk_short_run(tmp_path: Path) -> None:
    home = tmp_path / "disk"
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "bench", "disk", "--duration", "30",
         "--rate", "10", "--senders", "20", "--keep-recent", "5", "--snapshot-interval", "5",
         "--sample-s", "5", "--base-port", str(free_base_port(1)), "--home", str(home),
         "--keep", "--json"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["txs_committed"] > 0 and out["refused"] == 0 and out["samples"] >= 6
    # The stop ended the running segment's offering (one segment is 120 s x 10 tx/s = 1,200
    # txs): what was offered committed, the rest was never sent.
    assert out["txs_committed"] <= out["accepted"] < 1_200
    stores = out["stores"]
    for name in ("state/pt", "state/gov", "snapshots", "blockstore.db", "state.db",
                 "tx_index.db", "cs.wal"):
        assert name in stores and stores[name]["mb_end"] >= 0, name
    assert stores["state/pt"]["mb_end"] > 0
    # keep_recent 5: the app answered a retain height and CometBFT pruned its early blocks;
    # the app pruned its own old versions
    assert out["height_end"] > 10 and out["earliest_block_end"] > 1
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "node", "apphash", "--home",
         str(home / "node0"), "--height", "1"], capture_output=True, text=True)
    assert proc.returncode == 2 and "not kept" in proc.stderr
