"""A node killed (SIGKILL) right after its gateway accepted a tx, before the next block: the
node's mempool is memory only, so the tx is gone from it; the gateway's outbox offers it
again once the node is back, and it commits exactly once."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from app.crypto import Key, read_key_file
from app.node.localnet import Localnet
from app.tx.builder import build_signed, send
from genesis.network import new_network
from tests.localnets import (
    GATEWAY_TOML,
    TEST_KEY,
    Procs,
    base_port_with_gateway,
    fictra,
    gateway_url,
    height,
    wait_until,
)

pytestmark = pytest.mark.integration

CHAIN_ID = "fictra-test-crash"
AMOUNT = 7_000_000
# Blocks come every ~2 s; a kill this soon after a new height is certain to come before the
# next block is decided. A slower attempt (a busy machine) is not judged: the scenario is run
# again.
SAFE_WINDOW_S = 1.0
ATTEMPTS = 5


def _gw(url: str, method: str, *params: Any) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    req = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json",
                                                      "X-API-Key": TEST_KEY})
    with urllib.request.urlopen(req, timeout=30) as resp:
        answer = json.loads(resp.read())
    if "error" in answer:
        raise AssertionError(f"{method}: {answer['error']}")
    return answer["result"]


def _gw_up(url: str) -> bool:
    try:
        _gw(url, "fictra_status")
    except (OSError, AssertionError):
        return False
    return True


def _attempt(net: Localnet, gw: str, faucet: Key, to: Key, attempt: int) -> str | None:
    """Send one transfer through the gateway and kill the node at once; the tx hash, or None
    if the kill may have come after the next block (then nothing is judged)."""
    node = net.nodes[0]
    params = _gw(gw, "fictra_getParams")
    nonce = int(_gw(gw, "fictra_getNonce", faucet.bech32))
    raw = build_signed(faucet, CHAIN_ID, nonce, [send(to.address, AMOUNT)],
                       base_fee=int(params["base_fee"]), fee_per_byte=int(params["fee_per_byte"]),
                       memo=f"crash attempt {attempt}")
    h0 = height(node.rpc_url)
    wait_until(lambda: height(node.rpc_url) > h0, "a new block")
    t0 = time.monotonic()
    tx_hash = _gw(gw, "fictra_sendRawTransaction", "0x" + raw.hex())
    net.kill_node(node.name)
    elapsed = time.monotonic() - t0
    net.start_node(node.name)
    wait_until(lambda: height(node.rpc_url) >= 1, "the node back")
    return tx_hash if elapsed < SAFE_WINDOW_S else None


def test_tx_accepted_just_before_a_crash_commits_once(tmp_path: Path, procs: Procs) -> None:
    home = procs.localnet(tmp_path / "crash-net")
    new_network(home, 1, CHAIN_ID, base_port=base_port_with_gateway(1))
    (home / "gateway.toml").write_text(GATEWAY_TOML)
    out = fictra("localnet", "up", "--home", str(home), "--detach").stdout
    assert "wallet gateway http://" in out, out
    net = Localnet(home)
    gw = gateway_url(net)
    wait_until(lambda: height(net.nodes[0].rpc_url) >= 2 and _gw_up(gw), "chain and gateway")
    faucet = read_key_file(home / "keys" / "faucet.json")

    for attempt in range(ATTEMPTS):
        to = Key.generate()
        before = _gw(gw, "fictra_getAccount", faucet.bech32)
        tx_hash = _attempt(net, gw, faucet, to, attempt)
        receipt: dict[str, Any] = {}

        def committed(tx_hash: str = tx_hash or "") -> bool:
            nonlocal receipt
            try:
                receipt = _gw(gw, "fictra_getTransaction", tx_hash) or {}
            except (OSError, AssertionError):
                return False
            return receipt.get("height") is not None

        if tx_hash is None:
            continue  # the kill was late: the tx may have been decided before it
        wait_until(committed, "the tx committed after the restart", 180)
        assert receipt["status"] == "success", receipt
        at = int(receipt["height"])
        wait_until(lambda at=at: height(net.nodes[0].rpc_url) >= at + 2, "two blocks")
        after = _gw(gw, "fictra_getAccount", faucet.bech32)
        assert int(after["nonce"]) == int(before["nonce"]) + 1  # committed once
        fee = int(receipt["fee"])
        assert int(after["balance"]) == int(before["balance"]) - AMOUNT - fee
        assert _gw(gw, "fictra_getBalance", to.bech32)["pt"] == str(AMOUNT)
        # the node had lost it: the gateway's outbox offered it again
        assert f"tx {tx_hash} had left the node's mempool: offered again" in \
            (home / "gateway.log").read_text()
        return
    pytest.fail(f"in {ATTEMPTS} attempts the node was never killed within {SAFE_WINDOW_S} s "
                "of a new block")
