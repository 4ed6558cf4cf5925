"""CheckTx in batches (pipelined requests) answers exactly as CheckTx one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from abci.proto import abci as pb
from app.params import UNIT
from app.tx.builder import send
from tests.app.chain import ALICE, BOB, CAROL, Chain


def _txs(chain: Chain) -> list[bytes]:
    txs = [chain.tx(ALICE, send(BOB.address, UNIT)) for _ in range(80)]
    txs.append(chain.tx(CAROL, send(BOB.address, 1_000 * UNIT)))  # more than CAROL has
    forged = bytearray(txs[5])
    forged[-1] ^= 1  # a broken signature
    txs.insert(10, bytes(forged))
    txs.insert(20, b"\x00garbage")
    txs.append(txs[3])  # a replay of an accepted tx
    txs.append(chain.tx(BOB, send(ALICE.address, UNIT), nonce=7))  # a future nonce
    return txs


@pytest.mark.parametrize("workers", [0, 2], ids=["threads", "worker-processes"])
def test_batch_answers_match_one_by_one(tmp_path: Path, workers: int) -> None:
    one, batched = Chain(tmp_path / "a"), Chain(tmp_path / "b", signature_workers=workers)
    for c in (one, batched):
        c.finalize([])
    txs = _txs(one)
    singles = [one.app.check_tx(pb.RequestCheckTx(tx=t)) for t in txs]
    batch = batched.app.check_tx_batch([pb.RequestCheckTx(tx=t) for t in txs])
    assert [(r.code, r.log) for r in batch] == [(r.code, r.log) for r in singles]
    codes = [r.code for r in batch]
    assert codes.count(0) == 80 and len(set(codes)) > 3
    # each distinct tx's signature is checked once (the forged one: once more, when refused)
    assert batched.app.cache is not None and one.app.cache is not None
    assert batched.app.cache.verifications <= one.app.cache.verifications + 1
    pool = batched.app.cache.verifier
    assert (pool is not None and len(pool.pids()) == workers) if workers else pool is None
    for c in (one, batched):
        c.app.close()
