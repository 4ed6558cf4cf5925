"""Unsigned-varint framing: any split of the stream yields the same frames."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abci.framing import FrameDecoder, FrameError, encode_uvarint, frame


def test_uvarint_known_values() -> None:
    assert encode_uvarint(0) == b"\x00"
    assert encode_uvarint(127) == b"\x7f"
    assert encode_uvarint(128) == b"\x80\x01"
    assert encode_uvarint(300) == b"\xac\x02"


def test_split_at_every_byte_boundary() -> None:
    payloads = [b"", b"a", b"x" * 127, b"y" * 128, bytes(range(256)) * 3]
    stream = b"".join(frame(p) for p in payloads)
    for cut in range(len(stream) + 1):
        dec = FrameDecoder()
        got = dec.feed(stream[:cut]) + dec.feed(stream[cut:])
        assert got == payloads, f"split at {cut}"
        assert dec.pending == 0


def test_one_byte_at_a_time() -> None:
    payloads = [b"hello", b"", b"z" * 1000]
    stream = b"".join(frame(p) for p in payloads)
    dec = FrameDecoder()
    got: list[bytes] = []
    for i in range(len(stream)):
        got += dec.feed(stream[i : i + 1])
    assert got == payloads


@given(st.lists(st.binary(max_size=600), max_size=12), st.lists(st.integers(1, 97), min_size=1))
def test_random_splits(payloads: list[bytes], chunks: list[int]) -> None:
    stream = b"".join(frame(p) for p in payloads)
    dec = FrameDecoder()
    got: list[bytes] = []
    pos = i = 0
    while pos < len(stream):
        size = chunks[i % len(chunks)]
        got += dec.feed(stream[pos : pos + size])
        pos += size
        i += 1
    assert got == payloads


def test_32mb_frame_in_small_reads() -> None:
    payload = bytes(range(256)) * (32 * 1024 * 1024 // 256)
    stream = frame(payload)
    dec = FrameDecoder()
    got: list[bytes] = []
    step = 64 * 1024
    for pos in range(0, len(stream), step):
        got += dec.feed(stream[pos : pos + step])
    assert len(got) == 1 and got[0] == payload


def test_oversized_frame_is_refused_from_its_header() -> None:
    dec = FrameDecoder(max_frame=1000)
    with pytest.raises(FrameError, match="exceeds the limit"):
        dec.feed(encode_uvarint(1001))


def test_malformed_length_prefix() -> None:
    with pytest.raises(FrameError, match="malformed"):
        FrameDecoder().feed(b"\xff" * 11)


def test_truncated_frame_stays_pending() -> None:
    dec = FrameDecoder()
    assert dec.feed(frame(b"abcdef")[:4]) == []
    assert dec.pending == 4
    assert dec.expected == 7
