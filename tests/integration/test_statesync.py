"""A new node joins the running 4-validator shared localnet (whose validators take a snapshot
every ``SNAPSHOT_INTERVAL`` blocks) by CometBFT state sync from app snapshots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.node.cometrpc import call
from app.node.localnet import Localnet
from genesis.network import add_full_node
from tests.localnets import (
    SNAPSHOT_INTERVAL,
    Procs,
    app_hash_after,
    free_base_port,
    height,
    scrape,
    wait_until,
)

pytestmark = pytest.mark.integration


def test_new_node_state_syncs_and_follows(shared_localnet: Localnet, procs: Procs) -> None:
    urls = [n.rpc_url for n in shared_localnet.nodes]
    # two snapshots exist once height 2*INTERVAL is committed; trust a block after the first
    wait_until(lambda: min(height(u) for u in urls) >= 2 * SNAPSHOT_INTERVAL + 2, "snapshots",
               180)
    trust_height = height(urls[0]) - 1
    trust_hash = call(urls[0], "block", height=str(trust_height))["block_id"]["hash"]
    node = add_full_node(
        shared_localnet.home, "statesync-joiner", port=free_base_port(1),
        statesync={"rpc_servers": [u.removeprefix("http://") for u in urls[:2]],
                   "trust_height": trust_height, "trust_hash": trust_hash},
    )
    with open(Path(node.home) / "node.log", "wb") as log:
        procs.node(Path(node.home))
        procs.start([sys.executable, "-m", "app.cli.main", "node", "start", "--home",
                     node.home], stdout=log, stderr=subprocess.STDOUT)
    head = height(urls[0])
    wait_until(lambda: height(node.rpc_url) >= head + 2, "joiner at the head", 240)
    status = call(node.rpc_url, "status")["sync_info"]
    # restored from a snapshot: it never had the early blocks
    earliest = int(status["earliest_block_height"])
    assert earliest > 1
    # the snapshot restored may be newer than ``head``: compare a block the joiner executed
    wait_until(lambda: height(node.rpc_url) >= earliest + 1, "a block after the snapshot")
    h = height(node.rpc_url) - 1
    assert app_hash_after(node.rpc_url, h) == app_hash_after(urls[1], h)
    text = (Path(node.home) / "node.log").read_text()
    assert "Snapshot restored" in text or "snapshot restored" in text.lower()
    # the metrics saw it: one snapshot accepted, its chunks applied, served by the validators
    joiner = scrape(f"http://127.0.0.1:{node.app_metrics_port}/metrics")
    offers = {labels["result"]: v for labels, v in joiner["fictra_app_snapshot_offers_total"]}
    assert offers.get("accept") == 1
    applied = {labels["result"]: v
               for labels, v in joiner["fictra_app_snapshot_chunks_applied_total"]}
    served = sum(scrape(f"http://127.0.0.1:{v.app_metrics_port}/metrics")
                 ["fictra_app_snapshot_chunks_served_total"][0][1]
                 for v in shared_localnet.nodes)
    assert applied.get("accept", 0) >= 1 and served >= applied["accept"]
