"""Proof material, its encoding and the standalone verifier (hashlib only; the wallet uses it).

A proof is two ``ProofOp`` values, applied in order (see README "Proofs"). They carry the
fields of CometBFT's ProofOp; the application copies them into protobuf at its ABCI
boundary, so nothing here knows the wire.

1. type "fictra:smt", key = the state key, data =
       0x01 | terminal u8 | [other path 32 | other value hash 32 if terminal = 2]
       | depth u16 | bitmap (ceil(depth/8) bytes, bit i = sibling at depth i non-empty,
         most significant bit first) | the non-empty siblings, 32 bytes each, top down
   terminal: 0 = the key's own leaf (existence), 1 = an empty subtree, 2 = another key's
   leaf sharing the key's path down to ``depth`` (both non-existence).
   Running it gives the shard root.
2. type "fictra:app", key = the shard name (ASCII), data =
       0x01 | n u8 | n x (name length u8 | name | root 32), names strictly ascending.
   The computed shard root must equal the listed root of the key's shard; running it
   gives the app hash (hashing.app_hash_of).
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .hashing import EMPTY, app_hash_of, bit, inner_hash, key_path, leaf_hash, value_hash

SMT_OP = "fictra:smt"
APP_OP = "fictra:app"
PROOF_FORMAT = 1
T_LEAF, T_EMPTY, T_OTHER = 0, 1, 2


class ProofError(Exception):
    """A proof that does not prove the claim; the message says why."""


@dataclass(frozen=True, slots=True)
class ProofOp:
    """One step of a proof: the fields of CometBFT's ``ProofOp``, as plain values."""

    type: str
    key: bytes
    data: bytes


def encode_smt(path: bytes, sibs: list[bytes], terminal: tuple[int, bytes, Any]) -> bytes:
    """``terminal`` is a tree ref: (0, ...) empty or (1, hash, path || value hash) a leaf."""
    if terminal[0] == 0:
        head = bytes((PROOF_FORMAT, T_EMPTY))
    elif terminal[2][:32] == path:
        head = bytes((PROOF_FORMAT, T_LEAF))
    else:
        head = bytes((PROOF_FORMAT, T_OTHER)) + terminal[2]
    depth = len(sibs)
    bitmap = bytearray((depth + 7) >> 3)
    present = []
    for i, s in enumerate(sibs):
        if s != EMPTY:
            bitmap[i >> 3] |= 0x80 >> (i & 7)
            present.append(s)
    return head + struct.pack(">H", depth) + bytes(bitmap) + b"".join(present)


def encode_app(roots: Iterable[tuple[str, bytes]]) -> bytes:
    items = sorted(roots)
    out = [bytes((PROOF_FORMAT, len(items)))]
    for name, root in items:
        raw = name.encode("ascii")
        out.append(bytes((len(raw),)) + raw + root)
    return b"".join(out)


def proof_ops(
    shard: str, key: bytes, sibs: list[bytes], terminal: tuple[int, bytes, Any],
    roots: Iterable[tuple[str, bytes]],
) -> list[ProofOp]:
    """The two ops proving ``key`` in ``shard``: its tree path (``sibs`` top down to
    ``terminal``) and the shard roots (name, root) the app hash is made of."""
    return [
        ProofOp(SMT_OP, key, encode_smt(key_path(key), sibs, terminal)),
        ProofOp(APP_OP, shard.encode("ascii"), encode_app(roots)),
    ]


def _field(op: Any, name: str) -> Any:
    value = op.get(name) if isinstance(op, dict) else getattr(op, name, None)
    if value is None:
        raise ProofError(f"proof op has no {name!r}")
    return value


def _bytes(op: Any, name: str) -> bytes:
    """A bytes field; strings are base64, as in CometBFT's JSON."""
    value = _field(op, name)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise ProofError(f"proof op {name!r} is not valid base64") from exc
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise ProofError(f"proof op {name!r} must be bytes or base64 text")


def _ops(ops: Any) -> list[Any]:
    if isinstance(ops, dict):
        ops = ops.get("ops")
    elif hasattr(ops, "ops"):
        ops = ops.ops
    try:
        return list(ops)
    except TypeError:
        raise ProofError("proof must be a ProofOps or a list of ops") from None


def smt_root(data: bytes, key: bytes, value: bytes | None) -> bytes:
    """Run a "fictra:smt" op: the shard root this proof implies for (key, value)."""
    if len(data) < 2 or data[0] != PROOF_FORMAT:
        raise ProofError("unknown smt proof format")
    terminal = data[1]
    off = 2
    path = key_path(key)
    if terminal == T_LEAF:
        if value is None:
            raise ProofError("proof shows the key exists but no value was claimed")
        node = leaf_hash(path, value_hash(value))
    elif terminal in (T_EMPTY, T_OTHER):
        if value is not None:
            raise ProofError("proof shows the key is absent but a value was claimed")
        if terminal == T_EMPTY:
            node = EMPTY
        else:
            other = data[off : off + 64]
            off += 64
            if len(other) != 64:
                raise ProofError("truncated smt proof")
            if other[:32] == path:
                raise ProofError("the other leaf of a non-existence proof is the key itself")
            node = leaf_hash(other[:32], other[32:])
    else:
        raise ProofError(f"unknown smt proof terminal {terminal}")
    if len(data) < off + 2:
        raise ProofError("truncated smt proof")
    (depth,) = struct.unpack_from(">H", data, off)
    off += 2
    if depth > 256:
        raise ProofError("smt proof deeper than 256 levels")
    if terminal == T_OTHER:
        for i in range(depth):
            if bit(other[:32], i) != bit(path, i):
                raise ProofError("the other leaf is not on the key's path")
    nb = (depth + 7) >> 3
    bitmap = data[off : off + nb]
    off += nb
    if len(bitmap) != nb:
        raise ProofError("truncated smt proof")
    if depth & 7 and bitmap[-1] & (0xFF >> (depth & 7)):
        raise ProofError("smt proof bitmap has bits set past its depth")
    sibs: list[bytes] = []
    for i in range(depth):
        if bitmap[i >> 3] & (0x80 >> (i & 7)):
            s = data[off : off + 32]
            if len(s) != 32:
                raise ProofError("truncated smt proof")
            off += 32
            sibs.append(s)
        else:
            sibs.append(EMPTY)
    if off != len(data):
        raise ProofError("smt proof has trailing bytes")
    for i in range(depth - 1, -1, -1):
        node = inner_hash(sibs[i], node) if bit(path, i) else inner_hash(node, sibs[i])
    return node


def app_roots(data: bytes) -> list[tuple[str, bytes]]:
    """Decode a "fictra:app" op's (shard name, root) list."""
    if len(data) < 2 or data[0] != PROOF_FORMAT:
        raise ProofError("unknown app proof format")
    n = data[1]
    off = 2
    out: list[tuple[str, bytes]] = []
    for _ in range(n):
        if off >= len(data):
            raise ProofError("truncated app proof")
        ln = data[off]
        name_raw = data[off + 1 : off + 1 + ln]
        root = data[off + 1 + ln : off + 33 + ln]
        if len(name_raw) != ln or len(root) != 32:
            raise ProofError("truncated app proof")
        try:
            name = name_raw.decode("ascii")
        except UnicodeDecodeError:
            raise ProofError("shard name in app proof is not ASCII") from None
        if out and out[-1][0] >= name:
            raise ProofError("shard names in app proof are not strictly ascending")
        out.append((name, root))
        off += 33 + ln
    if off != len(data):
        raise ProofError("app proof has trailing bytes")
    return out


def verify_proof(ops: Any, app_hash: bytes, shard: str, key: bytes, value: bytes | None) -> None:
    """Check that ``key`` has ``value`` (None: is absent) in ``shard`` under ``app_hash``.

    ``ops``: a list of ``ProofOp`` (what ``Store.prove`` returns), a CometBFT ProofOps
    message or list of its ProofOp, or dicts with type, key, data (bytes or base64 text);
    read by duck typing. Raises ProofError saying what failed; returns None when the proof holds.
    """
    items = _ops(ops)
    if len(items) != 2:
        raise ProofError(f"expected 2 proof ops ({SMT_OP}, {APP_OP}), got {len(items)}")
    smt, app = items
    if _field(smt, "type") != SMT_OP or _field(app, "type") != APP_OP:
        raise ProofError(f"proof op types must be {SMT_OP!r} then {APP_OP!r}")
    if _bytes(smt, "key") != bytes(key):
        raise ProofError("the proof is for a different key")
    if _bytes(app, "key") != shard.encode("ascii"):
        raise ProofError("the proof is for a different shard")
    shard_root = smt_root(_bytes(smt, "data"), bytes(key), value)
    roots = app_roots(_bytes(app, "data"))
    listed = dict(roots).get(shard)
    if listed is None:
        raise ProofError(f"shard {shard!r} is not in the app proof")
    if listed != shard_root:
        raise ProofError("the value does not match the shard root in the proof")
    if app_hash_of(roots) != bytes(app_hash):
        raise ProofError("the shard roots do not hash to the trusted app hash")
