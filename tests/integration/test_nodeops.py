"""Observers, joining nodes and snapshot files, over real cometbft: one validator and one
observer started by ``fictra localnet up --observers 1``; nodes that ``fictra node join`` it
by state sync, by block sync, by block sync after state sync found no snapshot, and from a
snapshot file (``fictra node snapshot export|import``)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.node.cometrpc import RpcError, call
from app.node.localnet import Localnet
from genesis.network import NodeInfo
from tests.localnets import (
    Procs,
    app_hash_after,
    base_port_with_gateway,
    fictra,
    free_base_port,
    gateway_url,
    height,
    set_snapshot_interval,
    stop_localnet,
    wait_until,
)

pytestmark = pytest.mark.integration

INTERVAL = 5


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Localnet]:
    """node0 takes a snapshot every INTERVAL blocks (keeping 20); observer0 takes none."""
    home = tmp_path_factory.mktemp("obs-net")
    base = str(base_port_with_gateway(2))
    try:
        out = fictra("localnet", "up", "--home", str(home), "--validators", "1",
                     "--observers", "1", "--chain-id", "fictra-test-obs", "--base-port", base,
                     "--detach").stdout
        assert "creating a 1-validator network and 1 observer" in out, out
        assert "starting 1 validator and 1 observer" in out, out
        fictra("localnet", "down", "--home", str(home))
        ln = Localnet(home)
        node0 = Path(ln.node("node0").home)
        set_snapshot_interval(node0, INTERVAL)
        app_toml = node0 / "config" / "app.toml"
        app_toml.write_text(app_toml.read_text().replace("snapshot_keep_recent = 2",
                                                         "snapshot_keep_recent = 20"))
        obs_toml = Path(ln.node("observer0").home) / "config" / "app.toml"
        obs_toml.write_text(obs_toml.read_text().replace("snapshot_interval = 100",
                                                         "snapshot_interval = 0"))
        out = fictra("localnet", "up", "--home", str(home), "--detach").stdout
        assert "starting 1 validator and 1 observer" in out, out
        yield Localnet(home)
    finally:
        fictra("localnet", "down", "--home", str(home), check=False)
        stop_localnet(home)


def _start(procs: Procs, home: Path) -> None:
    procs.node(home)
    with open(home / "node.log", "ab") as log:
        procs.start([sys.executable, "-m", "app.cli.main", "node", "start", "--home",
                     str(home)], stdout=log, stderr=subprocess.STDOUT)


def _join(home: Path, peers: list[NodeInfo], rpc: list[NodeInfo] | None = None,
          fallback_s: int | None = None) -> str:
    port = free_base_port(1)
    genesis = Path(peers[0].home) / "config" / "genesis.json"
    args = ["node", "join", "--home", str(home), "--genesis", str(genesis), "--peers",
            ",".join(p.p2p_address for p in peers), "--p2p-port", str(port)]
    if rpc:
        args += ["--rpc-servers", ",".join(n.rpc_url for n in rpc)]
    out = fictra(*args).stdout
    if fallback_s is not None:
        app_toml = home / "config" / "app.toml"
        app_toml.write_text(app_toml.read_text().replace(
            "statesync_fallback_s = 60", f"statesync_fallback_s = {fallback_s}"))
    return out


def _rpc(home: Path) -> str:
    with (home / "config" / "config.toml").open("rb") as f:
        return "http://" + tomllib.load(f)["rpc"]["laddr"].removeprefix("tcp://")


def _config(home: str | Path) -> dict:
    with (Path(home) / "config" / "config.toml").open("rb") as f:
        return tomllib.load(f)


def _follows(url: str, node0: NodeInfo) -> None:
    head = height(node0.rpc_url)
    wait_until(lambda: height(url) >= head + 2, "the new node at the head", 300)
    h = height(url) - 1
    assert app_hash_after(url, h) == app_hash_after(node0.rpc_url, h)


def _earliest(url: str) -> int:
    return int(call(url, "status")["sync_info"]["earliest_block_height"])


def test_observer_follows_and_serves_the_gateway_and_the_indexer(net: Localnet) -> None:
    node0, obs = net.node("node0"), net.node("observer0")
    assert obs.role == "observer" and node0.role == "validator"
    _follows(obs.rpc_url, node0)
    # not a validator: CometBFT's set is node0 alone
    vals = call(obs.rpc_url, "validators")["validators"]
    assert [v["address"] for v in vals] == [node0.validator_address]
    assert _config(obs.home)["tx_index"]["indexer"] == "null"  # the indexer serves history
    assert _config(node0.home)["tx_index"]["indexer"] == "null"
    record = json.loads((net.home / "localnet.json").read_text())["gateway"]
    assert record["node"] == obs.rpc_url
    status = json.loads(fictra("localnet", "status", "--home", str(net.home), "--json").stdout)
    roles = {n["name"]: (n["role"], n["alive"]) for n in status["nodes"]}
    assert status["indexer"]["node"] == obs.rpc_url  # the index follows the gateway's node
    assert roles == {"node0": ("validator", True), "observer0": ("observer", True)}
    text = fictra("localnet", "status", "--home", str(net.home)).stdout
    assert "observer0 observer" in text and "in front of observer0" in text
    # the gateway answers through the observer
    gw = json.loads(fictra("wallet", "status", "--gateway", gateway_url(net), "--json").stdout)
    assert gw["chain_id"] == "fictra-test-obs" and int(gw["height"]) >= 1, gw
    fictra("localnet", "logs", "--home", str(net.home), "observer0", "-n", "5")
    for node in (node0, obs):
        with pytest.raises(RpcError, match="indexing is disabled"):
            call(node.rpc_url, "tx_search", query="tx.height>0")


def test_join_by_state_sync(net: Localnet, tmp_path: Path, procs: Procs) -> None:
    node0 = net.node("node0")
    wait_until(lambda: height(node0.rpc_url) >= 2 * INTERVAL + 2, "snapshots", 180)
    home = tmp_path / "joiner-ss"
    out = _join(home, [node0], [node0])
    assert "state sync:" in out and "offers snapshots at heights" in out, out
    assert _config(home)["statesync"]["enable"] is True
    _start(procs, home)
    url = _rpc(home)
    _follows(url, node0)
    assert _earliest(url) > 1  # restored from a snapshot: it never had the early blocks
    log = (home / "node.log").read_text()
    assert "state sync: restoring from peers' snapshots" in log


def test_join_by_block_sync_without_rpc_servers(net: Localnet, tmp_path: Path,
                                                procs: Procs) -> None:
    node0, obs = net.node("node0"), net.node("observer0")
    home = tmp_path / "joiner-bs"
    out = _join(home, [node0, obs])
    assert "block sync: no --rpc-servers" in out, out
    assert _config(home)["statesync"]["enable"] is False
    _start(procs, home)
    url = _rpc(home)
    _follows(url, node0)
    assert _earliest(url) == 1
    assert "block sync: replaying the chain from genesis" in (home / "node.log").read_text()


def test_state_sync_finding_no_snapshot_falls_back_to_block_sync(
        net: Localnet, tmp_path: Path, procs: Procs) -> None:
    """node0's RPC lists snapshots, but the only P2P peer (observer0) offers none."""
    node0, obs = net.node("node0"), net.node("observer0")
    wait_until(lambda: height(node0.rpc_url) >= 2 * INTERVAL + 2, "snapshots", 180)
    home = tmp_path / "joiner-fb"
    out = _join(home, [obs], [node0], fallback_s=8)
    assert "state sync:" in out, out
    _start(procs, home)
    url = _rpc(home)
    _follows(url, node0)
    assert _earliest(url) == 1  # replayed from genesis
    log = (home / "node.log").read_text()
    assert "state sync: no snapshot was offered within 8 s; falling back to block sync" in log
    assert _config(home)["statesync"]["enable"] is False


def test_snapshot_file_export_import_bootstraps_an_empty_node(
        net: Localnet, tmp_path: Path, procs: Procs) -> None:
    node0, obs = net.node("node0"), net.node("observer0")
    wait_until(lambda: height(node0.rpc_url) >= 2 * INTERVAL + 2, "snapshots", 180)
    snaps = sorted(int(p.name) for p in (Path(node0.home) / "data/state/snapshots").iterdir()
                   if p.name.isdigit())
    h = snaps[-1]
    f = tmp_path / "snap.fsnap"
    out = fictra("node", "snapshot", "export", "--home", node0.home, "--height", str(h),
                 "--out", str(f), "--json").stdout
    doc = json.loads(out)
    assert doc["height"] == h
    # the file's app hash is the chain's: the app hash in header h+1
    wait_until(lambda: height(node0.rpc_url) >= h + 2, "two blocks past the snapshot")
    header = call(node0.rpc_url, "block", height=str(h + 1))["block"]["header"]
    assert doc["app_hash"] == header["app_hash"]

    bad_home = tmp_path / "bad"
    _join(bad_home, [obs])
    forged = tmp_path / "forged.fsnap"
    raw = bytearray(f.read_bytes())
    raw[len(raw) // 2] ^= 1
    forged.write_bytes(bytes(raw))
    bad = fictra("node", "snapshot", "import", "--home", str(bad_home), str(forged),
                 "--rpc-servers", node0.rpc_url, check=False)
    assert bad.returncode == 2 and "error:" in bad.stderr, bad.stderr
    assert not (bad_home / "snapshot-seed").exists()
    assert _config(bad_home)["statesync"]["enable"] is False  # nothing changed

    # observer0 offers no snapshot: without the file this node could only block-sync
    home = tmp_path / "joiner-file"
    _join(home, [obs], fallback_s=0)
    out = fictra("node", "snapshot", "import", "--home", str(home), str(f),
                 "--rpc-servers", node0.rpc_url).stdout
    assert f"verified {f}: height {h}" in out, out
    assert (home / "snapshot-seed").is_dir()
    _start(procs, home)
    url = _rpc(home)
    _follows(url, node0)
    assert _earliest(url) >= h  # started at the snapshot's height, no earlier block
    log = (home / "node.log").read_text()
    assert "imported snapshot's local seed" in log
    assert f"state restored from the imported snapshot at height {h}" in log
    wait_until(lambda: not (home / "snapshot-seed").exists(), "the seed removed", 30)

    # a node with state refuses an import
    again = fictra("node", "snapshot", "import", "--home", node0.home, str(f), "--rpc-servers",
                   node0.rpc_url, check=False)
    assert again.returncode == 2 and "error:" in again.stderr
