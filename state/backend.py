"""LevelDB access for one shard: open options and the few calls the store uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plyvel

from .errors import StoreError


class ShardDB:
    """One shard's LevelDB: bloom filter, sized block cache, synced batch writes."""

    def __init__(self, path: Path, cache_bytes: int) -> None:
        self.path = path
        try:
            path.mkdir(parents=True, exist_ok=True)
            self.db = plyvel.DB(
                str(path),
                create_if_missing=True,
                bloom_filter_bits=10,
                lru_cache_size=max(cache_bytes, 1 << 20),
                write_buffer_size=4 << 20,
                max_open_files=500,
            )
        except plyvel.Error as exc:
            raise StoreError(f"cannot open shard database {path}: {exc}") from exc
        self.get = self.db.get

    def iterator(self, **kw: Any) -> Iterator:
        return self.db.iterator(**kw)

    def snapshot(self) -> Any:  # plyvel's Snapshot: a read-only view
        return self.db.snapshot()

    def write_batch(self, sync: bool = True) -> Any:  # plyvel's WriteBatch
        return self.db.write_batch(sync=sync)

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())

    def close(self) -> None:
        if not self.db.closed:
            self.db.close()
