"""Four real validators: agreement on the app hash, and crash recovery after SIGKILL."""

from __future__ import annotations

import pytest

from app.node.localnet import Localnet

from .conftest import app_hash_after, height, wait_until

pytestmark = pytest.mark.integration


def test_validators_agree_on_app_hash_at_every_height(localnet4: Localnet) -> None:
    urls = [n.rpc_url for n in localnet4.nodes]
    wait_until(lambda: min(height(u) for u in urls) >= 6, "6 blocks on every node")
    for h in range(1, 7):
        hashes = {app_hash_after(u, h) for u in urls}
        assert len(hashes) == 1, f"validators disagree at height {h}: {hashes}"
        assert hashes != {""}


def test_killed_validator_catches_up_with_same_app_hash(localnet4: Localnet) -> None:
    victim = localnet4.nodes[2]
    others = [n.rpc_url for n in localnet4.nodes if n is not victim]
    wait_until(lambda: height(victim.rpc_url) >= 2, "victim to have blocks")
    assert localnet4.kill_node(victim.name) is not None
    assert localnet4.pid_of(victim.name) is None
    killed_at = max(height(u) for u in others)
    # the other three (3 of 4 voting power > 2/3) keep producing blocks
    wait_until(lambda: min(height(u) for u in others) >= killed_at + 3, "blocks without victim")
    localnet4.start_node(victim.name)
    head = max(height(u) for u in others)
    wait_until(lambda: height(victim.rpc_url) >= head + 1, "victim to catch up")
    for h in range(killed_at - 1, head + 1):
        assert app_hash_after(victim.rpc_url, h) == app_hash_after(others[0], h), h
    status = {s.name: s for s in localnet4.status()}
    assert status[victim.name].alive and status[victim.name].catching_up is False
