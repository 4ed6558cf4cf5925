"""FictraApp: the ABCI 2.0 application over the sharded store.

Each method is short: the work lives in ``block`` (executing blocks on overlays), ``tx``
(decoding, signatures, the ante), ``query``, ``genesis`` and ``snapshots``; ``responses``
encodes their neutral results for CometBFT.

- Mempool: CheckTx runs each tx all-or-nothing against the check state (the committed state
  plus this node's pending txs), recreated after every Commit; RECHECK replays what is pending.
- Consensus: PrepareProposal builds, ProcessProposal verifies, FinalizeBlock executes (or
  reuses the identical block already executed), Commit makes it durable.
- Bad txs get codes; anything unexpected while finalizing or committing raises, which halts
  the node (a wrong app hash is worse than a stop).
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from abci.application import Application
from abci.proto import abci as pb
from app import block, responses
from app.context import Ctx, Misbehavior, Vote
from app.errors import Code, TxError
from app.genesis import GenesisError, validate_app_state, write_genesis
from app.modules import SHARDS, gov, router, stake
from app.query.answer import answer_query
from app.readcache import CachedOverlay, CommittedReads
from app.snapshots import Outcome, StateSync
from app.tx.ante import deliver_all_or_nothing
from app.tx.cache import TxCache
from app.tx.verifier import VerifierPool

log = logging.getLogger("fictra.app")

APP_VERSION = 1
VERSION = "0.1.0"
_EXECUTED_KEEP = 4  # blocks executed at one height (proposal rounds) kept for FinalizeBlock
# This node's state-sync snapshots (node-local, like /abci/stats): how a joining node tells
# whether state sync can find any.
SNAPSHOTS_PATH = "/snapshots"


def _time_ns(ts: Any) -> int:
    return ts.seconds * 1_000_000_000 + ts.nanos


_ABSENT = 1  # BlockIDFlag: the validator's vote is missing from the commit


def _votes(commit: Any) -> tuple[Vote, ...]:
    return tuple(Vote(v.validator.address, v.validator.power, v.block_id_flag > _ABSENT)
                 for v in commit.votes)


def _misbehavior(req: Any) -> tuple[Misbehavior, ...]:
    return tuple(Misbehavior(int(m.type), m.validator.address, m.height) for m in req.misbehavior)


def _key(req: Any, commit: Any) -> block.BlockKey:
    return block.BlockKey(req.height, _time_ns(req.time), req.proposer_address, tuple(req.txs),
                          _votes(commit), _misbehavior(req))


class FictraApp(Application):
    def __init__(self, store: Any, *, keep_recent: int = 0, cache_size: int = 100_000,
                 store_options: dict[str, Any] | None = None, halt_height: int = 0,
                 signature_workers: int = 0) -> None:
        self.store = store
        # Processes that check batches of signatures (0: this process's threads); a node
        # runs them, in-process instances (tests, benchmarks) need not.
        self.signature_workers = signature_workers
        # After committing this height the node stops (a coordinated upgrade): the node's
        # operator wires ``on_halt``; the state machine itself only says when.
        self.halt_height = halt_height
        self.on_halt: Callable[[int], None] | None = None
        self.keep_recent = keep_recent  # 0: keep every block (archive)
        self.cache_size = cache_size
        self.sync = StateSync(store.path, SHARDS, store_options or {}, type(store))
        self.reads = CommittedReads(store)
        self.chain_id: str | None = None
        self.cache: TxCache | None = None
        self.initial_height = 1
        self._load_chain()
        # InitChain's writes, replayed onto every overlay until the first block commits them.
        self._genesis: dict[str, list[tuple[bytes, bytes | None]]] | None = None
        self._executed: OrderedDict[block.BlockKey, block.BlockResult] = OrderedDict()
        self._finalized: block.BlockResult | None = None
        self._check: Ctx | None = None

    # -- plumbing ------------------------------------------------------------------------------
    def _load_chain(self) -> None:
        chain = gov.load_chain(self.store)
        if chain is not None:
            self._set_chain(chain.chain_id, chain.initial_height)

    def _set_chain(self, chain_id: str, initial_height: int) -> None:
        self.chain_id = chain_id
        self.initial_height = initial_height
        if self.cache is not None:
            self.cache.close()
        verifier = VerifierPool(self.signature_workers) if self.signature_workers else None
        self.cache = TxCache(chain_id, self.cache_size, verifier=verifier)

    def _set_store(self, store: Any) -> None:
        self.store = store
        self.reads = CommittedReads(store)

    def _next_height(self) -> int:
        return self.store.height + 1 if self.store.height else self.initial_height

    def _overlay(self) -> CachedOverlay:
        """A fresh overlay on the committed state (plus genesis before the first block)."""
        overlay = CachedOverlay(self.store.overlay(), self.reads)
        for shard, changes in (self._genesis or {}).items():
            for key, value in changes:
                if value is None:
                    overlay.delete(shard, key)
                else:
                    overlay.set(shard, key, value)
        return overlay

    def _chain(self, height: int) -> tuple[TxCache, str]:
        if self.cache is None or self.chain_id is None:
            raise RuntimeError("block before InitChain")
        if height != self._next_height():
            raise RuntimeError(f"block {height} does not follow committed height "
                               f"{self.store.height} (expected {self._next_height()})")
        return self.cache, self.chain_id

    def _remember(self, res: block.BlockResult) -> None:
        self._executed[res.key] = res
        while len(self._executed) > _EXECUTED_KEEP:
            self._executed.popitem(last=False)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        if self.store is not None:
            self.store.close()

    # -- info / query --------------------------------------------------------------------------
    def info(self, req: pb.RequestInfo) -> pb.ResponseInfo:
        height = self.store.height
        return pb.ResponseInfo(
            data="fictra", version=VERSION, app_version=APP_VERSION,
            last_block_height=height, last_block_app_hash=self.store.app_hash if height else b"",
        )

    def query(self, req: pb.RequestQuery) -> pb.ResponseQuery:
        if req.path == SNAPSHOTS_PATH:
            manager = self.store.snapshots
            listed = [{"height": s.height, "format": s.format, "chunks": s.chunks,
                       "hash": s.hash.hex()} for s in (manager.list_snapshots() if manager else [])]
            return pb.ResponseQuery(code=0, value=json.dumps(listed).encode(),
                                    height=self.store.height)
        return responses.query(answer_query(self.store, req.path, req.height, req.prove))

    # -- genesis -------------------------------------------------------------------------------
    def init_chain(self, req: pb.RequestInitChain) -> pb.ResponseInitChain:
        if self.store.height:
            raise RuntimeError(f"InitChain on a store already at height {self.store.height}")
        try:
            app_state = validate_app_state(json.loads(req.app_state_bytes or b"{}"))
        except (ValueError, GenesisError) as e:
            raise RuntimeError(f"invalid genesis app_state: {e}") from e
        validators = [(v.pub_key.ed25519, v.power) for v in req.validators]
        initial = max(req.initial_height, 1)
        overlay = self.store.overlay()
        vset = write_genesis(overlay, app_state, req.chain_id, initial, validators)
        self._genesis = overlay.changes()
        self._set_chain(req.chain_id, initial)
        self._check = None
        log.info("genesis: chain %s, %d accounts, %d operators", req.chain_id,
                 len(app_state.accounts), len(app_state.operators))
        # The elected set is CometBFT's from the start (it replaces genesis.json's validators).
        return pb.ResponseInitChain(app_hash=overlay.app_hash(),
                                    validators=responses.validator_updates(
                                        stake.ValidatorUpdate(k, vset[k]) for k in sorted(vset)))

    # -- mempool -------------------------------------------------------------------------------
    def _check_ctx(self) -> Ctx:
        if self._check is None:
            self._check = router.context(self._overlay(), self._next_height(), 0,
                                         self.chain_id or "", emit_events=False)
        return self._check

    def check_tx(self, req: pb.RequestCheckTx) -> pb.ResponseCheckTx:
        if self.cache is None:
            return pb.ResponseCheckTx(code=Code.INTERNAL, log="chain not initialized")
        try:
            dtx = self.cache.get(req.tx)
            res = deliver_all_or_nothing(self._check_ctx(), dtx)
        except TxError as e:
            return pb.ResponseCheckTx(code=e.code, log=e.log)
        except Exception as e:  # a bug must not take the node down through the mempool
            log.exception("CheckTx failed")
            return pb.ResponseCheckTx(code=Code.INTERNAL, log=f"internal error: {e}")
        if res.code:
            self.cache.discard(dtx.hash)  # refused: it must not cost memory after this answer
            return pb.ResponseCheckTx(code=res.code, log=res.log)
        return pb.ResponseCheckTx(code=0, gas_wanted=1)

    def check_tx_batch(self, reqs: list[pb.RequestCheckTx]) -> list[pb.ResponseCheckTx]:
        # Requests that arrived together (a pipelined burst, a recheck): verify the unseen
        # signatures on all cores first, then check each in order against the check state.
        if self.cache is not None and len(reqs) >= self.cache.batch_min:
            self.cache.prefetch([r.tx for r in reqs])
        return [self.check_tx(r) for r in reqs]

    # -- consensus -----------------------------------------------------------------------------
    def prepare_proposal(self, req: pb.RequestPrepareProposal) -> pb.ResponsePrepareProposal:
        cache, chain_id = self._chain(req.height)
        res = block.build(self._overlay(), cache, chain_id, _key(req, req.local_last_commit),
                          req.max_tx_bytes)
        self._remember(res)
        return pb.ResponsePrepareProposal(txs=res.key.txs)

    def process_proposal(self, req: pb.RequestProcessProposal) -> pb.ResponseProcessProposal:
        cache, chain_id = self._chain(req.height)
        key = _key(req, req.proposed_last_commit)
        res = self._executed.get(key) or block.verify(self._overlay(), cache, chain_id, key)
        if res is None:
            return pb.ResponseProcessProposal(status=pb.ResponseProcessProposal.REJECT)
        self._remember(res)
        return pb.ResponseProcessProposal(status=pb.ResponseProcessProposal.ACCEPT)

    def finalize_block(self, req: pb.RequestFinalizeBlock) -> responses.EncodedFinalizeBlock:
        cache, chain_id = self._chain(req.height)
        key = _key(req, req.decided_last_commit)
        res = self._executed.get(key) or block.finalize(self._overlay(), cache, chain_id, key)
        self._finalized = res
        self._executed.clear()
        return responses.finalize_block(res)

    def commit(self, req: pb.RequestCommit) -> pb.ResponseCommit:
        res = self._finalized
        if res is None:
            raise RuntimeError("Commit without FinalizeBlock")
        app_hash = self.store.commit(res.overlay.overlay, res.key.height)
        self.reads.clear()  # the committed state just changed
        if app_hash != res.app_hash:
            raise RuntimeError(f"store committed app hash {app_hash.hex()}, FinalizeBlock "
                               f"answered {res.app_hash.hex()}")
        self._finalized = None
        self._genesis = None
        self._check = None
        retain = res.key.height - self.keep_recent + 1 if self.keep_recent else 0
        if self.halt_height and res.key.height >= self.halt_height and self.on_halt:
            self.on_halt(res.key.height)
        return pb.ResponseCommit(retain_height=max(retain, 0))

    # -- state sync ----------------------------------------------------------------------------
    def list_snapshots(self, req: pb.RequestListSnapshots) -> pb.ResponseListSnapshots:
        manager = self.store.snapshots
        return pb.ResponseListSnapshots(snapshots=[
            pb.Snapshot(height=s.height, format=s.format, chunks=s.chunks, hash=s.hash,
                        metadata=s.metadata)
            for s in (manager.list_snapshots() if manager else [])
        ])

    def load_snapshot_chunk(self, req: pb.RequestLoadSnapshotChunk
                            ) -> pb.ResponseLoadSnapshotChunk:
        manager = self.store.snapshots if self.store is not None else None
        chunk = manager.load_chunk(req.height, req.format, req.chunk) if manager else None
        return pb.ResponseLoadSnapshotChunk(chunk=chunk or b"")

    def offer_snapshot(self, req: pb.RequestOfferSnapshot) -> pb.ResponseOfferSnapshot:
        s = req.snapshot
        answer, store = self.sync.offer(self.store, s.height, s.format, s.chunks, s.hash,
                                        s.metadata, req.app_hash)
        self.store = store  # None while the restore runs
        if store is not None:
            self._set_store(store)
        return pb.ResponseOfferSnapshot(result=_OFFER[answer.outcome])

    def apply_snapshot_chunk(self, req: pb.RequestApplySnapshotChunk
                             ) -> pb.ResponseApplySnapshotChunk:
        answer = self.sync.apply_chunk(req.index, req.chunk, req.sender)
        if answer.store is not None:
            self._set_store(answer.store)
            if answer.outcome is Outcome.ACCEPT:
                self._load_chain()
        return pb.ResponseApplySnapshotChunk(result=_APPLY[answer.outcome],
                                             refetch_chunks=answer.refetch,
                                             reject_senders=answer.reject_senders)


_O = pb.ResponseOfferSnapshot
_OFFER = {Outcome.ACCEPT: _O.ACCEPT, Outcome.ABORT: _O.ABORT, Outcome.REJECT: _O.REJECT,
          Outcome.REJECT_FORMAT: _O.REJECT_FORMAT}
_A = pb.ResponseApplySnapshotChunk
_APPLY = {Outcome.ACCEPT: _A.ACCEPT, Outcome.ABORT: _A.ABORT, Outcome.RETRY: _A.RETRY,
          Outcome.REJECT: _A.REJECT_SNAPSHOT}
