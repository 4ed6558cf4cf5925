"""The narrow interfaces between the store and the parts built on it.

``Overlay`` and snapshot export depend on these protocols, not on ``Store``; only
``store.py`` imports the concrete pieces, so the package has no import circles.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from .page import Ref
from .tree import TreeUpdate

# One shard's planned change: (path, value hash or None, key, value or None), sorted by path.
Item = tuple[bytes, "bytes | None", bytes, "bytes | None"]


class CommittedState(Protocol):
    """What an overlay reads and hashes against: the latest committed state."""

    shards: tuple[str, ...]

    @property
    def generation(self) -> int:
        """Bumped by every commit: an overlay of an older generation is stale."""
        ...

    def latest_raw(self, shard: str, key: bytes) -> bytes | None:
        """The latest ``L`` entry of ``key`` (u64 version || value), or None."""
        ...

    def iterate(
        self, shard: str, prefix: bytes = b"", *, start: bytes | None = None,
        height: int | None = None,
    ) -> Iterator[tuple[bytes, bytes]]: ...

    def shard_roots(self) -> dict[str, bytes]: ...

    def next_version(self) -> int: ...

    def tree_update(self, shard: str, items: list[Item], version: int) -> TreeUpdate: ...


class DBView(Protocol):
    """A read-only point-in-time view of one shard's LevelDB (plyvel's Snapshot)."""

    def get(self, key: bytes) -> bytes | None: ...

    def close(self) -> None: ...


# Per shard, for export: its view, its root and its key count, all at one height.
ShardView = tuple[DBView, Ref, int]


class SnapshotSource(Protocol):
    """What the snapshot manager needs of the store it snapshots."""

    path: Path
    shards: tuple[str, ...]

    def export_views(self) -> dict[str, ShardView]:
        """Views of every shard at the latest height (the caller closes them)."""
        ...
