"""The next nonce of an account counting its pending txs.

The committed account holds the nonce of the next tx to be *included*; txs waiting in the
mempool already hold the following ones. The gateway learns those from the node's mempool
(``unconfirmed_txs``, the first 100) and from the txs it accepted itself since, and answers
the first nonce after the unbroken run starting at the committed one. A gap (a nonce the
mempool lacks) stops the run: a tx after it could not be included anyway. When the node
shows its whole mempool, that alone is the truth (a tx dropped on recheck is gone); the
gateway's own memory counts only when the mempool is larger than one page.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.errors import TxError
from app.tx.codec import decode_tx

MAX_TRACKED = 100_000


class PendingNonces:
    def __init__(self) -> None:
        self._seen: dict[bytes, set[int]] = {}  # signer -> nonces accepted by CheckTx

    def accepted(self, signer: bytes, nonce: int) -> None:
        if len(self._seen) >= MAX_TRACKED and signer not in self._seen:
            self._seen.clear()  # a rough bound; the mempool scan still answers
        self._seen.setdefault(signer, set()).add(nonce)

    def next_nonce(self, signer: bytes, committed: int, mempool: Iterable[bytes],
                   whole_mempool: bool) -> int:
        nonces = {n for n in self._seen.get(signer, ()) if n >= committed}
        if nonces:
            self._seen[signer] = set(nonces)
        else:
            self._seen.pop(signer, None)
        if whole_mempool:
            nonces = set()
        for raw in mempool:
            try:
                dtx = decode_tx(raw)
            except TxError:
                continue
            if dtx.signer == signer and dtx.nonce >= committed:
                nonces.add(dtx.nonce)
        n = committed
        while n in nonces:
            n += 1
        return n
