"""Property tests of staking: random delegations, undelegations, redelegations, withdrawals,
fees, missed blocks and double signing, run by two app instances.

After every block the books hold (``check_books``: supply = all balances, each staking pool
= its records, shares add up, rewards owed within the pool), and both instances answer the
same app hash and validator updates. The election is a pure function of the operators: the
same ranking whatever order they were stored or changed in.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.modules.stake import records
from app.modules.stake.sets import rank
from app.params import UNIT, default_params
from app.pb import state_pb2
from app.tx.builder import delegate, redelegate, send, undelegate, unjail, withdraw_rewards
from tests.app.stake_chain import ALICE, BOB, CONSENSUS, OPERATORS, StakeChain, stake_state

DELEGATORS = [ALICE, BOB, *OPERATORS[:3]]
AMOUNTS = [1, 7, UNIT // 3, 50 * UNIT, 400 * UNIT, 5_000 * UNIT]

op_spec = st.tuples(
    st.sampled_from(["delegate", "undelegate", "redelegate", "withdraw", "fee", "miss",
                     "double_sign", "unjail"]),
    st.integers(0, len(DELEGATORS) - 1),
    st.integers(0, 2), st.integers(0, 2),
    st.sampled_from(AMOUNTS),
)
blocks_strategy = st.lists(st.lists(op_spec, max_size=5), min_size=1, max_size=12)


def _txs(chain: StakeChain, block: list[tuple[str, int, int, int, int]]) -> list[bytes]:
    txs = []
    for kind, who, i, j, amount in block:
        key = DELEGATORS[who]
        a, b = OPERATORS[i].address, OPERATORS[j].address
        if kind == "delegate":
            txs.append(chain.tx(key, delegate(a, amount)))
        elif kind == "undelegate":
            txs.append(chain.tx(key, undelegate(a, amount)))
        elif kind == "redelegate" and a != b:
            txs.append(chain.tx(key, redelegate(a, b, amount)))
        elif kind == "withdraw":
            txs.append(chain.tx(key, withdraw_rewards()))
        elif kind == "fee":
            txs.append(chain.tx(key, send(BOB.address, 1), fee=amount % (3 * UNIT) + 10_000))
        elif kind == "unjail":
            txs.append(chain.tx(OPERATORS[i], unjail()))
    return txs


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks_strategy)
def test_random_staking_keeps_the_books_and_two_instances_agree(blocks) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        one = StakeChain(Path(d) / "one")
        two = StakeChain(Path(d) / "two")
        try:
            for block in blocks:
                for kind, _, i, _, _ in block:
                    key = CONSENSUS[i].public_key
                    for c in (one, two):
                        if kind == "miss":
                            c.absent ^= {key}
                        elif kind == "double_sign" and c.height:
                            c.double_sign(CONSENSUS[i], c.height)
                txs = _txs(one, block)
                two.nonces = dict(one.nonces)
                r1 = one.finalize(txs)
                r2 = two.finalize(txs)
                assert r1.app_hash == r2.app_hash
                assert list(r1.validator_updates) == list(r2.validator_updates)
                assert [r.code for r in r1.tx_results] == [r.code for r in r2.tx_results]
                assert one.cometbft_set()  # never empty
        finally:
            one.app.close()
            two.app.close()


class _Store:
    """Operators in a dict, iterated in the order given (a KV for ``rank``)."""

    def __init__(self, ops: list[state_pb2.Operator]) -> None:
        self.ops = ops

    def iterate(self, shard: str, prefix: bytes = b"", **_: object):  # type: ignore[no-untyped-def]
        for op in self.ops:
            yield records.OPERATOR_PREFIX + op.address, op.SerializeToString()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.binary(min_size=20, max_size=20), st.integers(0, 10**9),
                          st.booleans()), min_size=1, max_size=40, unique_by=lambda t: t[0]),
       st.randoms())
def test_ranking_is_by_stake_then_address_whatever_the_order(ops_spec, rnd) -> None:  # type: ignore[no-untyped-def]
    p = default_params()
    p.primary_slots, p.secondary_slots = 5, 7
    ops = [state_pb2.Operator(address=a, tokens=t * UNIT // 1000, jailed=j, pub_key=a + a[:12])
           for a, t, j in ops_spec]
    shuffled = list(ops)
    rnd.shuffle(shuffled)
    first = rank(_Store(ops), p)  # type: ignore[arg-type]
    second = rank(_Store(shuffled), p)  # type: ignore[arg-type]
    assert [[o.address for o in tier] for tier in first] == \
        [[o.address for o in tier] for tier in second]
    primaries, secondaries = first
    ranked = primaries + secondaries
    assert all(not o.jailed and o.tokens for o in ranked)
    assert [(-o.tokens, o.address) for o in ranked] == sorted((-o.tokens, o.address)
                                                              for o in ranked)
    assert len(primaries) <= 5 and len(secondaries) <= 7


def test_the_genesis_state_is_the_same_on_two_instances(tmp_path: Path) -> None:
    state = stake_state()
    a = StakeChain(tmp_path / "a", state)
    b = StakeChain(tmp_path / "b", state)
    assert a.finalize([]).app_hash == b.finalize([]).app_hash
    a.app.close()
    b.app.close()
