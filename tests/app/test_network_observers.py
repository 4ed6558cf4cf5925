"""A network with observers: full nodes in no validator set, peered with everyone; no node
keeps CometBFT's tx index (the localnet's history comes from the analytics indexer), and
network.json records each role."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from genesis.network import load_network, new_network


def _cfg(home: str) -> dict:
    with (Path(home) / "config" / "config.toml").open("rb") as f:
        return tomllib.load(f)


def test_observers_are_not_validators(tmp_path: Path) -> None:
    nodes = new_network(tmp_path / "net", 2, "fictra-x", base_port=41000, observers=2)
    assert [(n.name, n.role) for n in nodes] == [
        ("node0", "validator"), ("node1", "validator"), ("observer0", "observer"),
        ("observer1", "observer")]
    assert [n.p2p_port for n in nodes] == [41000, 41010, 41020, 41030]
    genesis = json.loads((Path(nodes[2].home) / "config" / "genesis.json").read_text())
    assert [v["address"] for v in genesis["validators"]] == [
        n.validator_address for n in nodes[:2]]
    assert [_cfg(n.home)["tx_index"]["indexer"] for n in nodes] == ["null"] * 4
    peers = _cfg(nodes[2].home)["p2p"]["persistent_peers"].split(",")
    assert sorted(peers) == sorted(n.p2p_address for n in nodes if n.name != "observer0")
    _, loaded = load_network(tmp_path / "net")
    assert loaded == nodes


def test_without_observers_no_node_indexes_and_old_network_files_load(tmp_path: Path) -> None:
    nodes = new_network(tmp_path / "net", 2, "fictra-x", base_port=41000)
    assert [_cfg(n.home)["tx_index"]["indexer"] for n in nodes] == ["null", "null"]
    path = tmp_path / "net" / "network.json"
    doc = json.loads(path.read_text())
    for n in doc["nodes"]:
        del n["role"]  # written before observers existed
    path.write_text(json.dumps(doc))
    _, loaded = load_network(tmp_path / "net")
    assert [n.role for n in loaded] == ["validator", "validator"]
