"""A tx's bytes as the explorer shows them (``rpc.txview``): every message type's fields,
addresses as bech32, hashes as hex, enums by name, 64-bit numbers as strings."""

from __future__ import annotations

import pytest

from app.crypto import Key
from app.errors import TxError
from app.pb import tx_pb2
from app.tx import builder as tb
from rpc.txview import describe


def _tx(key: Key, *msgs: tx_pb2.Msg, memo: str = "") -> bytes:
    return tb.sign_tx(key, "fictra-test", 7, list(msgs), fee=2_500, memo=memo)


def test_transfers_and_trade_messages() -> None:
    key, to, sov = Key.generate(), Key.generate(), Key.generate()
    pid = bytes(range(16))
    doc = bytes(range(32))
    raw = _tx(key, tb.send(to.address, 12_500_000),
              tb.multi_send([(to.address, 1), (sov.address, 2**63)]),
              tb.create_purchase(to.address, "WHEAT", 10_000, 250_000_000, sov.address, 90, 95),
              tb.attest(pid, tx_pb2.VERIFICATION_KIND_QUALITY, False, doc),
              tb.vote(3, True), memo="invoice 42")
    d = describe(raw)
    assert d["signer"] == key.bech32 and d["nonce"] == "7" and d["fee"] == "2500"
    assert d["memo"] == "invoice 42" and d["size"] == len(raw) and d["timeout_height"] == 0
    assert d["messages"] == [
        {"type": "send", "to": to.bech32, "amount": "12500000"},
        {"type": "multi_send", "input": str(1 + 2**63), "outputs": [
            {"address": to.bech32, "amount": "1"}, {"address": sov.bech32, "amount": str(2**63)}]},
        {"type": "create_purchase", "seller": to.bech32, "commodity": "WHEAT",
         "quantity": "10000", "unit_price": "250000000", "origin_sovereign": sov.bech32,
         "ship_by": "90", "verify_by": "95"},
        {"type": "attest", "purchase": pid.hex().upper(), "kind": "quality",
         "verdict": "reject", "document_hash": doc.hex().upper()},
        {"type": "vote", "proposal_id": "3", "option": "yes"},
    ]


def test_a_council_action_shows_only_its_own_oneof_member() -> None:
    key, who = Key.generate(), Key.generate()
    raw = _tx(key, tb.propose(tb.freeze(who.address), "freeze it"))
    (msg,) = describe(raw)["messages"]
    assert msg["type"] == "propose" and msg["summary"] == "freeze it"
    assert msg["action"] == {"freeze": {"address": who.bech32}}


def test_bytes_that_are_no_tx_raise() -> None:
    with pytest.raises(TxError):
        describe(b"\x0a\x01")
