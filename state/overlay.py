"""The block overlay (and mempool check state): writes in memory over the committed state.

Reads see earlier writes; a journal lets one tx's writes be dropped (checkpoint / revert /
release); ``app_hash`` hashes only the dirty paths and caches the result until the next write.
Nothing here touches disk. The overlay sees the store only through ``abc.CommittedState``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from hashlib import sha256

from .abc import CommittedState, Item
from .errors import StaleOverlayError
from .hashing import app_hash_of
from .tree import TreeUpdate

MAX_KEY = 4096
MAX_VALUE = 1 << 20
_MISSING = object()


def check_key(key: object) -> None:
    if type(key) is not bytes:
        raise TypeError(f"state keys are bytes, not {type(key).__name__}")
    if len(key) > MAX_KEY:
        raise ValueError(f"state key of {len(key)} bytes exceeds {MAX_KEY}")


def check_generation(store: CommittedState, generation: int) -> None:
    if generation != store.generation:
        raise StaleOverlayError("this overlay was made before the last commit; make a new one")


class Overlay:
    def __init__(self, store: CommittedState, generation: int) -> None:
        self._store = store
        self.generation = generation
        self._writes: dict[str, dict[bytes, bytes | None]] = {s: {} for s in store.shards}
        self.read_versions: dict[str, dict[bytes, bytes]] = {s: {} for s in store.shards}
        self._journal: list[tuple[dict[bytes, bytes | None], bytes, object]] = []
        self._cps: list[tuple[int, int]] = []  # open checkpoints: (id, journal position)
        self._next_cp = 0
        self._sorted: dict[str, list[bytes] | None] = {}
        self._dirty = 0  # bumped by every write; keys the cached roots
        self._plan: tuple[int, int, dict[str, tuple[list[Item], TreeUpdate]]] | None = None

    def _shard(self, shard: str) -> dict[bytes, bytes | None]:
        try:
            return self._writes[shard]
        except (KeyError, TypeError):
            raise ValueError(f"unknown shard {shard!r}") from None

    # -- reads and writes -------------------------------------------------------------------
    def get(self, shard: str, key: bytes) -> bytes | None:
        w = self._shard(shard)
        if key in w:
            return w[key]
        raw = self._store.latest_raw(shard, key)
        # Remember the committed version: the commit then needs no read to find the
        # history entry this block makes stale (most writes follow a read of the key).
        self.read_versions[shard][key] = raw[:8] if raw is not None else b""
        return raw[8:] if raw is not None else None

    def _put(self, shard: str, key: bytes, value: bytes | None) -> None:
        w = self._shard(shard)
        check_key(key)
        prev = w.get(key, _MISSING)
        if self._cps:
            self._journal.append((w, key, prev))
        if prev is _MISSING:
            self._sorted[shard] = None
        w[key] = value
        self._dirty += 1

    def set(self, shard: str, key: bytes, value: bytes) -> None:
        if type(value) is not bytes:
            raise TypeError(f"state values are bytes, not {type(value).__name__}")
        if len(value) > MAX_VALUE:
            raise ValueError(f"state value of {len(value)} bytes exceeds {MAX_VALUE}")
        self._put(shard, key, value)

    def delete(self, shard: str, key: bytes) -> None:
        self._put(shard, key, None)

    def iterate(
        self, shard: str, prefix: bytes = b"", *, start: bytes | None = None
    ) -> Iterator[tuple[bytes, bytes]]:
        """Live pairs with ``prefix`` (from ``start`` on), ascending, overlay over committed."""
        w = self._shard(shard)
        keys = self._sorted.get(shard)
        if keys is None:
            keys = self._sorted[shard] = sorted(w)
        lo = prefix if start is None or start < prefix else start
        i = bisect.bisect_left(keys, lo)
        committed = self._store.iterate(shard, prefix, start=start)
        ck, cv = next(committed, (None, None))
        n = len(keys)
        while True:
            ok = keys[i] if i < n and keys[i].startswith(prefix) else None
            if ok is None and ck is None:
                return
            if ck is None or (ok is not None and ok <= ck):
                if ok == ck:
                    ck, cv = next(committed, (None, None))
                v = w.get(ok, _MISSING)  # type: ignore[arg-type]
                i += 1
                if v is _MISSING:  # reverted since the key list was built
                    continue
                if v is not None:
                    yield ok, v  # type: ignore[misc]
            else:
                yield ck, cv  # type: ignore[misc]
                ck, cv = next(committed, (None, None))

    # -- journal ----------------------------------------------------------------------------
    def checkpoint(self) -> int:
        self._next_cp += 1
        self._cps.append((self._next_cp, len(self._journal)))
        return self._next_cp

    def _find(self, cp: int) -> int:
        for i in range(len(self._cps) - 1, -1, -1):
            if self._cps[i][0] == cp:
                return i
        raise ValueError(f"checkpoint {cp} is not open")

    def revert(self, cp: int) -> None:
        """Drop every write since checkpoint ``cp`` (and close it and those inside it)."""
        i = self._find(cp)
        pos = self._cps[i][1]
        del self._cps[i:]
        j = self._journal
        while len(j) > pos:
            w, key, prev = j.pop()
            if prev is _MISSING:
                del w[key]
            else:
                w[key] = prev  # type: ignore[assignment]
        self._sorted.clear()
        self._dirty += 1
        if not self._cps:
            j.clear()

    def release(self, cp: int) -> None:
        """Keep the writes since ``cp`` and close it (and any checkpoint opened inside it)."""
        del self._cps[self._find(cp) :]
        if not self._cps:
            self._journal.clear()

    # -- hashing ----------------------------------------------------------------------------
    def dirty_shards(self) -> list[str]:
        return [s for s in self._store.shards if self._writes[s]]

    def plan(self, version: int) -> dict[str, tuple[list[Item], TreeUpdate]]:
        """Per dirty shard: its sorted changes and the tree update they make (cached)."""
        store = self._store
        check_generation(store, self.generation)
        p = self._plan
        if p is not None and p[0] == self._dirty and p[1] == version:
            return p[2]
        plans: dict[str, tuple[list[Item], TreeUpdate]] = {}
        for shard in store.shards:
            w = self._writes[shard]
            if not w:
                continue
            items: list[Item] = []
            for key, value in w.items():
                if value is None:
                    items.append((sha256(key).digest(), None, key, None))
                else:
                    items.append((sha256(key).digest(), sha256(value).digest(), key, value))
            items.sort()
            plans[shard] = (items, store.tree_update(shard, items, version))
        self._plan = (self._dirty, version, plans)
        return plans

    def shard_roots(self) -> dict[str, bytes]:
        plans = self.plan(self._store.next_version())
        roots = self._store.shard_roots()
        for shard, (_, upd) in plans.items():
            roots[shard] = upd.root[1]
        return roots

    def app_hash(self) -> bytes:
        return app_hash_of(self.shard_roots().items())

    def changes(self) -> dict[str, list[tuple[bytes, bytes | None]]]:
        """The change set by shard, sorted by key (what the write-ahead record holds)."""
        return {s: sorted(w.items()) for s, w in self._writes.items() if w}
