"""The ABCI server's per-request-kind counters and their Query path."""

from __future__ import annotations

import json

from abci.application import Application
from abci.proto import abci as pb
from abci.server import STATS_PATH, Dispatcher


class _App(Application):
    def __init__(self) -> None:
        self.queries: list[str] = []

    def query(self, req: pb.RequestQuery) -> pb.ResponseQuery:
        self.queries.append(req.path)
        return pb.ResponseQuery(code=0)


def _frames(*reqs: pb.Request) -> list[bytes]:
    return [r.SerializeToString() for r in reqs]


def test_counters_split_check_tx_kinds_and_are_answered_without_the_app() -> None:
    app = _App()
    d = Dispatcher(app, on_fatal=lambda _m: None)
    new = pb.Request(check_tx=pb.RequestCheckTx(tx=b"a", type=pb.CheckTxType.NEW))
    re = pb.Request(check_tx=pb.RequestCheckTx(tx=b"a", type=pb.CheckTxType.RECHECK))
    out, close = d.handle_frames(_frames(new, new, re, pb.Request(commit=pb.RequestCommit())))
    assert len(out) == 4 and not close
    d.handle_frames(_frames(pb.Request(query=pb.RequestQuery(path="/params"))))
    out, _ = d.handle_frames(_frames(pb.Request(query=pb.RequestQuery(path=STATS_PATH))))
    resp = pb.Response()
    resp.ParseFromString(out[0])
    stats = json.loads(resp.query.value)
    assert stats["check_tx_new"]["n"] == 2
    assert stats["check_tx_recheck"]["n"] == 1
    assert stats["commit"]["n"] == 1
    assert stats["query"]["n"] == 1  # the stats query itself is not counted
    assert stats["decode"]["n"] == 6 and stats["encode"]["n"] == 5
    assert all(v["wall_s"] >= 0 and v["cpu_s"] >= 0 for v in stats.values())
    assert app.queries == ["/params"]
