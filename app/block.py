"""Executing a block's txs on an overlay: one path, three policies for the txs ABCI hands us.

- ``build`` (PrepareProposal): keep, in mempool order, the txs that fit ``max_tx_bytes`` and
  fully succeed; a tx that does not leaves no trace.
- ``verify`` (ProcessProposal): every tx must decode, verify and pass the ante checks, as an
  honest proposer's ``build`` guarantees, and executing the block must not raise; otherwise
  the block is refused (None).
- ``finalize`` (FinalizeBlock): one result per tx, whatever the txs are; a raise here is our
  own bug in a decided block and halts the node.

Each tx runs through ``ante.deliver`` and the block ends with the router's end-of-block work,
whatever the policy, so identical inputs give identical results: a result computed while
building or verifying a proposal is reused by FinalizeBlock when the decided block matches it
(same height, time, proposer, txs, last commit votes and evidence). Results are neutral
values; ``app.responses`` encodes them for CometBFT.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from app.context import Misbehavior, Vote
from app.errors import TxError, refused
from app.events import Event
from app.modules import router, stake
from app.modules.stake import ValidatorUpdate
from app.tx.ante import TxResult, deliver, deliver_all_or_nothing
from app.tx.cache import TxCache
from app.tx.codec import tx_hash

log = logging.getLogger("fictra.app")


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
    # The previous block's votes and the evidence the block carries (staking's input).
    votes: tuple[Vote, ...] = ()
    misbehavior: tuple[Misbehavior, ...] = ()


@dataclass
class BlockResult:
    key: BlockKey
    overlay: Any
    tx_results: list[TxResult]
    events: list[Event] = field(default_factory=list)
    validator_updates: list[ValidatorUpdate] = field(default_factory=list)
    # Computed on first read: a proposal's execution (PrepareProposal, ProcessProposal) is on
    # the critical path of the next block and needs no hash; FinalizeBlock, which runs while
    # CometBFT waits out timeout_commit, reads it. The overlay is not written after execution.
    _app_hash: bytes | None = None

    @property
    def app_hash(self) -> bytes:
        if self._app_hash is None:
            self._app_hash = self.overlay.app_hash()
        return self._app_hash


class Policy(Enum):
    BUILD = "build"
    VERIFY = "verify"
    FINALIZE = "finalize"


def build(overlay: Any, cache: TxCache, chain_id: str, key: BlockKey, max_tx_bytes: int
          ) -> BlockResult:
    res = _execute(overlay, cache, chain_id, key, Policy.BUILD, max_tx_bytes)
    assert res is not None  # building never refuses
    return res


def verify(overlay: Any, cache: TxCache, chain_id: str, key: BlockKey) -> BlockResult | None:
    """None for anything wrong with the proposal, whatever it makes the execution do: a
    Byzantine proposer must never be able to halt the validators that check its block."""
    try:
        cache.prefetch(key.txs)
        return _execute(overlay, cache, chain_id, key, Policy.VERIFY)
    except Exception:  # noqa: BLE001 - refused, and logged loudly: it may be our own bug
        log.exception("proposal at height %d refused: executing it raised", key.height)
        return None


def _refuse(height: int, raw: bytes, code: int, why: str) -> None:
    # Only a faulty or Byzantine proposer gets here, so the warning costs an honest node nothing.
    log.warning("proposal at height %d refused: tx %s: code %d: %s", height,
                tx_hash(raw).hex().upper(), code, why)


def finalize(overlay: Any, cache: TxCache, chain_id: str, key: BlockKey) -> BlockResult:
    cache.prefetch(key.txs)
    res = _execute(overlay, cache, chain_id, key, Policy.FINALIZE)
    assert res is not None  # finalizing never refuses
    return res


def _execute(overlay: Any, cache: TxCache, chain_id: str, key: BlockKey, policy: Policy,
             max_tx_bytes: int = 0) -> BlockResult | None:
    ctx = router.context(overlay, key.height, key.time_ns, chain_id)
    vals_before = overlay.get(stake.SHARD, stake.VALIDATORS_KEY)
    kept: list[bytes] = []
    results: list[TxResult] = []
    used = 0
    for raw in key.txs:
        if policy is Policy.BUILD:
            size = proto_size(raw)
            if used + size > max_tx_bytes:
                continue  # a smaller tx later may still fit
        try:
            dtx = cache.get(raw)
        except TxError as e:
            if policy is Policy.VERIFY:
                _refuse(key.height, raw, e.code, e.log)
                return None
            if policy is Policy.FINALIZE:
                kept.append(raw)
                results.append(TxResult(e.code, e.log))
            continue
        if policy is Policy.BUILD:
            try:
                res = deliver_all_or_nothing(ctx, dtx)  # a raise leaves no trace either
            except Exception:  # noqa: BLE001 - leave the tx out; validators would refuse it
                log.exception("tx %s left out of the proposal: executing it raised",
                              dtx.hash.hex().upper())
                continue
            if res.code:
                continue
            used += size
        else:
            res = deliver(ctx, dtx)
            if policy is Policy.VERIFY and refused(res.code):
                _refuse(key.height, raw, res.code, res.log)
                return None  # an honest proposer never includes a tx the ante refuses
        kept.append(raw)
        results.append(res)
    ctx.events = []
    ctx.votes, ctx.misbehavior = key.votes, key.misbehavior
    router.end_block(ctx)
    updates = stake.validator_updates(vals_before,
                                      overlay.get(stake.SHARD, stake.VALIDATORS_KEY))
    if policy is Policy.BUILD:
        key = BlockKey(key.height, key.time_ns, key.proposer, tuple(kept), key.votes,
                       key.misbehavior)
    return BlockResult(key, overlay, results, ctx.events, updates)
