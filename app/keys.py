"""Encodings shared by the modules' store keys."""

from __future__ import annotations


def u64(n: int) -> bytes:
    """Big-endian, so keys sort by the number (height and id indexes iterate in order)."""
    return n.to_bytes(8, "big")
