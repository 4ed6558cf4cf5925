"""A 4-validator network of its own where node3 is a Byzantine proposer (the test-only fault
``byzantine-proposer`` of app/node/testfaults.py): each of its proposals carries, in turn, a
badly signed tx, a non-canonical tx, a tx the ante refuses, a tx whose execution raises (the
honest validators run the test-only ``raise-on-memo`` fault, which makes executing it raise as
a bug would) and a tx over the codec's size limit. The honest validators refuse every one of
them in ProcessProposal, the chain goes on in later rounds, no honest node halts and every
node's app hash agrees at every height."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.node.cometrpc import call
from app.node.localnet import Localnet
from app.node.testfaults import ATTACKS, BYZANTINE, ENV, RAISE
from genesis.network import new_network
from tests.localnets import Procs, app_hash_after, free_base_port, height, wait_until

pytestmark = pytest.mark.integration

_ATTACK = re.compile(rf"TEST FAULT {BYZANTINE}: proposal at height (\d+) carries a (\S+) tx "
                     r"([0-9A-F]{64})")


def _attacks(log: Path) -> list[tuple[int, str, str]]:
    return [(int(h), kind, tx) for h, kind, tx in _ATTACK.findall(log.read_text())]


def test_honest_validators_refuse_every_byzantine_proposal(tmp_path: Path,
                                                           procs: Procs) -> None:
    home = procs.localnet(tmp_path / "byzantine-net")
    new_network(home, 4, "fictra-test-byzantine", base_port=free_base_port(4))
    net = Localnet(home)
    *honest, byz = net.nodes
    for node in net.nodes:
        net.start_node(node.name, env={ENV: BYZANTINE if node is byz else RAISE})
    byz_log = Path(byz.home) / "node.log"
    wait_until(lambda: all(height(n.rpc_url) >= 1 for n in net.nodes), "first block")
    assert "TEST FAULT byzantine-proposer SWITCHED ON" in byz_log.read_text()

    # every kind of bad proposal made at least once after block 1 (by then every node is up
    # and connected, so each honest node receives each proposal), then three blocks further
    wait_until(lambda: {k for h, k, _ in _attacks(byz_log) if h >= 2} == set(ATTACKS),
               "the Byzantine proposer's five attacks", 600)
    attacks = _attacks(byz_log)
    last = max(h for h, _, _ in attacks)
    wait_until(lambda: min(height(n.rpc_url) for n in honest) >= last + 3,
               "blocks past the Byzantine proposer's turns", 300)

    def refused(text: str, h: int, kind: str, tx: str) -> bool:
        if kind == "execution-raises":
            return (f"proposal at height {h} refused: executing it raised" in text
                    and f"executing tx {tx} raises" in text)
        return f"proposal at height {h} refused: tx {tx}" in text

    texts = {n.name: (Path(n.home) / "node.log").read_text() for n in honest}
    for h, kind, tx in attacks:
        by = [name for name, text in texts.items() if refused(text, h, kind, tx)]
        # At height 1 a node still starting may time out before the proposal reaches it;
        # two honest refusals already keep the block from the three prevotes it needs.
        assert len(by) == len(honest) if h >= 2 else len(by) >= 2, (h, kind, by)
    for node in honest:
        text = texts[node.name]
        assert "TEST FAULT raise-on-memo SWITCHED ON" in text
        # CometBFT's own account of it: the block was refused and the validator prevoted nil
        assert "state machine rejected a proposed block" in text
        assert net.pid_of(node.name) is not None and not net.exited(node.name), node.name

    top = min(height(n.rpc_url) for n in net.nodes) - 1
    first_attack = min(h for h, _, _ in attacks)
    for h in range(1, top + 1):
        hashes = {app_hash_after(n.rpc_url, h) for n in net.nodes}
        assert len(hashes) == 1, f"app hashes differ at height {h}: {hashes}"
        if h >= first_attack:  # every proposal of the Byzantine node is refused
            header = call(honest[0].rpc_url, "block", height=str(h))["block"]["header"]
            assert header["proposer_address"] != byz.validator_address, h
    for h, _, _ in attacks:  # its heights were decided in a later round
        commit = call(honest[0].rpc_url, "commit", height=str(h))["signed_header"]["commit"]
        assert int(commit["round"]) > 0, h
