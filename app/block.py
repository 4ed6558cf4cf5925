"""Executing a block's txs on an overlay, in the three ways ABCI asks for.

- ``build`` (PrepareProposal): keep the txs that fit and fully succeed, in mempool order.
- ``verify`` (ProcessProposal): every tx must decode, verify and pass the ante checks, as an
  honest proposer's ``build`` guarantees; otherwise the block is refused (None).
- ``finalize`` (FinalizeBlock): one result per tx, whatever the txs are.

All three run the same end-of-block work and return a ``BlockResult``. Identical inputs give
identical results, so a result computed while building or verifying a proposal is reused by
FinalizeBlock when the decided block matches it (same height, time, proposer and txs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from abci.proto import abci as pb
from app.ante import TxCache, apply_all_or_nothing, deliver
from app.context import Ctx
from app.errors import TxError, refused
from app.modules import END_BLOCKERS, gov, pt


def proto_size(tx: bytes) -> int:
    """Bytes a tx takes in CometBFT's Data proto (what max_tx_bytes limits): tag, length, tx."""
    n = len(tx)
    return 1 + (n.bit_length() + 6) // 7 + n if n else 2


@dataclass(frozen=True)
class BlockKey:
    height: int
    time_ns: int
    proposer: bytes
    txs: tuple[bytes, ...]


@dataclass
class BlockResult:
    key: BlockKey
    overlay: Any
    tx_results: list[pb.ExecTxResult]
    events: list[pb.Event] = field(default_factory=list)
    validator_updates: list[pb.ValidatorUpdate] = field(default_factory=list)
    app_hash: bytes = b""

    def response(self) -> pb.ResponseFinalizeBlock:
        return pb.ResponseFinalizeBlock(
            events=self.events, tx_results=self.tx_results,
            validator_updates=self.validator_updates, app_hash=self.app_hash,
        )


def _finish(ctx: Ctx, key: BlockKey, results: list[pb.ExecTxResult], vals_before: bytes | None
            ) -> BlockResult:
    ctx.events = []
    pt.flush_fees(ctx)
    for hook in END_BLOCKERS:
        hook(ctx)
    store = ctx.store
    updates = gov.validator_updates(vals_before, store.get(gov.SHARD, gov.VALIDATORS_KEY))
    return BlockResult(key, store, results, ctx.events, updates, store.app_hash())


def build(overlay: Any, cache: TxCache, chain_id: str, height: int, time_ns: int,
          proposer: bytes, txs: Sequence[bytes], max_tx_bytes: int) -> BlockResult:
    ctx = Ctx(overlay, height, time_ns, chain_id)
    vals_before = overlay.get(gov.SHARD, gov.VALIDATORS_KEY)
    kept: list[bytes] = []
    results: list[pb.ExecTxResult] = []
    used = 0
    for raw in txs:
        size = proto_size(raw)
        if used + size > max_tx_bytes:
            continue  # a smaller tx later may still fit
        try:
            dtx = cache.get(raw)
            apply_all_or_nothing(ctx, dtx)
        except TxError:
            continue
        used += size
        kept.append(raw)
        results.append(pb.ExecTxResult(code=0, events=ctx.events))
    key = BlockKey(height, time_ns, proposer, tuple(kept))
    return _finish(ctx, key, results, vals_before)


def verify(overlay: Any, cache: TxCache, chain_id: str, key: BlockKey) -> BlockResult | None:
    cache.prefetch(key.txs)
    ctx = Ctx(overlay, key.height, key.time_ns, chain_id)
    vals_before = overlay.get(gov.SHARD, gov.VALIDATORS_KEY)
    results: list[pb.ExecTxResult] = []
    for raw in key.txs:
        try:
            dtx = cache.get(raw)
        except TxError:
            return None
        res = deliver(ctx, dtx)
        if refused(res.code):  # an honest proposer never includes a tx the ante refuses
            return None
        results.append(res)
    return _finish(ctx, key, results, vals_before)


def finalize(overlay: Any, cache: TxCache, chain_id: str, key: BlockKey) -> BlockResult:
    cache.prefetch(key.txs)
    ctx = Ctx(overlay, key.height, key.time_ns, chain_id)
    vals_before = overlay.get(gov.SHARD, gov.VALIDATORS_KEY)
    results: list[pb.ExecTxResult] = []
    for raw in key.txs:
        try:
            dtx = cache.get(raw)
        except TxError as e:
            results.append(pb.ExecTxResult(code=e.code, log=e.log))
            continue
        results.append(deliver(ctx, dtx))
    return _finish(ctx, key, results, vals_before)
