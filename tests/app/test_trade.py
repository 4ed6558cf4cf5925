"""Purchases in-process: the state machine, escrow and FT amounts, deadlines, disputes, every
refused step with its code (and nothing changed but the fee and nonce), queries and proofs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.crypto import Key
from app.errors import Code
from app.params import UNIT
from app.pb import state_pb2, tx_pb2
from app.query.listproof import verify_list_proof
from app.query.trade import MAX_PROVEN_LIMIT
from app.tx import builder as tb
from state.proof import ProofError, verify_proof
from tests.app.chain import COUNCIL, Chain
from tests.app.trade_chain import (
    BUYER,
    DOC,
    OUTSIDER,
    SELLER,
    SOVEREIGN,
    VERIFIERS,
    escrow_balance,
    events,
    fee_of,
    ft_balance,
    info,
    new_chain,
    purchase,
    run,
)

SHIPPING, CUSTOMS, QUALITY = (tx_pb2.VERIFICATION_KIND_SHIPPING,
                              tx_pb2.VERIFICATION_KIND_CUSTOMS,
                              tx_pb2.VERIFICATION_KIND_QUALITY)
QTY, PRICE = 100, 80 * UNIT  # 100 bbl of BRENT at 80 PT: 8,000 PT
VALUE = QTY * PRICE


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    c = new_chain(tmp_path / "state")
    yield c
    c.app.close()


def create(chain: Chain, *, buyer: Key = BUYER, seller: Key = SELLER, commodity: str = "BRENT",
           qty: int = QTY, price: int = PRICE, sovereign: Key = SOVEREIGN, ship: int = 5,
           verify: int = 10) -> tuple[bytes, Any]:
    """CreatePurchase with deadlines relative to the next height; (id, result)."""
    h = chain.height + 1
    raw = chain.tx(buyer, tb.create_purchase(seller.address, commodity, qty, price,
                                             sovereign.address, h + ship, h + verify))
    return tb.purchase_id(raw), chain.finalize([raw]).tx_results[0]


def shipped(chain: Chain, **kw: Any) -> bytes:
    pid, res = create(chain, **kw)
    assert res.code == 0, res.log
    res = run(chain, SELLER, tb.confirm_shipment(pid, [DOC]))
    assert res.code == 0, res.log
    return pid


def council_decides(chain: Chain, action: tx_pb2.Action) -> dict[str, str]:
    """Propose (member 0) and pass (member 1); the proposal event of the deciding vote."""
    res = run(chain, COUNCIL[0], tb.propose(action))
    pid = int(events(res, "proposal")[0]["id"])
    res = run(chain, COUNCIL[1], tb.vote(pid, True))
    assert res.code == 0, res.log
    return events(res, "proposal")[-1]


def test_create_ship_attest_settles_with_exact_pt_and_ft(chain: Chain) -> None:
    buyer0, seller0 = chain.balance(BUYER), chain.balance(SELLER)
    pid, res = create(chain)
    assert res.code == 0, res.log
    fee = fee_of(res)
    assert chain.balance(BUYER) == buyer0 - VALUE - fee
    assert escrow_balance(chain) == VALUE
    assert events(res, "purchase") == [{
        "id": pid.hex(), "buyer": BUYER.bech32, "seller": SELLER.bech32, "status": "open",
        "commodity": "BRENT", "value": str(VALUE)}]
    p = purchase(chain, pid)
    assert (p.status, p.value, p.ft_rate_bps) == (state_pb2.PURCHASE_STATUS_OPEN, VALUE, 100)

    res = run(chain, SELLER, tb.confirm_shipment(pid, [DOC, b"\x22" * 32]))
    assert res.code == 0, res.log
    seller_fees = fee_of(res)
    ver = info(chain, f"/verification/{pid.hex()}")
    assert [(r["kind"], r["quorum"], r["status"]) for r in ver["requests"]] == [
        ("shipping", 2, "pending"), ("quality", 1, "pending")]

    res = run(chain, VERIFIERS[0], tb.attest(pid, SHIPPING, True, DOC))
    assert res.code == 0 and events(res, "attestation") == [{
        "purchase": pid.hex(), "kind": "shipping", "verifier": VERIFIERS[0].bech32,
        "verdict": "approve"}]
    assert run(chain, VERIFIERS[1], tb.attest(pid, QUALITY, True, DOC)).code == 0
    assert purchase(chain, pid).status == state_pb2.PURCHASE_STATUS_SHIPPED
    res = run(chain, VERIFIERS[2], tb.attest(pid, SHIPPING, True, DOC))  # the last one
    assert res.code == 0, res.log
    assert [e["status"] for e in events(res, "purchase")] == ["verified", "settled"]
    ft_amount = VALUE * 100 // 10_000
    assert events(res, "ft_issued") == [{"sovereign": SOVEREIGN.bech32,
                                          "amount": str(ft_amount), "purchase": pid.hex()}]
    assert chain.balance(SELLER) == seller0 - seller_fees + VALUE
    assert chain.balance(BUYER) == buyer0 - VALUE - fee
    assert escrow_balance(chain) == 0
    assert ft_balance(chain, SOVEREIGN) == ft_amount
    assert info(chain, "/ft_supply") == {"issued": str(ft_amount), "converted": "0",
                                         "supply": str(ft_amount)}
    p = purchase(chain, pid)
    assert (p.status, p.ft_issued, p.closed_height, p.outcome) == (
        state_pb2.PURCHASE_STATUS_SETTLED, ft_amount, chain.height, "verified")
    issued = info(chain, f"/ft_issuances/{SOVEREIGN.bech32}")["issuances"]
    assert [(r["purchase"], r["amount"], r["value"]) for r in issued] == [
        (pid.hex(), str(ft_amount), str(VALUE))]


def test_quantity_uses_the_commodity_decimals(chain: Chain) -> None:
    # 12.345 t of wheat at 250 PT/t: 3,086.25 PT.
    pid, res = create(chain, commodity="WHEAT", qty=12_345, price=250 * UNIT)
    assert res.code == 0, res.log
    assert purchase(chain, pid).value == 3_086_250_000
    pid, res = create(chain, commodity="WHEAT", qty=1, price=999)  # 0.000999 PT: rounds to 0
    assert res.code == Code.PURCHASE_VALUE_INVALID


def test_a_quorum_of_rejections_refunds_the_buyer(chain: Chain) -> None:
    buyer0 = chain.balance(BUYER)
    pid, res = create(chain)
    fee = fee_of(res)
    run(chain, SELLER, tb.confirm_shipment(pid, [DOC]))
    assert run(chain, VERIFIERS[0], tb.attest(pid, QUALITY, True, DOC)).code == 0
    assert run(chain, VERIFIERS[1], tb.attest(pid, SHIPPING, False, DOC)).code == 0
    res = run(chain, VERIFIERS[2], tb.attest(pid, SHIPPING, False, DOC))
    assert res.code == 0, res.log
    assert [e["status"] for e in events(res, "purchase")] == ["rejected"]
    assert chain.balance(BUYER) == buyer0 - fee
    assert escrow_balance(chain) == 0 and ft_balance(chain, SOVEREIGN) == 0
    p = purchase(chain, pid)
    assert (p.status, p.outcome) == (state_pb2.PURCHASE_STATUS_REJECTED, "rejected: shipping")
    # A closed purchase takes no more steps.
    res = run(chain, VERIFIERS[0], tb.attest(pid, SHIPPING, True, DOC))
    assert res.code == Code.WRONG_STATUS


def test_deadlines_expire_at_the_end_of_their_block_with_bounded_work(chain: Chain) -> None:
    buyer0 = chain.balance(BUYER)
    fees = 0
    ids = []
    h = chain.height + 1
    txs = [chain.tx(BUYER, tb.create_purchase(SELLER.address, "BRENT", 1, UNIT,
                                              SOVEREIGN.address, h + 2, h + 4))
           for _ in range(3)]
    res = chain.finalize(txs)
    fees += sum(fee_of(r) for r in res.tx_results)
    ids = [tb.purchase_id(t) for t in txs]
    # One of them ships in time and must then be verified by h + 4.
    res = run(chain, SELLER, tb.confirm_shipment(ids[2], [DOC]))
    assert res.code == 0
    assert chain.height == h + 1
    res = chain.finalize([])  # block h + 2 = ship_by: two OPEN ones are due
    expired = [e for e in events(res, "purchase") if e["status"] == "expired"]
    assert sorted(e["id"] for e in expired) == sorted(i.hex() for i in ids[:2])
    assert expired[0]["outcome"] == f"not shipped by {h + 2}"
    # Shipping after ship_by is refused even for a purchase not yet expired.
    res = chain.finalize([])  # h + 3
    assert purchase(chain, ids[2]).status == state_pb2.PURCHASE_STATUS_SHIPPED
    res = chain.finalize([])  # h + 4 = verify_by
    assert [e["status"] for e in events(res, "purchase")] == ["expired"]
    assert all(purchase(chain, i).status == state_pb2.PURCHASE_STATUS_EXPIRED for i in ids)
    assert chain.balance(BUYER) == buyer0 - fees
    assert escrow_balance(chain) == 0


def test_expiry_work_per_block_is_bounded_and_the_backlog_carries_over(chain: Chain) -> None:
    h = chain.height + 1
    txs = [chain.tx(BUYER, tb.create_purchase(SELLER.address, "BRENT", 1, UNIT,
                                              SOVEREIGN.address, h + 1, h + 1))
           for _ in range(5)]
    chain.finalize(txs)
    counts = []
    for _ in range(4):
        res = chain.finalize([])
        counts.append(sum(1 for e in events(res, "purchase") if e["status"] == "expired"))
    assert counts == [2, 2, 1, 0]  # max_expiries_per_block = 2
    assert escrow_balance(chain) == 0


def test_late_steps_are_refused_while_their_purchase_waits_in_the_backlog(chain: Chain) -> None:
    h = chain.height + 1
    txs = [chain.tx(BUYER, tb.create_purchase(SELLER.address, "BRENT", 1, UNIT,
                                              SOVEREIGN.address, h + 1, h + 2))
           for _ in range(3)]
    chain.finalize(txs)
    ids = sorted(tb.purchase_id(t) for t in txs)  # expired in id order at equal deadlines
    res = chain.finalize([chain.tx(SELLER, tb.confirm_shipment(i, [DOC])) for i in ids])
    assert [r.code for r in res.tx_results] == [0, 0, 0]
    chain.finalize([])  # h + 2 = verify_by: two of three expire
    late = ids[2]
    assert purchase(chain, late).status == state_pb2.PURCHASE_STATUS_SHIPPED
    res = run(chain, VERIFIERS[0], tb.attest(late, SHIPPING, True, DOC))
    assert res.code == Code.DEADLINE_PASSED, res.log
    assert not events(res, "attestation")
    assert purchase(chain, late).status == state_pb2.PURCHASE_STATUS_EXPIRED  # at block end
    # The same for shipping and disputing after ship_by.
    h = chain.height + 1
    txs = [chain.tx(BUYER, tb.create_purchase(SELLER.address, "BRENT", 1, UNIT,
                                              SOVEREIGN.address, h + 1, h + 5))
           for _ in range(3)]
    chain.finalize(txs)
    chain.finalize([])
    late = sorted(tb.purchase_id(t) for t in txs)[2]
    assert purchase(chain, late).status == state_pb2.PURCHASE_STATUS_OPEN
    res = chain.finalize([chain.tx(SELLER, tb.confirm_shipment(late, [DOC])),
                          chain.tx(BUYER, tb.dispute(late, "too late"))])
    assert [r.code for r in res.tx_results] == [Code.DEADLINE_PASSED] * 2
    assert escrow_balance(chain) == 0


def test_dispute_resolved_for_the_buyer_refunds(chain: Chain) -> None:
    buyer0 = chain.balance(BUYER)
    pid, res = create(chain, ship=2, verify=3)
    fees = fee_of(res)
    res = run(chain, BUYER, tb.dispute(pid, "cargo never left the port"))
    assert res.code == 0, res.log
    fees += fee_of(res)
    assert events(res, "purchase")[0]["status"] == "disputed"
    for _ in range(4):  # deadlines no longer run
        chain.finalize([])
    assert purchase(chain, pid).status == state_pb2.PURCHASE_STATUS_DISPUTED
    assert escrow_balance(chain) == VALUE
    assert council_decides(chain, tb.resolve_dispute(pid, for_buyer=True))["status"] == "passed"
    p = purchase(chain, pid)
    assert (p.status, p.outcome) == (state_pb2.PURCHASE_STATUS_REFUNDED, "ruling: buyer")
    assert chain.balance(BUYER) == buyer0 - fees
    assert escrow_balance(chain) == 0
    # A second ruling on the closed purchase fails (and nothing moves).
    assert council_decides(chain, tb.resolve_dispute(pid, for_buyer=False))["status"] == "failed"
    assert chain.balance(BUYER) == buyer0 - fees


def test_dispute_resolved_for_the_seller_settles_without_ft(chain: Chain) -> None:
    seller0 = chain.balance(SELLER)
    pid = shipped(chain)
    seller_fee = seller0 - chain.balance(SELLER)
    assert run(chain, VERIFIERS[0], tb.attest(pid, SHIPPING, True, DOC)).code == 0
    assert run(chain, BUYER, tb.dispute(pid, "quality below contract")).code == 0
    res = run(chain, VERIFIERS[1], tb.attest(pid, SHIPPING, True, DOC))
    assert res.code == Code.WRONG_STATUS
    assert council_decides(chain, tb.resolve_dispute(pid, for_buyer=False))["status"] == "passed"
    p = purchase(chain, pid)
    assert (p.status, p.outcome, p.ft_issued) == (state_pb2.PURCHASE_STATUS_SETTLED,
                                                   "ruling: seller", 0)
    assert chain.balance(SELLER) == seller0 - seller_fee + VALUE
    assert ft_balance(chain, SOVEREIGN) == 0 and escrow_balance(chain) == 0


def _refused(chain: Chain, key: Key, msg: Any, code: Code, pid: bytes | None = None) -> None:
    """The step fails with ``code``, costs its signer only the fee, and changes no purchase."""
    before = chain.account(key)
    escrow = escrow_balance(chain)
    rec = purchase(chain, pid).SerializeToString() if pid else None
    res = run(chain, key, msg)
    assert res.code == code, (res.code, res.log)
    assert res.log
    after = chain.account(key)
    assert after.balance == before.balance - fee_of(res) and after.nonce == before.nonce + 1
    assert escrow_balance(chain) == escrow
    if pid:
        assert purchase(chain, pid).SerializeToString() == rec


def test_every_unauthorized_or_invalid_step_is_refused_with_its_code(chain: Chain) -> None:
    def mk(**kw: Any) -> Any:
        h = chain.height + 1  # the block the tx will be in
        a = {"seller": SELLER.address, "commodity": "BRENT", "qty": QTY, "price": PRICE,
             "sov": SOVEREIGN.address, "ship": 5, "verify": 10, **kw}
        return tb.create_purchase(a["seller"], a["commodity"], a["qty"], a["price"], a["sov"],
                                  h + a["ship"], h + a["verify"])

    _refused(chain, OUTSIDER, mk(), Code.NOT_KYC_TRADER)  # buyer not registered
    _refused(chain, BUYER, mk(seller=OUTSIDER.address), Code.NOT_KYC_TRADER)
    _refused(chain, BUYER, mk(seller=BUYER.address), Code.SELF_TRADE)
    _refused(chain, BUYER, mk(sov=SELLER.address), Code.NOT_SOVEREIGN)
    _refused(chain, BUYER, mk(commodity="COBALT"), Code.COMMODITY_UNKNOWN)
    _refused(chain, BUYER, mk(commodity="TIN"), Code.COMMODITY_INACTIVE)
    _refused(chain, BUYER, mk(ship=0), Code.DEADLINE_INVALID)  # not after this block
    _refused(chain, BUYER, mk(verify=2000), Code.DEADLINE_INVALID)  # beyond max_deadline
    _refused(chain, BUYER, mk(qty=2_000), Code.INSUFFICIENT_FUNDS)
    # SELLER is a basic-tier trader: 10,000 PT per transfer.
    _refused(chain, SELLER, mk(seller=BUYER.address, qty=200), Code.TIER_LIMIT)
    _refused(chain, BUYER, mk(qty=2**63, price=10**18), Code.AMOUNT_OVERFLOW)

    pid, res = create(chain, ship=50, verify=100)
    assert res.code == 0
    _refused(chain, BUYER, tb.confirm_shipment(pid, [DOC]), Code.NOT_AUTHORIZED, pid)
    _refused(chain, VERIFIERS[0], tb.confirm_shipment(pid, [DOC]), Code.NOT_AUTHORIZED, pid)
    _refused(chain, SELLER, tb.dispute(pid, "mine"), Code.NOT_AUTHORIZED, pid)
    _refused(chain, VERIFIERS[0], tb.attest(pid, SHIPPING, True, DOC), Code.WRONG_STATUS, pid)
    _refused(chain, SELLER, tb.confirm_shipment(b"\x01" * 16, [DOC]), Code.PURCHASE_NOT_FOUND)
    assert run(chain, SELLER, tb.confirm_shipment(pid, [DOC])).code == 0
    _refused(chain, SELLER, tb.confirm_shipment(pid, [DOC]), Code.WRONG_STATUS, pid)
    _refused(chain, OUTSIDER, tb.attest(pid, SHIPPING, True, DOC), Code.NOT_VERIFIER, pid)
    _refused(chain, VERIFIERS[0], tb.attest(pid, CUSTOMS, True, DOC), Code.KIND_NOT_REQUIRED,
             pid)
    assert run(chain, VERIFIERS[0], tb.attest(pid, QUALITY, True, DOC)).code == 0
    _refused(chain, VERIFIERS[0], tb.attest(pid, QUALITY, False, DOC), Code.ALREADY_ATTESTED,
             pid)
    _refused(chain, VERIFIERS[1], tb.attest(pid, QUALITY, True, DOC), Code.KIND_DECIDED, pid)

    # A verifier that is also a party may not attest its own purchase.
    pid2, res = create(chain, seller=VERIFIERS[2])
    assert res.code == Code.NOT_KYC_TRADER  # verifiers are not traders here...
    council_decides(chain, tb.update_entity(VERIFIERS[2].address, tx_pb2.KYC_TIER_ENHANCED,
                                            "NL", 1 | 2))  # ...until they are
    pid2, res = create(chain, seller=VERIFIERS[2])
    assert res.code == 0, res.log
    assert run(chain, VERIFIERS[2], tb.confirm_shipment(pid2, [DOC])).code == 0
    _refused(chain, VERIFIERS[2], tb.attest(pid2, SHIPPING, True, DOC), Code.NOT_AUTHORIZED,
             pid2)



def test_frozen_parties_stop_every_step_but_the_buyers_dispute(chain: Chain) -> None:
    pid = shipped(chain)
    council_decides(chain, tb.freeze(SELLER.address))
    _refused(chain, VERIFIERS[0], tb.attest(pid, SHIPPING, True, DOC), Code.PARTY_FROZEN, pid)
    h = chain.height + 1
    _refused(chain, BUYER, tb.create_purchase(SELLER.address, "BRENT", 1, UNIT,
                                              SOVEREIGN.address, h + 5, h + 9),
             Code.PARTY_FROZEN)
    # The buyer can still ask the council; a ruling for the frozen seller fails, one for the
    # buyer refunds.
    assert run(chain, BUYER, tb.dispute(pid, "seller frozen")).code == 0
    assert council_decides(chain, tb.resolve_dispute(pid, for_buyer=False))["status"] == "failed"
    assert council_decides(chain, tb.resolve_dispute(pid, for_buyer=True))["status"] == "passed"
    assert escrow_balance(chain) == 0
    # A frozen sovereign stops new purchases naming it.
    council_decides(chain, tb.unfreeze(SELLER.address))
    council_decides(chain, tb.freeze(SOVEREIGN.address))
    h = chain.height + 1
    _refused(chain, BUYER, tb.create_purchase(SELLER.address, "BRENT", 1, UNIT,
                                              SOVEREIGN.address, h + 5, h + 9),
             Code.PARTY_FROZEN)


def test_stateless_checks_refuse_malformed_trade_messages(chain: Chain) -> None:
    bad = [
        tb.create_purchase(b"\x01" * 19, "BRENT", 1, 1, SOVEREIGN.address, 5, 6),
        tb.create_purchase(SELLER.address, "brent", 1, 1, SOVEREIGN.address, 5, 6),
        tb.create_purchase(SELLER.address, "BRENT", 0, 1, SOVEREIGN.address, 5, 6),
        tb.create_purchase(SELLER.address, "BRENT", 1, 1, SOVEREIGN.address, 6, 5),
        tb.confirm_shipment(b"\x01" * 16, []),
        tb.confirm_shipment(b"\x01" * 16, [b"short"]),
        tb.confirm_shipment(b"\x01" * 15, [DOC]),
        tb.attest(b"\x01" * 16, 9, True, DOC),
        tb.attest(b"\x01" * 16, SHIPPING, True, b"x"),
        tb.dispute(b"\x01" * 16, ""),
        tb.dispute(b"\x01" * 16, "x" * 513),
    ]
    for msg in bad:
        res = chain.check(chain.tx(BUYER, msg, nonce=chain.account(BUYER).nonce))
        assert res.code == Code.TX_INVALID, (msg, res.log)


def test_commodities_and_verifiers_change_through_the_council(chain: Chain) -> None:
    cobalt = tx_pb2.Commodity(code="COBALT", name="Cobalt", unit="t", decimals=3,
                              ft_rate_bps=300, active=True, requirements=[
                                  tx_pb2.Requirement(kind=CUSTOMS, quorum=1)])
    assert council_decides(chain, tb.set_commodity(cobalt))["status"] == "passed"
    assert info(chain, "/commodity/COBALT")["requirements"] == {"customs": 1}
    pid = shipped(chain, commodity="COBALT", qty=1_000, price=30_000 * UNIT)
    # A newly registered verifier may attest; terms stay as they were when the purchase was
    # made even if the catalogue changes.
    newcomer = Key.derive("verifier-new")
    run(chain, BUYER, tb.send(newcomer.address, 10 * UNIT))
    _refused(chain, newcomer, tb.attest(pid, CUSTOMS, True, DOC), Code.NOT_VERIFIER)
    council_decides(chain, tb.register_entity(newcomer.address, tx_pb2.KYC_TIER_BASIC, "DE", 2))
    cobalt.ft_rate_bps = 0
    cobalt.requirements[0].quorum = 3
    council_decides(chain, tb.set_commodity(cobalt))
    res = run(chain, newcomer, tb.attest(pid, CUSTOMS, True, DOC))
    assert res.code == 0, res.log
    assert purchase(chain, pid).ft_issued == 30_000 * UNIT * 300 // 10_000
    # Removing the role removes the right to attest.
    council_decides(chain, tb.update_entity(newcomer.address, tx_pb2.KYC_TIER_BASIC, "DE", 0))
    pid = shipped(chain, commodity="COBALT", qty=1_000, price=UNIT)
    _refused(chain, newcomer, tb.attest(pid, CUSTOMS, True, DOC), Code.NOT_VERIFIER, pid)
    # A bad catalogue entry is refused when proposed.
    bad = tx_pb2.Commodity(code="X", name="x", unit="t", decimals=9, ft_rate_bps=1,
                           requirements=[tx_pb2.Requirement(kind=QUALITY, quorum=1)])
    res = run(chain, COUNCIL[0], tb.propose(tb.set_commodity(bad)))
    assert res.code == Code.TX_INVALID and "decimals" in res.log


def test_purchase_lists_paginate_and_carry_a_proof_per_record(chain: Chain) -> None:
    h = chain.height + 1
    txs = [chain.tx(BUYER, tb.create_purchase(SELLER.address, "BRENT", 1 + i, UNIT,
                                              SOVEREIGN.address, h + 50, h + 60))
           for i in range(5)]
    chain.finalize(txs)
    ids = {tb.purchase_id(t).hex() for t in txs}
    seen: list[str] = []
    after = ""
    while True:
        page = info(chain, f"/purchases/by_seller/{SELLER.bech32}?limit=2&after={after}")
        assert page["role"] == "seller" and len(page["purchases"]) <= 2
        seen += [p["id"] for p in page["purchases"]]
        if page["next"] is None:
            break
        after = page["next"]
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    assert info(chain, f"/purchases/by_buyer/{SELLER.bech32}")["purchases"] == []
    assert info(chain, f"/purchases/by_buyer/{BUYER.bech32}?from={h + 1}")["purchases"] == []

    res = chain.query(f"/purchases/by_buyer/{BUYER.bech32}", prove=True)
    assert res.code == 0 and res.height == chain.height
    app_hash = chain.store.app_hash  # of the queried height (header q + 1 carries it)
    entries = verify_list_proof(res.proof_ops, app_hash, res.value)
    assert sorted(state_pb2.Purchase.FromString(e.value).id.hex() for e in entries) == \
        sorted(ids)
    tampered = state_pb2.KeyValues.FromString(res.value)
    p = state_pb2.Purchase.FromString(tampered.entries[0].value)
    p.value += 1
    tampered.entries[0].value = p.SerializeToString()
    with pytest.raises(ProofError):
        verify_list_proof(res.proof_ops, app_hash, tampered.SerializeToString())

    one = chain.query(f"/purchase/{sorted(ids)[0]}", prove=True, height=res.height)
    verify_proof(one.proof_ops, app_hash, "trade", one.key, one.value)


def test_a_proven_list_page_is_small(chain: Chain) -> None:
    # Proofs run on the query connection, which shares the application with consensus.
    h = chain.height + 1
    chain.finalize([chain.tx(BUYER, tb.create_purchase(SELLER.address, "BRENT", 1 + i, UNIT,
                                                       SOVEREIGN.address, h + 50, h + 60))
                    for i in range(MAX_PROVEN_LIMIT + 5)])
    path = f"/purchases/by_buyer/{BUYER.bech32}?limit=500"
    assert len(info(chain, path)["purchases"]) == MAX_PROVEN_LIMIT + 5
    res = chain.query(path, prove=True)
    page = json.loads(res.info)
    assert len(page["purchases"]) == MAX_PROVEN_LIMIT and page["next"] is not None
    assert len(res.proof_ops.ops) == 2 * MAX_PROVEN_LIMIT


def test_bad_trade_query_paths_answer_codes(chain: Chain) -> None:
    assert chain.query("/purchase/zz").code == Code.QUERY_BAD_PATH
    assert chain.query("/purchase/" + "00" * 16).code == Code.QUERY_NOT_FOUND
    assert chain.query("/verification/" + "00" * 16).code == Code.QUERY_NOT_FOUND
    assert chain.query("/purchases/by_nobody/x").code == Code.QUERY_BAD_PATH
    assert chain.query(f"/purchases/by_buyer/{BUYER.bech32}?limit=x").code == \
        Code.QUERY_BAD_PATH
    assert chain.query(f"/purchases/by_buyer/{BUYER.bech32}?after=00").code == \
        Code.QUERY_BAD_PATH
    assert chain.query("/price/COBALT").code == Code.QUERY_NOT_FOUND
    assert chain.query("/price/bad code").code == Code.QUERY_BAD_PATH
    assert chain.query(f"/sovereign/{BUYER.bech32}").code == Code.QUERY_NOT_FOUND
    assert info(chain, f"/ft/{BUYER.bech32}")["balance"] == "0"
