"""Session-wide fixtures: the shared 4-validator localnet with its gateway, per-test process
bookkeeping, and a check that no process started from the session's directories outlives it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.node.localnet import Localnet
from genesis.network import new_network
from tests.localnets import (
    GATEWAY_TOML,
    SHARED_CHAIN_ID,
    SNAPSHOT_INTERVAL,
    Procs,
    base_port_with_gateway,
    fictra,
    height,
    kill_leftovers,
    set_snapshot_interval,
    stop_localnet,
    wait_until,
)
from tests.postgres import PostgresServer


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Set up before, and so torn down after, every other fixture: any process still running
    from a directory of this session (a node, cometbft, a gateway) is killed and reported."""
    yield
    left = kill_leftovers(tmp_path_factory.getbasetemp())
    if left:
        lines = "\n".join(f"  pid {pid}: {cmd}" for pid, cmd in sorted(left.items()))
        pytest.fail(f"{len(left)} processes outlived the tests that started them (killed):\n"
                    f"{lines}", pytrace=False)


@pytest.fixture
def procs() -> Iterator[Procs]:
    """Processes and localnets a test starts; all stopped when it ends, pass or fail."""
    p = Procs()
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="session")
def shared_localnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Localnet]:
    """One 4-validator localnet with its wallet gateway, started by ``fictra localnet up``,
    for every test that only sends txs and reads (the ledger, trade and gateway end-to-end
    tests, and the state sync test, which adds a full node). A test that changes the
    validator set puts it back; tests that stop or kill nodes, or need their own genesis,
    start their own network. The gateway knows the API keys ``TEST_KEY`` (unlimited) and
    ``FREE_KEY``; the validators take a snapshot every ``SNAPSHOT_INTERVAL`` blocks."""
    home = tmp_path_factory.mktemp("shared-net")
    new_network(home, 4, SHARED_CHAIN_ID, base_port=base_port_with_gateway(4))
    (home / "gateway.toml").write_text(GATEWAY_TOML)
    for node in Localnet(home).nodes:
        set_snapshot_interval(Path(node.home), SNAPSHOT_INTERVAL)
    try:
        out = fictra("localnet", "up", "--home", str(home), "--detach").stdout
        assert "wallet gateway http://" in out, out
        net = Localnet(home)
        wait_until(lambda: all(height(n.rpc_url) >= 1 for n in net.nodes), "first block")
        yield net
    finally:
        fictra("localnet", "down", "--home", str(home), check=False)
        stop_localnet(home)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session (a throwaway cluster on a free port)."""
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
