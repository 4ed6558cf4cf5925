"""The socket server against a raw client: order, pipelining, flush, bad frames, halting."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

import abci.server as server
from abci.framing import FrameDecoder, encode_uvarint, frame
from abci.proto import abci as pb

from .recording_app import RecordingApp


def _connect(path: str) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s


def _read_responses(s: socket.socket, n: int) -> list[pb.Response]:
    dec = FrameDecoder()
    out: list[pb.Response] = []
    while len(out) < n:
        data = s.recv(1 << 16)
        if not data:
            break
        for raw in dec.feed(data):
            r = pb.Response()
            r.ParseFromString(raw)
            out.append(r)
    return out


def _req(**kw: object) -> bytes:
    return frame(pb.Request(**kw).SerializeToString())


def _sock_path(srv) -> str:  # noqa: ANN001
    return srv.server.address[len("unix://") :]


@pytest.fixture(params=["own thread", "worker"])
def serve_both(request: pytest.FixtureRequest, serve,  # noqa: ANN001, ANN201
               monkeypatch: pytest.MonkeyPatch):
    """``serve``, once with consensus-side connections on threads of their own and once on
    the worker, where one goes when an answer is still buffered in its transport."""
    if request.param == "worker":
        monkeypatch.setattr(server._Connection, "_leave_loop", lambda self, frames: False)
    return serve


def test_pipelined_check_tx_answered_in_order_with_one_flush(serve) -> None:  # noqa: ANN001
    app = RecordingApp()
    srv = serve(app)
    s = _connect(_sock_path(srv))
    txs = [f"tx-{i}".encode() if i % 7 else f"bad-{i}".encode() for i in range(2000)]
    s.sendall(b"".join(_req(check_tx=pb.RequestCheckTx(tx=t)) for t in txs)
              + _req(flush=pb.RequestFlush()))
    resps = _read_responses(s, len(txs) + 1)
    assert [r.WhichOneof("value") for r in resps] == ["check_tx"] * len(txs) + ["flush"]
    for tx, r in zip(txs, resps, strict=False):
        if tx.startswith(b"bad"):
            assert r.check_tx.code == 7
        else:
            assert r.check_tx.code == 0 and r.check_tx.data == tx[::-1]
    s.close()


def test_every_request_type_answered(serve_both) -> None:  # noqa: ANN001
    app = RecordingApp()
    srv = serve_both(app)
    s = _connect(_sock_path(srv))
    reqs = [
        _req(echo=pb.RequestEcho(message="hi")),
        _req(info=pb.RequestInfo()),
        _req(init_chain=pb.RequestInitChain(chain_id="x")),
        _req(query=pb.RequestQuery(path="/p", data=b"k")),
        _req(check_tx=pb.RequestCheckTx(tx=b"t", type=pb.RECHECK)),
        _req(prepare_proposal=pb.RequestPrepareProposal(txs=[b"a" * 10, b"b" * 10],
                                                         max_tx_bytes=15)),
        _req(process_proposal=pb.RequestProcessProposal(txs=[b"bad"])),
        _req(extend_vote=pb.RequestExtendVote(height=1)),
        _req(verify_vote_extension=pb.RequestVerifyVoteExtension(height=1)),
        _req(finalize_block=pb.RequestFinalizeBlock(height=1, txs=[b"a", b"b"])),
        _req(commit=pb.RequestCommit()),
        _req(list_snapshots=pb.RequestListSnapshots()),
        _req(offer_snapshot=pb.RequestOfferSnapshot()),
        _req(load_snapshot_chunk=pb.RequestLoadSnapshotChunk()),
        _req(apply_snapshot_chunk=pb.RequestApplySnapshotChunk()),
        _req(flush=pb.RequestFlush()),
    ]
    s.sendall(b"".join(reqs))
    r = _read_responses(s, len(reqs))
    kinds = [x.WhichOneof("value") for x in r]
    assert kinds == ["echo", "info", "init_chain", "query", "check_tx", "prepare_proposal",
                     "process_proposal", "extend_vote", "verify_vote_extension",
                     "finalize_block", "commit", "list_snapshots", "offer_snapshot",
                     "load_snapshot_chunk", "apply_snapshot_chunk", "flush"]
    assert r[0].echo.message == "hi"
    assert r[1].info.data == "recording"
    assert r[3].query.value == b"K"
    assert list(r[5].prepare_proposal.txs) == [b"a" * 10]  # never more than max_tx_bytes
    assert r[6].process_proposal.status == pb.ResponseProcessProposal.REJECT
    assert r[8].verify_vote_extension.status == pb.ResponseVerifyVoteExtension.ACCEPT
    assert len(r[9].finalize_block.tx_results) == 2  # one result per tx
    assert len(r[9].finalize_block.app_hash) == 32
    s.close()


def test_requests_split_across_reads(serve_both) -> None:  # noqa: ANN001
    srv = serve_both(RecordingApp())
    s = _connect(_sock_path(srv))
    stream = _req(echo=pb.RequestEcho(message="x" * 300)) + _req(flush=pb.RequestFlush())
    for i in range(len(stream)):
        s.sendall(stream[i : i + 1])
    r = _read_responses(s, 2)
    assert r[0].echo.message == "x" * 300 and r[1].WhichOneof("value") == "flush"
    s.close()


def test_oversized_frame_closes_only_that_connection(serve, caplog) -> None:  # noqa: ANN001
    srv = serve(RecordingApp())
    srv.server.max_frame = 1024
    bad = _connect(_sock_path(srv))
    bad.sendall(encode_uvarint(10_000) + b"x" * 100)
    assert bad.recv(10) == b""  # closed by the server
    good = _connect(_sock_path(srv))
    good.sendall(_req(echo=pb.RequestEcho(message="still here")) + _req(flush=pb.RequestFlush()))
    assert _read_responses(good, 2)[0].echo.message == "still here"
    assert "exceeds the limit" in caplog.text


def test_truncated_frame_is_logged(serve, caplog) -> None:  # noqa: ANN001
    srv = serve(RecordingApp())
    s = _connect(_sock_path(srv))
    s.sendall(_req(echo=pb.RequestEcho(message="abcdef"))[:5])
    s.close()
    for _ in range(500):  # the server notices the close on its own thread
        if "closed inside a frame" in caplog.text:
            break
        time.sleep(0.01)
    assert "closed inside a frame (5 of 11 bytes received)" in caplog.text


def test_check_tx_failure_is_a_code_not_an_exception(serve) -> None:  # noqa: ANN001
    app = RecordingApp()
    app.fail_in = "check_tx"
    srv = serve(app)
    s = _connect(_sock_path(srv))
    s.sendall(_req(check_tx=pb.RequestCheckTx(tx=b"x")) + _req(flush=pb.RequestFlush()))
    r = _read_responses(s, 2)
    assert r[0].WhichOneof("value") == "check_tx" and r[0].check_tx.code != 0
    assert not srv.fatal


def test_finalize_block_failure_halts(serve_both, caplog) -> None:  # noqa: ANN001
    app = RecordingApp()
    app.fail_in = "finalize_block"
    srv = serve_both(app)
    s = _connect(_sock_path(srv))
    s.sendall(_req(finalize_block=pb.RequestFinalizeBlock(height=1)))
    assert s.recv(10) == b""  # no guessed answer: the connection is closed
    assert srv.fatal and "finalize_block" in srv.fatal[0]
    assert "injected failure in finalize_block" in caplog.text


def test_tcp_listener(serve, tmp_path: Path) -> None:  # noqa: ANN001
    srv = serve(RecordingApp(), "tcp://127.0.0.1:0")
    s = socket.create_connection(("127.0.0.1", srv.server.port), timeout=10)
    s.sendall(_req(echo=pb.RequestEcho(message="tcp")) + _req(flush=pb.RequestFlush()))
    assert _read_responses(s, 2)[0].echo.message == "tcp"


def test_pipelined_check_tx_reaches_the_app_as_one_batch(serve) -> None:  # noqa: ANN001
    batches: list[int] = []

    class BatchApp(RecordingApp):
        def check_tx_batch(self, reqs):  # noqa: ANN001, ANN201
            batches.append(len(reqs))
            return super().check_tx_batch(reqs)

    srv = serve(BatchApp())
    s = _connect(_sock_path(srv))
    burst = b"".join(_req(check_tx=pb.RequestCheckTx(tx=b"t%d" % i)) for i in range(100))
    echo = _req(echo=pb.RequestEcho(message="e"))
    s.sendall(burst + echo + burst + _req(flush=pb.RequestFlush()))
    resps = _read_responses(s, 202)
    kinds = [r.WhichOneof("value") for r in resps]
    assert kinds == ["check_tx"] * 100 + ["echo"] + ["check_tx"] * 100 + ["flush"]
    assert sum(batches) == 200 and max(batches) > 1  # the echo splits the runs
    assert resps[0].check_tx.data == b"0t" and resps[102].check_tx.data == b"1t"


def test_failing_batch_is_answered_one_by_one(serve) -> None:  # noqa: ANN001
    class BrokenBatch(RecordingApp):
        def check_tx_batch(self, reqs):  # noqa: ANN001, ANN201
            raise RuntimeError("batch bug")

    srv = serve(BrokenBatch())
    s = _connect(_sock_path(srv))
    two = _req(check_tx=pb.RequestCheckTx(tx=b"ok")) + _req(check_tx=pb.RequestCheckTx(tx=b"bad"))
    s.sendall(two + _req(flush=pb.RequestFlush()))
    r = _read_responses(s, 3)
    assert [x.check_tx.code for x in r[:2]] == [0, 7]
    assert not srv.fatal


def test_unix_socket_is_private_from_the_moment_it_exists(serve, tmp_path: Path,  # noqa: ANN001
                                                          monkeypatch) -> None:  # noqa: ANN001
    seen: list[tuple[int, int]] = []
    chmod = server.os.chmod

    def spy(path, mode, **kw):  # noqa: ANN001, ANN003, ANN202
        p = Path(path)
        if p.is_socket():  # the socket's directory, before the socket is made 0600
            seen.append((p.parent.stat().st_mode & 0o777, p.stat().st_mode & 0o777))
        return chmod(path, mode, **kw)

    monkeypatch.setattr(server.os, "chmod", spy)
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)  # a node home others may list, as a default umask makes it
    stale = home / "abci.sock"
    stale.write_text("left by a crash")
    srv = serve(RecordingApp(), address=f"unix://{stale}")
    assert seen and seen[0][0] == 0o700  # nobody else could enter where it was bound
    assert stale.is_socket() and stale.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in home.iterdir()] == ["abci.sock"]  # no private dir left
    s = _connect(_sock_path(srv))
    s.sendall(_req(echo=pb.RequestEcho(message="hi")))
    assert _read_responses(s, 1)[0].echo.message == "hi"
    s.close()


class _BlockWaitsForCheckTx(RecordingApp):
    """FinalizeBlock returns only once a CheckTx has been answered meanwhile: it can, only if
    the mempool connection is served while a block executes."""

    def __init__(self) -> None:
        super().__init__()
        self.checked = threading.Event()
        self.finalize_saw_check = False

    def check_tx(self, req: pb.RequestCheckTx) -> pb.ResponseCheckTx:
        self.checked.set()
        return super().check_tx(req)

    def finalize_block(self, req: pb.RequestFinalizeBlock) -> pb.ResponseFinalizeBlock:
        self.finalize_saw_check = self.checked.wait(10)
        return pb.ResponseFinalizeBlock(app_hash=b"h")


@pytest.mark.parametrize("first", ["check_tx", "flush"])
def test_check_tx_is_served_while_a_block_executes(serve_both, first: str) -> None:  # noqa: ANN001
    # CometBFT flushes the mempool connection at every Commit, so its first request may be a
    # lone Flush, long before its first CheckTx: the lane is still the mempool's.
    app = _BlockWaitsForCheckTx()
    srv = serve_both(app)
    mempool, consensus = _connect(_sock_path(srv)), _connect(_sock_path(srv))
    if first == "flush":
        mempool.sendall(_req(flush=pb.RequestFlush()))
        assert [r.WhichOneof("value") for r in _read_responses(mempool, 1)] == ["flush"]
    mempool.sendall(_req(check_tx=pb.RequestCheckTx(tx=b"tx-0")) + _req(flush=pb.RequestFlush()))
    assert [r.WhichOneof("value") for r in _read_responses(mempool, 2)] == ["check_tx", "flush"]
    app.checked.clear()  # the mempool connection is known now; the next CheckTx comes later
    consensus.sendall(_req(finalize_block=pb.RequestFinalizeBlock(height=1))
                      + _req(flush=pb.RequestFlush()))
    time.sleep(0.2)  # FinalizeBlock is executing (waiting) on the worker
    mempool.sendall(_req(check_tx=pb.RequestCheckTx(tx=b"tx-1")) + _req(flush=pb.RequestFlush()))
    assert _read_responses(mempool, 2)[0].check_tx.data == b"1-xt"
    resps = _read_responses(consensus, 2)
    assert [r.WhichOneof("value") for r in resps] == ["finalize_block", "flush"]
    assert app.finalize_saw_check
    mempool.close()
    consensus.close()


class _CheckTxWaitsForBlock(RecordingApp):
    """A CheckTx that returns only once a block has been finalized meanwhile: it can, only if
    the consensus connection is read and served while the loop is inside a CheckTx."""

    def __init__(self) -> None:
        super().__init__()
        self.finalized = threading.Event()
        self.check_saw_block = False
        self.hold = False

    def check_tx(self, req: pb.RequestCheckTx) -> pb.ResponseCheckTx:
        if self.hold:
            self.check_saw_block = self.finalized.wait(10)
        return super().check_tx(req)

    def finalize_block(self, req: pb.RequestFinalizeBlock) -> pb.ResponseFinalizeBlock:
        self.finalized.set()
        return pb.ResponseFinalizeBlock(app_hash=b"h")


def test_a_block_is_served_while_the_loop_is_inside_a_check_tx(serve) -> None:  # noqa: ANN001
    # A block's request is megabytes in many reads; none of them waits behind CheckTx.
    app = _CheckTxWaitsForBlock()
    srv = serve(app)
    mempool, consensus = _connect(_sock_path(srv)), _connect(_sock_path(srv))
    consensus.sendall(_req(info=pb.RequestInfo()) + _req(flush=pb.RequestFlush()))
    assert [r.WhichOneof("value") for r in _read_responses(consensus, 2)] == ["info", "flush"]
    mempool.sendall(_req(check_tx=pb.RequestCheckTx(tx=b"tx-0")) + _req(flush=pb.RequestFlush()))
    assert len(_read_responses(mempool, 2)) == 2
    app.hold = True
    mempool.sendall(_req(check_tx=pb.RequestCheckTx(tx=b"tx-1")) + _req(flush=pb.RequestFlush()))
    time.sleep(0.2)  # the loop is inside CheckTx, waiting for the block
    txs = [i.to_bytes(2, "big") * 100 for i in range(5_000)]  # ~1 MB: several reads
    consensus.sendall(_req(finalize_block=pb.RequestFinalizeBlock(height=1, txs=txs))
                      + _req(flush=pb.RequestFlush()))
    resps = _read_responses(consensus, 2)
    assert [r.WhichOneof("value") for r in resps] == ["finalize_block", "flush"]
    assert _read_responses(mempool, 2)[0].check_tx.data == b"1-xt"
    assert app.check_saw_block
    mempool.close()
    consensus.close()


def test_a_large_frame_arriving_in_pieces_is_read_whole(serve_both) -> None:  # noqa: ANN001
    srv = serve_both(RecordingApp())
    s = _connect(_sock_path(srv))
    s.sendall(_req(info=pb.RequestInfo()) + _req(flush=pb.RequestFlush()))
    assert _read_responses(s, 2)[0].info.data == "recording"  # the query lane: its thread
    data = bytes(range(256)) * (3 * 4096)  # 3 MB
    stream = _req(query=pb.RequestQuery(data=data, path="/big")) + _req(flush=pb.RequestFlush())

    def write() -> None:
        for i in range(0, len(stream), 50_000):
            s.sendall(stream[i : i + 50_000])
            time.sleep(0.001)

    writer = threading.Thread(target=write)
    writer.start()
    r = _read_responses(s, 2)
    writer.join()
    assert r[0].query.value == data.upper() and r[0].query.log == "/big"
    assert r[1].WhichOneof("value") == "flush"
    s.close()


def test_recv_all_waits_for_every_byte_or_the_close() -> None:
    a, b = socket.socketpair()
    payload = bytes(range(256)) * 4096  # 1 MB: more than one socket buffer

    def write(close_early: bool) -> None:
        for i in range(0, len(payload), 10_000):
            if close_early and i >= 500_000:
                b.shutdown(socket.SHUT_WR)
                return
            b.sendall(payload[i : i + 10_000])

    t = threading.Thread(target=write, args=(False,))
    t.start()
    assert server._recv_all(a, len(payload)) == payload
    t.join()
    t = threading.Thread(target=write, args=(True,))
    t.start()
    got = server._recv_all(a, len(payload))
    t.join()
    assert got == payload[:500_000]  # the peer closed first: what came
    assert server._recv_all(a, 10) == b""
    a.close()
    b.close()
