"""The light client's hand-written encodings equal the generated CometBFT modules' bytes."""

from __future__ import annotations

import subprocess
import sys

from google.protobuf import timestamp_pb2, wrappers_pb2
from hypothesis import given
from hypothesis import strategies as st

import abci.proto  # noqa: F401 - puts CometBFT's generated modules on the import path
from rpc import protowire as pw

# isort: split
from tendermint.crypto import keys_pb2
from tendermint.types import canonical_pb2, types_pb2, validator_pb2
from tendermint.version import types_pb2 as version_pb2

u32 = st.integers(0, 2**32 - 1)
u63 = st.integers(0, 2**63 - 1)
blob = st.binary(max_size=40)


@given(u63, st.integers(0, 999_999_999), u63, u63, st.text(max_size=20))
def test_scalars_and_wrappers(seconds: int, nanos: int, block: int, app: int, text: str
                              ) -> None:
    assert pw.timestamp(seconds, nanos) == timestamp_pb2.Timestamp(
        seconds=seconds, nanos=nanos).SerializeToString()
    assert pw.consensus_version(block, app) == version_pb2.Consensus(
        block=block, app=app).SerializeToString()
    assert pw.string_value(text) == wrappers_pb2.StringValue(value=text).SerializeToString()
    assert pw.int64_value(block) == wrappers_pb2.Int64Value(value=block).SerializeToString()


@given(blob, u32, blob, blob, u63)
def test_block_id_and_validator(hash_: bytes, total: int, parts: bytes, key: bytes,
                                power: int) -> None:
    want = types_pb2.BlockID(hash=hash_, part_set_header=types_pb2.PartSetHeader(
        total=total, hash=parts)).SerializeToString()
    assert pw.block_id(hash_, total, parts) == want
    assert pw.bytes_value(hash_) == wrappers_pb2.BytesValue(value=hash_).SerializeToString()
    assert pw.simple_validator(key, power) == validator_pb2.SimpleValidator(
        pub_key=keys_pb2.PublicKey(ed25519=key), voting_power=power).SerializeToString()


@given(st.integers(0, 3), u63, st.integers(0, 2**31 - 1), blob, u32, blob, u63,
       st.integers(0, 999_999_999), st.text(max_size=30))
def test_canonical_vote(type_: int, height: int, round_: int, hash_: bytes, total: int,
                        parts: bytes, seconds: int, nanos: int, chain_id: str) -> None:
    want = canonical_pb2.CanonicalVote(
        type=type_, height=height, round=round_,
        block_id=canonical_pb2.CanonicalBlockID(
            hash=hash_, part_set_header=canonical_pb2.CanonicalPartSetHeader(
                total=total, hash=parts)),
        timestamp=timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos), chain_id=chain_id,
    ).SerializeToString()
    got = pw.canonical_vote(type_, height, round_, pw.block_id(hash_, total, parts),
                            pw.timestamp(seconds, nanos), chain_id)
    assert got == want


def test_wallet_sdk_imports_without_the_generated_modules() -> None:
    code = ("import sys; sys.modules['abci.proto'] = None\n"
            "import rpc.wallet, rpc.lightclient, rpc.verify, rpc.keystore, app.tx.builder\n"
            "assert 'tendermint' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
