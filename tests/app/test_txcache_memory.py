"""The signature cache is bounded by bytes, and a tx CheckTx refuses costs no memory after its
answer (a flood of big txs from an unfunded sender)."""

from __future__ import annotations

from app.crypto import Key
from app.errors import Code
from app.tx.builder import multi_send
from app.tx.cache import TxCache, entry_cost
from tests.app.chain import ALICE, BOB, CHAIN_ID, Chain

UNFUNDED = Key.derive("unfunded")


def _big_tx(chain: Chain, key: Key, nonce: int, n: int = 0) -> bytes:
    outs = [(BOB.address, 1)] * 5  # small and valid (limits: 5 outputs in the test params)
    return chain.tx(key, *[multi_send(outs)] * 30, nonce=nonce, fee=10**6,
                    memo=f"{n:03d}" + "x" * 247)


def test_refused_txs_leave_the_cache(chain: Chain) -> None:
    cache = chain.app.cache
    assert cache is not None
    before = len(cache), cache.bytes
    for n in range(50):
        res = chain.check(_big_tx(chain, UNFUNDED, 0, n))
        assert res.code == Code.INSUFFICIENT_FEE_FUNDS
    assert (len(cache), cache.bytes) == before
    ok = chain.check(chain.tx(ALICE, multi_send([(BOB.address, 1)])))
    assert ok.code == 0 and len(cache) == before[0] + 1  # an accepted tx stays


def test_the_cache_is_bounded_by_bytes(chain: Chain) -> None:
    raws = [_big_tx(chain, ALICE, 1, n) for n in range(40)]  # all the same size
    cost = entry_cost(TxCache(CHAIN_ID).get(raws[0]))
    cache = TxCache(CHAIN_ID, limit_bytes=10 * cost)
    for raw in raws:
        cache.get(raw)
        assert cache.bytes <= cache.limit_bytes
    assert len(cache) == 10
    cache.get(raws[-1])  # the newest are kept
    assert cache.verifications == 40
