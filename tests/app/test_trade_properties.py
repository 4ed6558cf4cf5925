"""Property tests of the trade modules: random blocks of purchase steps, attestations, disputes,
rulings, conversions, prices and transfers, run by two app instances.

After every block: PT is conserved counting escrow (user balances + the value of every open
purchase + treasury + reserve = supply, and the escrow account holds exactly the open values);
FT supply = issued - converted = the sovereigns' balances, and the issuance and conversion
records add up to the totals; a purchase in a terminal state never changes again; both
instances (one finalizing directly, one verifying the proposal first) agree on the app hash.
Separately: for random submissions over random rounds, the published price follows the median
rule, the 2/3 quorum, the suspect bound and staleness of a reference model.
"""

from __future__ import annotations

import math
import statistics
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from abci.proto import abci as pb
from app.modules import ft, gov, pt, trade
from app.params import UNIT
from app.pb import state_pb2, tx_pb2
from app.tx import builder as tb
from tests.app.chain import COUNCIL, Chain
from tests.app.trade_chain import (
    BUYER,
    DOC,
    MAX_AGE,
    ORACLES,
    OUTSIDER,
    ROUND,
    SELLER,
    SOVEREIGN,
    VERIFIERS,
    events,
    info,
    new_chain,
)

TRADERS = [BUYER, SELLER]
ALL_KEYS = [*TRADERS, *VERIFIERS, *ORACLES, SOVEREIGN, OUTSIDER, *COUNCIL]
KINDS = [tx_pb2.VERIFICATION_KIND_SHIPPING, tx_pb2.VERIFICATION_KIND_SHIPPING,
         tx_pb2.VERIFICATION_KIND_QUALITY]
TERMINAL = {state_pb2.PURCHASE_STATUS_SETTLED, state_pb2.PURCHASE_STATUS_REJECTED,
            state_pb2.PURCHASE_STATUS_EXPIRED, state_pb2.PURCHASE_STATUS_REFUNDED}

recent = st.integers(0, 3)  # which purchase: 0 is the newest
right = st.sampled_from([True, True, True, True, False])  # mostly the party the step is for
op = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), st.sampled_from(["BRENT", "WHEAT"]),
              st.integers(1, 3_000), st.integers(1, 4), st.integers(0, 4)),
    st.tuples(st.just("ship"), recent, right),
    st.tuples(st.just("attest"), recent, st.integers(0, 2), st.integers(0, 2),
              st.sampled_from([True, True, False])),
    st.tuples(st.just("attest"), recent, st.integers(0, 2), st.integers(0, 2),
              st.sampled_from([True, True, False])),
    st.tuples(st.just("dispute"), recent, right),
    st.tuples(st.just("rule"), recent, st.booleans()),
    st.tuples(st.just("convert"), st.integers(1, 400 * UNIT)),
    st.tuples(st.just("price"), st.integers(0, 2), st.integers(1, 200)),
    st.tuples(st.just("send"), st.integers(0, 1), st.integers(1, 5_000)),
)
blocks_strategy = st.lists(st.lists(op, max_size=8), min_size=1, max_size=12)


class Run:
    """Turns abstract steps into signed txs for the next block, tracking ids and nonces."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.made: list[tuple[bytes, int]] = []  # purchase id, buyer index
        self.disputed: list[bytes] = []
        self.next_proposal = 1

    def new_block(self) -> None:
        """Nonces and the next proposal id from the committed state (a refused tx uses none)."""
        c = self.chain
        c.nonces = {k.address: c.account(k).nonce for k in ALL_KEYS}
        raw = c.store.get(gov.SHARD, gov.NEXT_PROPOSAL_KEY)
        self.next_proposal = int.from_bytes(raw, "big") if raw else 1

    def _pick(self, i: int) -> tuple[bytes, int]:
        return self.made[-1 - i % len(self.made)] if self.made else (b"\x00" * 16, 0)

    def txs(self, step: tuple[Any, ...]) -> list[bytes]:
        c = self.chain
        kind = step[0]
        h = c.height + 1
        if kind == "create":
            _, b, commodity, qty, ship, extra = step
            buyer, seller = TRADERS[b], TRADERS[1 - b]
            raw = c.tx(buyer, tb.create_purchase(seller.address, commodity, qty, UNIT,
                                                 SOVEREIGN.address, h + ship, h + ship + extra))
            self.made.append((tb.purchase_id(raw), b))
            return [raw]
        if kind == "ship":
            pid, b = self._pick(step[1])
            return [c.tx(TRADERS[1 - b if step[2] else b], tb.confirm_shipment(pid, [DOC]))]
        if kind == "attest":
            _, i, v, k, ok = step
            return [c.tx(VERIFIERS[v], tb.attest(self._pick(i)[0], KINDS[k], ok, DOC))]
        if kind == "dispute":
            pid, b = self._pick(step[1])
            self.disputed.append(pid)
            return [c.tx(TRADERS[b if step[2] else 1 - b], tb.dispute(pid, "reason"))]
        if kind == "rule":
            pid = self.disputed[-1 - step[1] % len(self.disputed)] if self.disputed \
                else b"\x00" * 16
            self.next_proposal += 1
            return [c.tx(COUNCIL[0], tb.propose(tb.resolve_dispute(pid, step[2]))),
                    c.tx(COUNCIL[1], tb.vote(self.next_proposal - 1, True))]
        if kind == "convert":
            return [c.tx(SOVEREIGN, tb.convert_ft(step[1]))]
        if kind == "price":
            rnd = h // ROUND
            return [c.tx(ORACLES[step[1]], tb.submit_price("BRENT", rnd, step[2] * UNIT))]
        return [c.tx(TRADERS[step[1]], tb.send(OUTSIDER.address, step[2] * UNIT))]


def _check_invariants(chain: Chain, terminal: dict[bytes, bytes]) -> None:
    store = chain.store
    balances = {k[len(pt.ACCOUNT_PREFIX):]: state_pb2.Account.FromString(v).balance
                for k, v in store.iterate(pt.SHARD, pt.ACCOUNT_PREFIX)}
    supply = pt.get_supply(store)
    open_value = 0
    for _, raw in store.iterate(trade.SHARD, trade.PURCHASE_PREFIX):
        p = state_pb2.Purchase.FromString(raw)
        if p.status in TERMINAL:
            if p.id in terminal:
                assert terminal[p.id] == raw, "a terminal purchase changed"
            terminal[p.id] = raw
        else:
            open_value += p.value
    escrow = balances.pop(pt.ESCROW, 0)
    treasury = balances.pop(pt.TREASURY, 0)
    reserve = balances.pop(pt.RESERVE, 0)
    assert escrow == open_value
    assert sum(balances.values()) + open_value + treasury + reserve == supply
    fts = ft.get_supply(store)
    sovereigns = [state_pb2.Sovereign.FromString(v)
                  for _, v in store.iterate(ft.SHARD, ft.SOVEREIGN_PREFIX)]
    assert fts.issued - fts.converted == sum(s.balance for s in sovereigns)
    issued = sum(state_pb2.Issuance.FromString(v).amount
                 for _, v in store.iterate(ft.SHARD, ft.ISSUANCE_PREFIX))
    converted = sum(state_pb2.Conversion.FromString(v).amount
                    for _, v in store.iterate(ft.SHARD, ft.CONVERSION_PREFIX))
    assert (issued, converted) == (fts.issued, fts.converted)
    assert info(chain, "/ft_supply")["supply"] == str(issued - converted)


# Two histories every run covers: a verified WHEAT delivery settled with FT that is then
# converted, and a BRENT delivery rejected by a quorum of rejections.
SETTLE_AND_CONVERT = [
    [("create", 0, "WHEAT", 3_000, 2, 4)],
    [("ship", 0, True), ("attest", 0, 0, 0, True), ("send", 1, 10)],
    [("convert", 50_000), ("price", 0, 80), ("price", 1, 81)],
]
REJECT = [
    [("create", 1, "BRENT", 2_000, 1, 3), ("create", 0, "BRENT", 10, 3, 0)],
    [("ship", 1, True), ("attest", 1, 0, 2, True), ("attest", 1, 1, 0, False)],
    [("attest", 1, 2, 1, False), ("dispute", 0, True), ("rule", 0, True)],
]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(blocks_strategy)
@example(SETTLE_AND_CONVERT)
@example(REJECT)
def test_random_trade_blocks_conserve_pt_and_ft_and_terminal_states(blocks: Any) -> None:
    with tempfile.TemporaryDirectory() as d:
        a, b = new_chain(Path(d) / "a"), new_chain(Path(d) / "b")
        try:
            runner = Run(a)
            terminal: dict[bytes, bytes] = {}
            for block in blocks:
                runner.new_block()
                txs = [raw for step in block for raw in runner.txs(step)]
                ra = a.finalize(txs)
                h = b._header()
                b.app.process_proposal(pb.RequestProcessProposal(txs=txs, **h))
                rb = b.app.finalize_block(pb.RequestFinalizeBlock(txs=txs, **h))
                b.app.commit(pb.RequestCommit())
                assert ra.app_hash == rb.app_hash
                assert [r.code for r in ra.tx_results] == [r.code for r in rb.tx_results]
                _check_invariants(a, terminal)
            for _ in range(8):  # let every deadline pass
                a.finalize([])
            _check_invariants(a, terminal)
        finally:
            a.app.close()
            b.app.close()


# -- oracle: median, quorum, suspect bound and staleness against a reference model ----------------

class Reference:
    """The oracle rules, written plainly: what the price should be after each round."""

    def __init__(self) -> None:
        self.price: int | None = None
        self.height = 0
        self.suspect: int | None = None

    def current(self, height: int) -> bool:
        return self.price is not None and height - self.height <= MAX_AGE * ROUND

    @staticmethod
    def moved(new: int, old: int) -> bool:
        return abs(new - old) * 10_000 > 1_000 * old  # oracle_max_deviation_bps = 1,000

    def end_round(self, end_height: int, prices: list[int]) -> str | None:
        if not prices:
            return None
        if len(prices) * 3 < 2 * len(ORACLES):
            return "failed"
        m = math.floor(statistics.median(prices))  # exact: prices stay below 2^53
        if self.current(end_height) and self.moved(m, self.price or 0) and (
                self.suspect is None or self.moved(m, self.suspect)):
            self.suspect = m
            return "suspect"
        self.price, self.height, self.suspect = m, end_height, None
        return "published"


rounds_strategy = st.lists(
    st.tuples(
        st.lists(st.one_of(st.none(), st.integers(1, 10**12)), min_size=3, max_size=3),
        st.integers(0, 3),  # empty rounds after this one
    ),
    min_size=1, max_size=8,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds_strategy)
def test_random_submissions_follow_the_median_quorum_bound_and_staleness(rounds: Any) -> None:
    with tempfile.TemporaryDirectory() as d:
        chain = new_chain(Path(d) / "s")
        ref = Reference()
        try:
            for prices, gap in rounds:
                while (chain.height + 1) % ROUND:
                    chain.finalize([])
                rnd = (chain.height + 1) // ROUND
                txs = [chain.tx(ORACLES[i], tb.submit_price("BRENT", rnd, p))
                       for i, p in enumerate(prices) if p is not None]
                ev = events(chain.finalize(txs), "price")
                while (chain.height + 1) % ROUND:
                    ev += events(chain.finalize([]), "price")
                want = ref.end_round(chain.height, [p for p in prices if p is not None])
                assert [e["status"] for e in ev] == ([want] if want else [])
                for _ in range(gap * ROUND):
                    got = info(chain, "/price/BRENT")
                    assert got["status"] == ("current" if ref.current(chain.height)
                                             else "absent")
                    assert got["price"] == (str(ref.price) if ref.current(chain.height)
                                            else None)
                    chain.finalize([])
        finally:
            chain.app.close()
