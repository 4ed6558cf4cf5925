"""The shard list: given by the application, checked here, recorded with the store.

The store knows no shard names of its own. The list's order is part of the byte formats
(write-ahead record payload, snapshot manifest and chunk shard index), so a store created
with one list must always be opened with exactly that list; ``shards.json`` in the store
directory records it at creation. (The app hash sorts the names, so it does not depend on
the order.)
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from .errors import StoreError

LIST_FILE = "shards.json"
MAX_SHARDS = 255  # the app proof and the snapshot chunk header count shards in one byte
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Names the store directory already uses for itself (shards are directories beside them).
_RESERVED = frozenset({"snapshots"})


def validate_shards(shards: Sequence[str]) -> tuple[str, ...]:
    """The list as a tuple, or ValueError saying what is wrong with it."""
    if isinstance(shards, str | bytes) or not isinstance(shards, Sequence):
        raise ValueError(f"shards must be a sequence of names, got {shards!r}")
    names = tuple(shards)
    if not names:
        raise ValueError("shards must name at least one shard")
    if len(names) > MAX_SHARDS:
        raise ValueError(f"at most {MAX_SHARDS} shards, got {len(names)}")
    for name in names:
        if type(name) is not str or not _NAME.fullmatch(name):
            raise ValueError(
                f"bad shard name {name!r}: 1 to 32 characters of a-z, 0-9 and _, "
                "starting with a letter"
            )
        if name in _RESERVED:
            raise ValueError(f"shard name {name!r} is reserved for the store's own files")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"shard names must be unique: {', '.join(dupes)} repeated")
    return names


def _fmt(names: Sequence[str]) -> str:
    return "(" + ", ".join(names) + ")"


def read_list(path: Path) -> tuple[str, ...] | None:
    """The shard list recorded in store directory ``path``, None if there is none."""
    f = path / LIST_FILE
    try:
        raw = f.read_text()
    except FileNotFoundError:
        return None
    try:
        names = json.loads(raw)["shards"]
        return validate_shards(names)
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{f} is damaged: {exc}") from None


def write_list(path: Path, shards: tuple[str, ...]) -> None:
    """Record ``shards`` in ``path`` durably (written aside, fsynced, renamed into place)."""
    f = path / LIST_FILE
    tmp = f.with_name(LIST_FILE + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, json.dumps({"shards": list(shards)}).encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, f)
    dfd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def settle_list(path: Path, shards: tuple[str, ...]) -> None:
    """Check ``shards`` against the list recorded in ``path``, or record it if there is none.

    A directory without a list is new, or was made before the list was recorded: it is
    adopted, unless it holds a shard database the list does not name.
    """
    recorded = read_list(path)
    if recorded is not None:
        if recorded != shards:
            raise StoreError(
                f"the store at {path} was created with shards {_fmt(recorded)}, "
                f"not {_fmt(shards)}: open it with the list it was created with"
            )
        return
    extra = sorted(
        d.name for d in path.iterdir()
        if d.is_dir() and (d / "CURRENT").is_file() and d.name not in shards
    )
    if extra:
        raise StoreError(
            f"the store at {path} holds shards {', '.join(extra)} that the list "
            f"{_fmt(shards)} does not name"
        )
    write_list(path, shards)
