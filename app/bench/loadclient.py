"""The load client of ``fictra bench e2e``: a separate process offering pre-signed txs to one
CometBFT RPC with ``broadcast_tx_sync``.

    python -m app.bench.loadclient --url http://127.0.0.1:36001 --txs TXS --out OUT.json \
        [--connections 128] [--rate 0] [--room 40000]

``TXS`` holds records ``u32 sender, u32 length, tx bytes`` (little-endian) in offer order.
Every sender is pinned to one of ``--connections`` keep-alive HTTP/1.1 connections, and each
connection has one request in flight, so one sender's txs reach CheckTx in the order given
(nonce order). Offering is open loop: txs are released on a fixed schedule (``--rate`` tx/s;
0 releases as fast as the connections take them) whatever the answers do, with at most
``--room`` txs released and not yet seen committed (below the mempool's size: CometBFT v0.38
drops a tx that CheckTx accepted when the mempool is full, yet answers code 0). Committed
counts and commit times come from ``NewBlockEvents`` over the node's websocket.

The HTTP client is a raw asyncio protocol (request bytes built before offering, the answer's
``code`` found by a byte search), about 45 us of CPU per request where aiohttp costs ~235.

``OUT.json``: per tx (in file order) ``t_send`` and ``t_answer`` (Unix seconds) and ``code``
(the CheckTx code; -1 for a JSON-RPC error, whose messages are counted in ``errors``);
``blocks``: ``[height, Unix time the event arrived, num_txs]``; ``t_first``/``t_last`` send;
``released``: how many txs (a prefix of the file) were offered. SIGTERM stops the offering:
txs not yet released stay unsent, the rest are answered and waited for as usual.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import signal
import struct
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiohttp

IDLE_AFTER_LAST_S = 15.0  # stop waiting for commits this long after the last new block


def read_txs(path: Path) -> tuple[list[int], list[bytes]]:
    data = Path(path).read_bytes()
    senders: list[int] = []
    txs: list[bytes] = []
    off = 0
    unpack = struct.Struct("<II").unpack_from
    while off < len(data):
        s, n = unpack(data, off)
        off += 8
        senders.append(s)
        txs.append(data[off : off + n])
        off += n
    return senders, txs


def write_txs(path: Path, senders: list[int], txs: list[bytes]) -> None:
    pack = struct.Struct("<II").pack
    with open(path, "wb") as f:
        for s, tx in zip(senders, txs, strict=True):
            f.write(pack(s, len(tx)))
            f.write(tx)


class _Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request in flight."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.waiter: asyncio.Future[bytes] | None = None
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport subclasses
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {exc}"))
        if not self.lost.done():
            self.lost.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.waiter is None:
            return
        buf = self.buf
        head_end = buf.find(b"\r\n\r\n")
        if head_end < 0:
            return
        i = buf.find(b"Content-Length: ", 0, head_end)
        if i < 0:
            body = self._chunked(head_end + 4)
            if body is None:
                return
        else:
            j = buf.find(b"\r\n", i)
            n = int(buf[i + 16 : j])
            end = head_end + 4 + n
            if len(buf) < end:
                return
            body = bytes(buf[head_end + 4 : end])
            del buf[:end]
        w, self.waiter = self.waiter, None
        w.set_result(body)

    def _chunked(self, start: int) -> bytes | None:
        buf, pos, parts = self.buf, start, []
        while True:
            j = buf.find(b"\r\n", pos)
            if j < 0:
                return None
            size = int(bytes(buf[pos:j]).split(b";")[0], 16)
            if len(buf) < j + 2 + size + 2:
                return None
            if size == 0:
                del buf[: j + 4]
                return b"".join(parts)
            parts.append(bytes(buf[j + 2 : j + 2 + size]))
            pos = j + 2 + size + 2

    async def request(self, raw: bytes) -> bytes:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


def _request(host: str, port: int, i: int, tx: bytes) -> bytes:
    body = (b'{"jsonrpc":"2.0","id":%d,"method":"broadcast_tx_sync","params":{"tx":"%s"}}'
            % (i, base64.b64encode(tx)))
    return (b"POST / HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (host.encode(), port, len(body))) + body


def _code(body: bytes, errors: dict[str, int]) -> int:
    i = body.find(b'"code":')
    if i >= 0 and body.find(b'"error"') < 0:
        j = i + 7
        k = j
        while k < len(body) and body[k] in b"-0123456789":
            k += 1
        return int(body[j:k])
    try:
        err = json.loads(body).get("error") or {}
        msg = str(err.get("data") or err.get("message") or body[:80])
    except ValueError:
        msg = body[:80].decode(errors="replace")
    errors[msg[:120]] = errors.get(msg[:120], 0) + 1
    return -1


class Client:
    def __init__(self, url: str, senders: list[int], txs: list[bytes], connections: int,
                 rate: float, room: int) -> None:
        u = urlparse(url)
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 80
        self.ws_url = f"ws://{self.host}:{self.port}/websocket"
        self.senders, self.txs = senders, txs
        self.n_conn = max(1, min(connections, len(txs)))
        self.rate, self.room = rate, room
        n = len(txs)
        self.t_send = [0.0] * n
        self.t_answer = [0.0] * n
        self.codes = [-2] * n  # -2: never answered
        self.errors: dict[str, int] = {}
        self.blocks: list[tuple[int, float, int]] = []
        self.committed = 0
        self.rejected = 0
        self.accepted = 0
        self.released = 0
        self.stopping = False
        self.room_free = asyncio.Event()
        self.subscribed = asyncio.Event()
        self.last_block_t = time.monotonic()

    async def _blocks(self) -> None:
        sub = {"jsonrpc": "2.0", "method": "subscribe", "id": 0,
               "params": {"query": "tm.event='NewBlockEvents'"}}
        async with aiohttp.ClientSession() as s, s.ws_connect(self.ws_url, max_msg_size=0,
                                                              heartbeat=None) as ws:
            await ws.send_str(json.dumps(sub))
            async for msg in ws:
                now = time.time()
                doc = json.loads(msg.data)
                value = ((doc.get("result") or {}).get("data") or {}).get("value")
                if value is None:
                    self.subscribed.set()
                    continue
                n = int(value.get("num_txs") or 0)
                self.blocks.append((int(value["height"]), now, n))
                self.committed += n
                if n:
                    self.last_block_t = time.monotonic()
                self.room_free.set()

    async def _worker(self, conn: _Conn, queue: deque[int], wake: asyncio.Event) -> None:
        reqs = self.reqs
        t_send, t_answer, codes, errors = self.t_send, self.t_answer, self.codes, self.errors
        clock = time.time
        while True:
            while not queue:
                wake.clear()
                await wake.wait()
            i = queue.popleft()
            if i < 0:
                return
            t_send[i] = clock()
            body = await conn.request(reqs[i])
            t_answer[i] = clock()
            code = codes[i] = _code(body, errors)
            if code == 0:
                self.accepted += 1
            else:
                self.rejected += 1
                self.room_free.set()

    def stop(self) -> None:
        """Release no more txs (SIGTERM)."""
        self.stopping = True
        self.room_free.set()

    async def run(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on this platform
            loop.add_signal_handler(signal.SIGTERM, self.stop)
        self.reqs = [_request(self.host, self.port, i, tx) for i, tx in enumerate(self.txs)]
        blocks = asyncio.create_task(self._blocks())
        await asyncio.wait_for(self.subscribed.wait(), 10.0)
        conns = []
        for _ in range(self.n_conn):
            _, proto = await loop.create_connection(_Conn, self.host, self.port)
            conns.append(proto)
        queues: list[deque[int]] = [deque() for _ in conns]
        wakes = [asyncio.Event() for _ in conns]
        workers = [asyncio.create_task(self._worker(c, q, w))
                   for c, q, w in zip(conns, queues, wakes, strict=True)]
        n = len(self.txs)
        t0 = loop.time()
        t_first = time.time()
        i = 0
        while i < n and not self.stopping:
            if self.rate > 0:
                due = min(n, int((loop.time() - t0) * self.rate) + 1)
                if due <= i:
                    await asyncio.sleep(min(0.002, (i + 1 - due) / self.rate))
                    continue
            else:
                due = n
            while i < due:
                if self.released - self.rejected - self.committed >= self.room:
                    self.room_free.clear()
                    await self.room_free.wait()
                    break
                q = self.senders[i] % self.n_conn
                queues[q].append(i)
                wakes[q].set()
                i += 1
                self.released += 1
            else:
                if self.rate <= 0:
                    await asyncio.sleep(0)
        for q, w in zip(queues, wakes, strict=True):
            q.append(-1)
            w.set()
        await asyncio.gather(*workers)
        t_last = max(self.t_send) if n else t_first
        # Wait until every accepted tx is seen committed (or nothing commits for a while:
        # some were dropped after CheckTx; the driver finds and re-offers them).
        self.last_block_t = time.monotonic()
        while self.committed < self.accepted and \
                time.monotonic() - self.last_block_t < IDLE_AFTER_LAST_S:
            self.room_free.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.room_free.wait(), 1.0)
        await asyncio.sleep(0.05)
        blocks.cancel()
        for c in conns:
            if c.transport is not None:
                c.transport.close()
        return {"t_send": self.t_send, "t_answer": self.t_answer, "codes": self.codes,
                "errors": self.errors, "blocks": self.blocks, "t_first": t_first,
                "t_last": t_last, "accepted": self.accepted, "rejected": self.rejected,
                "committed_seen": self.committed, "released": i}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--txs", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--connections", type=int, default=128)
    ap.add_argument("--rate", type=float, default=0.0, help="tx/s offered (0: as fast as taken)")
    ap.add_argument("--room", type=int, default=40_000,
                    help="most txs released and not yet seen committed")
    args = ap.parse_args(argv)
    senders, txs = read_txs(args.txs)
    try:  # lazy: uvloop is optional where the platform lacks it
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    out = asyncio.run(Client(args.url, senders, txs, args.connections, args.rate,
                             args.room).run())
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(out))
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
