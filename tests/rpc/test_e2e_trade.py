"""The trade steps through the wallet CLI and the gateway's trade reads, on a real localnet:
create -> ship -> attest (two kinds) -> settled with FT to the sovereign, proven; oracle
prices for a round, seen by a ``prices`` subscription."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import jsonschema
import pytest

from app.params import UNIT
from app.tx.builder import submit_price
from rpc.client import GatewayClient
from rpc.keystore import read_plain
from rpc.wallet import Wallet
from tests.localnets import TEST_KEY, fictra

from .conftest import Net

pytestmark = pytest.mark.integration


def _json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def _valid(net: Net, method: str, result: object) -> None:
    doc = net.call("rpc.discover")
    schema = next(m for m in doc["methods"] if m["name"] == method)["result"]["schema"]
    jsonschema.validate(result, {**schema, "components": doc["components"]},
                        cls=jsonschema.Draft202012Validator)


def test_purchase_settles_and_the_sovereign_gets_ft(net: Net, tmp_path: Path) -> None:
    env = net.cli_env(tmp_path / "keyring")
    sovereign = read_plain(net.home / "keys" / "sovereign-br.json").bech32
    ft_before = int(net.call("fictra_getFT", sovereign)["balance"])
    created = _json(fictra("wallet", "trade", "create", "--from", "trader-ch", "--seller",
                           "trader-sg", "--commodity", "WHEAT", "--quantity", "10",
                           "--unit-price", "250PT", "--sovereign", "sovereign-br", "--json",
                           env=env).stdout)
    assert created["code"] == 0
    pid = created["id"]
    p = net.call("fictra_getPurchase", pid)
    _valid(net, "fictra_getPurchase", p)
    assert p["status"] == "open" and p["value"] == str(2500 * UNIT)
    listed = net.call("fictra_listPurchases", p["buyer"], "buyer", {"limit": 500})
    _valid(net, "fictra_listPurchases", listed)
    assert pid in [x["id"] for x in listed["purchases"]]

    bill = tmp_path / "bill-of-lading.pdf"
    bill.write_bytes(b"a bill of lading")
    shipped = _json(fictra("wallet", "trade", "ship", "--from", "trader-sg", pid, "--doc",
                           str(bill), "--json", env=env).stdout)
    assert shipped["code"] == 0
    v = net.call("fictra_getVerification", pid)
    _valid(net, "fictra_getVerification", v)
    assert {r["kind"] for r in v["requests"]} == {"shipping", "quality"}
    doc = "ab" * 32
    for verifier, kind in (("verifier-1", "shipping"), ("verifier-2", "quality")):
        out = _json(fictra("wallet", "trade", "attest", "--from", verifier, pid, kind,
                           "approve", "--doc", doc, "--json", env=env).stdout)
        assert out["code"] == 0
    shown = _json(fictra("wallet", "trade", "show", pid, "--json", env=env).stdout)
    assert shown["purchase"]["status"] == "settled"
    issued = 2500 * UNIT * 200 // 10_000  # WHEAT issues 2% of the value as FT
    assert shown["purchase"]["ft_issued"] == str(issued)

    ft = net.call("fictra_getFT", sovereign)
    _valid(net, "fictra_getFT", ft)
    assert int(ft["balance"]) == ft_before + issued
    bal = _json(fictra("wallet", "balance", "sovereign-br", "--prove", "--json", env=env).stdout)
    assert bal["proof_verified"] is True and int(bal["ft"]) == ft_before + issued
    assert net.call("fictra_getBalance", sovereign)["ft"] == bal["ft"]
    # A step by the wrong party is refused with the trade code, through the gateway.
    out = fictra("wallet", "trade", "dispute", "--from", "trader-sg", pid, "late", "--json",
                 env=env, check=False)
    assert out.returncode == 1 and _json(out.stdout)["code"] == -32003


def test_oracle_round_publishes_a_price_to_subscribers(net: Net) -> None:
    oracles = [read_plain(net.home / "keys" / f"oracle-{i}.json") for i in (1, 2, 3)]
    blocks = int(net.call("fictra_getParams")["oracle_round_blocks"])

    async def go() -> None:
        async with GatewayClient(net.url, api_key=TEST_KEY) as gw:
            wallet = Wallet(gw)
            prices = await gw.subscribe("prices")
            deadline = time.monotonic() + 120  # a hang guard
            while (await gw.call("fictra_status"))["height"] % blocks != 0:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.3)
            round_ = ((await gw.call("fictra_status"))["height"] + 1) // blocks
            hashes = await asyncio.gather(*(
                wallet.submit(k, [submit_price("COFFEE", round_, p * UNIT)])
                for k, p in zip(oracles, (4100, 4000, 4300), strict=True)))
            receipts = await asyncio.gather(*(wallet.wait(h) for h in hashes))
            assert [r["code"] for r in receipts] == [0, 0, 0]
            while True:
                event = await prices.next(timeout=120)
                if event["commodity"] == "COFFEE" and int(event["round"]) == round_:
                    break
            assert event["price"] == str(4100 * UNIT)  # the median
            price = await gw.call("fictra_getPrice", "COFFEE")
            _valid(net, "fictra_getPrice", price)
            assert price["status"] == "current" and price["price"] == str(4100 * UNIT)
            history = await gw.call("fictra_getPriceHistory", "COFFEE")
            _valid(net, "fictra_getPriceHistory", history)
            assert history["points"][-1]["round"] == round_

    asyncio.run(go())


def test_simulate_a_purchase(net: Net) -> None:
    """Simulation runs the trade handlers too, over state read through the gateway."""
    from app.crypto import from_bech32
    from app.tx.builder import build_signed, create_purchase

    buyer = read_plain(net.home / "keys" / "trader-ch.json")
    seller = read_plain(net.home / "keys" / "trader-sg.json")
    sovereign = from_bech32(read_plain(net.home / "keys" / "sovereign-br.json").bech32)
    p = net.call("fictra_getParams")
    h = net.call("fictra_status")["height"]
    nonce = int(net.call("fictra_getNonce", buyer.bech32))

    def tx(quantity: int) -> str:
        msg = create_purchase(seller.address, "WHEAT", quantity, 250 * UNIT, sovereign,
                              h + 100, h + 200)
        return "0x" + build_signed(buyer, net.chain_id, nonce, [msg],
                                   base_fee=int(p["base_fee"]),
                                   fee_per_byte=int(p["fee_per_byte"])).hex()

    ok = net.call("fictra_simulateTransaction", tx(1000))
    assert ok["would_pass"], ok
    assert "purchase" in [e["type"] for e in ok["events"]]
    too_big = net.call("fictra_simulateTransaction", tx(10**12))  # more than the buyer has
    assert not too_big["would_pass"] and too_big["code"] != 0
    assert int(net.call("fictra_getNonce", buyer.bech32)) == nonce  # nothing was sent
