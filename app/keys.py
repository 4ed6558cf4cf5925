"""Encodings shared by the modules' store keys, and the ids derived from txs."""

from __future__ import annotations

import hashlib

PURCHASE_ID_LEN = 16


def u64(n: int) -> bytes:
    """Big-endian, so keys sort by the number (height and id indexes iterate in order)."""
    return n.to_bytes(8, "big")


def purchase_id(tx_hash: bytes, index: int) -> bytes:
    """A purchase's 16-byte id: SHA-256(hash of the tx that made it || message index u32)."""
    return hashlib.sha256(tx_hash + index.to_bytes(4, "big")).digest()[:PURCHASE_ID_LEN]
