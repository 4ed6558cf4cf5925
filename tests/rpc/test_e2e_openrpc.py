"""Every method's answers checked against the OpenRPC document that ``rpc.discover`` serves
(JSON Schema), on a real localnet; and the answers of simulate and getProof in detail."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import jsonschema
import pytest

from app.crypto import Key
from app.errors import Code
from app.modules import pt
from app.params import UNIT
from app.tx.builder import build_signed, send, sign_tx
from rpc.client import GatewayClient
from rpc.keystore import read_plain
from rpc.lightclient import verify_signed_header
from rpc.methods import build_registry
from rpc.verify import verified_value
from state.proof import ProofError
from tests.localnets import TEST_KEY

from .conftest import Net

pytestmark = pytest.mark.integration


class Checker:
    def __init__(self, net: Net) -> None:
        self.doc = net.call("rpc.discover")
        self.by_name = {m["name"]: m for m in self.doc["methods"]}
        self.checked: set[str] = set()

    def check(self, method: str, result: Any) -> Any:
        schema = {**self.by_name[method]["result"]["schema"], "components": self.doc["components"]}
        jsonschema.validate(result, schema, cls=jsonschema.Draft202012Validator)
        self.checked.add(method)
        return result


def test_document_lists_every_method_with_its_params(net: Net) -> None:
    doc = net.call("rpc.discover")
    registry = build_registry()
    assert [m["name"] for m in doc["methods"]] == list(registry.methods)
    for m in doc["methods"]:
        declared = registry.methods[m["name"]].params
        assert [p["name"] for p in m["params"]] == [p.name for p in declared]
        for p in m["params"]:  # every $ref resolves
            ref = p["schema"].get("$ref")
            if ref:
                assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"]
    jsonschema.Draft202012Validator.check_schema({"components": doc["components"]})


def test_every_method_answers_as_documented(net: Net) -> None:
    c = Checker(net)
    faucet = read_plain(net.home / "keys" / "faucet.json")
    fresh = Key.generate()
    params = c.check("fictra_getParams", net.call("fictra_getParams"))
    c.check("fictra_chainId", net.call("fictra_chainId"))
    c.check("fictra_status", net.call("fictra_status"))
    c.check("fictra_getAccount", net.call("fictra_getAccount", faucet.bech32))
    c.check("fictra_getAccount", net.call("fictra_getAccount", fresh.bech32, 1))
    c.check("fictra_getBalance", net.call("fictra_getBalance", faucet.bech32))
    nonce = int(c.check("fictra_getNonce", net.call("fictra_getNonce", faucet.bech32)))
    raw = build_signed(faucet, net.chain_id, nonce, [send(fresh.address, UNIT)],
                       base_fee=int(params["base_fee"]), fee_per_byte=int(params["fee_per_byte"]))
    c.check("fictra_simulateTransaction", net.call("fictra_simulateTransaction", "0x" + raw.hex()))
    tx_hash = c.check("fictra_sendRawTransaction",
                      net.call("fictra_sendRawTransaction", "0x" + raw.hex()))
    assert tx_hash == hashlib.sha256(raw).hexdigest().upper()
    assert c.check("fictra_getTransaction", net.call("fictra_getTransaction", "00" * 32)) is None
    c.check("fictra_getSupply", net.call("fictra_getSupply"))
    assert c.check("fictra_getProposal", net.call("fictra_getProposal", 999_999)) is None
    c.check("fictra_getProof", net.call("fictra_getProof", f"/account/{faucet.bech32}"))
    c.check("fictra_getProof", net.call("fictra_getProof", "gov/" + b"params".hex()))
    # Trade reads on records that do not exist (the trade test reads real ones).
    assert c.check("fictra_getPurchase", net.call("fictra_getPurchase", "ab" * 16)) is None
    assert c.check("fictra_getVerification", net.call("fictra_getVerification", "ab" * 16)) \
        is None
    none = c.check("fictra_listPurchases", net.call("fictra_listPurchases", fresh.bech32,
                                                    "seller"))
    assert none["purchases"] == [] and none["next"] is None
    assert c.check("fictra_getPrice", net.call("fictra_getPrice", "NOSUCH")) is None
    c.check("fictra_getPriceHistory", net.call("fictra_getPriceHistory", "WHEAT", {"limit": 5}))
    assert c.check("fictra_getFT", net.call("fictra_getFT", fresh.bech32))["balance"] == "0"
    vals = c.check("fictra_getValidators", net.call("fictra_getValidators"))
    assert {v["tier"] for v in vals["validators"]} == {"primary"}
    op = vals["validators"][0]["operator"]
    c.check("fictra_getDelegations", net.call("fictra_getDelegations", op))
    c.check("fictra_getRewards", net.call("fictra_getRewards", op))
    c.check("fictra_getStakingParams", net.call("fictra_getStakingParams"))
    cat = c.check("fictra_listCommodities", net.call("fictra_listCommodities"))
    assert "WHEAT" in {x["code"] for x in cat["commodities"]}

    async def ws() -> None:
        async with GatewayClient(net.url, api_key=TEST_KEY) as gw:
            sub = await gw.subscribe("tx", tx_hash)
            c.check("fictra_subscribe", sub.id)
            receipt = c.check("fictra_getTransaction", await sub.next(timeout=60))
            assert receipt["code"] == 0
            c.check("fictra_unsubscribe", await gw.ws_call("fictra_unsubscribe", sub.id))
            c.check("fictra_getAccountHistory",
                    await gw.call("fictra_getAccountHistory", fresh.bech32, 1, 5))
            block = c.check("fictra_getBlockHeader", await gw.call("fictra_getBlockHeader",
                                                                   receipt["height"]))
            assert tx_hash in block["txs"] and block["num_txs"] == len(block["txs"])
            assert c.check("fictra_getBlockHeader", await gw.call(
                "fictra_getBlockHeader"))["height"] >= receipt["height"]
            c.check("fictra_getAccountHistory", await gw.call(
                "fictra_getAccountHistory", fresh.bech32, None, None, None, 5))
            blocks = c.check("fictra_getBlocks", await gw.call("fictra_getBlocks"))
            c.check("fictra_getBlock", await gw.call("fictra_getBlock",
                                                     blocks["latest_height"]))
            c.check("fictra_search", await gw.call("fictra_search", tx_hash))
            c.check("fictra_getNetworkStats", await gw.call("fictra_getNetworkStats"))
            c.check("fictra_getTradeStats", await gw.call("fictra_getTradeStats"))

    asyncio.run(ws())
    c.check("rpc.discover", c.doc)
    assert c.checked == set(build_registry().methods)


def test_simulate(net: Net) -> None:
    faucet = read_plain(net.home / "keys" / "faucet.json")
    p = net.call("fictra_getParams")
    base, per_byte = int(p["base_fee"]), int(p["fee_per_byte"])
    nonce = int(net.call("fictra_getNonce", faucet.bech32))
    good = build_signed(faucet, net.chain_id, nonce, [send(Key.generate().address, UNIT)],
                        base_fee=base, fee_per_byte=per_byte)
    sim = net.call("fictra_simulateTransaction", "0x" + good.hex())
    assert sim["would_pass"] and sim["code"] == 0 and sim["size"] == len(good)
    assert sim["fee"] == sim["required_fee"] == str(base + per_byte * len(good))
    assert [e["type"] for e in sim["events"]] == ["fee", "transfer"]
    # Nothing was sent: the nonce is unchanged.
    assert int(net.call("fictra_getNonce", faucet.bech32)) == nonce

    broke = Key.generate()
    sim = net.call("fictra_simulateTransaction", "0x" + build_signed(
        broke, net.chain_id, 0, [send(faucet.address, UNIT)], base_fee=base,
        fee_per_byte=per_byte).hex())
    assert not sim["would_pass"] and sim["code"] == Code.INSUFFICIENT_FEE_FUNDS
    too_much = build_signed(faucet, net.chain_id, nonce, [send(broke.address, 10**17)],
                            base_fee=base, fee_per_byte=per_byte)
    assert net.call("fictra_simulateTransaction", "0x" + too_much.hex())["code"] in (
        Code.INSUFFICIENT_FUNDS, Code.TIER_LIMIT)
    wrong_chain = sign_tx(faucet, "other", nonce, [send(broke.address, UNIT)], fee=10**6)
    assert net.call("fictra_simulateTransaction",
                    "0x" + wrong_chain.hex())["code"] == Code.BAD_SIGNATURE
    # Pricing before signing: the signature is not checked, the fee need is reported.
    unsigned = net.call("fictra_simulateTransaction", "0x" + wrong_chain.hex(),
                        {"sig_verify": False})
    assert unsigned["would_pass"] and unsigned["required_fee"] == str(
        base + per_byte * len(wrong_chain))
    ahead = sign_tx(faucet, net.chain_id, nonce + 5, [send(broke.address, UNIT)], fee=10**6)
    assert net.call("fictra_simulateTransaction", "0x" + ahead.hex())["code"] == \
        Code.NONCE_TOO_HIGH


def test_proof_at_an_older_height_and_a_future_one(net: Net) -> None:
    faucet = read_plain(net.home / "keys" / "faucet.json")
    for _ in range(600):  # an older height needs a few blocks (a hang guard, not a timing check)
        status = net.call("fictra_status")
        if status["height"] >= 3:
            break
        time.sleep(0.2)
    h = status["height"] - 1
    answer = net.call("fictra_getProof", f"/account/{faucet.bech32}", h)
    assert answer["height"] == h and int(answer["header"]["height"]) == h + 1
    value, (signed, total) = verified_value(answer, pt.SHARD, pt.account_key(faucet.address),
                                            net.chain_id)
    assert value and total == 40_000 and signed > 2 * total / 3  # 4 operators of 10,000 PT
    absent = Key.generate()
    answer = net.call("fictra_getProof", f"/account/{absent.bech32}", h)
    assert verified_value(answer, pt.SHARD, pt.account_key(absent.address), net.chain_id)[0] \
        in (None, b"")
    _, _, doc = net.post({"jsonrpc": "2.0", "id": 1, "method": "fictra_getProof",
                          "params": [f"/account/{faucet.bech32}", h + 10_000]})
    assert doc["error"]["code"] == -32001
    _, _, doc = net.post({"jsonrpc": "2.0", "id": 1, "method": "fictra_getProof",
                          "params": ["/nowhere"]})
    assert doc["error"]["code"] == -32602


def test_header_signatures(net: Net) -> None:
    """The light-client check of the header a proof is anchored in, and each way it fails."""
    answer = net.call("fictra_getProof", "/supply", net.call("fictra_status")["height"] - 1)
    header, commit, vals = answer["header"], answer["commit"], answer["validators"]
    signed, total = verify_signed_header(header, commit, vals)
    assert total == 40_000 and signed >= 30_000
    sigs = commit["signatures"]
    ok = [s for s in sigs if s["block_id_flag"] == 2]
    assert verify_signed_header(header, {**commit, "signatures": ok[:3]}, vals) == (30_000,
                                                                                     40_000)
    lies = [
        ({**header, "app_hash": "00" * 32}, commit, vals),  # another app hash
        ({**header, "height": str(int(header["height"]) + 1)}, commit, vals),
        (header, {**commit, "signatures": ok[:2]}, vals),  # 20,000 of 40,000: not more than 2/3
        (header, {**commit, "signatures": ok[:2] + [ok[0], ok[1]]}, vals),  # no double count
        (header, {**commit, "signatures": [{**s, "signature": ok[0]["signature"]}
                                           for s in ok[:3]]}, vals),  # forged signatures
        (header, commit, [{**v, "voting_power": "1000"} for v in vals]),  # another set
        (header, commit, vals[:3]),
    ]
    for h, c, v in lies:
        with pytest.raises(ProofError):
            verify_signed_header(h, c, v)
