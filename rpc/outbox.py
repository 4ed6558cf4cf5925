"""The gateway keeps every tx it accepted until the tx is in a block or can no longer be.

CometBFT's mempool is memory only: a tx answered with code 0 just before the node crashed, or
dropped by CometBFT's second "mempool full" check after CheckTx said OK, is never committed,
and with strict nonces it blocks the sender's later txs. So the gateway holds on to what it
accepted: a block that includes a tx ends its stay; a tx not yet included after
``RESEND_AFTER_S`` is offered to the node again (in nonce order per sender), which is a no-op
while the node still holds it. A tx the node now refuses for good (its nonce was used by
another tx, its ``timeout_height`` passed, the sender can no longer pay) is *dropped*, with the
reason; ``fictra_getTransaction`` answers it until ``KEEP_DROPPED`` newer drops push it out.

Bounded by bytes: beyond ``LIMIT_BYTES`` of pending txs the oldest are dropped ("gateway
outbox full"), never silently forgotten.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

LIMIT_BYTES = 64 << 20
RESEND_AFTER_S = 6.0  # three blocks: longer than a tx normally waits for its block
KEEP_DROPPED = 10_000
_ENTRY_OVERHEAD = 256


@dataclass
class Entry:
    raw: bytes
    hash: str  # hex, upper case
    signer: bytes
    nonce: int
    timeout_height: int
    accepted_height: int
    sent_at: float = field(default_factory=time.monotonic)
    resends: int = 0  # times the node took it again after losing it


class Outbox:
    def __init__(self, limit_bytes: int = LIMIT_BYTES, resend_after_s: float = RESEND_AFTER_S
                 ) -> None:
        self.limit_bytes = limit_bytes
        self.resend_after_s = resend_after_s
        self.bytes = 0
        self._pending: OrderedDict[str, Entry] = OrderedDict()
        self._dropped: OrderedDict[str, str] = OrderedDict()  # hash -> reason
        self.resent = 0  # txs the node had lost and took again (a metric)

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, entry: Entry) -> None:
        if entry.hash in self._pending:
            return
        self._dropped.pop(entry.hash, None)
        self._pending[entry.hash] = entry
        self.bytes += len(entry.raw) + _ENTRY_OVERHEAD
        while self.bytes > self.limit_bytes and len(self._pending) > 1:
            oldest = next(iter(self._pending))
            self.drop(oldest, "gateway outbox full: send it again")

    def included(self, tx_hashes: list[str]) -> None:
        """A block holds these txs: their stay ends."""
        for h in tx_hashes:
            e = self._pending.pop(h, None)
            if e is not None:
                self.bytes -= len(e.raw) + _ENTRY_OVERHEAD

    def drop(self, tx_hash: str, reason: str) -> None:
        e = self._pending.pop(tx_hash, None)
        if e is None:
            return
        self.bytes -= len(e.raw) + _ENTRY_OVERHEAD
        self._dropped[tx_hash] = reason
        while len(self._dropped) > KEEP_DROPPED:
            self._dropped.popitem(last=False)

    def due(self, now: float | None = None) -> list[Entry]:
        """Txs waiting longer than ``resend_after_s`` since last offered, in nonce order per
        sender (a later nonce is useless before an earlier one)."""
        now = time.monotonic() if now is None else now
        late = [e for e in self._pending.values() if now - e.sent_at >= self.resend_after_s]
        return sorted(late, key=lambda e: (e.signer, e.nonce))

    def pending(self, tx_hash: str) -> Entry | None:
        return self._pending.get(tx_hash)

    def dropped(self, tx_hash: str) -> str | None:
        return self._dropped.get(tx_hash)
