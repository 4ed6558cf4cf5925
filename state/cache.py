"""The in-memory cache of decoded tree pages.

Pages are immutable per (version, depth, prefix), so entries never go stale: a commit only
drops the pages it replaced and adds the new ones. When full, the deepest pages go first
(oldest first within a depth): the top levels, which every update and proof walks, stay.
"""

from __future__ import annotations

import threading
from itertools import islice

from .page import Frozen

PAGE_BYTES = 2700  # measured footprint of one decoded page with its leaf records


class PageCache:
    """Shared by the shards: keys are a one-byte shard tag followed by the page's node key."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity = max(capacity_bytes // PAGE_BYTES, 64)
        self.levels: dict[int, dict[bytes, Frozen]] = {}
        self.size = 0
        # Writers (a commit, a query's page loads) may run on different threads; readers
        # need no lock (single dict lookups).
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Frozen | None:
        level = self.levels.get(key[10])
        return level.get(key) if level is not None else None

    def put(self, key: bytes, page: Frozen) -> None:
        with self._lock:
            self._put(key, page)

    def _put(self, key: bytes, page: Frozen) -> None:
        depth = key[10]
        level = self.levels.get(depth)
        if level is None:
            level = self.levels[depth] = {}
        if key not in level:
            self.size += 1
        level[key] = page
        if self.size > self.capacity:
            self._evict()

    def drop(self, key: bytes) -> None:
        with self._lock:
            level = self.levels.get(key[10])
            if level is not None and level.pop(key, None) is not None:
                self.size -= 1

    def replace(self, tag: bytes, old: list[bytes], new: dict[bytes, Frozen]) -> None:
        """After a commit: drop the replaced pages, add the new ones (node keys + tag)."""
        with self._lock:
            self._replace(tag, old, new)

    def _replace(self, tag: bytes, old: list[bytes], new: dict[bytes, Frozen]) -> None:
        levels = self.levels
        n = self.size
        for nk in old:
            level = levels.get(nk[9])
            if level is not None and level.pop(tag + nk, None) is not None:
                n -= 1
        for nk, page in new.items():
            level = levels.get(nk[9])
            if level is None:
                level = levels[nk[9]] = {}
            key = tag + nk
            if key not in level:
                n += 1
            level[key] = page
        self.size = n
        if n > self.capacity:
            self._evict()

    def _evict(self) -> None:
        target = self.capacity * 7 // 8  # evict in bulk so a full cache costs little per put
        for depth in sorted(self.levels, reverse=True):
            level = self.levels[depth]
            victims = list(islice(level, self.size - target))
            for key in victims:
                del level[key]
            self.size -= len(victims)
            if self.size <= target:
                return

    def clear(self) -> None:
        with self._lock:
            self.levels.clear()
            self.size = 0
