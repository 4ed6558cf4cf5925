"""Fixtures that run real cometbft processes: a single node and localnets."""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.node.cometrpc import RpcError, call
from app.node.localnet import Localnet
from genesis.network import PORTS_PER_NODE, new_network

_port_blocks = itertools.count(0)


def free_base_port(nodes: int) -> int:
    """A base port whose whole range (10 ports per node) is free on 127.0.0.1."""
    for _ in range(200):
        base = 30000 + 500 * (next(_port_blocks) % 60)
        ports = range(base, base + PORTS_PER_NODE * nodes)
        if all(_free(p) for p in ports if p % PORTS_PER_NODE in (0, 1)):
            return base
    raise RuntimeError("no free port range")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def height(url: str) -> int:
    try:
        return int(call(url, "status", timeout=2)["sync_info"]["latest_block_height"])
    except RpcError:
        return -1


def wait_until(pred: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    """Wait for a condition that the network must reach; a hang guard, not a speed check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def app_hash_after(url: str, h: int) -> str:
    """The app hash the app returned for block h (from its block results)."""
    return call(url, "block_results", height=str(h))["app_hash"]


@pytest.fixture(scope="module")
def localnet4(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Localnet]:
    home = tmp_path_factory.mktemp("localnet4")
    new_network(home, 4, "fictra-test", base_port=free_base_port(4))
    net = Localnet(home)
    for node in net.nodes:
        net.start_node(node.name)
    try:
        wait_until(lambda: all(height(n.rpc_url) >= 1 for n in net.nodes), "first block")
        yield net
    finally:
        net.stop_nodes()


@pytest.fixture
def node_home(tmp_path: Path) -> Path:
    return tmp_path / "node"
