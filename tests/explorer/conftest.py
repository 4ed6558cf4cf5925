"""Fixtures of the explorer's browser tests: a chain with transfers, a settled purchase and an
oracle price (on the shared localnet), a gateway in front of it for the browser, headless
Chromium."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.bench.browser import chromium
from app.crypto import Key, read_key_file
from app.keys import purchase_id
from app.modules.catalogue import KIND_BY_NAME
from app.node.localnet import Localnet
from app.params import UNIT
from app.tx import builder as tb
from rpc.client import GatewayClient
from rpc.wallet import Wallet
from tests.localnets import ROOT, TEST_KEY, _free, gateway_url, wait_until

HISTORY_TXS = 25  # more than one page of the account's history (20 a page)
WHEAT_PRICE = 250 * UNIT


def rpc(url: str, method: str, *params: Any, api_key: str | None = TEST_KEY) -> Any:
    """One JSON-RPC call over HTTP; the result, or AssertionError with the error."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    headers = {"Content-Type": "application/json", **({"X-API-Key": api_key} if api_key else {})}
    req = urllib.request.Request(url, body.encode(), headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        answer = json.loads(resp.read())
    assert "error" not in answer, answer
    return answer["result"]


@dataclass
class Chain:
    """What the tests put on the chain, to find on the pages."""

    gateway: str  # the localnet's own gateway (rate limited for anonymous callers)
    home: Path
    alice: Key = field(default_factory=Key.generate)
    transfer: str = ""  # faucet -> alice, 250 PT
    alice_txs: list[str] = field(default_factory=list)  # alice -> faucet, newest last
    purchase: str = ""
    purchase_tx: str = ""

    def key(self, name: str) -> Key:
        return read_key_file(self.home / "keys" / f"{name}.json")

    def call(self, method: str, *params: Any) -> Any:
        return rpc(self.gateway, method, *params)


async def _fill(chain: Chain) -> None:
    async with GatewayClient(chain.gateway, api_key=TEST_KEY) as gw:
        w = Wallet(gw)
        faucet, alice = chain.key("faucet"), chain.alice
        r = await w.send_and_wait(faucet, [tb.send(alice.address, 250 * UNIT)])
        assert r["code"] == 0, r
        chain.transfer = r["hash"]
        hashes = [await w.submit(alice, [tb.send(faucet.address, UNIT // 10 + i)])
                  for i in range(HISTORY_TXS)]
        for h in hashes:
            assert (await w.wait(h))["code"] == 0
        chain.alice_txs = hashes

        buyer, seller = chain.key("trader-ch"), chain.key("trader-sg")
        sov = chain.key("sovereign-br")
        now = (await gw.call("fictra_status"))["height"]
        create = tb.create_purchase(seller.address, "WHEAT", 10_000, 250 * UNIT, sov.address,
                                    now + 200, now + 400)
        r = await w.send_and_wait(buyer, [create])
        assert r["code"] == 0, r
        chain.purchase_tx = r["hash"]
        pid = purchase_id(bytes.fromhex(r["hash"]), 0)
        chain.purchase = pid.hex()
        doc = bytes(range(32))
        assert (await w.send_and_wait(seller, [tb.confirm_shipment(pid, [doc])]))["code"] == 0
        for verifier, kind in (("verifier-1", "shipping"), ("verifier-2", "quality")):
            r = await w.send_and_wait(chain.key(verifier),
                                      [tb.attest(pid, KIND_BY_NAME[kind], True, doc)])
            assert r["code"] == 0, r
        assert (await gw.call("fictra_getPurchase", chain.purchase))["status"] == "settled"
        await _publish_price(gw, w, chain)


async def _publish_price(gw: GatewayClient, w: Wallet, chain: Chain) -> None:
    """Every oracle submits a WHEAT price in the current round, until one is published."""
    round_blocks = int((await gw.call("fictra_getParams"))["oracle_round_blocks"])
    oracles = [chain.key(f"oracle-{i}") for i in (1, 2, 3)]
    for _ in range(6):
        now = (await gw.call("fictra_status"))["height"]
        rnd = (now + 1) // round_blocks  # the round of the next block
        hashes = [await w.submit(o, [tb.submit_price("WHEAT", rnd, WHEAT_PRICE)]) for o in oracles]
        codes = [(await w.wait(h))["code"] for h in hashes]
        if codes.count(0) >= 2:
            break
    while True:
        price = await gw.call("fictra_getPrice", "WHEAT")
        if price["status"] == "current" and price["published_height"]:
            return
        await asyncio.sleep(1.0)


@pytest.fixture(scope="module")
def chain(shared_localnet: Localnet) -> Chain:
    c = Chain(gateway_url(shared_localnet), Path(shared_localnet.home))
    asyncio.run(asyncio.wait_for(_fill(c), 300))
    return c


@pytest.fixture(scope="module")
def explorer(shared_localnet: Localnet, chain: Chain) -> Iterator[str]:
    """The explorer's URL on a second gateway in front of node0 without rate limits, so that
    the browser (an anonymous caller) is never slowed down; same arguments as the localnet's
    own gateway otherwise."""
    port = next(p for p in range(48700, 49200) if _free(p))
    cmd = [sys.executable, "-m", "app.cli.main", "gateway", "--node",
           shared_localnet.nodes[0].rpc_url, "--listen", f"127.0.0.1:{port}", "--no-rate-limit"]
    log = open(Path(shared_localnet.home) / "explorer-gateway.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            try:
                rpc(url, "fictra_status", api_key=None)
                return True
            except OSError:
                return False

        wait_until(up, "the explorer's gateway", 60)
        yield url + "/explorer/"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()
