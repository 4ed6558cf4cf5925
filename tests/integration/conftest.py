"""Fixtures that run real cometbft processes of their own (the shared localnet is in
``tests/conftest.py``); the helpers are in ``tests.localnets``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.node.localnet import Localnet
from genesis.network import new_network
from tests.localnets import free_base_port, height, stop_localnet, wait_until


@pytest.fixture
def own_localnet4(tmp_path: Path) -> Iterator[Localnet]:
    """A 4-validator localnet of the test's own, for a test that kills or stops nodes."""
    home = tmp_path / "localnet4"
    new_network(home, 4, "fictra-test", base_port=free_base_port(4))
    net = Localnet(home)
    try:
        for node in net.nodes:
            net.start_node(node.name)
        wait_until(lambda: all(height(n.rpc_url) >= 1 for n in net.nodes), "first block")
        yield net
    finally:
        stop_localnet(home)


@pytest.fixture
def node_home(tmp_path: Path) -> Path:
    return tmp_path / "node"
