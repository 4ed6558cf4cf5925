"""Property tests: random blocks of random txs, run by two app instances.

Invariants at every height: the supply equals the sum of all balances (the treasury's
included), nonces advance by exactly the txs that were charged, and both instances (one
finalizing directly, one verifying the proposal first and reusing it) agree on the app hash.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci.proto import abci as pb
from app.crypto import Key
from app.errors import refused
from app.modules import pt
from app.params import MAX_SUPPLY, UNIT
from app.pb import state_pb2
from app.tx.builder import burn, mint, multi_send, propose, send, vote
from app.tx.codec import decode_tx
from tests.app.chain import ALICE, BOB, CAROL, COUNCIL, DAVE, Chain

SENDERS = [ALICE, BOB, CAROL, DAVE, COUNCIL[0], COUNCIL[1]]
RECIPIENTS = [k.address for k in (ALICE, BOB, CAROL, DAVE)] + [Key.derive("eve").address]

tx_spec = st.tuples(
    st.integers(0, len(SENDERS) - 1),  # sender
    st.sampled_from(["send", "multi", "mint", "burn", "vote", "junk"]),
    st.integers(0, len(RECIPIENTS) - 1),  # recipient
    st.sampled_from([1, UNIT, 7 * UNIT, 20_000 * UNIT, 10**12 * UNIT, MAX_SUPPLY]),  # amount
    st.sampled_from([0, 0, 0, 0, -1, 1]),  # nonce offset: mostly right, sometimes replay/future
)
blocks_strategy = st.lists(st.lists(tx_spec, max_size=8), min_size=1, max_size=6)


def _sum_balances(chain: Chain) -> int:
    return sum(state_pb2.Account.FromString(v).balance
               for _, v in chain.store.iterate(pt.SHARD, pt.ACCOUNT_PREFIX))


def _make_tx(chain: Chain, spec: tuple[int, str, int, int, int]) -> bytes:
    s, kind, r, amount, off = spec
    key = SENDERS[s]
    nonce = max(chain.account(key).nonce + off, 0)
    if kind == "junk":
        return b"\x0a\x03abc" + bytes([s, r])
    msg = {
        "send": lambda: send(RECIPIENTS[r], amount),
        "multi": lambda: multi_send([(RECIPIENTS[r], amount), (RECIPIENTS[(r + 1) % 5], 1)]),
        "mint": lambda: propose(mint(amount)),
        "burn": lambda: propose(burn(amount)),
        "vote": lambda: vote(1 + r % 3, True),
    }[kind]()
    return chain.tx(key, msg, nonce=nonce)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(blocks_strategy)
def test_random_blocks_keep_supply_nonces_and_agree_on_the_app_hash(blocks) -> None:
    with tempfile.TemporaryDirectory() as d:
        a, b = Chain(Path(d) / "a"), Chain(Path(d) / "b")
        try:
            a.finalize([])
            b.finalize([])
            for block in blocks:
                # Nonces for this block: each tx sees the nonce after the earlier ones.
                txs = []
                expected_nonces = {k.address: a.account(k).nonce for k in SENDERS}
                for spec in block:
                    raw = _make_tx(a, spec)
                    txs.append(raw)
                    a.nonces.clear()
                ra = a.finalize(txs)
                h = b._header()
                b.app.process_proposal(pb.RequestProcessProposal(txs=txs, **h))
                rb = b.app.finalize_block(pb.RequestFinalizeBlock(txs=txs, **h))
                b.app.commit(pb.RequestCommit())
                assert ra.app_hash == rb.app_hash
                assert [r.code for r in ra.tx_results] == [r.code for r in rb.tx_results]
                assert a.store.app_hash == b.store.app_hash
                # Supply = every balance, the treasury's included.
                supply = int(a.supply()["total"])
                assert supply == _sum_balances(a) <= MAX_SUPPLY
                # Nonces advance by the txs that were charged (accepted or failed message).
                for raw, res in zip(txs, ra.tx_results, strict=True):
                    if res.code == 0 or not refused(res.code):
                        signer = _signer(raw)
                        expected_nonces[signer] += 1
                for k in SENDERS:
                    assert a.account(k).nonce == expected_nonces[k.address]
        finally:
            a.app.close()
            b.app.close()


def _signer(raw: bytes) -> bytes:
    return decode_tx(raw).signer


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(blocks_strategy)
def test_built_verified_and_finalized_blocks_give_the_same_results(blocks) -> None:
    """The proposer (PrepareProposal, then FinalizeBlock reusing it), a validator
    (ProcessProposal, then FinalizeBlock reusing it) and a replaying node (FinalizeBlock
    alone) answer byte-identical FinalizeBlock responses: results, events, app hash."""
    with tempfile.TemporaryDirectory() as d:
        p, v, f = (Chain(Path(d) / n) for n in "pvf")
        try:
            for c in (p, v, f):
                c.finalize([])
            for block in blocks:
                offered = []
                for spec in block:
                    offered.append(_make_tx(p, spec))
                    p.nonces.clear()
                h = p._header()
                for c in (v, f):
                    c._header()
                kept = list(p.app.prepare_proposal(pb.RequestPrepareProposal(
                    txs=offered, max_tx_bytes=1 << 20, **h)).txs)
                status = v.app.process_proposal(pb.RequestProcessProposal(txs=kept, **h))
                assert status.status == pb.ResponseProcessProposal.ACCEPT
                answers = []
                for c in (p, v, f):
                    res = c.app.finalize_block(pb.RequestFinalizeBlock(txs=kept, **h))
                    c.app.commit(pb.RequestCommit())
                    answers.append(res.SerializeToString(deterministic=True))
                    assert all(r.code == 0 for r in res.tx_results)  # built: all succeed
                assert answers[0] == answers[1] == answers[2]
        finally:
            for c in (p, v, f):
                c.app.close()
