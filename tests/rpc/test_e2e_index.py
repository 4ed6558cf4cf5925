"""The gateway's history and explorer methods served from the analytics index that
``fictra localnet up`` runs beside the shared localnet: transfers and a purchase driven to
settlement through the gateway, then every answer compared with what the chain holds."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from app.crypto import Key
from app.keys import purchase_id
from app.node.cometrpc import call
from app.node.localnet import Localnet
from app.params import UNIT
from app.pb import tx_pb2
from app.tx import builder as tb
from rpc.keystore import read_plain
from tests.localnets import wait_until

from .conftest import Net

pytestmark = pytest.mark.integration

DOC = bytes(range(32))
SHIPPING, CUSTOMS, QUALITY = (tx_pb2.VERIFICATION_KIND_SHIPPING,
                              tx_pb2.VERIFICATION_KIND_CUSTOMS,
                              tx_pb2.VERIFICATION_KIND_QUALITY)


class Driver:
    """Sends txs through the gateway and waits for their receipts (which the gateway takes
    from the index, or from the blocks it follows while the index catches up)."""

    def __init__(self, net: Net) -> None:
        self.net = net
        p = net.call("fictra_getParams")
        self.fees = {"base_fee": int(p["base_fee"]), "fee_per_byte": int(p["fee_per_byte"])}

    def send(self, key: Key, *msgs: Any) -> dict[str, Any]:
        nonce = int(self.net.call("fictra_getNonce", key.bech32))
        raw = tb.build_signed(key, self.net.chain_id, nonce, msgs, **self.fees)
        tx_hash = self.net.call("fictra_sendRawTransaction", "0x" + raw.hex())
        found: dict[str, Any] = {}

        def included() -> bool:
            r = self.net.call("fictra_getTransaction", tx_hash)
            if r and "height" in r:
                found.update(r)
            return bool(found)

        wait_until(included, f"tx {tx_hash} in a block")
        assert found["code"] == 0, found
        return found


def _named(net: Net, method: str, params: dict[str, Any]) -> Any:
    """A call with named params."""
    _, _, doc = net.post({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    assert "error" not in doc, (method, params, doc)
    return doc["result"]


def _schema_check(net: Net, method: str, result: Any) -> Any:
    doc = net.call("rpc.discover")
    entry = next(m for m in doc["methods"] if m["name"] == method)
    jsonschema.validate(result, {**entry["result"]["schema"], "components": doc["components"]},
                        cls=jsonschema.Draft202012Validator)
    return result


def _indexed(net: Net, height: int) -> None:
    wait_until(lambda: _named(net, "fictra_getBlocks", {"limit": 1})["latest_height"] >= height,
               f"the index to reach height {height}")


def test_the_index_answers_what_the_chain_holds(net: Net) -> None:
    keys = net.home / "keys"
    faucet, buyer, seller, sov = (read_plain(keys / f"{n}.json") for n in
                                  ("faucet", "trader-ch", "trader-sg", "sovereign-br"))
    verifiers = [read_plain(keys / f"verifier-{i}.json") for i in (1, 2, 3)]
    fresh = Key.generate()
    d = Driver(net)
    pay = d.send(faucet, tb.send(fresh.address, 3 * UNIT))
    multi = d.send(faucet, tb.multi_send([(fresh.address, UNIT), (buyer.address, UNIT)]))
    back = d.send(fresh, tb.send(faucet.address, UNIT // 2))
    h = net.call("fictra_status")["height"]
    create = d.send(buyer, tb.create_purchase(seller.address, "BRENT", 1_000, 80 * UNIT,
                                              sov.address, h + 40, h + 80))
    pid = purchase_id(bytes.fromhex(create["hash"]), 0).hex()
    d.send(seller, tb.confirm_shipment(bytes.fromhex(pid), [DOC]))
    d.send(verifiers[0], tb.attest(bytes.fromhex(pid), SHIPPING, True, DOC))
    d.send(verifiers[1], tb.attest(bytes.fromhex(pid), SHIPPING, True, DOC))
    d.send(verifiers[2], tb.attest(bytes.fromhex(pid), CUSTOMS, True, DOC))
    settle = d.send(verifiers[0], tb.attest(bytes.fromhex(pid), QUALITY, True, DOC))
    assert [e["attributes"]["status"] for e in settle["events"] if e["type"] == "purchase"] \
        == ["verified", "settled"]
    _indexed(net, settle["height"])
    node_url = Localnet(net.home).nodes[0].rpc_url

    # Receipts from the index equal the ones the gateway reported at inclusion.
    for r in (pay, multi, back, create, settle):
        assert net.call("fictra_getTransaction", r["hash"]) == r

    # History: newest first, by cursor down to the oldest, and by page.
    hist = _schema_check(net, "fictra_getAccountHistory",
                         _named(net, "fictra_getAccountHistory", {"address": fresh.bech32}))
    assert [t["hash"] for t in hist["txs"]] == [back["hash"], multi["hash"], pay["hash"]]
    seen, before = [], None
    while True:
        cursor = {"before": before} if before else {}
        page = _named(net, "fictra_getAccountHistory",
                      {"address": fresh.bech32, "limit": 1, **cursor})
        seen += [t["hash"] for t in page["txs"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == [t["hash"] for t in hist["txs"]]
    assert [t["hash"] for t in net.call("fictra_getAccountHistory", fresh.bech32, 2, 2)
            ["txs"]] == [pay["hash"]]

    # A block as the node has it, with its txs' types and codes.
    block = _schema_check(net, "fictra_getBlock",
                          _named(net, "fictra_getBlock", {"height": settle["height"]}))
    chain_block = call(node_url, "block", height=str(settle["height"]))
    assert block["hash"] == chain_block["block_id"]["hash"]
    assert block["time"] == chain_block["block"]["header"]["time"]
    assert block["num_txs"] == len(chain_block["block"]["data"]["txs"] or [])
    mine = next(t for t in block["txs"] if t["hash"] == settle["hash"])
    assert (mine["type"], mine["msg_types"], mine["code_name"], mine["signer"], mine["fee"]) \
        == ("attest", ["attest"], "OK", verifiers[0].bech32, settle["fee"])
    assert _named(net, "fictra_getBlock", {"height": 10**12}) is None
    create_block = _named(net, "fictra_getBlock", {"height": create["height"]})
    assert "create_purchase" in {t["type"] for t in create_block["txs"]}

    # Blocks page by cursor; each height once.
    blocks = _schema_check(net, "fictra_getBlocks",
                           _named(net, "fictra_getBlocks", {"limit": 100}))
    heights = [b["height"] for b in blocks["blocks"]]
    assert heights == list(range(blocks["latest_height"], blocks["latest_height"] - len(heights),
                                 -1))
    first = _named(net, "fictra_getBlocks", {"limit": 5})
    older = _named(net, "fictra_getBlocks", {"before": first["next_before"], "limit": 5})
    assert older["blocks"][0]["height"] == first["blocks"][-1]["height"] - 1

    # Search.
    for query, kind, key in ((settle["hash"].lower(), "tx", settle["hash"]),
                             (pid, "purchase", pid), (fresh.bech32, "address", fresh.bech32),
                             (str(create["height"]), "block", str(create["height"])),
                             ("nothing-like-it", "none", "nothing-like-it")):
        assert _schema_check(net, "fictra_search", net.call("fictra_search", query)) == \
            {"kind": kind, "key": key}

    # Trade statistics: the settled purchase and the sovereign's FT as the chain has them.
    trade = _schema_check(net, "fictra_getTradeStats", net.call("fictra_getTradeStats"))
    assert trade["purchases_by_status"].get("settled", 0) >= 1
    day = block["time"][:10]
    brent = [v for v in trade["volume"] if v["commodity"] == "BRENT" and v["day"] == day]
    assert brent and int(brent[0]["value_pt"]) >= 80_000 * UNIT
    latest = _named(net, "fictra_getBlocks", {"limit": 1})["latest_height"]
    trade = _named(net, "fictra_getTradeStats", {"days": 1})
    ft = net.call("fictra_getFT", sov.bech32, latest)
    mine_ft = next(f for f in trade["ft_by_sovereign"] if f["sovereign"] == sov.bech32)
    assert (mine_ft["issued"], mine_ft["converted"]) == (ft["issued"], ft["converted"])

    # Network statistics over the last blocks.
    stats = _schema_check(net, "fictra_getNetworkStats",
                          _named(net, "fictra_getNetworkStats", {"blocks": 50}))
    assert stats["blocks"] == min(50, stats["height"])
    assert stats["txs_by_type"].get("attest", 0) >= 4
    assert len(stats["validators"]) == 4 and stats["mempool_size"] >= 0
    assert 1.0 < float(stats["block_interval_s"]) < 10.0
    assert [s["height"] for s in stats["series"]] == list(
        range(stats["height"] - stats["blocks"] + 1, stats["height"] + 1))


def test_bad_explorer_params_get_clear_errors(net: Net) -> None:
    for method, params in (("fictra_getBlocks", {"limit": 101}),
                           ("fictra_getBlocks", {"before": -1}),
                           ("fictra_getBlock", {"height": "x"}),
                           ("fictra_getNetworkStats", {"blocks": 1001}),
                           ("fictra_getTradeStats", {"days": 367}),
                           ("fictra_search", {"query": ""}),
                           ("fictra_getAccountHistory", {"address": Key.generate().bech32,
                                                         "before": "1:x"}),
                           ("fictra_getAccountHistory", {"address": Key.generate().bech32,
                                                         "page": 1, "limit": 5})):
        _, _, doc = net.post({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        assert doc["error"]["code"] == -32602, (method, params, doc)
        assert doc["error"]["data"]["param"], doc
