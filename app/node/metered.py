"""``MeteredApp``: the application with its ABCI calls timed and counted for the node's metrics.

A subclass in node operations, so the state machine stays as it is: each override calls the
application's own method and only then looks at its answer. Nothing here changes an answer,
and nothing deterministic reads what it records (``app.node.metrics``). Per tx it adds two
clock reads and a few integer increments (CheckTx) or one cache lookup (FinalizeBlock, which
counts txs by message kind and code once per block).
"""

from __future__ import annotations

import time
from typing import Any

from abci.proto import abci as pb
from app import responses
from app.application import FictraApp
from app.node.metrics import AppMetrics

_clock = time.perf_counter
_RECHECK = pb.CheckTxType.RECHECK
_ACCEPT = pb.ResponseProcessProposal.ACCEPT


def tx_type(dtx: Any) -> str:
    """The tx's message kind (``send``, ``attest``, ...), ``mixed`` if it has several."""
    msgs = dtx.msgs
    kind: str = msgs[0][0] if msgs else "mixed"
    if len(msgs) > 1 and any(k != kind for k, _ in msgs):
        return "mixed"
    return kind


class MeteredApp(FictraApp):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = AppMetrics()

    # -- mempool (the ABCI server's event loop) ---------------------------------------------------
    def check_tx(self, req: pb.RequestCheckTx) -> pb.ResponseCheckTx:
        t0 = _clock()
        resp = super().check_tx(req)
        dt = _clock() - t0
        m = self.metrics
        check = "recheck" if req.type == _RECHECK else "new"
        m.check_seconds[check].observe(dt)
        key = (check, resp.code)
        m.check_codes[key] = m.check_codes.get(key, 0) + 1
        return resp

    def check_tx_batch(self, reqs: list[pb.RequestCheckTx]) -> list[pb.ResponseCheckTx]:
        t0 = _clock()
        out = super().check_tx_batch(reqs)  # each tx through check_tx above
        self.metrics.check_batch_seconds.observe(_clock() - t0)
        return out

    # -- consensus (its connection's thread) -----------------------------------------------------
    def prepare_proposal(self, req: pb.RequestPrepareProposal) -> pb.ResponsePrepareProposal:
        t0 = _clock()
        resp = super().prepare_proposal(req)
        self.metrics.stage_seconds["prepare_proposal"].observe(_clock() - t0)
        return resp

    def process_proposal(self, req: pb.RequestProcessProposal) -> pb.ResponseProcessProposal:
        t0 = _clock()
        resp = super().process_proposal(req)
        m = self.metrics
        m.stage_seconds["process_proposal"].observe(_clock() - t0)
        m.proposals["accept" if resp.status == _ACCEPT else "reject"] += 1
        return resp

    def finalize_block(self, req: pb.RequestFinalizeBlock) -> responses.EncodedFinalizeBlock:
        t0 = _clock()
        resp = super().finalize_block(req)
        m = self.metrics
        m.stage_seconds["finalize_block"].observe(_clock() - t0)
        m.block_txs.observe(len(req.txs))
        res = self._finalized  # the neutral result: the response is already wire bytes
        assert res is not None
        m.validator_updates += len(res.validator_updates)
        m.last_block_time_s = req.time.seconds + req.time.nanos / 1e9
        self._count_txs(req.txs, res.tx_results)
        return resp

    def _count_txs(self, txs: Any, results: Any) -> None:
        cache = self.cache
        counts = self.metrics.txs
        for raw, res in zip(txs, results, strict=True):
            dtx = cache.lookup(raw) if cache is not None else None
            key = (tx_type(dtx) if dtx is not None else "undecodable", res.code)
            counts[key] = counts.get(key, 0) + 1

    def commit(self, req: pb.RequestCommit) -> pb.ResponseCommit:
        t0 = _clock()
        resp = super().commit(req)
        m = self.metrics
        m.stage_seconds["commit"].observe(_clock() - t0)
        m.blocks += 1
        return resp

    # -- state sync (its connection's thread) ----------------------------------------------------
    def load_snapshot_chunk(self, req: pb.RequestLoadSnapshotChunk
                            ) -> pb.ResponseLoadSnapshotChunk:
        resp = super().load_snapshot_chunk(req)
        if resp.chunk:
            self.metrics.snapshot_chunks_served += 1
        return resp

    def offer_snapshot(self, req: pb.RequestOfferSnapshot) -> pb.ResponseOfferSnapshot:
        resp = super().offer_snapshot(req)
        name = pb.ResponseOfferSnapshot.Result.Name(resp.result).lower()
        offers = self.metrics.snapshot_offers
        offers[name] = offers.get(name, 0) + 1
        return resp

    def apply_snapshot_chunk(self, req: pb.RequestApplySnapshotChunk
                             ) -> pb.ResponseApplySnapshotChunk:
        resp = super().apply_snapshot_chunk(req)
        name = pb.ResponseApplySnapshotChunk.Result.Name(resp.result).lower()
        applied = self.metrics.snapshot_chunks_applied
        applied[name] = applied.get(name, 0) + 1
        return resp
