"""Checks every tx passes before its messages run, and running a whole tx.

``TxCache`` decodes, validates and signature-checks each distinct tx once per node: CheckTx
fills it, and RECHECK, PrepareProposal, ProcessProposal and FinalizeBlock find the same bytes
there. It holds only txs that passed those stateless checks, keyed by tx hash (the bytes fix
the nonce and fee; the cache belongs to one chain id).
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from abci.proto import abci as pb
from app import events
from app.codec import DecodedTx, decode_tx
from app.context import Ctx
from app.crypto import verify
from app.errors import Code, TxError
from app.modules import HANDLERS, pt, validate_basic

DEFAULT_CACHE_SIZE = 100_000
PARALLEL_MIN = 64  # below this many unseen txs a thread pool costs more than it saves


class TxCache:
    """Bounded map tx hash -> DecodedTx that decoded, validated and verified (FIFO eviction)."""

    def __init__(self, chain_id: str, limit: int = DEFAULT_CACHE_SIZE) -> None:
        self.chain_id = chain_id
        self.limit = limit
        # OrderedDict: evicting the oldest stays O(1); a plain dict's next(iter()) slows down
        # as deleted slots pile up at its front.
        self._txs: OrderedDict[bytes, DecodedTx] = OrderedDict()
        self.verifications = 0  # signature checks done (tests and benchmarks read this)
        self._pool: ThreadPoolExecutor | None = None

    def __len__(self) -> int:
        return len(self._txs)

    def get(self, raw: bytes) -> DecodedTx:
        """The decoded tx, or TxError for anything wrong without looking at state."""
        digest = hashlib.sha256(raw).digest()
        dtx = self._txs.get(digest)
        if dtx is not None:
            return dtx
        dtx = decode_tx(raw, digest)
        validate_basic(dtx.msgs)
        self.verifications += 1
        if not verify(dtx.public_key, dtx.sign_doc(self.chain_id), dtx.signature):
            raise TxError(
                Code.BAD_SIGNATURE,
                f"signature does not verify for chain id {self.chain_id!r}, nonce {dtx.nonce}, "
                f"fee {dtx.fee}",
            )
        self._insert(digest, dtx)
        return dtx

    def _insert(self, digest: bytes, dtx: DecodedTx) -> None:
        txs = self._txs
        if len(txs) >= self.limit:
            txs.popitem(last=False)
        txs[digest] = dtx

    def prefetch(self, raws: Sequence[bytes]) -> None:
        """Check the signatures of unseen txs once, on all cores for many (a node that missed them
        in its mempool, or replays blocks). libsodium runs without the GIL. Txs that fail are
        left out, for ``get`` to refuse with the right code."""
        todo: list[DecodedTx] = []
        seen: set[bytes] = set()
        for raw in raws:
            digest = hashlib.sha256(raw).digest()
            if digest in self._txs or digest in seen:
                continue
            seen.add(digest)
            try:
                dtx = decode_tx(raw, digest)
                validate_basic(dtx.msgs)
            except TxError:
                continue
            todo.append(dtx)
        chain_id = self.chain_id

        def check(d: DecodedTx) -> bool:
            return verify(d.public_key, d.sign_doc(chain_id), d.signature)

        if len(todo) < PARALLEL_MIN:  # a thread pool would cost more than it saves
            oks: Iterable[bool] = map(check, todo)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max(os.cpu_count() or 1, 2),
                                                thread_name_prefix="verify")
            oks = self._pool.map(check, todo, chunksize=max(len(todo) // 8, 1))
        for dtx, ok in zip(todo, oks, strict=True):
            self.verifications += 1
            if ok:
                self._insert(dtx.hash, dtx)

    def clear(self) -> None:
        self._txs.clear()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def min_fee(ctx: Ctx, size: int) -> int:
    p = ctx.params
    return p.base_fee + p.fee_per_byte * size


def charge(ctx: Ctx, dtx: DecodedTx) -> None:
    """Ante: timeout, nonce, fee and frozen checks, then take the fee and the nonce.

    Raises TxError before writing anything, so a refused tx changes no state.
    """
    if dtx.timeout_height and ctx.height > dtx.timeout_height:
        raise TxError(Code.TX_TIMEOUT, f"height {ctx.height} is past timeout_height "
                      f"{dtx.timeout_height}")
    store = ctx.store
    acct = pt.get_account(store, dtx.signer)
    if dtx.nonce != acct.nonce:
        code = Code.NONCE_TOO_LOW if dtx.nonce < acct.nonce else Code.NONCE_TOO_HIGH
        raise TxError(code, f"nonce {dtx.nonce}, expected {acct.nonce}")
    fee = dtx.fee
    need = min_fee(ctx, dtx.size)
    if fee < need:
        raise TxError(Code.FEE_TOO_LOW, f"fee {fee} below the minimum {need} for "
                      f"{dtx.size} bytes")
    if acct.frozen:
        raise TxError(Code.SENDER_FROZEN, "sender account is frozen")
    if acct.balance < fee:
        raise TxError(Code.INSUFFICIENT_FEE_FUNDS, f"balance {acct.balance} cannot pay fee {fee}")
    acct.balance -= fee
    acct.nonce += 1
    pt.set_account(store, dtx.signer, acct)
    ctx.fees += fee  # credited to the treasury by pt.flush_fees
    ctx.emit(events.fee, dtx.signer, fee)


def run_messages(ctx: Ctx, dtx: DecodedTx) -> None:
    signer = dtx.signer
    ctx.tx_hash = dtx.hash
    for i, (kind, msg) in enumerate(dtx.msgs):
        ctx.msg_index = i
        try:
            HANDLERS[kind](ctx, signer, msg)
        except TxError as e:
            raise TxError(e.code, f"message {i} ({kind}): {e.log}") from None


def deliver(ctx: Ctx, dtx: DecodedTx) -> pb.ExecTxResult:
    """Run one tx in a block: a refused tx changes nothing; a failed message keeps only the
    fee and the nonce."""
    ctx.events = []
    try:
        charge(ctx, dtx)
    except TxError as e:
        return pb.ExecTxResult(code=e.code, log=e.log)
    cp = ctx.checkpoint()
    try:
        run_messages(ctx, dtx)
    except TxError as e:
        ctx.revert(cp)  # keeps the fee, the nonce and the fee event
        return pb.ExecTxResult(code=e.code, log=e.log, events=ctx.events)
    ctx.release(cp)
    return pb.ExecTxResult(code=0, events=ctx.events)


def apply_all_or_nothing(ctx: Ctx, dtx: DecodedTx) -> None:
    """Run one tx on the check state or a proposal under construction: all of it or nothing."""
    ctx.events = []
    cp = ctx.checkpoint()
    try:
        charge(ctx, dtx)
        run_messages(ctx, dtx)
    except TxError:
        ctx.revert(cp)
        raise
    ctx.release(cp)
