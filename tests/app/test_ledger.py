"""Ante checks and PT messages through the ABCI calls: every refusal has its code, changes
nothing it should not, and the app keeps serving afterwards."""

from __future__ import annotations

from app.crypto import to_bech32
from app.errors import Code
from app.modules.pt import TREASURY
from app.params import MAX_SUPPLY, UNIT
from app.tx.builder import multi_send, send
from tests.app.chain import ALICE, BOB, CAROL, DAVE, Chain


def _codes(res) -> list[int]:
    return [r.code for r in res.tx_results]


def _attrs(ev) -> dict[str, str]:
    return {a.key: a.value for a in ev.attributes}


def test_send_moves_pt_and_pays_the_fee_to_the_treasury(chain: Chain) -> None:
    t0, a0, b0 = chain.supply()["treasury"], chain.balance(ALICE), chain.balance(BOB)
    raw = chain.tx(ALICE, send(BOB.address, 5 * UNIT))
    assert chain.check(raw).code == 0
    included, res = chain.propose([raw])
    assert included == [raw] and _codes(res) == [0]
    fee = int(_attrs(res.tx_results[0].events[0])["amount"])
    assert fee == 1_000 + 10 * len(raw)
    assert chain.balance(ALICE) == a0 - 5 * UNIT - fee
    assert chain.balance(BOB) == b0 + 5 * UNIT
    assert int(chain.supply()["treasury"]) == int(t0) + fee
    assert chain.account(ALICE).nonce == 1
    kinds = [e.type for e in res.tx_results[0].events]
    assert kinds == ["fee", "transfer"]
    transfer = res.tx_results[0].events[1]
    assert _attrs(transfer) == {"sender": ALICE.bech32, "recipient": BOB.bech32,
                                "amount": str(5 * UNIT)}
    assert {a.key: a.index for a in transfer.attributes} == {
        "sender": True, "recipient": True, "amount": False}


def test_consecutive_nonces_in_one_block_via_the_check_state(chain: Chain) -> None:
    txs = [chain.tx(ALICE, send(BOB.address, UNIT)) for _ in range(5)]
    assert [chain.check(t).code for t in txs] == [0] * 5
    included, res = chain.propose(txs)
    assert included == txs and _codes(res) == [0] * 5
    assert chain.account(ALICE).nonce == 5


def test_nonce_replay_and_future_nonce(chain: Chain) -> None:
    raw = chain.tx(ALICE, send(BOB.address, UNIT))
    chain.finalize([raw])
    replay = chain.check(raw)
    assert replay.code == Code.NONCE_TOO_LOW
    future = chain.check(chain.tx(ALICE, send(BOB.address, UNIT), nonce=5))
    assert future.code == Code.NONCE_TOO_HIGH and "expected 1" in future.log
    # In a block, a replay changes nothing, not even the fee.
    before = chain.balance(ALICE)
    res = chain.finalize([raw])
    assert _codes(res) == [Code.NONCE_TOO_LOW] and chain.balance(ALICE) == before


def test_fee_too_low_and_unpayable_fee(chain: Chain) -> None:
    low = chain.tx(ALICE, send(BOB.address, UNIT), fee=1_000, nonce=0)
    res = chain.check(low)
    assert res.code == Code.FEE_TOO_LOW and "minimum" in res.log
    broke = chain.tx(DAVE, send(BOB.address, 1), nonce=0)  # DAVE has no PT at all
    assert chain.check(broke).code == Code.INSUFFICIENT_FEE_FUNDS
    res = chain.finalize([low, broke])
    assert _codes(res) == [Code.FEE_TOO_LOW, Code.INSUFFICIENT_FEE_FUNDS]
    assert chain.account(DAVE).nonce == 0 and chain.account(ALICE).nonce == 0


def test_failed_message_still_pays_fee_and_uses_nonce(chain: Chain) -> None:
    # CAROL holds 10 PT; sending 50 fails, but in a block she still pays the fee.
    raw = chain.tx(CAROL, send(BOB.address, 50 * UNIT))
    assert chain.check(raw).code == Code.INSUFFICIENT_FUNDS  # kept out of the mempool
    before = chain.balance(CAROL)
    res = chain.finalize([raw])
    assert _codes(res) == [Code.INSUFFICIENT_FUNDS]
    assert [e.type for e in res.tx_results[0].events] == ["fee"]
    assert chain.balance(CAROL) == before - (1_000 + 10 * len(raw))
    assert chain.account(CAROL).nonce == 1


def test_timeout_height(chain: Chain) -> None:
    raw = chain.tx(ALICE, send(BOB.address, UNIT), timeout_height=chain.height)
    assert chain.check(raw).code == Code.TX_TIMEOUT
    ok = chain.tx(ALICE, send(BOB.address, UNIT), nonce=0, timeout_height=chain.height + 1)
    assert chain.check(ok).code == 0


def test_amount_above_max_supply_is_an_overflow(chain: Chain) -> None:
    raw = chain.tx(ALICE, send(BOB.address, MAX_SUPPLY + 1))
    assert chain.check(raw).code == Code.AMOUNT_TOO_LARGE
    outs = [(BOB.address, MAX_SUPPLY), (CAROL.address, MAX_SUPPLY)]
    raw = chain.tx(ALICE, multi_send(outs), nonce=0)
    assert chain.check(raw).code == Code.AMOUNT_TOO_LARGE


def test_tier_limits(chain: Chain) -> None:
    # BOB is basic: 10,000 PT per transfer. CAROL has no tier: 1,000 PT.
    assert chain.check(chain.tx(BOB, send(ALICE.address, 10_000 * UNIT))).code == 0
    res = chain.check(chain.tx(BOB, send(ALICE.address, 10_000 * UNIT + 1)))
    assert res.code == Code.TIER_LIMIT and "basic" in res.log
    # The limit holds for a MultiSend's total, not just each output.
    split = multi_send([(ALICE.address, 6_000 * UNIT), (CAROL.address, 6_000 * UNIT)])
    assert chain.check(chain.tx(BOB, split, nonce=1)).code == Code.TIER_LIMIT


def test_multisend(chain: Chain) -> None:
    b0, c0 = chain.balance(BOB), chain.balance(CAROL)
    raw = chain.tx(ALICE, multi_send([(BOB.address, 2 * UNIT), (CAROL.address, 3 * UNIT)]))
    included, res = chain.propose([raw])
    assert _codes(res) == [0]
    assert [e.type for e in res.tx_results[0].events] == ["fee", "transfer", "transfer"]
    assert chain.balance(BOB) == b0 + 2 * UNIT and chain.balance(CAROL) == c0 + 3 * UNIT


def test_multisend_limits(chain: Chain) -> None:
    too_many = multi_send([(BOB.address, 1)] * 6)  # params allow 5 outputs
    assert chain.check(chain.tx(ALICE, too_many)).code == Code.TOO_MANY_OUTPUTS
    from app.pb import tx_pb2

    mismatch = tx_pb2.Msg(multi_send=tx_pb2.MsgMultiSend(
        input=5, outputs=[tx_pb2.Output(address=BOB.address, amount=4)]))
    res = chain.check(chain.tx(ALICE, mismatch, nonce=0))
    assert res.code == Code.TX_INVALID and "sum" in res.log


def test_invalid_addresses_and_zero_amounts(chain: Chain) -> None:
    assert chain.check(chain.tx(ALICE, send(b"short", 1))).code == Code.TX_INVALID
    assert chain.check(chain.tx(ALICE, send(BOB.address, 0), nonce=0)).code == Code.TX_INVALID


def test_send_to_self_nets_to_the_fee(chain: Chain) -> None:
    a0 = chain.balance(ALICE)
    raw = chain.tx(ALICE, send(ALICE.address, 7 * UNIT))
    _, res = chain.propose([raw])
    assert _codes(res) == [0]
    assert chain.balance(ALICE) == a0 - (1_000 + 10 * len(raw))


def test_treasury_receives_fees_even_from_new_accounts(chain: Chain) -> None:
    # A fresh account funded in one block pays fees in the next.
    chain.finalize([chain.tx(ALICE, send(DAVE.address, 10 * UNIT))])
    t0 = int(chain.supply()["treasury"])
    raw = chain.tx(DAVE, send(BOB.address, UNIT))
    _, res = chain.propose([raw])
    assert _codes(res) == [0]
    assert int(chain.supply()["treasury"]) == t0 + 1_000 + 10 * len(raw)
    assert chain.account(to_bech32(TREASURY)).balance == t0 + 1_000 + 10 * len(raw)


def test_wrong_chain_id_is_a_bad_signature(chain: Chain) -> None:
    raw = chain.tx(ALICE, send(BOB.address, UNIT), chain_id="another-chain", nonce=0)
    res = chain.check(raw)
    assert res.code == Code.BAD_SIGNATURE and "chain id" in res.log
    assert [r.code for r in chain.finalize([raw]).tx_results] == [Code.BAD_SIGNATURE]
    assert chain.account(ALICE).nonce == 0


def test_every_refusal_leaves_the_node_serving(chain: Chain) -> None:
    bad = [
        b"\x01\x02",
        chain.tx(ALICE, send(BOB.address, UNIT), chain_id="x", nonce=0),
        chain.tx(ALICE, send(BOB.address, UNIT), nonce=3),
        chain.tx(ALICE, send(BOB.address, UNIT), nonce=0, fee=1),
        chain.tx(ALICE, send(BOB.address, MAX_SUPPLY + 1), nonce=0),
        chain.tx(CAROL, send(BOB.address, 1_000 * UNIT), nonce=0),
    ]
    for raw in bad:
        assert chain.check(raw).code != 0
    res = chain.finalize(bad)
    assert all(r.code for r in res.tx_results)
    good = chain.tx(ALICE, send(BOB.address, UNIT), nonce=0)
    assert chain.check(good).code == 0
    _, res = chain.propose([good])
    assert [r.code for r in res.tx_results] == [0]
