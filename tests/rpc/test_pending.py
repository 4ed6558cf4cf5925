"""The next nonce counting pending txs: mempool run, own accepted txs, gaps, other signers."""

from __future__ import annotations

from app.crypto import Key
from app.tx.builder import send, sign_tx
from rpc.pending import PendingNonces

A, B = Key.derive("pending-a"), Key.derive("pending-b")


def tx(key: Key, nonce: int) -> bytes:
    return sign_tx(key, "c", nonce, [send(B.address, 1)], fee=10)


def test_mempool_run_from_the_committed_nonce() -> None:
    p = PendingNonces()
    pool = [tx(A, 3), tx(B, 0), tx(A, 4), tx(A, 2), b"garbage"]
    assert p.next_nonce(A.address, 2, pool, whole_mempool=True) == 5
    assert p.next_nonce(A.address, 5, pool, whole_mempool=True) == 5  # all included since
    assert p.next_nonce(B.address, 0, pool, whole_mempool=True) == 1


def test_a_gap_ends_the_run() -> None:
    p = PendingNonces()
    assert p.next_nonce(A.address, 0, [tx(A, 0), tx(A, 2)], whole_mempool=True) == 1


def test_own_accepted_txs_count_only_when_the_mempool_is_not_all_visible() -> None:
    p = PendingNonces()
    for n in (7, 8, 9):
        p.accepted(A.address, n)
    assert p.next_nonce(A.address, 7, [], whole_mempool=False) == 10
    # The node showed its whole mempool and the txs are not in it: dropped, not pending.
    assert p.next_nonce(A.address, 7, [], whole_mempool=True) == 7
    # Committed past them: forgotten.
    assert p.next_nonce(A.address, 10, [], whole_mempool=False) == 10
