"""Committed values read since the last commit, shared by every overlay of that height.

Between two commits the committed state does not change, yet the check state, the proposal
being built and the one being verified each read the same accounts from LevelDB. Overlays
wrapped in ``CachedOverlay`` read committed values through one ``CommittedReads``; a key the
wrapper has written is always read from its overlay. The application clears the cache at
every commit (and after a state sync).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_MAX_ENTRIES = 1_000_000  # a safety bound; a block touches far fewer keys


class CommittedReads:
    def __init__(self, store: Any) -> None:
        self.store = store
        self._values: dict[str, dict[bytes, bytes | None]] = {}
        self._size = 0

    def clear(self) -> None:
        self._values.clear()
        self._size = 0

    def get(self, shard: str, key: bytes) -> bytes | None:
        values = self._values.get(shard)
        if values is None:
            values = self._values[shard] = {}
        try:
            return values[key]
        except KeyError:
            pass
        value = self.store.get(shard, key)
        if self._size >= _MAX_ENTRIES:
            self.clear()
            values = self._values[shard] = {}
        values[key] = value
        self._size += 1
        return value


class CachedOverlay:
    """A ``state.store.Overlay`` whose reads of unwritten keys go through ``CommittedReads``."""

    __slots__ = ("overlay", "reads", "_dirty")

    def __init__(self, overlay: Any, reads: CommittedReads) -> None:
        self.overlay = overlay
        self.reads = reads
        self._dirty: dict[str, set[bytes]] = {}

    def get(self, shard: str, key: bytes) -> bytes | None:
        dirty = self._dirty.get(shard)
        if dirty is not None and key in dirty:
            return self.overlay.get(shard, key)  # written here (or written, then reverted)
        return self.reads.get(shard, key)

    def _touch(self, shard: str, key: bytes) -> None:
        dirty = self._dirty.get(shard)
        if dirty is None:
            dirty = self._dirty[shard] = set()
        dirty.add(key)

    def set(self, shard: str, key: bytes, value: bytes) -> None:
        self.overlay.set(shard, key, value)
        self._touch(shard, key)

    def delete(self, shard: str, key: bytes) -> None:
        self.overlay.delete(shard, key)
        self._touch(shard, key)

    def iterate(self, shard: str, prefix: bytes = b"", *, start: bytes | None = None
                ) -> Iterator[tuple[bytes, bytes]]:
        return self.overlay.iterate(shard, prefix, start=start)

    def checkpoint(self) -> int:
        return self.overlay.checkpoint()

    def revert(self, cp: int) -> None:
        self.overlay.revert(cp)

    def release(self, cp: int) -> None:
        self.overlay.release(cp)

    def app_hash(self) -> bytes:
        return self.overlay.app_hash()
