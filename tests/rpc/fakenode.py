"""A stand-in for CometBFT's RPC, for what a real node cannot be made to do on demand: push
a block at a chosen moment, drop its websocket, report catching up or a stale block."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from app.crypto import from_bech32, to_bech32
from app.pb import state_pb2
from app.query.ledger import account_json
from rpc.receipts import mentions


class FakeNode:
    def __init__(self) -> None:
        self.height = 1
        self.catching_up = False
        self.block_age_s = 0.5
        self.queries: list[str] = []
        self.broadcasts: list[bytes] = []  # every broadcast_tx_sync's tx
        self.check_code = 0  # what CheckTx answers a broadcast
        self.indexed: list[dict[str, Any]] = []  # what its tx index has written (tx_search)
        self.sockets: list[web.WebSocketResponse] = []
        self.app = web.Application()
        self.app.router.add_post("/", self._rpc)
        self.app.router.add_get("/websocket", self._ws)

    def _time(self) -> str:
        t = datetime.now(UTC) - timedelta(seconds=self.block_age_s)
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"

    async def _rpc(self, request: web.Request) -> web.Response:
        req = await request.json()
        method, params = req["method"], req.get("params") or {}
        if method == "status":
            result: Any = {"node_info": {"network": "fake-chain", "version": "0.38.26"},
                           "sync_info": {"latest_block_height": str(self.height),
                                         "latest_block_time": self._time(),
                                         "latest_app_hash": "AA" * 32,
                                         "latest_block_hash": "BB" * 32,
                                         "catching_up": self.catching_up}}
        elif method == "abci_query":
            path = params["path"]
            self.queries.append(path)
            if path.startswith("/account/"):
                addr = path.split("/")[2]
                acct = state_pb2.Account(balance=1000 * self.height, nonce=self.height)
                info = account_json(from_bech32(addr), acct)
                result = {"response": {"code": 0, "info": json.dumps(info),
                                       "height": str(self.height)}}
            else:
                result = {"response": {"code": 70, "log": f"unknown query path {path!r}",
                                       "height": str(self.height)}}
        elif method == "broadcast_tx_sync":
            raw = base64.b64decode(params["tx"])
            self.broadcasts.append(raw)
            result = {"code": self.check_code, "log": "refused" if self.check_code else "",
                      "hash": hashlib.sha256(raw).hexdigest().upper()}
        elif method == "tx_search":  # one condition, key='value': the value is matched
            value = params["query"].split("'")[1]
            found = [d for d in self.indexed if mentions(d["tx_result"].get("events"), value)]
            result = {"txs": found, "total_count": str(len(found))}
        elif method == "tx":
            return web.json_response({"jsonrpc": "2.0", "id": req["id"], "error": {
                "code": -32603, "message": "Internal error", "data": "tx not found"}})
        else:
            return web.json_response({"jsonrpc": "2.0", "id": req["id"], "error": {
                "code": -32601, "message": "not here", "data": "secret node internals"}})
        return web.json_response({"jsonrpc": "2.0", "id": req["id"], "result": result})

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        async for msg in ws:
            req = json.loads(msg.data)
            await ws.send_json({"jsonrpc": "2.0", "id": req["id"], "result": {}})
        return ws

    async def new_block(self, txs: list[bytes] | None = None,
                        results: list[dict[str, Any]] | None = None) -> None:
        self.height += 1
        results = results or [{"code": 0} for _ in txs or []]
        event = {"jsonrpc": "2.0", "id": "newblock", "result": {
            "query": "tm.event='NewBlock'",
            "data": {"type": "tendermint/event/NewBlock", "value": {
                "block": {"header": {"height": str(self.height), "time": self._time(),
                                     "proposer_address": "CC" * 20},
                          "data": {"txs": [base64.b64encode(t).decode()
                                           for t in txs or []]}},
                "block_id": {"hash": "DD" * 32},
                "result_finalize_block": {"tx_results": results,
                                          "events": [],
                                          "app_hash": base64.b64encode(b"\1" * 32).decode()},
            }}}}
        for ws in list(self.sockets):
            if not ws.closed:
                await ws.send_json(event)

    async def drop_sockets(self) -> None:
        for ws in self.sockets:
            await ws.close()
        self.sockets.clear()


def address() -> str:
    return to_bech32(b"\x11" * 20)


async def until(pred: Any, what: str, timeout: float = 30.0) -> None:
    """Wait for a condition; a hang guard, not a speed check."""
    for _ in range(int(timeout / 0.02)):
        if pred():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
