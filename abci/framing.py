"""Unsigned-varint length framing, as CometBFT's ABCI socket protocol uses it.

The decoder is incremental: bytes arrive in any split, frames come out whole. A large frame
is accumulated in one buffer and sliced once, so a 32 MB FinalizeBlock costs no quadratic
copying however small the reads are.
"""

from __future__ import annotations

# CometBFT itself accepts up to 2 GiB; a validator never needs more than a few blocks' worth.
DEFAULT_MAX_FRAME = 256 * 1024 * 1024
_MAX_VARINT_BYTES = 10


class FrameError(Exception):
    """The byte stream is not a valid sequence of frames; the connection must be closed."""


def encode_uvarint(n: int) -> bytes:
    if n < 0:
        raise ValueError("uvarint must be non-negative")
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def frame(payload: bytes) -> bytes:
    return encode_uvarint(len(payload)) + payload


class FrameDecoder:
    """Feed bytes in any split; take out complete frames in order."""

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buf = bytearray()
        self._need: int | None = None  # total bytes (header + body) of the frame being read
        self._body_at = 0

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        if self._need is not None and len(self._buf) < self._need:
            return []
        frames: list[bytes] = []
        pos = 0
        buf = self._buf
        end = len(buf)
        while True:
            if self._need is None:
                header = self._read_header(buf, pos, end)
                if header is None:
                    break
                length, body_at = header
                self._need, self._body_at = body_at + length - pos, body_at - pos
            start = pos
            if end - start < self._need:
                break
            body_from = start + self._body_at
            frames.append(bytes(buf[body_from : start + self._need]))
            pos = start + self._need
            self._need = None
        if pos:
            del buf[:pos]
        return frames

    def _read_header(self, buf: bytearray, pos: int, end: int) -> tuple[int, int] | None:
        shift = 0
        value = 0
        i = pos
        while i < end:
            byte = buf[i]
            value |= (byte & 0x7F) << shift
            i += 1
            if byte < 0x80:
                if value > self.max_frame:
                    raise FrameError(
                        f"frame of {value} bytes exceeds the limit of {self.max_frame}"
                    )
                return value, i
            shift += 7
            if i - pos >= _MAX_VARINT_BYTES:
                raise FrameError("malformed length prefix (varint longer than 10 bytes)")
        return None

    @property
    def pending(self) -> int:
        """Bytes received that do not yet form a whole frame."""
        return len(self._buf)

    @property
    def expected(self) -> int | None:
        """Total size of the partly received frame, when its header is complete."""
        return self._need
