"""State sync: serving the store's snapshots to peers, and restoring an empty node from one.

A restore rebuilds the state directory, so while it runs the application has no open store;
``StateSync`` reopens it (empty) when an offer or the finished restore is refused, and hands
back the restored store when the last chunk checks out. Answers are neutral outcomes that
``app.application`` maps onto ABCI's results; a bad chunk or snapshot from a peer is refused
and its sender named, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from state.errors import StoreError
from state.snapshot import FORMAT, Restore

log = logging.getLogger("fictra.app")


class Outcome(Enum):
    ACCEPT = "accept"
    ABORT = "abort"
    REJECT = "reject"  # this snapshot (offer), or the chunk's whole snapshot (apply)
    REJECT_FORMAT = "reject_format"
    RETRY = "retry"  # fetch the chunk again, from another sender


@dataclass
class Answer:
    outcome: Outcome
    refetch: list[int] = field(default_factory=list)
    reject_senders: list[str] = field(default_factory=list)
    store: Any = None  # the restored store, when the last chunk completed it


class StateSync:
    def __init__(self, path: Path, shards: Sequence[str], options: dict[str, Any],
                 store_type: Any) -> None:
        self.path = path
        self.shards = tuple(shards)
        self.options = options
        self.store_type = store_type
        self.restore: Restore | None = None
        self.offers = 0  # snapshots offered so far (the node's state-sync fallback reads it)

    def _reopen(self) -> Any:
        return self.store_type.open(self.path, shards=self.shards, **self.options)

    def offer(self, store: Any, height: int, format: int, chunks: int, hash: bytes,
              metadata: bytes, app_hash: bytes) -> tuple[Answer, Any]:
        """(the answer, the store the application holds afterwards: None while restoring)."""
        self.offers += 1
        if store.height != 0:
            return Answer(Outcome.ABORT), store  # state sync is only for an empty node
        if format != FORMAT:
            return Answer(Outcome.REJECT_FORMAT), store
        store.close()  # the restore builds the state directory anew
        self.restore = Restore(self.path, shards=self.shards, **self.options)
        verdict = self.restore.offer(height, format, chunks, hash, metadata, app_hash)
        if not verdict.ok:
            log.warning("snapshot at %d rejected: %s", height, verdict.reason)
            self.restore = None
            return Answer(Outcome.REJECT), self._reopen()
        return Answer(Outcome.ACCEPT), None

    def apply_chunk(self, index: int, chunk: bytes, sender: str) -> Answer:
        restore = self.restore
        if restore is None:
            return Answer(Outcome.ABORT)
        verdict = restore.apply_chunk(index, chunk)
        if not verdict.ok:
            log.warning("snapshot chunk %d from %s refused: %s", index, sender, verdict.reason)
            return Answer(Outcome.RETRY, refetch=[index], reject_senders=[sender])
        if not restore.complete:
            return Answer(Outcome.ACCEPT)
        self.restore = None
        try:
            store = restore.finish()
        except StoreError as e:  # the chunks checked out one by one but not as a whole
            log.warning("snapshot at height %s refused after its last chunk (from %s): %s",
                        restore.info.height if restore.info else "?", sender, e)
            restore.abort()
            return Answer(Outcome.REJECT, reject_senders=[sender], store=self._reopen())
        log.info("state restored from a snapshot at height %d", store.height)
        return Answer(Outcome.ACCEPT, store=store)
