"""On-disk key layout inside one shard's LevelDB (see README: "On-disk layout").

    L key                      -> version value            latest committed value (hot reads)
    V esc(key) ~version        -> 0x01 value | 0x00        value history (0x00 = deleted)
    P path                     -> key                      path index of live keys (export)
    N version depth prefix     -> page                     tree pages, immutable per version
    R ~version                 -> root record              shard root at each version it changed
    S since                    -> list of keys             entries that went stale at `since`
    Mheight                    -> u64                      last height applied to this shard
    Mfirst                     -> u64                      first committed height

A list is (u16 length, key) pairs. Integers are 8-byte big-endian; ~v is 2**64-1-v so a
forward seek finds the newest version at or below a height. esc() maps 0x00 to 0x00 0xFF
and ends keys with 0x00 0x01, which keeps byte order and makes variable-length keys
prefix-free.
"""

from __future__ import annotations

LATEST = b"L"
HIST = b"V"
PATHS = b"P"
NODE = b"N"
ROOT = b"R"
STALE = b"S"
META_HEIGHT = b"Mheight"
META_FIRST = b"Mfirst"
MAXV = (1 << 64) - 1
_TERM = b"\x00\x01"


def u64(v: int) -> bytes:
    return v.to_bytes(8, "big")


def inv(v: int) -> bytes:
    return (MAXV - v).to_bytes(8, "big")


def esc(key: bytes) -> bytes:
    return key.replace(b"\x00", b"\x00\xff") + _TERM


def unesc(raw: bytes) -> bytes:
    """Inverse of esc() for ``raw`` = esc(key) (terminator included)."""
    return raw[:-2].replace(b"\x00\xff", b"\x00")


def hist_key(key: bytes, version: int) -> bytes:
    return HIST + esc(key) + inv(version)


def node_key(version: int, depth: int, prefix: bytes) -> bytes:
    return NODE + version.to_bytes(8, "big") + bytes((depth,)) + prefix


def root_key(version: int) -> bytes:
    return ROOT + inv(version)


def prefix_end(prefix: bytes) -> bytes | None:
    """The first key after every key starting with ``prefix`` (None: no such key)."""
    p = bytearray(prefix)
    while p and p[-1] == 0xFF:
        p.pop()
    if not p:
        return None
    p[-1] += 1
    return bytes(p)
