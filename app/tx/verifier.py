"""Signature checks in processes of their own, a batch per round trip.

A thread that checks signatures in this process gives the GIL up for every libsodium call
and must win it back afterwards: while a block executes on another thread, each win waits
up to the interpreter's switch interval (5 ms), so a batch of CheckTx stalled for hundreds of
milliseconds. A worker process has its own GIL: the node's process writes a batch to a pipe,
waits once and reads one byte per signature. The workers run ``app.crypto.verify``, the very
function the node would run itself, so the answers are the same; any failure of a worker
(it died, answered short) makes the caller check in process instead, and the pool is made
again later.

Frame to a worker: ``u32 length`` then per signature ``public key (32) || signature (64) ||
u32 message length || message`` (little-endian). Answer: one byte per signature, 1 valid, 0
not. ``python -m app.tx.verifier`` is a worker: it serves its stdin until end of file (its
node has gone).
"""

from __future__ import annotations

import contextlib
import logging
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import BinaryIO

from app.crypto import PUBKEY_LEN, SIGNATURE_LEN, verify

log = logging.getLogger("fictra.verifier")

Item = tuple[bytes, bytes, bytes]  # (public key, message, signature)

MAX_FRAME = 64 << 20  # a worker refuses a larger frame: the node never sends one
CHUNK = 2_048  # signatures per frame: bounds the pipe's bytes in flight
RESPAWN_AFTER_S = 30.0  # after a worker failed, check in process this long
_LEN = struct.Struct("<I")


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        part = stream.read(n - len(buf))
        if not part:
            raise EOFError(f"pipe closed after {len(buf)} of {n} bytes")
        buf += part
    return bytes(buf)


def encode_frame(items: Sequence[Item]) -> bytes:
    parts = []
    for pk, msg, sig in items:
        parts.append(pk + sig + _LEN.pack(len(msg)) + msg)
    body = b"".join(parts)
    return _LEN.pack(len(body)) + body


def check_frame(body: bytes) -> bytes:
    """The answers to one frame's body (a worker's whole job)."""
    out = bytearray()
    view = memoryview(body)
    off = 0
    while off < len(body):
        pk = bytes(view[off : off + PUBKEY_LEN])
        sig = bytes(view[off + PUBKEY_LEN : off + PUBKEY_LEN + SIGNATURE_LEN])
        off += PUBKEY_LEN + SIGNATURE_LEN
        (n,) = _LEN.unpack_from(body, off)
        off += _LEN.size
        if off + n > len(body):
            raise ValueError("frame ends inside a message")
        out.append(1 if verify(pk, bytes(view[off : off + n]), sig) else 0)
        off += n
    return bytes(out)


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    while True:
        head = inp.read(_LEN.size)
        if not head:
            return  # the node closed the pipe
        if len(head) < _LEN.size:
            head += _read_exact(inp, _LEN.size - len(head))
        (n,) = _LEN.unpack(head)
        if n > MAX_FRAME:
            raise ValueError(f"frame of {n} bytes is over {MAX_FRAME}")
        out.write(check_frame(_read_exact(inp, n)))
        out.flush()


class _Worker:
    def __init__(self) -> None:
        # A session of its own: a Ctrl-C at the node's terminal is the node's to handle; the
        # worker ends when its stdin closes (the node stopped or died).
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.tx.verifier"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, start_new_session=True, bufsize=0)

    def send(self, frame: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame)

    def receive(self, n: int) -> bytes:
        assert self.proc.stdout is not None
        return _read_exact(self.proc.stdout, n)

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class VerifierPool:
    """``workers`` processes (made on first use; the node's config picks how many) that check
    batches of signatures. One caller at a time: ``verify`` answers None when the pool is busy
    with another thread's batch or has failed, and the caller checks in process."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a verifier pool needs at least one worker, got {workers}")
        self.size = workers
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._closed = False

    def pids(self) -> list[int]:
        return [w.proc.pid for w in self._workers]

    def verify(self, items: Sequence[Item]) -> list[bool] | None:
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self._closed or not self._ready():
                return None
            try:
                return self._verify(items)
            except (OSError, EOFError, ValueError) as e:
                log.error("signature check workers failed (%s): checking in process for %.0f s",
                          e, RESPAWN_AFTER_S)
                self._drop()
                self._failed_at = time.monotonic()
                return None
        finally:
            self._lock.release()

    def _ready(self) -> bool:
        if self._workers:
            return True
        if self._failed_at is not None and time.monotonic() - self._failed_at < RESPAWN_AFTER_S:
            return False
        try:
            self._workers = [_Worker() for _ in range(self.size)]
        except OSError as e:
            log.error("cannot start signature check workers (%s): checking in process", e)
            self._drop()
            self._failed_at = time.monotonic()
            return False
        return True

    def _verify(self, items: Sequence[Item]) -> list[bool]:
        # Lengths a worker could not frame are invalid here, exactly as ``verify`` says.
        ok = [len(pk) == PUBKEY_LEN and len(sig) == SIGNATURE_LEN for pk, _, sig in items]
        todo = [i for i, good in enumerate(ok) if good]
        per = max(1, min(CHUNK, -(-len(todo) // len(self._workers))))
        pos = 0
        while pos < len(todo):
            round_ = []
            for w in self._workers:
                idx = todo[pos : pos + per]
                if not idx:
                    break
                w.send(encode_frame([items[i] for i in idx]))
                round_.append((w, idx))
                pos += len(idx)
            for w, idx in round_:
                answers = w.receive(len(idx))
                for i, a in zip(idx, answers, strict=True):
                    ok[i] = a == 1
        return ok

    def _drop(self) -> None:
        workers, self._workers = self._workers, []
        for w in workers:
            with contextlib.suppress(Exception):
                w.proc.kill()
            with contextlib.suppress(Exception):
                w.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, []
        for w in workers:
            w.close()


def main() -> None:
    with contextlib.suppress(BrokenPipeError, EOFError):  # the node went away mid-frame
        serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
