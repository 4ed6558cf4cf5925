"""A new node joins a running 4-validator net by CometBFT state sync from app snapshots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.node.cometrpc import call
from app.node.localnet import Localnet
from genesis.network import add_full_node, new_network

from .conftest import app_hash_after, free_base_port, height, wait_until

pytestmark = pytest.mark.integration

INTERVAL = 5


def _set_snapshot_interval(home: Path) -> None:
    path = home / "config" / "app.toml"
    text = path.read_text().replace("snapshot_interval = 100", f"snapshot_interval = {INTERVAL}")
    assert f"snapshot_interval = {INTERVAL}" in text
    path.write_text(text)


def test_new_node_state_syncs_and_follows(tmp_path: Path) -> None:
    base = free_base_port(5)
    new_network(tmp_path, 4, "fictra-statesync", base_port=base)
    net = Localnet(tmp_path)
    for node in net.nodes:
        _set_snapshot_interval(Path(node.home))
        net.start_node(node.name)
    joiner = None
    try:
        urls = [n.rpc_url for n in net.nodes]
        # two snapshots exist once height 2*INTERVAL is committed; trust a block after the first
        wait_until(lambda: min(height(u) for u in urls) >= 2 * INTERVAL + 2, "snapshots", 180)
        trust_height = height(urls[0]) - 1
        trust_hash = call(urls[0], "block", height=str(trust_height))["block_id"]["hash"]
        node = add_full_node(
            tmp_path, "joiner", port=base + 40,
            statesync={"rpc_servers": [u.removeprefix("http://") for u in urls[:2]],
                       "trust_height": trust_height, "trust_hash": trust_hash},
        )
        log = open(Path(node.home) / "node.log", "wb")  # noqa: SIM115
        joiner = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "node", "start", "--home", node.home],
            stdout=log, stderr=subprocess.STDOUT,
        )
        head = height(urls[0])
        wait_until(lambda: height(node.rpc_url) >= head + 2, "joiner at the head", 240)
        status = call(node.rpc_url, "status")["sync_info"]
        # restored from a snapshot: it never had the early blocks
        assert int(status["earliest_block_height"]) > 1
        h = height(node.rpc_url) - 1
        assert app_hash_after(node.rpc_url, h) == app_hash_after(urls[1], h)
        text = (Path(node.home) / "node.log").read_text()
        assert "Snapshot restored" in text or "snapshot restored" in text.lower()
    finally:
        if joiner is not None:
            joiner.terminate()
            joiner.wait(timeout=60)
        net.stop_nodes()
