"""Four real validators: agreement on the app hash (on the shared localnet), and crash recovery
after SIGKILL (on a localnet of its own)."""

from __future__ import annotations

import pytest

from app.node.localnet import Localnet
from tests.localnets import app_hash_after, height, wait_until

pytestmark = pytest.mark.integration


def test_validators_agree_on_app_hash_at_every_height(shared_localnet: Localnet) -> None:
    urls = [n.rpc_url for n in shared_localnet.nodes]
    wait_until(lambda: min(height(u) for u in urls) >= 6, "6 blocks on every node")
    for h in range(1, 7):
        hashes = {app_hash_after(u, h) for u in urls}
        assert len(hashes) == 1, f"validators disagree at height {h}: {hashes}"
        assert hashes != {""}


def test_killed_validator_catches_up_with_same_app_hash(own_localnet4: Localnet) -> None:
    victim = own_localnet4.nodes[2]
    others = [n.rpc_url for n in own_localnet4.nodes if n is not victim]
    wait_until(lambda: height(victim.rpc_url) >= 2, "victim to have blocks")
    assert own_localnet4.kill_node(victim.name) is not None
    assert own_localnet4.pid_of(victim.name) is None
    killed_at = max(height(u) for u in others)
    # the other three (3 of 4 voting power > 2/3) keep producing blocks
    wait_until(lambda: min(height(u) for u in others) >= killed_at + 3, "blocks without victim")
    own_localnet4.start_node(victim.name)
    head = max(height(u) for u in others)
    wait_until(lambda: height(victim.rpc_url) >= head + 1, "victim to catch up")
    for h in range(killed_at - 1, head + 1):
        assert app_hash_after(victim.rpc_url, h) == app_hash_after(others[0], h), h

    def caught_up() -> bool:  # at the head it may still report block sync for a moment
        status = {s.name: s for s in own_localnet4.status()}
        return status[victim.name].alive and status[victim.name].catching_up is False

    wait_until(caught_up, "victim to report that it is no longer catching up", 60)
