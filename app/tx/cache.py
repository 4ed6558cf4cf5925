"""``TxCache`` decodes, validates and signature-checks each distinct tx once per node: CheckTx
fills it, and RECHECK, PrepareProposal, ProcessProposal and FinalizeBlock find the same bytes
there. It holds only txs that passed those stateless checks, keyed by tx hash (the bytes fix
the nonce and fee; the cache belongs to one chain id). It is bounded by count and by the bytes
its entries hold; CheckTx discards a tx it refuses, so a flood of refused txs costs no memory
once answered.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from app.crypto import verify
from app.errors import Code, TxError
from app.modules.router import validate_basic
from app.tx.codec import DecodedTx, decode_tx
from app.tx.verifier import VerifierPool

DEFAULT_CACHE_SIZE = 100_000
DEFAULT_CACHE_BYTES = 256 << 20
PARALLEL_MIN = 64  # below this many unseen txs a thread pool costs more than it saves
PROCESS_MIN = 4  # with verifier processes: below this many, one round trip costs more
# What a decoded tx holds in memory, per byte of tx and per entry: measured with tracemalloc
# at 6.5x (a 135-byte transfer) to 7x (32 messages), rounded up.
_BYTES_PER_TX_BYTE = 8
_BYTES_PER_ENTRY = 512


def entry_cost(dtx: DecodedTx) -> int:
    return _BYTES_PER_TX_BYTE * dtx.size + _BYTES_PER_ENTRY


class TxCache:
    """Bounded map tx hash -> DecodedTx that decoded, validated and verified (FIFO eviction)."""

    def __init__(self, chain_id: str, limit: int = DEFAULT_CACHE_SIZE,
                 limit_bytes: int = DEFAULT_CACHE_BYTES,
                 verifier: VerifierPool | None = None) -> None:
        self.chain_id = chain_id
        # Worker processes for batches of signatures (None: threads of this process).
        self.verifier = verifier
        self.batch_min = PROCESS_MIN if verifier is not None else PARALLEL_MIN
        self.limit = limit
        self.limit_bytes = limit_bytes
        self.bytes = 0  # estimated memory of the entries (``entry_cost``)
        # CheckTx (the ABCI server's loop) and block execution (the consensus connection's
        # thread) share the cache.
        self._lock = threading.Lock()
        # OrderedDict: evicting the oldest stays O(1); a plain dict's next(iter()) slows down
        # as deleted slots pile up at its front.
        self._txs: OrderedDict[bytes, DecodedTx] = OrderedDict()
        self.verifications = 0  # signature checks done (tests and benchmarks read this)
        self.hits = 0  # lookups answered from the cache (the node's metrics read it)
        self._pool: ThreadPoolExecutor | None = None

    def __len__(self) -> int:
        return len(self._txs)

    def get(self, raw: bytes) -> DecodedTx:
        """The decoded tx, or TxError for anything wrong without looking at state."""
        digest = hashlib.sha256(raw).digest()
        dtx = self._txs.get(digest)
        if dtx is not None:
            self.hits += 1  # like ``verifications``: a rare lost increment is fine
            return dtx
        dtx = decode_tx(raw, digest)
        validate_basic(dtx.msgs)
        self.verifications += 1  # a count for tests and benchmarks: a rare lost increment is fine
        if not verify(dtx.public_key, dtx.sign_doc(self.chain_id), dtx.signature):
            raise TxError(
                Code.BAD_SIGNATURE,
                f"signature does not verify for chain id {self.chain_id!r}, nonce {dtx.nonce}, "
                f"fee {dtx.fee}",
            )
        self._insert(digest, dtx)
        return dtx

    def lookup(self, raw: bytes) -> DecodedTx | None:
        """The decoded tx if it is cached, else None: no decoding, no signature check, no
        change to the cache (for observers such as the node's metrics)."""
        return self._txs.get(hashlib.sha256(raw).digest())

    def _insert(self, digest: bytes, dtx: DecodedTx) -> None:
        txs = self._txs
        cost = entry_cost(dtx)
        with self._lock:
            if digest in txs:
                return  # the other lane got there first
            while txs and (len(txs) >= self.limit or self.bytes + cost > self.limit_bytes):
                self.bytes -= entry_cost(txs.popitem(last=False)[1])
            txs[digest] = dtx
            self.bytes += cost

    def discard(self, digest: bytes) -> None:
        """Forget a tx (CheckTx refused it: it will not be in this node's blocks)."""
        with self._lock:
            dtx = self._txs.pop(digest, None)
            if dtx is not None:
                self.bytes -= entry_cost(dtx)

    def prefetch(self, raws: Sequence[bytes]) -> None:
        """Check the signatures of unseen txs once, on all cores for many (a node that missed them
        in its mempool, or replays blocks): in the verifier processes when the cache has them
        (one round trip a batch), else on this process's threads (libsodium runs without the
        GIL). Txs that fail are left out, for ``get`` to refuse with the right code."""
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

        answers = None
        if self.verifier is not None and len(todo) >= PROCESS_MIN:
            answers = self.verifier.verify(
                [(d.public_key, d.sign_doc(chain_id), d.signature) for d in todo])
        if answers is not None:
            oks: Iterable[bool] = answers
        elif len(todo) < PARALLEL_MIN:  # a thread pool would cost more than it saves
            oks = map(check, todo)
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
        with self._lock:
            self._txs.clear()
            self.bytes = 0

    def close(self) -> None:
        if self.verifier is not None:
            self.verifier.close()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
