"""The indexer killed with SIGKILL at random moments while it catches up with a chain under
load (a real node, real txs; SQLite and a real PostgreSQL server): after every kill the
index holds whole heights only, the marker is its last height, and once restarted it reaches
the head with every height exactly once and every tx the node has."""

from __future__ import annotations

import base64
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest

from app.crypto import Key, read_key_file
from app.node.cometrpc import RpcError, call
from app.node.localnet import Localnet
from app.tx import builder as tb
from genesis.network import new_network
from rpc.indexer.db import Database
from tests.localnets import Procs, app_info, base_port_with_gateway, height, wait_until
from tests.postgres import PostgresServer

pytestmark = pytest.mark.integration

TXS = 4_000
KILLS = 6


def _load(url: str, raws: list[bytes], done: threading.Event) -> None:
    try:
        for raw in raws:
            for _ in range(50):  # a full mempool or a busy node: try again shortly
                try:
                    res = call(url, "broadcast_tx_sync", tx=base64.b64encode(raw).decode(),
                               timeout=10)
                    assert res.get("code", 0) == 0, res
                    break
                except RpcError:
                    time.sleep(0.1)
    finally:
        done.set()


def _consistent(db: Database) -> int:
    """The index holds heights 1..marker, each once, with each block's txs; the marker."""
    last = db.last_height()
    count, top = db.one("SELECT COUNT(*), MAX(height) FROM blocks")
    assert count == last and (top or 0) == last, (count, top, last)
    per_block = db.query("SELECT b.height, b.num_txs, COUNT(t.idx) FROM blocks b LEFT JOIN "
                         "txs t ON t.height = b.height GROUP BY b.height, b.num_txs "
                         "HAVING b.num_txs <> COUNT(t.idx)")
    assert per_block == [], per_block
    assert db.one("SELECT COUNT(*) FROM txs WHERE height > ?", (last,))[0] == 0
    return last


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sigkill_while_indexing_leaves_no_gap_and_no_duplicate(
        backend: str, tmp_path: Path, procs: Procs, request: pytest.FixtureRequest) -> None:
    home = procs.localnet(tmp_path / "net")
    new_network(home, 1, "fictra-index-crash", base_port=base_port_with_gateway(1))
    net = Localnet(home)
    net.start_node("node0")
    url = net.nodes[0].rpc_url
    wait_until(lambda: height(url) >= 1, "the first block")
    if backend == "sqlite":
        db_url = str(home / "index.sqlite")
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        db_url = server.create_db("crash")

    faucet = read_key_file(home / "keys" / "faucet.json")
    params = app_info(url, "/params")
    nonce = int(app_info(url, f"/account/{faucet.bech32}")["nonce"])
    to = [Key.generate().address for _ in range(50)]
    raws = [tb.build_signed(faucet, "fictra-index-crash", nonce + i, [tb.send(to[i % 50], 1)],
                            base_fee=int(params["base_fee"]),
                            fee_per_byte=int(params["fee_per_byte"])) for i in range(TXS)]
    done = threading.Event()
    loader = threading.Thread(target=_load, args=(url, raws, done), daemon=True)
    loader.start()
    time.sleep(8)  # a backlog of loaded blocks before the indexer first starts

    rng = random.Random(13)
    kills = behind = 0
    while kills < KILLS or not done.is_set():
        before = _marker(db_url)
        # A backlog at every start (a longer one the first time), so it is killed while
        # catching up.
        want = before + (3 if kills else 8)
        wait_until(lambda want=want: height(url) >= want, "a backlog of blocks")
        net.start_indexer(db_url)
        # Killed once it is writing (it has moved past where it was), a random moment later;
        # the first time as soon as its first height lands, so at least one kill finds it behind
        # however fast this machine indexes.
        _wait_written(net, db_url, before, poll_s=0.3 if kills else 0.002)
        time.sleep(rng.uniform(0.0, 0.8) if kills else 0.0)
        pid = net.indexer_pid()
        assert pid is not None, "the indexer was not running"
        os.kill(pid, signal.SIGSTOP)  # frozen: the marker read next is the one it dies with
        indexed = _marker(db_url)
        chain = height(url)
        assert net.kill_indexer() == pid
        kills += 1
        behind += indexed < chain
        db = Database(db_url, readonly=True)
        try:
            _consistent(db)
        finally:
            db.close()
    loader.join(60)

    # Restarted once more, it reaches the head: every height once, every tx of the node.
    net.start_indexer(db_url)
    head = height(url)
    db = Database(db_url, readonly=True)
    try:
        wait_until(lambda: db.last_height() >= head, "the index to reach the head")
        last = _consistent(db)
        for h in range(1, last + 1):
            txs = call(url, "block", height=str(h))["block"]["data"]["txs"] or []
            want = [tb_hash(t) for t in txs]
            got = [r[0] for r in db.query("SELECT hash FROM txs WHERE height = ? ORDER BY idx",
                                          (h,))]
            assert got == want, h
        assert db.one("SELECT COUNT(*) FROM txs WHERE signer = ?", (faucet.bech32,))[0] == TXS
        nulls = db.query("SELECT height FROM blocks WHERE interval_ms IS NULL")
        assert nulls == [(1,)]  # every restart found the previous block's time
    finally:
        db.close()
        net.stop_indexer()
    assert kills >= KILLS and behind >= 1, (kills, behind)


def _wait_written(net: Localnet, db_url: str, before: int, poll_s: float) -> None:
    """Wait for the indexer to move past ``before``, looking every ``poll_s``; a timeout says
    what the indexer did."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if _marker(db_url) > before:
            return
        time.sleep(poll_s)
    log = (net.home / "indexer.log").read_text(errors="replace").splitlines()[-15:]
    raise AssertionError(f"timed out waiting for the indexer to write (marker "
                         f"{_marker(db_url)}, before {before}, indexer pid "
                         f"{net.indexer_pid()}); indexer.log ends:\n" + "\n".join(log))


def _marker(db_url: str) -> int:
    """The index's last height (0 before the indexer has made its database)."""
    try:
        db = Database(db_url, readonly=True)
    except Exception:  # noqa: BLE001 - not created yet
        return 0
    try:
        return db.last_height()
    finally:
        db.close()


def tb_hash(tx_b64: str) -> str:
    import hashlib

    return hashlib.sha256(base64.b64decode(tx_b64)).hexdigest().upper()
