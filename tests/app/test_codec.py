"""Tx bytes: addresses, canonical decoding, size limits, signatures, the signature cache."""

from __future__ import annotations

import contextlib

import bech32
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.crypto import Key, address_of, from_bech32, read_key_file, to_bech32, write_key_file
from app.errors import Code, TxError
from app.pb import tx_pb2
from app.tx.builder import send, sign_tx
from app.tx.cache import TxCache
from app.tx.codec import MAX_TX_BYTES, decode_tx
from tests.app.chain import ALICE, BOB, CHAIN_ID


@given(st.binary(min_size=20, max_size=20))
def test_fast_bech32_matches_the_library(addr: bytes) -> None:
    assert to_bech32(addr) == bech32.bech32_encode("fic", bech32.convertbits(addr, 8, 5))
    assert from_bech32(to_bech32(addr)) == addr


def test_address_is_sha256_prefix_and_bad_addresses_are_named() -> None:
    k = Key.derive("x")
    assert len(k.address) == 20 and address_of(k.public_key) == k.address
    assert k.bech32.startswith("fic1")
    other = bech32.bech32_encode("cosmos", bech32.convertbits(k.address, 8, 5))
    with pytest.raises(ValueError, match="prefix"):
        from_bech32(other)
    with pytest.raises(ValueError, match="bech32"):
        from_bech32(k.bech32[:-1] + ("q" if k.bech32[-1] != "q" else "p"))


def test_key_file_round_trip(tmp_path) -> None:
    k = Key.generate()
    write_key_file(tmp_path / "k.json", "k", k)
    assert read_key_file(tmp_path / "k.json").address == k.address
    assert (tmp_path / "k.json").stat().st_mode & 0o077 == 0


def _raw() -> bytes:
    return sign_tx(ALICE, CHAIN_ID, 0, [send(BOB.address, 5)], fee=10_000)


def test_decode_round_trip() -> None:
    d = decode_tx(_raw())
    assert d.signer == ALICE.address and d.nonce == 0 and d.fee == 10_000
    assert [k for k, _ in d.msgs] == ["send"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\xff\xff\xff", Code.TX_MALFORMED),
        (b"", Code.TX_INVALID),  # decodes to an empty tx: no public key
        (b"\x00" * (MAX_TX_BYTES + 1), Code.TX_TOO_LARGE),
    ],
)
def test_malformed_bytes(raw: bytes, code: Code) -> None:
    with pytest.raises(TxError) as e:
        decode_tx(raw)
    assert e.value.code == code


def test_non_canonical_encoding_is_refused() -> None:
    raw = _raw()
    tx = tx_pb2.Tx.FromString(raw)
    # Same fields in another order: decodes to the same message, but other bytes.
    reordered = (tx_pb2.Tx(signature=tx.signature).SerializeToString()
                 + tx_pb2.Tx(body_bytes=tx.body_bytes, auth_info_bytes=tx.auth_info_bytes)
                 .SerializeToString())
    assert tx_pb2.Tx.FromString(reordered) == tx
    with pytest.raises(TxError) as e:
        decode_tx(reordered)
    assert e.value.code == Code.TX_MALFORMED
    # An unknown field appended.
    with pytest.raises(TxError) as e:
        decode_tx(raw + b"\x20\x01")
    assert e.value.code == Code.TX_MALFORMED


def test_empty_and_unknown_messages_are_invalid() -> None:
    raw = sign_tx(ALICE, CHAIN_ID, 0, [tx_pb2.Msg()], fee=1)
    with pytest.raises(TxError) as e:
        decode_tx(raw)
    assert e.value.code == Code.TX_INVALID
    with pytest.raises(TxError) as e:
        decode_tx(sign_tx(ALICE, CHAIN_ID, 0, [], fee=1))
    assert e.value.code == Code.TX_INVALID


def test_memo_limit() -> None:
    with pytest.raises(TxError) as e:
        decode_tx(sign_tx(ALICE, CHAIN_ID, 0, [send(BOB.address, 1)], fee=1, memo="x" * 257))
    assert e.value.code == Code.TX_INVALID


def test_cache_verifies_each_tx_once_and_refuses_bad_signatures() -> None:
    cache = TxCache(CHAIN_ID, limit=2)
    raw = _raw()
    assert cache.get(raw) is cache.get(raw)
    assert cache.verifications == 1
    tx = tx_pb2.Tx.FromString(raw)
    forged = tx_pb2.Tx(body_bytes=tx.body_bytes, auth_info_bytes=tx.auth_info_bytes,
                       signature=bytes(64)).SerializeToString()
    with pytest.raises(TxError) as e:
        cache.get(forged)
    assert e.value.code == Code.BAD_SIGNATURE
    # Signed for another chain: the signature covers the chain id.
    other = sign_tx(ALICE, "other-chain", 0, [send(BOB.address, 5)], fee=10_000)
    with pytest.raises(TxError) as e:
        cache.get(other)
    assert e.value.code == Code.BAD_SIGNATURE and "chain id" in e.value.log
    # Bounded: older entries are evicted, then verified again on the next sight.
    for n in range(1, 4):
        cache.get(sign_tx(ALICE, CHAIN_ID, n, [send(BOB.address, 5)], fee=10_000))
    assert len(cache) == 2
    before = cache.verifications
    cache.get(raw)
    assert cache.verifications == before + 1


def test_changing_signed_fields_breaks_the_signature() -> None:
    cache = TxCache(CHAIN_ID)
    tx = tx_pb2.Tx.FromString(_raw())
    auth = tx_pb2.AuthInfo.FromString(tx.auth_info_bytes)
    for field, value in (("nonce", 1), ("fee", 20_000)):
        changed = tx_pb2.AuthInfo()
        changed.CopyFrom(auth)
        setattr(changed, field, value)
        raw = tx_pb2.Tx(body_bytes=tx.body_bytes, auth_info_bytes=changed.SerializeToString(),
                        signature=tx.signature).SerializeToString()
        with pytest.raises(TxError) as e:
            cache.get(raw)
        assert e.value.code == Code.BAD_SIGNATURE
    body = tx_pb2.TxBody.FromString(tx.body_bytes)
    body.messages[0].send.amount = 6
    raw = tx_pb2.Tx(body_bytes=body.SerializeToString(), auth_info_bytes=tx.auth_info_bytes,
                    signature=tx.signature).SerializeToString()
    with pytest.raises(TxError) as e:
        cache.get(raw)
    assert e.value.code == Code.BAD_SIGNATURE


_CACHE = TxCache(CHAIN_ID)


@given(st.binary(max_size=300))
def test_random_bytes_only_ever_raise_txerror(raw: bytes) -> None:
    with contextlib.suppress(TxError):
        _CACHE.get(raw)


@given(st.integers(min_value=0), st.integers(min_value=0, max_value=255))
def test_corrupted_txs_are_refused_with_a_code(pos: int, byte: int) -> None:
    raw = _raw()
    pos %= len(raw)
    if raw[pos] == byte:
        return
    with pytest.raises(TxError):
        _CACHE.get(raw[:pos] + bytes([byte]) + raw[pos + 1:])


def test_readme_code_table_is_the_code_table() -> None:
    from pathlib import Path

    from app.errors import render_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert render_table() in readme


def test_prefetch_verifies_unseen_block_txs_in_parallel() -> None:
    cache = TxCache(CHAIN_ID)
    good = [sign_tx(ALICE, CHAIN_ID, n, [send(BOB.address, 5)], fee=10_000) for n in range(100)]
    tx = tx_pb2.Tx.FromString(good[0])
    forged = tx_pb2.Tx(body_bytes=tx.body_bytes, auth_info_bytes=tx.auth_info_bytes,
                       signature=bytes(64)).SerializeToString()
    cache.prefetch([*good, forged, b"junk"])
    assert len(cache) == 100 and cache.verifications == 101
    assert [cache.get(raw).nonce for raw in good] == list(range(100))
    assert cache.verifications == 101  # all found in the cache
    with pytest.raises(TxError) as e:
        cache.get(forged)
    assert e.value.code == Code.BAD_SIGNATURE
