"""Asyncio ABCI 2.0 socket server (unix socket or TCP).

CometBFT opens four connections (consensus, mempool, query, snapshot) and sends no hello.
Each connection is answered strictly in request order. Requests that arrive together are
answered together in one write, so pipelined CheckTx (many requests, one Flush) costs no round
trip per request, and a Flush is answered only after every earlier response.

Two lanes. The mempool connection (the one that sends CheckTx) is answered on the event loop
thread; every other connection (consensus, query, snapshot) leaves the loop once its lane is
known and is served by a thread of its own with blocking reads and writes, one at a time
under one lock. So CheckTx intake goes on while a block is prepared, verified or finalized,
the signature checks of arriving txs (libsodium, which runs without the GIL) use the other
core, and a block's megabytes are read and answered without waiting behind the loop's CheckTx
batches. The application sees at most two calls at once: a CheckTx and one of the others.
That is safe because CometBFT never runs CheckTx concurrently with Commit: it flushes the
mempool connection and holds the mempool lock around Commit and the recheck that follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import socket
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from google.protobuf.message import DecodeError, Message

from abci.application import Application
from abci.framing import DEFAULT_MAX_FRAME, FrameDecoder, FrameError, encode_uvarint, frame
from abci.proto import abci as pb

log = logging.getLogger("fictra.abci")

_RECV_BYTES = 1 << 20  # a read takes whatever the socket holds, up to this
# The rest of a frame at least this large is read in one call that waits for all of it: a
# connection thread takes the GIL back once per read, which can wait up to the switch
# interval (5 ms) while the loop checks txs, and a 2 MB block came in ~10 socket-buffer
# sized reads.
_WHOLE_READ_MIN = 64 << 10

# request oneof name -> Application method; the response oneof uses the same name.
_METHODS: dict[str, str] = {
    "info": "info",
    "query": "query",
    "check_tx": "check_tx",
    "init_chain": "init_chain",
    "prepare_proposal": "prepare_proposal",
    "process_proposal": "process_proposal",
    "extend_vote": "extend_vote",
    "verify_vote_extension": "verify_vote_extension",
    "finalize_block": "finalize_block",
    "commit": "commit",
    "list_snapshots": "list_snapshots",
    "offer_snapshot": "offer_snapshot",
    "load_snapshot_chunk": "load_snapshot_chunk",
    "apply_snapshot_chunk": "apply_snapshot_chunk",
}
# An exception in these leaves the state machine in an unknown state: the node must halt.
_HALTING = frozenset(
    {"init_chain", "prepare_proposal", "process_proposal", "finalize_block", "commit",
     "extend_vote", "verify_vote_extension", "offer_snapshot", "apply_snapshot_chunk"}
)


# An ABCI Query of this path is answered here, not by the application: cumulative time per
# request kind (benchmarks read it; ``fictra bench e2e`` splits the app's CPU by stage).
STATS_PATH = "/abci/stats"


def _recv_all(sock: socket.socket, n: int) -> bytes:
    """``n`` bytes from a blocking socket in as few calls as the kernel allows (fewer if the
    peer closes first; b"" if it closed before any)."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got, socket.MSG_WAITALL)
        if k == 0:
            break
        got += k
    view.release()
    return bytes(buf) if got == n else bytes(buf[:got])


class Stats:
    """Always-on counters: per request kind (``check_tx`` split into ``check_tx_new`` and
    ``check_tx_recheck``), requests, wall seconds and CPU seconds of the thread that served
    them; ``decode`` and ``encode``: protobuf parsing of requests and serializing of
    responses. Work the application hands to its own threads (batched signature checks) is in
    the process's CPU but in no kind here."""

    def __init__(self) -> None:
        self.kinds: dict[str, list[float]] = {}
        self._lock = threading.Lock()  # two lanes add at once

    def add(self, kind: str, n: int, wall: float, cpu: float) -> None:
        with self._lock:
            row = self.kinds.get(kind)
            if row is None:
                row = self.kinds[kind] = [0, 0.0, 0.0]
            row[0] += n
            row[1] += wall
            row[2] += cpu

    def as_json(self) -> bytes:
        with self._lock:
            return json.dumps({k: {"n": int(r[0]), "wall_s": r[1], "cpu_s": r[2]}
                               for k, r in sorted(self.kinds.items())}).encode()


# A Response is a oneof of the method's response: its bytes are the field's tag, the length
# and the inner message, so the inner message is serialized once and never copied.
_TAGS = {f.name: encode_uvarint(f.number << 3 | 2) for f in pb.Response.DESCRIPTOR.fields}
_CHECK_TX_TAG = _TAGS["check_tx"]


def _wrap(kind: str, inner: Message) -> bytes:
    data = inner.SerializeToString()
    return _TAGS[kind] + encode_uvarint(len(data)) + data


_wall = time.perf_counter
_cpu = time.thread_time
_RECHECK = pb.CheckTxType.RECHECK


class FatalAppError(Exception):
    """The application failed where it must not guess; the node halts."""


class Dispatcher:
    """Turns one encoded Request into one encoded Response by calling the application."""

    def __init__(self, app: Application, on_fatal: Callable[[str], None]) -> None:
        self.app = app
        self.on_fatal = on_fatal
        self.halted = False
        self._handlers = {name: getattr(app, meth) for name, meth in _METHODS.items()}
        self.stats = Stats()

    def handle_frames(self, frames: list[bytes]) -> tuple[list[bytes], bool]:
        """Encoded responses for ``frames`` in order, and whether to close the connection.

        Consecutive CheckTx requests (a pipelined mempool burst or a recheck) go to the
        application as one batch, so it can verify their signatures in parallel.
        """
        reqs: list[tuple[str, pb.Request]] = []
        close = False
        w0, c0 = _wall(), _cpu()
        for raw in frames:
            req = pb.Request()
            try:
                req.ParseFromString(raw)
            except DecodeError as exc:
                log.error("undecodable ABCI request (%d bytes): %s", len(raw), exc)
                close = True
                break
            reqs.append((req.WhichOneof("value") or "", req))
        self.stats.add("decode", len(reqs), _wall() - w0, _cpu() - c0)
        out: list[bytes] = []
        i = 0
        while i < len(reqs):
            kind, req = reqs[i]
            if kind == "check_tx" and not self.halted:
                j = i
                while j < len(reqs) and reqs[j][0] == "check_tx":
                    j += 1
                out.extend(self._check_batch([r.check_tx for _, r in reqs[i:j]]))
                i = j
                continue
            resp = self.handle(kind, req)
            if resp is None:
                return out, True
            out.append(resp)
            i += 1
        return out, close

    def _check_batch(self, batch: list[pb.RequestCheckTx]) -> list[bytes]:
        w0, c0 = _wall(), _cpu()
        try:
            results = self.app.check_tx_batch(batch)
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} CheckTx answers for {len(batch)} requests")
        except Exception:  # noqa: BLE001 - isolate the failing request, one by one
            log.exception("batched CheckTx failed; answering one by one")
            return [self.handle("check_tx", pb.Request(check_tx=r)) or b"" for r in batch]
        w1, c1 = _wall(), _cpu()
        out = [_CHECK_TX_TAG + encode_uvarint(len(b)) + b
               for b in (r.SerializeToString() for r in results)]
        n_re = sum(1 for r in batch if r.type == _RECHECK)  # a batch may hold both kinds
        for kind, n in (("check_tx_recheck", n_re), ("check_tx_new", len(batch) - n_re)):
            if n:
                self.stats.add(kind, n, (w1 - w0) * n / len(batch), (c1 - c0) * n / len(batch))
        self.stats.add("encode", len(batch), _wall() - w1, _cpu() - c1)
        return out

    def handle(self, kind: str, req: pb.Request) -> bytes | None:
        """Return the encoded response, or None when the connection must close."""
        if kind == "flush":
            return pb.Response(flush=pb.ResponseFlush()).SerializeToString()
        if kind == "echo":
            return pb.Response(echo=pb.ResponseEcho(message=req.echo.message)).SerializeToString()
        handler = self._handlers.get(kind) if kind else None
        if handler is None:
            log.error("unknown ABCI request type %r", kind)
            exc_resp = pb.ResponseException(error=f"unknown request type {kind!r}")
            return pb.Response(exception=exc_resp).SerializeToString()
        if self.halted:
            return None
        if kind == "query" and req.query.path == STATS_PATH:
            return pb.Response(query=pb.ResponseQuery(value=self.stats.as_json())
                               ).SerializeToString()
        try:
            w0, c0 = _wall(), _cpu()
            result = handler(getattr(req, kind))
            w1, c1 = _wall(), _cpu()
            out = _wrap(kind, result)
            if kind == "check_tx" and req.check_tx.type == _RECHECK:
                kind = "check_tx_recheck"
            elif kind == "check_tx":
                kind = "check_tx_new"
            self.stats.add(kind, 1, w1 - w0, c1 - c0)
            self.stats.add("encode", 1, _wall() - w1, _cpu() - c1)
            return out
        except Exception as exc:  # noqa: BLE001 - every failure is answered or halts
            return self._failed(kind, exc)

    def _failed(self, kind: str, exc: Exception) -> bytes | None:
        where = "".join(traceback.format_exception(exc))
        if kind in _HALTING:
            self.halted = True
            msg = f"internal error in {kind}: {exc!r}; halting\n{where}"
            log.critical(msg)
            self.on_fatal(msg)
            return None
        # Mempool and query failures are local: answer an error code, never an exception
        # (an ABCI exception makes CometBFT stop the node).
        log.error("internal error in %s: %r\n%s", kind, exc, where)
        resp = pb.Response()
        if kind == "check_tx":
            resp.check_tx.CopyFrom(pb.ResponseCheckTx(code=1, log=f"internal error: {exc}"))
        elif kind == "query":
            resp.query.CopyFrom(pb.ResponseQuery(code=1, log=f"internal error: {exc}"))
        else:
            getattr(resp, kind).SetInParent()
        return resp.SerializeToString()


def _lane_of(frames: list[bytes]) -> str | None:
    """The mempool connection (its first real request is CheckTx) is served on the loop; None
    while a connection has sent only Flush and Echo (CometBFT flushes the mempool connection
    at every Commit, so it may flush before its first CheckTx)."""
    for raw in frames:
        req = pb.Request()
        try:
            req.ParseFromString(raw)
        except DecodeError:
            return "worker"  # the dispatcher reports it
        kind = req.WhichOneof("value")
        if kind in ("flush", "echo"):
            continue
        return "loop" if kind == "check_tx" else "worker"
    return None


class _Connection(asyncio.Protocol):
    def __init__(self, server: AbciServer) -> None:
        self.server = server
        self.decoder = FrameDecoder(server.max_frame)
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.requests = 0
        self.lane: str | None = None  # "loop" (the mempool's) or "worker", from 1st request
        # other than Flush/Echo
        self._queued: deque[list[bytes]] = deque()
        self._busy = False
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None  # its own descriptor, once off the loop
        self._thread: threading.Thread | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.peer = str(transport.get_extra_info("peername") or "unix")
        self.server.connections.add(self)
        log.debug("ABCI connection opened from %s", self.peer)

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        assert transport is not None
        try:
            frames = self.decoder.feed(data)
        except FrameError as exc:
            log.error("closing ABCI connection from %s: %s", self.peer, exc)
            transport.close()
            return
        if not frames:
            return
        if self.lane is None:
            self.lane = _lane_of(frames)
        if self.lane != "worker":  # the mempool's, or only Flush/Echo so far: nothing queued
            self._answer(*self.server.dispatcher.handle_frames(frames))
            return
        if self._sock is None and self._leave_loop(frames):
            return
        with self._lock:
            self._queued.append(frames)
            if self._busy:
                return  # the worker drains the queue in order
            self._busy = True
        self.server.worker.submit(self._drain)

    def _leave_loop(self, frames: list[bytes]) -> bool:
        """Serve this connection from a thread of its own on a duplicate of its descriptor;
        the loop lets go of it. False (served on the worker instead) if an answer is still
        buffered in the transport, since it must reach the peer first."""
        transport = self.transport
        assert transport is not None
        raw = transport.get_extra_info("socket")
        if raw is None or transport.get_write_buffer_size():
            return False
        sock = socket.socket(fileno=os.dup(raw.fileno()))
        sock.setblocking(True)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock, frames), daemon=True,
                                        name=f"abci-conn-{self.server.next_thread_id()}")
        self.server.threaded.add(self)
        transport.pause_reading()
        transport.abort()  # closes the loop's descriptor only: the connection lives on in sock
        self._thread.start()
        return True

    def _serve(self, sock: socket.socket, frames: list[bytes]) -> None:
        """On this connection's thread: answer, read, until the peer or the server closes."""
        dispatcher = self.server.dispatcher
        try:
            while True:
                if frames:
                    with self.server.app_lock:
                        out, close = dispatcher.handle_frames(frames)
                    self.requests += len(out)
                    if out:
                        sock.sendall(b"".join([frame(r) for r in out]))
                    if close:
                        # A halt is recorded on the loop: let it be before the peer sees the
                        # close (the supervisor tells an app halt from cometbft's exit by it).
                        self.server.sync_with_loop()
                        return
                need = self.decoder.expected
                rest = need - self.decoder.pending if need is not None else 0
                data = _recv_all(sock, rest) if rest >= _WHOLE_READ_MIN else sock.recv(_RECV_BYTES)
                if not data:
                    self._closed_by_peer()
                    return
                frames = self.decoder.feed(data)
        except FrameError as exc:
            log.error("closing ABCI connection from %s: %s", self.peer, exc)
        except OSError as exc:  # the peer went away, or the server is closing
            log.debug("ABCI connection from %s: %s", self.peer, exc)
        except BaseException:  # a bug of ours outside any handler: stop, loudly
            log.exception("ABCI connection thread failed")
        finally:
            sock.close()
            self.server.threaded.discard(self)

    def shutdown(self) -> None:
        """Wake this connection's thread (the server is closing); a call it is running ends
        first."""
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _drain(self) -> None:
        """On the worker thread: answer queued frames in order until none are left."""
        loop = self.server.loop
        while True:
            with self._lock:
                if not self._queued:
                    self._busy = False
                    return
                frames = self._queued.popleft()
            try:
                with self.server.app_lock:
                    out, close = self.server.dispatcher.handle_frames(frames)
            except BaseException:  # a bug of ours outside any handler: stop, loudly
                log.exception("ABCI worker failed")
                out, close = [], True
            assert loop is not None
            loop.call_soon_threadsafe(self._answer, out, close)

    def _answer(self, out: list[bytes], close: bool) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self.requests += len(out)
        if out:
            transport.write(b"".join(frame(r) for r in out))
        if close:
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        if self._sock is None:
            self._closed_by_peer()

    def _closed_by_peer(self) -> None:
        if self.decoder.pending:
            expected = self.decoder.expected
            what = (f"{self.decoder.pending} of {expected} bytes received" if expected is not None
                    else "length prefix incomplete")
            log.error("ABCI connection from %s closed inside a frame (%s)", self.peer, what)
        else:
            log.debug("ABCI connection from %s closed after %d requests", self.peer, self.requests)


def bind_private_unix(path: Path) -> socket.socket:
    """A unix socket bound at ``path`` that no other user can ever reach: it is bound inside
    a fresh directory only we can enter (mkdtemp: 0700), made 0600 there, and only then moved
    to ``path`` (a rename: atomic, and the socket keeps working under its new name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    private = Path(tempfile.mkdtemp(prefix=".a", dir=path.parent))
    inner = private / "s"  # short: the whole path must fit sun_path (108 bytes)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(inner))
        os.chmod(inner, 0o600)
        os.rename(inner, path)
    except BaseException:
        sock.close()
        inner.unlink(missing_ok=True)
        raise
    finally:
        private.rmdir()
    return sock


class AbciServer:
    """Serves one Application on ``unix:///path`` or ``tcp://host:port``."""

    def __init__(
        self,
        app: Application,
        address: str,
        *,
        max_frame: int = DEFAULT_MAX_FRAME,
        on_fatal: Callable[[str], None] | None = None,
    ) -> None:
        self.address = address
        self.max_frame = max_frame
        self.connections: set[_Connection] = set()
        self.fatal: str | None = None
        self._fatal_cb = on_fatal
        self.dispatcher = Dispatcher(app, self._on_fatal)
        self._server: asyncio.AbstractServer | None = None
        self.stopped = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        # Consensus, query and snapshot connections: one thread each (or, rarely, the worker),
        # and one call at a time among them.
        self.threaded: set[_Connection] = set()
        self.app_lock = threading.Lock()
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="abci-consensus")
        self._thread_ids = itertools.count()

    def next_thread_id(self) -> int:
        return next(self._thread_ids)

    def sync_with_loop(self) -> None:
        """From another thread: return once the loop has run what this thread scheduled on it
        before (``call_soon_threadsafe`` keeps order)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        done = threading.Event()
        try:
            loop.call_soon_threadsafe(done.set)
        except RuntimeError:  # closed meanwhile
            return
        done.wait(5.0)  # a hang guard: a loop that has stopped runs nothing more

    def _on_fatal(self, msg: str) -> None:
        loop = self.loop
        if loop is not None and threading.get_ident() != self._loop_thread:
            loop.call_soon_threadsafe(self._fatal_on_loop, msg)
        else:
            self._fatal_on_loop(msg)

    def _fatal_on_loop(self, msg: str) -> None:
        self.fatal = msg
        if self._fatal_cb:
            self._fatal_cb(msg)
        self.stopped.set()

    async def start(self) -> None:
        loop = self.loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        if self.address.startswith("unix://"):
            sock = bind_private_unix(Path(self.address[len("unix://") :]))
            self._server = await loop.create_unix_server(lambda: _Connection(self), sock=sock)
        elif self.address.startswith("tcp://"):
            host, _, port = self.address[len("tcp://") :].rpartition(":")
            self._server = await loop.create_server(
                lambda: _Connection(self), host or "127.0.0.1", int(port)
            )
        else:
            raise ValueError(
                f"ABCI address must be unix:///path or tcp://host:port, not {self.address!r}"
            )
        log.info("ABCI server listening on %s", self.address)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for conn in list(self.connections):
                if conn.transport is not None:
                    conn.transport.close()
            await self._server.wait_closed()
            self._server = None
        # Let a block being executed finish before the caller closes the app.
        threaded = list(self.threaded)
        for conn in threaded:
            conn.shutdown()
        loop = asyncio.get_running_loop()
        for conn in threaded:
            await loop.run_in_executor(None, conn.join)
        await loop.run_in_executor(None, self.worker.shutdown)
        if self.address.startswith("unix://"):
            Path(self.address[len("unix://") :]).unlink(missing_ok=True)
        self.stopped.set()
