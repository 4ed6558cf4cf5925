"""FictraApp: the ABCI 2.0 application over the sharded store.

State lives in ``<home>/data/state``. Consensus calls execute blocks on overlays (see
``app.block``); Commit makes one durable. The mempool's check state is a second overlay on the
committed state, recreated after every Commit; CometBFT's RECHECK then replays the txs still
pending. Bad txs get codes; anything unexpected while finalizing or committing raises, which
halts the node (a wrong app hash is worse than a stop).
"""

from __future__ import annotations

import json
import logging
import tomllib
from pathlib import Path
from typing import Any

from abci.application import Application
from abci.proto import abci as pb
from app import block
from app.ante import PARALLEL_MIN, TxCache, apply_all_or_nothing
from app.context import Ctx
from app.errors import Code, TxError
from app.modules import gov
from app.query import answer_query
from app.readcache import CachedOverlay, CommittedReads

log = logging.getLogger("fictra.app")

APP_VERSION = 1
VERSION = "0.1.0"


def _time_ns(ts: Any) -> int:
    return ts.seconds * 1_000_000_000 + ts.nanos


class FictraApp(Application):
    def __init__(self, store: Any, *, keep_recent: int = 0, cache_size: int = 100_000,
                 store_options: dict[str, Any] | None = None) -> None:
        self.store = store
        self.keep_recent = keep_recent  # 0: keep every block (archive)
        self.cache_size = cache_size
        self.store_options = store_options or {}  # to reopen the store after a state sync
        self.reads = CommittedReads(store)
        self.chain_id: str | None = None
        self.cache: TxCache | None = None
        self.initial_height = 1
        self._restore: Any = None
        self._load_chain()
        # Genesis written by InitChain, continued and committed by the first block.
        self._genesis: Any = None
        self._genesis_cp: int | None = None
        self._genesis_check: Any = None
        self._prepared: block.BlockResult | None = None
        self._proposal: block.BlockResult | None = None
        self._finalized: block.BlockResult | None = None
        self._check: Ctx | None = None

    def _overlay(self) -> CachedOverlay:
        return CachedOverlay(self.store.overlay(), self.reads)

    def _load_chain(self) -> None:
        chain = gov.load_chain(self.store)
        if chain is not None:
            self._set_chain(chain.chain_id, chain.initial_height)

    def _set_chain(self, chain_id: str, initial_height: int) -> None:
        self.chain_id = chain_id
        self.initial_height = initial_height
        self.cache = TxCache(chain_id, self.cache_size)

    def _next_height(self) -> int:
        return self.store.height + 1 if self.store.height else self.initial_height

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        self.store.close()

    # -- info / query --------------------------------------------------------------------------
    def info(self, req: pb.RequestInfo) -> pb.ResponseInfo:
        height = self.store.height
        return pb.ResponseInfo(
            data="fictra", version=VERSION, app_version=APP_VERSION,
            last_block_height=height, last_block_app_hash=self.store.app_hash if height else b"",
        )

    def query(self, req: pb.RequestQuery) -> pb.ResponseQuery:
        return answer_query(self.store, req)

    # -- genesis -------------------------------------------------------------------------------
    def init_chain(self, req: pb.RequestInitChain) -> pb.ResponseInitChain:
        from genesis.app_state import GenesisError, validate_app_state, write_genesis

        if self.store.height:
            raise RuntimeError(f"InitChain on a store already at height {self.store.height}")
        try:
            doc = json.loads(req.app_state_bytes or b"{}")
            app_state = validate_app_state(doc)
        except (ValueError, GenesisError) as e:
            raise RuntimeError(f"invalid genesis app_state: {e}") from e
        validators = [(v.pub_key.ed25519, v.power) for v in req.validators]
        initial = max(req.initial_height, 1)
        self._genesis = self._overlay()
        write_genesis(self._genesis, app_state, req.chain_id, initial, validators)
        self._genesis_check = self._overlay()
        write_genesis(self._genesis_check, app_state, req.chain_id, initial, validators)
        self._genesis_cp = None
        self._set_chain(req.chain_id, initial)
        self._check = None
        log.info("genesis: chain %s, %d accounts", req.chain_id, len(app_state.accounts))
        return pb.ResponseInitChain(app_hash=self._genesis.app_hash())

    # -- mempool -------------------------------------------------------------------------------
    def _check_ctx(self) -> Ctx:
        if self._check is None:
            overlay = self._genesis_check or self._overlay()
            self._check = Ctx(overlay, self._next_height(), 0, self.chain_id or "",
                              emit_events=False)
        return self._check

    def check_tx(self, req: pb.RequestCheckTx) -> pb.ResponseCheckTx:
        if self.cache is None:
            return pb.ResponseCheckTx(code=Code.INTERNAL, log="chain not initialized")
        try:
            dtx = self.cache.get(req.tx)
            apply_all_or_nothing(self._check_ctx(), dtx)
        except TxError as e:
            return pb.ResponseCheckTx(code=e.code, log=e.log)
        except Exception as e:  # a bug must not take the node down through the mempool
            log.exception("CheckTx failed")
            return pb.ResponseCheckTx(code=Code.INTERNAL, log=f"internal error: {e}")
        return pb.ResponseCheckTx(code=0, gas_wanted=1)

    def check_tx_batch(self, reqs: list[pb.RequestCheckTx]) -> list[pb.ResponseCheckTx]:
        # Requests that arrived together (a pipelined burst, a recheck): verify the unseen
        # signatures on all cores first, then check each in order against the check state.
        if self.cache is not None and len(reqs) >= PARALLEL_MIN:
            self.cache.prefetch([r.tx for r in reqs])
        return [self.check_tx(r) for r in reqs]

    # -- consensus -----------------------------------------------------------------------------
    def _block_overlay(self) -> Any:
        """A fresh overlay for executing a block at the next height."""
        if self._genesis is None:
            return self._overlay()
        # The first block continues the genesis overlay: undo any earlier attempt on it.
        if self._genesis_cp is not None:
            self._genesis.revert(self._genesis_cp)
        self._prepared = self._proposal = None
        self._genesis_cp = self._genesis.checkpoint()
        return self._genesis

    def _expect_height(self, height: int) -> None:
        if self.cache is None:
            raise RuntimeError("block before InitChain")
        if height != self._next_height():
            raise RuntimeError(f"block {height} does not follow committed height "
                               f"{self.store.height} (expected {self._next_height()})")

    def prepare_proposal(self, req: pb.RequestPrepareProposal) -> pb.ResponsePrepareProposal:
        self._expect_height(req.height)
        assert self.cache is not None and self.chain_id is not None
        res = block.build(
            self._block_overlay(), self.cache, self.chain_id, req.height, _time_ns(req.time),
            req.proposer_address, req.txs, req.max_tx_bytes,
        )
        self._prepared = res
        return pb.ResponsePrepareProposal(txs=res.key.txs)

    def process_proposal(self, req: pb.RequestProcessProposal) -> pb.ResponseProcessProposal:
        self._expect_height(req.height)
        assert self.cache is not None and self.chain_id is not None
        key = block.BlockKey(req.height, _time_ns(req.time), req.proposer_address,
                             tuple(req.txs))
        if self._prepared is not None and self._prepared.key == key:
            res: block.BlockResult | None = self._prepared
        else:
            res = block.verify(self._block_overlay(), self.cache, self.chain_id, key)
        if res is None:
            return pb.ResponseProcessProposal(status=pb.ResponseProcessProposal.REJECT)
        self._proposal = res
        return pb.ResponseProcessProposal(status=pb.ResponseProcessProposal.ACCEPT)

    def finalize_block(self, req: pb.RequestFinalizeBlock) -> pb.ResponseFinalizeBlock:
        self._expect_height(req.height)
        assert self.cache is not None and self.chain_id is not None
        key = block.BlockKey(req.height, _time_ns(req.time), req.proposer_address,
                             tuple(req.txs))
        res = None
        for cand in (self._proposal, self._prepared):
            if cand is not None and cand.key == key:
                res = cand
                break
        if res is None:
            res = block.finalize(self._block_overlay(), self.cache, self.chain_id, key)
        self._finalized = res
        self._prepared = self._proposal = None
        return res.response()

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
        self._genesis = self._genesis_check = None
        self._genesis_cp = None
        self._check = None
        height = res.key.height
        retain = height - self.keep_recent + 1 if self.keep_recent else 0
        return pb.ResponseCommit(retain_height=max(retain, 0))


    # -- state sync ----------------------------------------------------------------------------
    def list_snapshots(self, req: pb.RequestListSnapshots) -> pb.ResponseListSnapshots:
        manager = self.store.snapshots
        if manager is None:
            return pb.ResponseListSnapshots()
        return pb.ResponseListSnapshots(snapshots=[
            pb.Snapshot(height=s.height, format=s.format, chunks=s.chunks, hash=s.hash,
                        metadata=s.metadata)
            for s in manager.list_snapshots()
        ])

    def load_snapshot_chunk(self, req: pb.RequestLoadSnapshotChunk
                            ) -> pb.ResponseLoadSnapshotChunk:
        manager = self.store.snapshots
        chunk = manager.load_chunk(req.height, req.format, req.chunk) if manager else None
        return pb.ResponseLoadSnapshotChunk(chunk=chunk or b"")

    def offer_snapshot(self, req: pb.RequestOfferSnapshot) -> pb.ResponseOfferSnapshot:
        from state.snapshot import FORMAT, Restore

        R = pb.ResponseOfferSnapshot
        if self.store.height != 0:
            return R(result=R.ABORT)  # state sync is only for an empty node
        snap = req.snapshot
        if snap.format != FORMAT:
            return R(result=R.REJECT_FORMAT)
        path = self.store.path
        self.store.close()  # the restore builds the state directory anew
        self._restore = Restore(path, **self.store_options)
        verdict = self._restore.offer(snap.height, snap.format, snap.chunks, snap.hash,
                                      snap.metadata, req.app_hash)
        if not verdict.ok:
            log.warning("snapshot at %d rejected: %s", snap.height, verdict.reason)
            self._restore = None
            self.store = type(self.store).open(path, **self.store_options)
            self.reads = CommittedReads(self.store)
            return R(result=R.REJECT)
        return R(result=R.ACCEPT)

    def apply_snapshot_chunk(self, req: pb.RequestApplySnapshotChunk
                             ) -> pb.ResponseApplySnapshotChunk:
        R = pb.ResponseApplySnapshotChunk
        if self._restore is None:
            return R(result=R.ABORT)
        verdict = self._restore.apply_chunk(req.index, req.chunk)
        if not verdict.ok:
            log.warning("snapshot chunk %d from %s refused: %s", req.index,
                        req.sender, verdict.reason)
            return R(result=R.RETRY, refetch_chunks=[req.index], reject_senders=[req.sender])
        if self._restore.complete:
            self.store = self._restore.finish()
            self.reads = CommittedReads(self.store)
            self._restore = None
            self._load_chain()
            log.info("state restored from a snapshot at height %d", self.store.height)
        return R(result=R.ACCEPT)


def _store_options(home: Path) -> dict[str, Any]:
    """Optional ``<home>/config/app.toml`` ``[state]`` table: Store.open keyword arguments."""
    path = home / "config" / "app.toml"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        section = tomllib.load(f).get("state", {})
    allowed = {"keep_recent", "archive", "cache_mb", "snapshot_interval", "snapshot_keep_recent"}
    unknown = set(section) - allowed
    if unknown:
        raise ValueError(f"{path}: unknown [state] keys: {', '.join(sorted(unknown))}")
    return dict(section)


def create_app(home: Path) -> Application:
    from state.store import Store

    home = Path(home)
    opts = _store_options(home)
    store = Store.open(home / "data" / "state", **opts)
    keep = 0 if opts.get("archive") else opts.get("keep_recent", 3_888_000)
    return FictraApp(store, keep_recent=keep, store_options=opts)
