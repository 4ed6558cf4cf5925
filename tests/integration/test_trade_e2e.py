"""Commodity trade on four real validators (the shared localnet), with the localnet's buyer and
seller, three verifiers, three oracles and a sovereign: create -> ship -> attest -> settled with
exact PT and FT balances (proven against the next header; escrow, FT and the buyer's purchases
counted from what other tests left), a dispute resolved each way by the council, an expiry
refund, a rejection refund, an oracle round, FT conversion, and every unauthorized step refused
by CheckTx with its code (nothing included, nonce unchanged)."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from app.crypto import Key, read_key_file, to_bech32
from app.errors import Code
from app.keys import purchase_id
from app.modules import pt
from app.node.cometrpc import call
from app.node.localnet import Localnet
from app.params import UNIT
from app.pb import state_pb2, tx_pb2
from app.tx import builder as tb
from state.proof import verify_proof
from tests.localnets import SHARED_CHAIN_ID, TEST_KEY, gateway_url, height, wait_until

pytestmark = pytest.mark.integration

CHAIN_ID = SHARED_CHAIN_ID
SHIPPING, CUSTOMS, QUALITY = (tx_pb2.VERIFICATION_KIND_SHIPPING,
                              tx_pb2.VERIFICATION_KIND_CUSTOMS,
                              tx_pb2.VERIFICATION_KIND_QUALITY)
DOC = bytes(range(32))


class Net:
    """Signs with the localnet's keys, sends to node0, reads state through node3 and receipts
    through the gateway (from the analytics index: no node keeps CometBFT's tx index)."""

    def __init__(self, localnet: Localnet) -> None:
        self.url = localnet.nodes[0].rpc_url
        self.gateway = gateway_url(localnet)
        self.reader = localnet.nodes[3].rpc_url
        self.keys_dir = Path(localnet.home) / "keys"
        params = self.info("/params")
        self.fees = {"base_fee": int(params["base_fee"]),
                     "fee_per_byte": int(params["fee_per_byte"])}
        self.round_blocks = int(params["oracle_round_blocks"])
        self.nonces: dict[bytes, int] = {}

    def key(self, name: str) -> Key:
        return read_key_file(self.keys_dir / f"{name}.json")

    def query(self, path: str, prove: bool = False, at: int = 0) -> dict[str, Any]:
        return call(self.reader, "abci_query", path=path, data="", height=str(at),
                    prove=prove)["response"]

    def info(self, path: str, at: int = 0) -> Any:
        resp = self.query(path, at=at)
        assert resp.get("code", 0) == 0, resp
        return json.loads(resp["info"])

    def balance(self, key: Key | bytes) -> int:
        addr = key.bech32 if isinstance(key, Key) else to_bech32(key)
        return int(self.info(f"/account/{addr}")["balance"])

    def sign(self, key: Key, *msgs: Any) -> bytes:
        if key.address not in self.nonces:
            self.nonces[key.address] = int(self.info(f"/account/{key.bech32}")["nonce"])
        raw = tb.build_signed(key, CHAIN_ID, self.nonces[key.address], msgs, **self.fees)
        self.nonces[key.address] += 1
        return raw

    def block(self, *txs: tuple[Key, tuple[Any, ...]]) -> list[dict[str, Any]]:
        """Send txs (each CheckTx must accept), wait until all are in blocks; their results."""
        raws = [self.sign(k, *msgs) for k, msgs in txs]
        for raw in raws:
            res = call(self.url, "broadcast_tx_sync", tx=base64.b64encode(raw).decode())
            assert res.get("code", 0) == 0, res
        found: dict[int, dict[str, Any]] = {}

        def included() -> bool:
            for i, raw in enumerate(raws):
                if i not in found:
                    r = self.receipt(hashlib.sha256(raw).hexdigest().upper())
                    if r is None:
                        return False
                    found[i] = r
            return True

        wait_until(included, "the txs to be included")
        return [found[i] for i in range(len(raws))]

    def receipt(self, tx_hash: str) -> dict[str, Any] | None:
        """The gateway's receipt in the shape of CometBFT's tx result (events' attributes as
        key/value lists), or None while the tx is in no block."""
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "fictra_getTransaction",
                           "params": [tx_hash]}).encode()
        req = urllib.request.Request(self.gateway, body, {"Content-Type": "application/json",
                                                          "X-API-Key": TEST_KEY})
        with urllib.request.urlopen(req, timeout=30) as resp:
            r = json.loads(resp.read())["result"]
        if not r or "height" not in r:
            return None
        events = [{"type": e["type"], "attributes": [{"key": k, "value": v} for k, v in
                                                     e["attributes"].items()]}
                  for e in r["events"]]
        return {"code": r["code"], "log": r["log"], "events": events, "height": r["height"],
                "hash": r["hash"]}

    def refused(self, key: Key, msg: Any, code: Code) -> None:
        """CheckTx refuses the tx with ``code``; the signer's nonce stays as it was."""
        nonce = int(self.info(f"/account/{key.bech32}")["nonce"])
        raw = tb.build_signed(key, CHAIN_ID, nonce, [msg], **self.fees)
        res = call(self.url, "broadcast_tx_sync", tx=base64.b64encode(raw).decode())
        assert res.get("code", 0) == code, (code.name, res)
        assert res["log"]
        assert int(self.info(f"/account/{key.bech32}")["nonce"]) == nonce


def ok(res: dict[str, Any]) -> dict[str, Any]:
    assert res.get("code", 0) == 0, res
    return res


def events(res: dict[str, Any], kind: str) -> list[dict[str, str]]:
    return [{a["key"]: a["value"] for a in e["attributes"]} for e in res.get("events", [])
            if e["type"] == kind]


def fee(res: dict[str, Any]) -> int:
    return int(events(res, "fee")[0]["amount"])


def test_trade_lifecycle_on_four_validators(shared_localnet: Localnet) -> None:
    net = Net(shared_localnet)
    buyer, seller = net.key("trader-ch"), net.key("trader-sg")
    verifiers = [net.key(f"verifier-{i}") for i in (1, 2, 3)]
    oracles = [net.key(f"oracle-{i}") for i in (1, 2, 3)]
    sovereign, faucet = net.key("sovereign-br"), net.key("faucet")
    council = [net.key(f"council-{i}") for i in (1, 2)]
    outsider = Key.generate()
    # The sovereign starts with fee money; more does no harm. The outsider is unregistered.
    ok(net.block((faucet, (tb.send(sovereign.address, 10 * UNIT),
                           tb.send(outsider.address, 10 * UNIT))))[0])
    buyer0, seller0, sov0 = net.balance(buyer), net.balance(seller), net.balance(sovereign)
    reserve0 = net.balance(pt.RESERVE)
    # Other tests on the shared localnet may have left escrow, FT and purchases behind.
    escrow0 = net.balance(pt.ESCROW)
    ft0 = int(net.info(f"/ft/{sovereign.bech32}")["balance"])
    supply0 = {k: int(v) for k, v in net.info("/ft_supply").items()}
    buyer_fees = seller_fees = sov_fees = 0

    # -- one tx makes five purchases ---------------------------------------------------------
    h = height(net.url)
    terms = [  # commodity, quantity, unit price (PT), ship_by, verify_by
        ("BRENT", 1_000, 80, h + 40, h + 80),  # P1: settles
        ("WHEAT", 50_000, 250, h + 40, h + 80),  # P2: disputed, ruled for the buyer
        ("WHEAT", 20_000, 240, h + 40, h + 80),  # P3: disputed, ruled for the seller
        ("LNG", 10_000, 11, h + 40, h + 80),  # P4: rejected
        ("COPPER", 10_500, 9_000, h + 8, h + 20),  # P5: never shipped, expires
    ]
    msgs = tuple(tb.create_purchase(seller.address, c, q, p * UNIT, sovereign.address, s, v)
                 for c, q, p, s, v in terms)
    res = ok(net.block((buyer, msgs))[0])
    ids = [purchase_id(bytes.fromhex(res["hash"]), i) for i in range(5)]
    p1, p2, p3, p4, p5 = ids
    values = [q * p * UNIT // 10**d for (_, q, p, _, _), d in zip(terms, (0, 3, 3, 0, 3),
                                                                  strict=True)]
    buyer_fees += fee(res)
    assert [e["id"] for e in events(res, "purchase")] == [i.hex() for i in ids]
    assert [e["value"] for e in events(res, "purchase")] == [str(v) for v in values]
    assert net.balance(buyer) == buyer0 - sum(values) - buyer_fees
    assert net.balance(pt.ESCROW) == escrow0 + sum(values)

    # -- unauthorized and invalid steps: refused by CheckTx with their codes ------------------
    net.refused(buyer, tb.confirm_shipment(p1, [DOC]), Code.NOT_AUTHORIZED)
    net.refused(seller, tb.dispute(p2, "not mine to dispute"), Code.NOT_AUTHORIZED)
    net.refused(verifiers[0], tb.attest(p1, SHIPPING, True, DOC), Code.WRONG_STATUS)
    net.refused(oracles[0], tb.attest(p1, SHIPPING, True, DOC), Code.NOT_VERIFIER)
    net.refused(outsider, tb.create_purchase(seller.address, "WHEAT", 1_000, UNIT,
                                             sovereign.address, h + 50, h + 60),
                Code.NOT_KYC_TRADER)
    net.refused(buyer, tb.create_purchase(seller.address, "WHEAT", 1_000, UNIT,
                                          seller.address, h + 50, h + 60), Code.NOT_SOVEREIGN)
    net.refused(buyer, tb.create_purchase(seller.address, "URANIUM", 1, UNIT,
                                          sovereign.address, h + 50, h + 60),
                Code.COMMODITY_UNKNOWN)
    net.refused(sovereign, tb.convert_ft(ft0 + UNIT), Code.FT_INSUFFICIENT)
    net.refused(buyer, tb.convert_ft(UNIT), Code.NOT_SOVEREIGN)
    net.refused(verifiers[0], tb.submit_price("BRENT", 0, UNIT), Code.NOT_ORACLE)
    net.refused(oracles[0], tb.submit_price("BRENT", h + 1_000, UNIT), Code.ROUND_INVALID)
    net.refused(buyer, tb.propose(tb.resolve_dispute(p2, True)), Code.NOT_COUNCIL_MEMBER)

    # -- shipment, attestations, a dispute -----------------------------------------------------
    r_ship, r_disp = net.block((seller, (tb.confirm_shipment(p1, [DOC]),
                                         tb.confirm_shipment(p3, [DOC]),
                                         tb.confirm_shipment(p4, [DOC]))),
                               (buyer, (tb.dispute(p2, "cargo never loaded"),)))
    seller_fees += fee(ok(r_ship))
    buyer_fees += fee(ok(r_disp))
    ver = net.info(f"/verification/{p1.hex()}")
    assert [(r["kind"], r["quorum"]) for r in ver["requests"]] == [
        ("shipping", 2), ("customs", 1), ("quality", 1)]
    results = net.block(
        (verifiers[0], (tb.attest(p1, SHIPPING, True, DOC), tb.attest(p4, SHIPPING, False, DOC))),
        (verifiers[1], (tb.attest(p1, SHIPPING, True, DOC), tb.attest(p4, SHIPPING, False, DOC))),
        (verifiers[2], (tb.attest(p1, CUSTOMS, True, DOC),)),
        (buyer, (tb.dispute(p3, "quality below contract"),)),
    )
    for r in results:
        ok(r)
    buyer_fees += fee(results[3])
    assert net.info(f"/purchase/{p4.hex()}")["status"] == "rejected"
    net.refused(verifiers[0], tb.attest(p1, SHIPPING, True, DOC), Code.ALREADY_ATTESTED)
    net.refused(verifiers[2], tb.attest(p1, SHIPPING, True, DOC), Code.KIND_DECIDED)
    net.refused(verifiers[2], tb.attest(p3, SHIPPING, True, DOC), Code.WRONG_STATUS)
    net.refused(verifiers[0], tb.attest(p1, QUALITY, True, b"\x01"), Code.TX_INVALID)

    # The last required kind settles P1 in the same tx.
    settle = ok(net.block((verifiers[0], (tb.attest(p1, QUALITY, True, DOC),)))[0])
    assert [e["status"] for e in events(settle, "purchase")] == ["verified", "settled"]
    ft_p1 = values[0] * 100 // 10_000  # BRENT issues 1% of the value as FT
    assert events(settle, "ft_issued") == [{"sovereign": sovereign.bech32,
                                             "amount": str(ft_p1), "purchase": p1.hex()}]

    # -- the council rules on the two disputes -----------------------------------------------
    props = net.block((council[0], (tb.propose(tb.resolve_dispute(p2, True)),
                                    tb.propose(tb.resolve_dispute(p3, False)))))
    pids = [int(e["id"]) for e in events(ok(props[0]), "proposal")]
    votes = ok(net.block((council[1], (tb.vote(pids[0], True), tb.vote(pids[1], True))))[0])
    assert [e["status"] for e in events(votes, "proposal")] == ["passed", "passed"]
    assert net.info(f"/purchase/{p2.hex()}")["status"] == "refunded"
    p3_now = net.info(f"/purchase/{p3.hex()}")
    assert (p3_now["status"], p3_now["ft_issued"]) == ("settled", "0")

    # -- P5 expires once ship_by has passed ----------------------------------------------------
    wait_until(lambda: net.info(f"/purchase/{p5.hex()}")["status"] == "expired",
               "the unshipped purchase to expire")
    p5_now = net.info(f"/purchase/{p5.hex()}")
    assert p5_now["closed_height"] == terms[4][3]  # at the end of block ship_by
    net.refused(seller, tb.confirm_shipment(p5, [DOC]), Code.WRONG_STATUS)

    # -- exact balances ------------------------------------------------------------------------
    refunded = values[1] + values[3] + values[4]
    assert net.balance(buyer) == buyer0 - sum(values) - buyer_fees + refunded
    assert net.balance(seller) == seller0 - seller_fees + values[0] + values[2]
    assert net.balance(pt.ESCROW) == escrow0
    assert net.info(f"/ft/{sovereign.bech32}")["balance"] == str(ft0 + ft_p1)
    assert net.info("/ft_supply") == {"issued": str(supply0["issued"] + ft_p1),
                                      "converted": str(supply0["converted"]),
                                      "supply": str(supply0["supply"] + ft_p1)}
    listed = net.info(f"/purchases/by_buyer/{buyer.bech32}")["purchases"]
    assert {p["id"]: p["status"] for p in listed if p["id"] in {i.hex() for i in ids}} == {
        p1.hex(): "settled", p2.hex(): "refunded", p3.hex(): "settled", p4.hex(): "rejected",
        p5.hex(): "expired"}

    # -- the sovereign converts FT into PT from the reserve ------------------------------------
    conv = ok(net.block((sovereign, (tb.convert_ft(ft_p1 // 2),)))[0])
    sov_fees += fee(conv)
    assert net.balance(sovereign) == sov0 - sov_fees + ft_p1 // 2  # 1 FT -> 1 PT
    assert net.balance(pt.RESERVE) == reserve0 - ft_p1 // 2
    assert net.info(f"/ft/{sovereign.bech32}")["balance"] == str(ft0 + ft_p1 - ft_p1 // 2)

    # -- proofs of the settled purchase and the FT record against header q + 1 ----------------
    for path, shard in ((f"/purchase/{p1.hex()}", "trade"), (f"/ft/{sovereign.bech32}", "ft")):
        resp = net.query(path, prove=True)
        q = int(resp["height"])
        wait_until(lambda q=q: height(net.reader) >= q + 1, "the next header")
        header = call(net.reader, "header", height=str(q + 1))["header"]
        value = base64.b64decode(resp["value"])
        verify_proof(resp["proofOps"]["ops"], bytes.fromhex(header["app_hash"]), shard,
                     base64.b64decode(resp["key"]), value)
    assert state_pb2.Purchase.FromString(
        base64.b64decode(net.query(f"/purchase/{p1.hex()}")["value"])).ft_issued == ft_p1


def test_an_oracle_round_publishes_the_median(shared_localnet: Localnet) -> None:
    net = Net(shared_localnet)
    oracles = [net.key(f"oracle-{i}") for i in (1, 2, 3)]
    rb = net.round_blocks
    # Submit at the start of a round so that all three land in it.
    wait_until(lambda: height(net.url) % rb == rb - 1, "the last block of a round")
    rnd = (height(net.url) + 1) // rb
    results = net.block(*((o, (tb.submit_price("LNG", rnd, p * 10_000),))
                          for o, p in zip(oracles, (1_120, 1_090, 1_150), strict=True)))
    for r in results:
        ok(r)
    end = (rnd + 1) * rb - 1
    wait_until(lambda: height(net.reader) >= end, "the end of the round")
    price = net.info("/price/LNG")
    assert (price["status"], price["price"], price["round"]) == ("current", "11200000", rnd)
    ends = call(net.reader, "block_results", height=str(end))
    published = [{a["key"]: a["value"] for a in e["attributes"]}
                 for e in ends.get("finalize_block_events") or [] if e["type"] == "price"]
    assert published == [{"commodity": "LNG", "round": str(rnd), "price": "11200000",
                          "status": "published", "submissions": "3"}]
    history = net.info(f"/price_history/LNG?from={end}&to={end}")["points"]
    assert [p["price"] for p in history] == ["11200000"]
