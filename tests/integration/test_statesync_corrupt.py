"""A node joining by state sync while one of its two peers serves forged snapshot chunks (the
test-only fault ``corrupt-snapshot-chunks`` of app/node/testfaults.py: the manifest, the
shard index, a key, a value, a subtree index or a length, by chunk index): the joining node
refuses the forged chunk and names its sender (RETRY + reject_senders), takes the chunks from
the honest peer, and reaches the network's app hash. Each byte class is refused offline in
tests/state/test_snapshot.py; here, over a real network, the class is the one of the chunk
the joiner happened to ask the forger for."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit

from app.node.cometrpc import call
from app.node.localnet import Localnet
from app.node.testfaults import CORRUPT, ENV
from genesis.network import add_full_node, new_network
from tests.localnets import (
    Procs,
    app_hash_after,
    free_base_port,
    height,
    set_snapshot_interval,
    wait_until,
)

pytestmark = pytest.mark.integration

INTERVAL = 5


def _start(procs: Procs, home: str, env: dict[str, str] | None = None) -> None:
    procs.node(Path(home))
    with open(Path(home) / "node.log", "wb") as log:
        procs.start([sys.executable, "-m", "app.cli.main", "node", "start", "--home", home],
                    stdout=log, stderr=subprocess.STDOUT,
                    env={**os.environ, **(env or {})})


def test_joiner_refuses_forged_chunks_and_syncs_from_the_honest_peer(tmp_path: Path,
                                                                     procs: Procs) -> None:
    home = procs.localnet(tmp_path / "sync-net")
    (validator,) = new_network(home, 1, "fictra-test-sync", base_port=free_base_port(1))
    set_snapshot_interval(Path(validator.home), INTERVAL)
    net = Localnet(home)
    net.start_node(validator.name)
    forger = add_full_node(home, "forger", port=free_base_port(1))
    set_snapshot_interval(Path(forger.home), INTERVAL)
    _start(procs, forger.home, {ENV: CORRUPT})

    # both peers hold the same two latest snapshots
    wait_until(lambda: height(forger.rpc_url) >= 2 * INTERVAL + 2, "snapshots on both", 180)
    wait_until(lambda: height(forger.rpc_url) >= height(validator.rpc_url) - 1, "forger in sync")
    trust_height = height(validator.rpc_url) - 1
    trust_hash = call(validator.rpc_url, "block", height=str(trust_height))["block_id"]["hash"]
    joiner = add_full_node(home, "joiner", port=free_base_port(1), statesync={
        "rpc_servers": [validator.rpc_url.removeprefix("http://"),
                        forger.rpc_url.removeprefix("http://")],
        "trust_height": trust_height, "trust_hash": trust_hash})
    config = Path(joiner.home) / "config" / "config.toml"
    doc = tomlkit.parse(config.read_text())
    doc["p2p"]["persistent_peers"] = ",".join(  # type: ignore[index]
        f"{n.node_id}@127.0.0.1:{n.p2p_port}" for n in (validator, forger))
    config.write_text(tomlkit.dumps(doc))
    _start(procs, joiner.home)

    head = height(validator.rpc_url)
    wait_until(lambda: height(joiner.rpc_url) >= head + 2, "joiner at the head", 240)
    status = call(joiner.rpc_url, "status")["sync_info"]
    assert int(status["earliest_block_height"]) > 1  # restored from a snapshot
    h = height(joiner.rpc_url) - 1
    assert app_hash_after(joiner.rpc_url, h) == app_hash_after(validator.rpc_url, h)

    text = (Path(joiner.home) / "node.log").read_text()
    assert "state restored from a snapshot" in text
    refused = re.findall(r"snapshot chunk (\d+) from (\S+) refused: (.*)", text)
    assert refused, "the joiner never asked the forger for a chunk"
    assert {sender for _, sender, _ in refused} == {forger.node_id}
    served = (Path(forger.home) / "node.log").read_text()
    assert "TEST FAULT corrupt-snapshot-chunks SWITCHED ON" in served
    for index, _, why in refused:
        assert f"chunk {index} of the snapshot" in served
        print(f"\njoiner refused chunk {index} from the forger: {why}")
    assert net.pid_of(validator.name) is not None
