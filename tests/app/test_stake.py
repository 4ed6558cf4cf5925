"""Staking on an in-process chain: genesis operators, election by stake at epoch ends,
rewards from fees, downtime and double-sign slashing, unbonding, the council's override.
Every block also checks the books (``stake_chain.check_books``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from abci.proto import abci as pb
from app.crypto import to_bech32
from app.errors import Code
from app.modules import pt
from app.modules.stake import records
from app.modules.stake.bonds import pending
from app.params import UNIT
from app.tx.builder import (
    create_validator,
    delegate,
    edit_validator,
    jail_validator,
    propose,
    redelegate,
    remove_validator,
    send,
    undelegate,
    unjail,
    vote,
    withdraw_rewards,
)
from tests.app.stake_chain import (
    ALICE,
    BOB,
    CONSENSUS,
    COUNCIL,
    OPERATORS,
    SELF_BOND,
    StakeChain,
)

# Equal self-bonds rank by address: the two lowest addresses are the primaries.
RANKED = sorted(range(3), key=lambda i: OPERATORS[i].address)
P1, P2, S1 = RANKED


@pytest.fixture
def sc(tmp_path: Path) -> Iterator[StakeChain]:
    c = StakeChain(tmp_path / "state")
    c.finalize([])
    yield c
    c.app.close()


def _codes(res: pb.ResponseFinalizeBlock) -> list[int]:
    return [r.code for r in res.tx_results]


def _events(res: pb.ResponseFinalizeBlock, kind: str) -> list[dict[str, str]]:
    out = [e for r in res.tx_results for e in r.events if e.type == kind]
    out += [e for e in res.events if e.type == kind]
    return [{a.key: a.value for a in e.attributes} for e in out]


def _updates(res: pb.ResponseFinalizeBlock) -> dict[bytes, int]:
    return {u.pub_key.ed25519: u.power for u in res.validator_updates}


def _enact(sc: StakeChain, action) -> pb.ResponseFinalizeBlock:  # type: ignore[no-untyped-def]
    res = sc.finalize([sc.tx(COUNCIL[0], propose(action))])
    pid = int(_events(res, "proposal")[0]["id"])
    return sc.finalize([sc.tx(COUNCIL[1], vote(pid, True))])


def test_genesis_operators_are_elected_and_answered_by_init_chain(tmp_path: Path) -> None:
    c = StakeChain(tmp_path / "s")
    c.finalize([])
    power = SELF_BOND // UNIT
    assert c.cometbft_set() == {CONSENSUS[P1].public_key: power,
                                CONSENSUS[P2].public_key: power}
    vals = json.loads(c.query("/validators").info)
    assert sorted(v["pub_key"] for v in vals) == sorted(
        CONSENSUS[i].public_key.hex() for i in (P1, P2))
    assert c.account(OPERATORS[0]).balance == 10_000 * UNIT - SELF_BOND
    c.app.close()


def test_a_delegation_that_outranks_a_primary_moves_it_in_at_the_epoch(sc: StakeChain) -> None:
    res = sc.finalize([sc.tx(ALICE, delegate(OPERATORS[S1].address, 500 * UNIT))])
    assert _codes(res) == [0]
    assert _events(res, "stake")[0]["action"] == "delegate"
    assert sc.operator(S1).tokens == SELF_BOND + 500 * UNIT
    # Not before the epoch ends: power changes only at elections.
    while (sc.height + 1) % 5:
        assert not sc.finalize([]).validator_updates
    res = sc.finalize([])
    # S1 now ranks first; of the equal pair the higher address (P2) drops to secondary.
    assert _updates(res) == {CONSENSUS[S1].public_key: 1_500, CONSENSUS[P2].public_key: 0}
    changes = {e["operator"]: (e["change"], e["tier"]) for e in _events(res, "validator_set")}
    assert changes == {OPERATORS[S1].bech32: ("joined", "primary"),
                       OPERATORS[P2].bech32: ("left", "secondary")}


def test_create_validator_needs_the_role_a_free_key_and_the_self_bond(sc: StakeChain) -> None:
    op3 = OPERATORS[3]
    key = CONSENSUS[3].public_key
    res = sc.finalize([
        sc.tx(ALICE, create_validator(key, "alice", 500, 100, 10 * UNIT)),  # trader only
        sc.tx(op3, create_validator(CONSENSUS[0].public_key, "dup", 500, 100, 10 * UNIT)),
        sc.tx(op3, create_validator(key, "op3", 500, 100, UNIT - 1)),
        sc.tx(op3, create_validator(key, "op3", 500, 100, 2_000 * UNIT)),
        sc.tx(op3, create_validator(key, "op3", 500, 100, 2_000 * UNIT)),
    ])
    assert _codes(res) == [Code.NOT_VALIDATOR_ROLE, Code.CONSENSUS_KEY_IN_USE,
                           Code.SELF_BOND_TOO_LOW, 0, Code.OPERATOR_EXISTS]
    res = sc.to_epoch()
    assert _updates(res)[key] == 2_000
    assert sc.check(sc.tx(op3, create_validator(key, "x" * 65, 0, 0, UNIT))).code \
        == Code.TX_INVALID


def _owed(sc: StakeChain, delegator: bytes, i: int) -> int:
    op = sc.operator(i)
    d = records.get_delegation(sc.store, delegator, op.address)
    return pending(op, d) if d is not None else 0


def test_rewards_follow_the_signers_power_commission_and_shares(sc: StakeChain) -> None:
    # ALICE delegates to P1, so P1's rewards split 1,000 (self) : 1,000 (ALICE) after commission.
    sc.finalize([sc.tx(ALICE, delegate(OPERATORS[P1].address, SELF_BOND))])
    sc.to_epoch()  # P1 now has power 2,000, P2 1,000
    before = {i: sc.operator(i).outstanding + sc.operator(i).commission for i in (P1, P2)}
    commission = sc.operator(P1).commission
    owed = {k: _owed(sc, k.address, P1) for k in (ALICE, OPERATORS[P1])}
    fee_tx = sc.tx(BOB, send(ALICE.address, UNIT), fee=3_000_000)
    treasury = sc.account(to_bech32(pt.TREASURY)).balance
    res = sc.finalize([fee_tx])
    reward = _events(res, "reward")[0]
    assert reward["fees"] == "3000000"
    # 10 % community, 10 % of the rest to the secondaries' pool, the rest by power 2:1.
    assert reward["secondaries"] == "270000" and reward["validators"] == "2430000"
    got = {i: sc.operator(i).outstanding + sc.operator(i).commission - before[i] for i in (P1, P2)}
    assert got == {P1: 1_620_000, P2: 810_000}
    assert sc.operator(P1).commission - commission == 162_000
    assert sc.account(to_bech32(pt.TREASURY)).balance == treasury + 300_000
    # Each of P1's two equal delegations earned half of the 1,458,000 after commission.
    for k in (ALICE, OPERATORS[P1]):
        assert _owed(sc, k.address, P1) - owed[k] in (728_999, 729_000)
    expect = {ALICE.bech32: _owed(sc, ALICE.address, P1),
              OPERATORS[P1].bech32: _owed(sc, OPERATORS[P1].address, P1)
              + sc.operator(P1).commission}
    res = sc.finalize([sc.tx(ALICE, withdraw_rewards()), sc.tx(OPERATORS[P1], withdraw_rewards())])
    assert _codes(res) == [0, 0]
    paid = {e["recipient"]: int(e["amount"]) for e in _events(res, "reward")
            if e["kind"] == "withdraw"}
    assert paid == expect
    assert sc.operator(P1).commission < 1_000_000  # only this block's, paid after the txs


def test_secondaries_are_paid_their_pool_at_the_election(sc: StakeChain) -> None:
    sc.finalize([sc.tx(BOB, send(ALICE.address, UNIT), fee=1_000_000)])
    pool = 1_000_000 * 9 // 10 // 10
    before = sc.operator(S1).outstanding + sc.operator(S1).commission
    sc.to_epoch()
    assert sc.operator(S1).outstanding + sc.operator(S1).commission - before == pool


def test_downtime_jails_slashes_replaces_and_unjail_returns(sc: StakeChain) -> None:
    sc.absent = {CONSENSUS[P1].public_key}
    res = None
    for _ in range(5):  # max_missed_blocks is 4: the fifth miss jails
        assert not sc.operator(P1).jailed
        res = sc.finalize([])
    assert res is not None
    op = sc.operator(P1)
    assert op.jailed and not op.tombstoned
    assert op.tokens == SELF_BOND - SELF_BOND // 100
    assert _events(res, "slash")[0]["reason"] == "downtime"
    assert _updates(res) == {CONSENSUS[P1].public_key: 0}
    sc.absent = set()
    jailed_until = op.jailed_until
    res = sc.to_epoch()  # the best secondary takes the free seat
    assert _updates(res) == {CONSENSUS[S1].public_key: 1_000}
    early = sc.finalize([sc.tx(OPERATORS[P1], unjail())])
    assert sc.height < jailed_until and _codes(early) == [Code.STILL_JAILED]
    while sc.height + 1 < jailed_until:
        sc.finalize([])
    assert _codes(sc.finalize([sc.tx(OPERATORS[P1], unjail())])) == [0]
    # Back as a candidate; it ranks below the other two (slashed), so a delegation lifts it.
    sc.finalize([sc.tx(ALICE, delegate(OPERATORS[P1].address, 100 * UNIT))])
    res = sc.to_epoch()
    assert _updates(res)[CONSENSUS[P1].public_key] == (SELF_BOND - SELF_BOND // 100) // UNIT + 100


def test_double_sign_slashes_bonded_and_unbonding_stake_and_tombstones(sc: StakeChain) -> None:
    sc.finalize([sc.tx(ALICE, delegate(OPERATORS[P2].address, 200 * UNIT))])
    infraction = sc.height + 1
    sc.finalize([sc.tx(ALICE, undelegate(OPERATORS[P2].address, 100 * UNIT))])
    alice_before = sc.balance(ALICE)
    sc.double_sign(CONSENSUS[P2], infraction)
    res = sc.finalize([])
    slash = _events(res, "slash")[0]
    assert slash["reason"] == "double_sign"
    bonded = SELF_BOND + 100 * UNIT
    assert int(slash["amount"]) == bonded * 5 // 100 + 100 * UNIT * 5 // 100
    op = sc.operator(P2)
    assert op.tombstoned and op.jailed and op.tokens == bonded - bonded * 5 // 100
    assert _updates(res) == {CONSENSUS[P2].public_key: 0}
    # Evidence again changes nothing; unjail never works.
    sc.double_sign(CONSENSUS[P2], infraction)
    assert not _events(sc.finalize([]), "slash")
    assert _codes(sc.finalize([sc.tx(OPERATORS[P2], unjail())])) == [Code.OPERATOR_TOMBSTONED]
    assert sc.check(sc.tx(BOB, delegate(OPERATORS[P2].address, UNIT))).code \
        == Code.OPERATOR_TOMBSTONED
    # The unbonding comes back at its completion height, minus the slash.
    while sc.height < infraction + 10:
        res = sc.finalize([])
    done = [e for e in _events(res, "stake") if e["action"] == "complete_unbonding"]
    assert done and int(done[0]["amount"]) == 95 * UNIT
    assert sc.balance(ALICE) - alice_before == 95 * UNIT


def test_undelegated_pt_returns_exactly_after_unbonding_blocks(sc: StakeChain) -> None:
    start = sc.balance(ALICE)
    res = sc.finalize([sc.tx(ALICE, delegate(OPERATORS[S1].address, 300 * UNIT))])
    fee1 = start - sc.balance(ALICE) - 300 * UNIT
    res = sc.finalize([sc.tx(ALICE, undelegate(OPERATORS[S1].address, 300 * UNIT))])
    created = sc.height
    ev = [e for e in _events(res, "stake") if e["action"] == "undelegate"][0]
    assert ev["completion_height"] == str(created + 10) and ev["amount"] == str(300 * UNIT)
    after_undelegate = sc.balance(ALICE)
    while sc.height < created + 9:
        sc.finalize([])
        assert sc.balance(ALICE) == after_undelegate
    sc.finalize([])
    assert sc.balance(ALICE) == after_undelegate + 300 * UNIT
    assert fee1 > 0


def test_undelegate_and_redelegate_limits(sc: StakeChain) -> None:
    a, b = OPERATORS[S1].address, OPERATORS[P1].address
    res = sc.finalize([
        sc.tx(ALICE, undelegate(a, UNIT)),  # no delegation
        sc.tx(ALICE, delegate(a, 10 * UNIT)),
        sc.tx(ALICE, undelegate(a, 11 * UNIT)),  # worth less
        sc.tx(ALICE, redelegate(a, b, 4 * UNIT)),
        sc.tx(ALICE, redelegate(b, a, UNIT)),  # b's stake from a is still maturing
        sc.tx(ALICE, delegate(OPERATORS[3].address, UNIT)),  # not an operator
    ])
    assert _codes(res) == [Code.DELEGATION_NOT_FOUND, 0, Code.INSUFFICIENT_STAKE, 0,
                           Code.REDELEGATION_IN_PROGRESS, Code.OPERATOR_NOT_FOUND]
    txs = [sc.tx(ALICE, undelegate(a, UNIT // 2)) for _ in range(8)]
    assert _codes(sc.finalize(txs)) == [0] * 7 + [Code.TOO_MANY_ENTRIES]
    assert sc.check(sc.tx(ALICE, redelegate(a, a, UNIT))).code == Code.TX_INVALID
    assert sc.check(sc.tx(ALICE, send(pt.BONDED, UNIT))).code == Code.TX_INVALID


def test_the_last_share_leaving_sweeps_the_residue_to_the_treasury(sc: StakeChain) -> None:
    op = OPERATORS[S1]
    sc.finalize([sc.tx(ALICE, delegate(op.address, 3))])
    res = sc.finalize([sc.tx(op, undelegate(op.address, SELF_BOND)),
                       sc.tx(ALICE, undelegate(op.address, 3))])
    assert _codes(res) == [0, 0]
    o = sc.operator(S1)
    assert o.shares == 0 and o.tokens == 0 and o.outstanding == 0


def test_council_override_jails_or_removes_at_once(sc: StakeChain) -> None:
    res = _enact(sc, jail_validator(OPERATORS[P1].address))
    assert _events(res, "proposal")[-1]["status"] == "passed"
    shown = json.loads(sc.query("/proposal/1").info)["action"]
    assert shown == {"type": "jail_validator", "operator": OPERATORS[P1].bech32}
    assert _updates(res) == {CONSENSUS[P1].public_key: 0}
    assert sc.operator(P1).jailed and sc.operator(P1).tokens == SELF_BOND  # no slash
    res = _enact(sc, remove_validator(OPERATORS[P2].address))
    # P2 is the last validator in CometBFT's set: the override refuses to empty it.
    assert _events(res, "proposal")[-1]["status"] == "failed"
    sc.to_epoch()  # the election fills the free seat
    assert sc.cometbft_set() == {CONSENSUS[S1].public_key: 1_000,
                                 CONSENSUS[P2].public_key: 1_000}
    res = _enact(sc, remove_validator(OPERATORS[P2].address))
    assert _events(res, "proposal")[-1]["status"] == "passed"
    assert sc.operator(P2).tombstoned and _updates(res) == {CONSENSUS[P2].public_key: 0}


def test_queries_rank_validators_and_show_delegations_and_rewards(sc: StakeChain) -> None:
    sc.finalize([sc.tx(ALICE, delegate(OPERATORS[S1].address, 10 * UNIT))])
    sc.finalize([sc.tx(ALICE, undelegate(OPERATORS[S1].address, 4 * UNIT)),
                 sc.tx(BOB, send(ALICE.address, UNIT), fee=2_000_000)])
    sc.finalize([])
    vals = json.loads(sc.query("/stake/validators").info)["validators"]
    assert [(v["rank"], v["tier"]) for v in vals] == [(1, "primary"), (2, "primary"),
                                                      (3, "secondary")]
    assert vals[0]["power"] == 1_000 and vals[2]["power"] == 0
    assert vals[2]["operator"] == OPERATORS[S1].bech32 and vals[2]["stake"] == str(1_006 * UNIT)
    d = json.loads(sc.query(f"/stake/delegations/{ALICE.bech32}").info)
    assert d["delegations"] == [{"operator": OPERATORS[S1].bech32, "moniker": f"op{S1}",
                                 "shares": str(6 * UNIT), "amount": str(6 * UNIT)}]
    assert d["unbonding"][0]["balance"] == str(4 * UNIT)
    r = json.loads(sc.query(f"/stake/rewards/{OPERATORS[P1].bech32}").info)
    assert int(r["total"]) > 0 and int(r["commission"]) > 0
    one = json.loads(sc.query(f"/stake/validator/{OPERATORS[P1].bech32}").info)
    assert one["tier"] == "primary" and one["commission_bps"] == 1_000
    p = json.loads(sc.query("/stake/params").info)
    assert p["epoch_blocks"] == 5 and p["power_reduction"] == str(UNIT)
    assert sc.query(f"/stake/validator/{ALICE.bech32}").code == Code.QUERY_NOT_FOUND
    assert sc.query("/stake/nothing").code == Code.QUERY_BAD_PATH
    proven = sc.query("/stake/validators", prove=True)
    assert proven.code == 0 and len(proven.proof_ops.ops) == 6


def test_commission_moves_by_at_most_max_change_once_per_epoch(sc: StakeChain) -> None:
    op = OPERATORS[P1]  # commission 1,000 bps, max change 100
    res = sc.finalize([sc.tx(op, edit_validator("", 1_150)),
                       sc.tx(op, edit_validator("renamed", 1_100)),
                       sc.tx(op, edit_validator("", 1_050)),
                       sc.tx(ALICE, edit_validator("", 0))])
    assert _codes(res) == [Code.COMMISSION_CHANGE, 0, Code.COMMISSION_CHANGE,
                           Code.OPERATOR_NOT_FOUND]
    o = sc.operator(P1)
    assert o.commission_bps == 1_100 and o.moniker == "renamed"
    for _ in range(5):
        sc.finalize([])
    assert _codes(sc.finalize([sc.tx(op, edit_validator("", 1_050))])) == [0]
    assert sc.check(sc.tx(op, edit_validator("", 10_001))).code == Code.TX_INVALID


def test_an_operator_below_its_min_self_bond_is_jailed(sc: StakeChain) -> None:
    op = OPERATORS[P1]
    res = sc.finalize([sc.tx(op, undelegate(op.address, SELF_BOND - UNIT // 2))])
    assert _codes(res) == [0]
    assert sc.operator(P1).jailed and _updates(res) == {CONSENSUS[P1].public_key: 0}
    assert _codes(sc.finalize([sc.tx(op, unjail())])) == [Code.SELF_BOND_TOO_LOW]
    sc.finalize([sc.tx(op, delegate(op.address, 10 * UNIT))])
    assert _codes(sc.finalize([sc.tx(op, unjail())])) == [0]
