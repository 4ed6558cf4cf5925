"""The wallet's proof check on a real store's proofs: holds, and fails for every lie (the
header's signatures are checked on a real localnet, in the end-to-end tests)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from app.modules import SHARDS
from rpc.verify import proven_value
from state.proof import ProofError
from state.store import Store

CHAIN = "fictra-test"


def answer(store: Store, shard: str, key: bytes, height: int) -> dict[str, Any]:
    """What fictra_getProof answers: CometBFT JSON (base64 op fields), header height + 1."""
    value, ops = store.prove(shard, key, height=height)
    return {
        "height": height, "value": value.hex() if value else None,
        "proof": {"ops": [{"type": op.type, "key": base64.b64encode(op.key).decode(),
                           "data": base64.b64encode(op.data).decode()} for op in ops]},
        "header": {"height": str(height + 1), "chain_id": CHAIN,
                   "app_hash": store.app_hash.hex().upper()},
    }


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "state", shards=SHARDS)
    ov = s.overlay()
    for i in range(50):
        ov.set("pt", b"acc/" + bytes([i]) * 20, f"value-{i}".encode())
    s.commit(ov, 1)
    yield s
    s.close()


def test_existence_and_absence(store: Store) -> None:
    key = b"acc/" + bytes([7]) * 20
    assert proven_value(answer(store, "pt", key, 1), "pt", key, CHAIN) == b"value-7"
    missing = b"acc/" + b"\xee" * 20
    assert proven_value(answer(store, "pt", missing, 1), "pt", missing, CHAIN) is None


def test_every_lie_fails(store: Store) -> None:
    key = b"acc/" + bytes([7]) * 20
    good = answer(store, "pt", key, 1)
    lies = [
        {**good, "value": b"value-8".hex()},  # another value
        {**good, "value": None},  # hides the value
        {**good, "header": {**good["header"], "app_hash": "00" * 32}},  # another app hash
        {**good, "header": {**good["header"], "height": "5"}},  # not the next header
        {**good, "header": {**good["header"], "chain_id": "other"}},  # another chain
        {**good, "proof": {"ops": good["proof"]["ops"][:1]}},  # truncated proof
        {"height": 1},  # malformed
    ]
    for lie in lies:
        with pytest.raises(ProofError):
            proven_value(lie, "pt", key, CHAIN)
    other_key = b"acc/" + bytes([8]) * 20
    with pytest.raises(ProofError):  # a true proof, but of another key
        proven_value(good, "pt", other_key, CHAIN)
    with pytest.raises(ProofError):  # of another shard
        proven_value(good, "ft", key, CHAIN)
