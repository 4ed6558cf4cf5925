"""Checking a list answer's proofs (``app.query.trade``): the answer's value is a KeyValues
message and its proof ops are one (``fictra:smt``, ``fictra:app``) pair per entry, in order.

Each entry is proven present with its value under the trusted app hash; that the list holds
every matching record is not (ask for single records to prove absence).
"""

from __future__ import annotations

from typing import Any

from app.pb import state_pb2
from state.proof import ProofError, verify_proof


def verify_list_proof(ops: Any, app_hash: bytes, value: bytes) -> list[state_pb2.KeyValue]:
    """The proven entries of a list answer; ProofError if any entry's proof fails."""
    items = list(getattr(ops, "ops", ops))
    entries = list(state_pb2.KeyValues.FromString(value).entries)
    if len(items) != 2 * len(entries):
        raise ProofError(f"{len(entries)} entries need {2 * len(entries)} proof ops, got "
                         f"{len(items)}")
    for i, e in enumerate(entries):
        try:
            verify_proof(items[2 * i:2 * i + 2], app_hash, e.shard, e.key, e.value)
        except ProofError as err:
            raise ProofError(f"entry {i} ({e.key.hex()}): {err}") from None
    return entries
