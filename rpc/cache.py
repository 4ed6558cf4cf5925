"""Read answers cached for the current chain height, dropped whole when a block arrives.

Only methods whose answer is fixed by (params, height) use it. Identical concurrent calls
share one upstream request (the cache holds the pending future). The cache works only while
the gateway follows new blocks; without that it cannot know when answers go stale, so every
call goes to the node.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

MAX_ENTRIES = 50_000


class ReadCache:
    def __init__(self, max_entries: int = MAX_ENTRIES,
                 on_hit: Callable[[], None] | None = None) -> None:
        self.max_entries = max_entries
        self.on_hit = on_hit
        self.height = 0
        self.enabled = False
        self.hits = 0
        self.misses = 0
        self._entries: dict[str, asyncio.Future[Any]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def advance(self, height: int) -> None:
        """A new block is committed: forget everything (answers in flight land nowhere)."""
        self.height = height
        self._entries = {}

    def disable(self) -> None:
        self.enabled = False
        self._entries = {}

    async def get(self, key: str, compute: Callable[[], Awaitable[Any]]) -> Any:
        if not self.enabled:
            return await compute()
        entries = self._entries
        fut = entries.get(key)
        if fut is not None:
            self.hits += 1
            if self.on_hit is not None:
                self.on_hit()
            return await asyncio.shield(fut)
        self.misses += 1
        if len(entries) >= self.max_entries:
            entries.clear()
        fut = asyncio.get_running_loop().create_future()
        entries[key] = fut
        try:
            value = await compute()
        except BaseException as e:
            # Errors are not cached: the next call asks again. Waiters see this one's error.
            if entries.get(key) is fut:
                del entries[key]
            if not fut.done():
                # A cancelled computation must not cancel the callers waiting on it.
                fut.set_exception(e if isinstance(e, Exception)
                                  else RuntimeError("shared read was cancelled"))
                fut.exception()  # mark retrieved: no "never retrieved" warning
            raise
        fut.set_result(value)
        return value
