"""The few CometBFT protobuf messages a light client hashes and verifies, encoded by hand.

The wallet SDK must import without the protobuf modules generated at install time, and a
light client needs only these encodings: the header fields' wrappers, ``BlockID``,
``SimpleValidator`` and ``CanonicalVote`` (field numbers as in CometBFT v0.38's
``proto/tendermint``). Proto3 rules: scalar zero values are omitted; a sub-message CometBFT
marshals as non-nullable is always written, even when empty. ``tests/rpc/test_protowire.py``
checks every encoding byte for byte against the generated modules.
"""

from __future__ import annotations

import struct

from abci.framing import encode_uvarint as _uvarint

_VARINT, _FIXED64, _LEN = 0, 1, 2


def _tag(field: int, wire: int) -> bytes:
    return _uvarint(field << 3 | wire)


def varint(field: int, value: int) -> bytes:
    """uint32/uint64/int64/enum (non-negative values only here); omitted when zero."""
    if value < 0:
        raise ValueError("negative varints are not used in these messages")
    return _tag(field, _VARINT) + _uvarint(value) if value else b""


def sfixed64(field: int, value: int) -> bytes:
    return _tag(field, _FIXED64) + struct.pack("<q", value) if value else b""


def data(field: int, value: bytes) -> bytes:
    """bytes/string; omitted when empty."""
    return _tag(field, _LEN) + _uvarint(len(value)) + value if value else b""


def message(field: int, body: bytes) -> bytes:
    """An always-present sub-message, or a set oneof member (written even when empty)."""
    return _tag(field, _LEN) + _uvarint(len(body)) + body


# -- the messages --------------------------------------------------------------------------------

def timestamp(seconds: int, nanos: int) -> bytes:  # google.protobuf.Timestamp
    return varint(1, seconds) + varint(2, nanos)


def consensus_version(block: int, app: int) -> bytes:  # tendermint.version.Consensus
    return varint(1, block) + varint(2, app)


def bytes_value(value: bytes) -> bytes:  # google.protobuf.BytesValue
    return data(1, value)


def string_value(value: str) -> bytes:  # google.protobuf.StringValue
    return data(1, value.encode())


def int64_value(value: int) -> bytes:  # google.protobuf.Int64Value
    return varint(1, value)


def block_id(hash_: bytes, parts_total: int, parts_hash: bytes) -> bytes:
    """tendermint.types.BlockID, and CanonicalBlockID (the same fields and numbers)."""
    return data(1, hash_) + message(2, varint(1, parts_total) + data(2, parts_hash))


def simple_validator(ed25519: bytes, voting_power: int) -> bytes:
    return message(1, message(1, ed25519)) + varint(2, voting_power)  # PublicKey oneof


def canonical_vote(type_: int, height: int, round_: int, block_id_bytes: bytes,
                   timestamp_bytes: bytes, chain_id: str) -> bytes:
    return (varint(1, type_) + sfixed64(2, height) + sfixed64(3, round_)
            + message(4, block_id_bytes) + message(5, timestamp_bytes)
            + data(6, chain_id.encode()))
