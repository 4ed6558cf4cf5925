"""``fictra node rollback`` on a real node: a block with txs is taken back (CometBFT's state
and the app's store), the restarted node executes that height again and reaches the same app
hash; a running node is refused; ``--hard`` also drops the block, which a validator of a
4-node network then gets from its peers (a lone validator cannot: it signed that height)."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from app.crypto import Key
from app.node.cometrpc import call
from app.node.localnet import Localnet
from genesis.network import init_single
from tests.localnets import (
    Procs,
    app_hash_after,
    fictra,
    free_base_port,
    height,
    transfers_until_exit,
    wait_until,
)

pytestmark = pytest.mark.integration

CHAIN_ID = "fictra-rollback"
HALT = 6


def _apphash(home: Path, h: int = 0) -> dict:
    args = ["node", "apphash", "--home", str(home), "--json"] + (["--height", str(h)] if h else [])
    return json.loads(fictra(*args).stdout)


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out


def test_rollback_then_restart_executes_the_height_again_to_the_same_app_hash(
        tmp_path: Path, procs: Procs) -> None:
    home = tmp_path / "node"
    keys: dict[str, Key] = {}
    node = init_single(home, CHAIN_ID, base_port=free_base_port(1),
                       write_key=lambda name, key: keys.setdefault(name, key))
    faucet = keys["faucet"]
    procs.node(home)
    running = procs.fictra("node", "start", "--home", str(home), "--halt-height", str(HALT))
    wait_until(lambda: height(node.rpc_url) >= 1, "first block")
    # One transfer a block until the node halts, so the block rolled back changed the state.
    heights = transfers_until_exit(node.rpc_url, CHAIN_ID, faucet, running, wait_commit=True)
    out, _ = running.communicate(timeout=120)
    assert running.returncode == 0 and f"halt height {HALT} reached" in out, out
    assert HALT in heights, heights  # block HALT holds a transfer
    at_halt, before = _apphash(home), _apphash(home, HALT - 1)
    assert at_halt["height"] == HALT and at_halt["app_hash"] != before["app_hash"]

    done = json.loads(fictra("node", "rollback", "--home", str(home), "--json").stdout)
    assert done["height"] == HALT - 1 and done["app_rolled_back"] is True
    assert done["app_hash"] == done["cometbft_app_hash"] == before["app_hash"]
    assert _apphash(home)["height"] == HALT - 1
    again = fictra("node", "rollback", "--home", str(home), check=False)
    assert again.returncode == 2 and "cannot go back" in again.stderr  # one height only

    proc = procs.fictra("node", "start", "--home", str(home))
    try:
        wait_until(lambda: height(node.rpc_url) >= HALT + 2, "blocks after the rolled-back one")
        block = call(node.rpc_url, "block", height=str(HALT))["block"]
        assert len(block["data"]["txs"]) >= 1  # the same block, executed again
    finally:
        _stop(proc)
    assert _apphash(home, HALT)["app_hash"] == at_halt["app_hash"]

    running = procs.fictra("node", "start", "--home", str(home))
    try:
        wait_until(lambda: height(node.rpc_url) >= HALT + 3, "more blocks")
        refused = fictra("node", "rollback", "--home", str(home), check=False)
        assert refused.returncode == 2 and "stop the node first" in refused.stderr
        assert height(node.rpc_url) >= HALT + 3  # and it goes on
    finally:
        _stop(running)


def test_hard_rollback_drops_the_block_and_the_node_gets_it_from_its_peers(
        own_localnet4: Localnet) -> None:
    net = own_localnet4
    node3 = net.node("node3")
    wait_until(lambda: height(node3.rpc_url) >= 3, "a few blocks")
    net.stop_nodes(["node3"])
    top = _apphash(Path(node3.home))["height"]
    hard = fictra("node", "rollback", "--home", node3.home, "--hard")
    assert f"rolled back to height {top - 1}" in hard.stdout and "removed" in hard.stdout, \
        hard.stdout
    assert _apphash(Path(node3.home))["height"] == top - 1
    net.start_node("node3")
    wait_until(lambda: height(node3.rpc_url) >= top + 2, "node3 past its removed block")
    for h in (top, top + 1):  # the network's blocks, executed to the network's app hashes
        assert app_hash_after(node3.rpc_url, h) == app_hash_after(net.nodes[0].rpc_url, h)
