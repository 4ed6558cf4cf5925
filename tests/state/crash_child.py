"""Child process for the crash tests: commits blocks 1..N of a fixed workload, writing each
block's pre-commit app hash to <path>.expected/<height> first. Usage: crash_child.py PATH N"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from state.store import Store

SHARDS = ("red", "green", "blue", "cyan", "amber")  # as conftest.SHARDS (run as a script)


def block_writes(height: int) -> list[tuple[str, bytes, bytes | None]]:
    """A deterministic workload touching every shard, with updates and deletes."""
    out: list[tuple[str, bytes, bytes | None]] = []
    for i, shard in enumerate(SHARDS):
        for j in range(40 + 10 * i):
            key = b"%s-%d" % (shard.encode(), (j * 7 + height) % 90)
            value = None if (j + height) % 9 == 0 else b"h%d-j%d" % (height, j)
            out.append((shard, key, value))
    return out


def apply(store: Store, height: int) -> bytes:
    ov = store.overlay()
    for shard, key, value in block_writes(height):
        if value is None:
            ov.delete(shard, key)
        else:
            ov.set(shard, key, value)
    return ov.app_hash(), ov  # type: ignore[return-value]


def main() -> None:
    path, n = Path(sys.argv[1]), int(sys.argv[2])
    expected = path.with_name(path.name + ".expected")
    expected.mkdir(exist_ok=True)
    store = Store.open(path, shards=SHARDS, keep_recent=2)
    for h in range(store.height + 1, n + 1):
        app_hash, ov = apply(store, h)
        fd = os.open(expected / str(h), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.write(fd, app_hash)
        os.fsync(fd)
        os.close(fd)
        store.commit(ov, h)
    store.close()


if __name__ == "__main__":
    main()
