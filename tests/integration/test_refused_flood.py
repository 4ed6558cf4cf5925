"""A flood of 20,000 distinct refused txs of about 30 KiB (an unfunded sender's, each with a
valid signature, so each is decoded and verified) against a real node: the app process's
resident memory grows by less than 200 MB and the node keeps making blocks.

A memory assertion only: the send rate and the duration are printed (``pytest -s``), never
asserted."""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
from pathlib import Path

import pytest

from app.crypto import Key
from app.errors import Code
from app.node.localnet import Localnet
from app.tx import builder
from genesis.network import new_network
from tests.localnets import Procs, free_base_port, height, wait_until

pytestmark = pytest.mark.integration

TXS = 20_000
WARMUP = 500
TX_BYTES = 30 * 1024
THREADS = 4
MAX_GROWTH_MB = 200


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def _refused_txs(chain_id: str, count: int) -> list[bytes]:
    """``count`` distinct signed ~30 KiB txs from a key that holds nothing: a MultiSend with
    enough outputs, told apart by the memo (TxBody field 2, after the messages)."""
    key = Key.generate()
    to = Key.generate().address
    n = TX_BYTES // 26
    messages = builder.body_bytes([builder.multi_send([(to, 1)] * n)])
    txs = []
    for i in range(count):
        memo = f"flood {i}".encode()
        body = messages + b"\x12" + bytes([len(memo)]) + memo
        txs.append(builder.sign_raw(key, chain_id, body, 0, 10**9))
    return txs


def _send_all(port: int, txs: list[bytes]) -> list[int]:
    """broadcast_tx_sync every tx over THREADS keep-alive connections; the CheckTx codes."""
    codes: list[int] = [-1] * len(txs)
    errors: list[str] = []

    def worker(start: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            for i in range(start, len(txs), THREADS):
                body = json.dumps({"jsonrpc": "2.0", "id": i, "method": "broadcast_tx_sync",
                                   "params": {"tx": base64.b64encode(txs[i]).decode()}})
                conn.request("POST", "/", body, {"Content-Type": "application/json"})
                answer = json.loads(conn.getresponse().read())
                if "result" not in answer:
                    errors.append(str(answer.get("error"))[:200])
                    return
                codes[i] = int(answer["result"]["code"])
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    return codes


def test_refused_flood_costs_no_memory(tmp_path: Path, procs: Procs) -> None:
    home = procs.localnet(tmp_path / "flood-net")
    new_network(home, 1, "fictra-test-flood", base_port=free_base_port(1))
    net = Localnet(home)
    node = net.nodes[0]
    net.start_node(node.name)
    wait_until(lambda: height(node.rpc_url) >= 2, "first blocks")
    app_pid = json.loads((Path(node.home) / "node.pids.json").read_text())["app"]
    txs = _refused_txs("fictra-test-flood", WARMUP + TXS)
    assert all(TX_BYTES - 1024 < len(t) <= 32 * 1024 for t in txs)

    port = node.rpc_port
    assert set(_send_all(port, txs[:WARMUP])) == {Code.INSUFFICIENT_FEE_FUNDS}
    rss_before = _rss_mb(app_pid)
    h_before = height(node.rpc_url)
    t0 = time.monotonic()
    codes = _send_all(port, txs[WARMUP:])
    elapsed = time.monotonic() - t0
    rss_after = _rss_mb(app_pid)
    h_after = height(node.rpc_url)

    print(f"\nflood: {TXS} refused txs of ~{TX_BYTES // 1024} KiB in {elapsed:.1f} s "
          f"({TXS / elapsed:.0f} tx/s, {THREADS} connections); app RSS {rss_before:.1f} -> "
          f"{rss_after:.1f} MB (+{rss_after - rss_before:.1f}); heights {h_before} -> {h_after}")
    assert set(codes) == {Code.INSUFFICIENT_FEE_FUNDS}  # each refused by the app, none cached
    assert rss_after - rss_before < MAX_GROWTH_MB
    # the node made blocks during the flood and still does
    assert h_after > h_before
    wait_until(lambda: height(node.rpc_url) >= h_after + 2, "blocks after the flood")
    assert net.pid_of(node.name) is not None
