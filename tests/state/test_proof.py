"""Proofs: every existence and non-existence proof verifies; every tampering fails."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state.proof import APP_OP, SMT_OP, ProofError, ProofOp, verify_proof

from .conftest import SHARDS, Stores

keys = st.binary(min_size=1, max_size=10)


def _ops(ops) -> list[dict]:
    return [{"type": o.type, "key": o.key, "data": o.data} for o in ops]


def _flip(data: bytes, i: int) -> bytes:
    b = bytearray(data)
    b[i % len(b)] ^= 0x01
    return bytes(b)


@settings(max_examples=30, deadline=None)
@given(
    present=st.dictionaries(keys, st.binary(max_size=30), min_size=0, max_size=80),
    absent=st.lists(keys, max_size=10),
    shard=st.sampled_from(SHARDS),
)
def test_every_proof_verifies_and_every_tampering_fails(present, absent, shard) -> None:
    with Stores() as stores:
        store = stores.open()
        ov = store.overlay()
        for k, v in present.items():
            ov.set(shard, k, v)
        ov.set("amber", b"other-shard", b"x")
        store.commit(ov, 1)
        app_hash = store.app_hash
        for key in list(present)[:15] + [k for k in absent if k not in present]:
            value, ops = store.prove(shard, key)
            assert value == present.get(key)
            verify_proof(ops, app_hash, shard, key, value)
            _check_tampering(ops, app_hash, shard, key, value)


def _check_tampering(ops, app_hash: bytes, shard: str, key: bytes, value: bytes | None) -> None:
    def fails(o: list[dict], **claim: object) -> None:
        args = {"app_hash": app_hash, "shard": shard, "key": key, "value": value, **claim}
        with pytest.raises(ProofError):
            verify_proof(o, **args)

    # a different value, or claiming presence / absence the other way round
    fails(_ops(ops), value=(value or b"") + b"!")
    if value is not None:
        fails(_ops(ops), value=None)
    # another key, another shard, another root
    fails(_ops(ops), key=key + b"\x00")
    fails(_ops(ops), shard=next(s for s in SHARDS if s != shard))
    fails(_ops(ops), app_hash=_flip(app_hash, 0))
    smt = ops[0].data
    # every byte of the smt proof after the format byte: terminal, other leaf, depth,
    # bitmap and siblings
    for i in range(1, len(smt)):
        o = _ops(ops)
        o[0]["data"] = _flip(smt, i)
        fails(o)
    app = ops[1].data
    for i in range(2, len(app)):  # names and roots of every shard
        o = _ops(ops)
        o[1]["data"] = _flip(app, i)
        fails(o)
    o = _ops(ops)
    o[0]["data"] = smt + b"\x00"
    fails(o)
    fails(list(reversed(_ops(ops))))


def test_json_style_ops_with_base64(open_store) -> None:
    store = open_store()
    ov = store.overlay()
    ov.set("red", b"alice", b"100")
    store.commit(ov, 1)
    value, ops = store.prove("red", b"alice")
    as_json = {"ops": [{"type": o.type, "key": base64.b64encode(o.key).decode(),
                        "data": base64.b64encode(o.data).decode()} for o in ops]}
    verify_proof(as_json, store.app_hash, "red", b"alice", b"100")
    assert [o.type for o in ops] == [SMT_OP, APP_OP]
    with pytest.raises(ProofError, match="does not match the shard root"):
        verify_proof(as_json, store.app_hash, "red", b"alice", b"101")
    with pytest.raises(ProofError, match="expected 2 proof ops"):
        verify_proof({"ops": []}, store.app_hash, "red", b"alice", b"100")
    bad = {"ops": [dict(as_json["ops"][0], data="%%%"), as_json["ops"][1]]}
    with pytest.raises(ProofError, match="base64"):
        verify_proof(bad, store.app_hash, "red", b"alice", b"100")


def test_proofs_at_old_heights(open_store) -> None:
    store = open_store(keep_recent=5)
    hashes = {}
    for h in range(1, 9):
        ov = store.overlay()
        ov.set("cyan", b"price", b"%d" % h)
        if h % 2:
            ov.delete("cyan", b"flag")
        else:
            ov.set("cyan", b"flag", b"on")
        hashes[h] = store.commit(ov, h)
    for h in range(4, 9):
        value, ops = store.prove("cyan", b"price", h)
        assert value == b"%d" % h
        verify_proof(ops, hashes[h], "cyan", b"price", value)
        flag, ops = store.prove("cyan", b"flag", h)
        assert flag == (None if h % 2 else b"on")
        verify_proof(ops, hashes[h], "cyan", b"flag", flag)
        with pytest.raises(ProofError):
            verify_proof(ops, hashes[h - 1], "cyan", b"flag", flag)


def test_verifier_needs_no_store() -> None:
    import subprocess
    import sys

    code = ("import sys, state.proof; "
            "assert not any(m in sys.modules for m in ('plyvel', 'state.store')); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_prove_returns_plain_proof_material(open_store) -> None:
    """``prove`` gives frozen ``ProofOp`` values, no protobuf; the verifier takes them as
    they are, as a tuple, as dicts, or copied into CometBFT's ProofOps (what the ABCI layer
    sends and a wallet gets back)."""
    import dataclasses

    store = open_store()
    ov = store.overlay()
    ov.set("red", b"alice", b"100")
    store.commit(ov, 1)
    value, ops = store.prove("red", b"alice")
    absent, none_ops = store.prove("red", b"bob")
    assert value == b"100" and absent is None
    for op in ops + none_ops:
        assert type(op) is ProofOp
        assert (type(op.type), type(op.key), type(op.data)) == (str, bytes, bytes)
        with pytest.raises(dataclasses.FrozenInstanceError):
            op.data = b""  # type: ignore[misc]
    assert [(o.type, o.key) for o in ops] == [(SMT_OP, b"alice"), (APP_OP, b"red")]
    assert ops == store.prove("red", b"alice")[1]  # plain values: equal when equal
    for form in (ops, tuple(ops), [dataclasses.asdict(o) for o in ops], {"ops": ops}):
        verify_proof(form, store.app_hash, "red", b"alice", b"100")
    verify_proof(none_ops, store.app_hash, "red", b"bob", None)
    with pytest.raises(ProofError):
        verify_proof(none_ops, store.app_hash, "red", b"bob", b"100")

    crypto_proof = pytest.importorskip("abci.proto").crypto_proof
    wire = crypto_proof.ProofOps(ops=[crypto_proof.ProofOp(type=o.type, key=o.key, data=o.data)
                                      for o in ops])
    verify_proof(wire, store.app_hash, "red", b"alice", b"100")
    verify_proof(crypto_proof.ProofOps.FromString(wire.SerializeToString()).ops,
                 store.app_hash, "red", b"alice", b"100")
