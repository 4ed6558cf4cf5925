"""The SDK's gateway client (async): calls and batches over HTTP, subscriptions over one
WebSocket.

    async with GatewayClient("http://127.0.0.1:8545") as gw:
        bal = await gw.call("fictra_getBalance", "fic1...")
        async with await gw.subscribe("tx", tx_hash) as sub:
            receipt = await sub.next()

A JSON-RPC error raises ``GatewayError`` (code, message, data); a gateway that cannot be
reached raises ``GatewayUnreachable``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import Any

import aiohttp

LIMIT_EXCEEDED = -32005
LIMIT_RETRIES = 5
MAX_RETRY_WAIT_S = 10.0


class GatewayUnreachable(Exception):
    pass


class GatewayError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message
        self.data = data

    @classmethod
    def from_json(cls, err: dict[str, Any]) -> GatewayError:
        return cls(int(err.get("code", 0)), str(err.get("message", "")), err.get("data"))


class Subscription:
    def __init__(self, client: GatewayClient, sub_id: str) -> None:
        self.client = client
        self.id = sub_id
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    async def next(self, timeout: float | None = None) -> Any:
        """The next notification's ``result`` (raises TimeoutError after ``timeout``)."""
        item = await asyncio.wait_for(self.queue.get(), timeout)
        if isinstance(item, Exception):
            raise item
        return item

    async def close(self) -> None:
        self.client._subs.pop(self.id, None)
        with contextlib.suppress(GatewayError, GatewayUnreachable):
            await self.client.ws_call("fictra_unsubscribe", self.id)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class GatewayClient:
    def __init__(self, url: str, api_key: str | None = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.headers = {"X-API-Key": api_key} if api_key else {}
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._subs: dict[str, Subscription] = {}
        self._early: dict[str, list[Any]] = {}  # notifications that beat their subscribe answer

    async def __aenter__(self) -> GatewayClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _sess(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers=self.headers, timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._session is not None:
            await self._session.close()

    # -- HTTP ----------------------------------------------------------------------------------
    async def _post(self, body: Any) -> Any:
        try:
            async with self._sess().post(self.url, json=body) as resp:
                if resp.status == 204:
                    return None
                return await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            raise GatewayUnreachable(f"{self.url}: {e or type(e).__name__}") from None
        except ValueError as e:
            raise GatewayUnreachable(f"{self.url}: answer is not JSON: {e}") from None

    async def call(self, method: str, *params: Any) -> Any:
        """One call; a rate-limit answer (-32005) is waited out and retried a few times."""
        for attempt in range(LIMIT_RETRIES + 1):
            answer = await self._post({"jsonrpc": "2.0", "id": next(self._ids),
                                       "method": method, "params": list(params)})
            if not isinstance(answer, dict):
                raise GatewayUnreachable(f"{self.url}: not a JSON-RPC answer")
            if "error" not in answer:
                return answer.get("result")
            err = GatewayError.from_json(answer["error"])
            wait = err.data.get("retry_after") if isinstance(err.data, dict) else None
            if err.code != LIMIT_EXCEEDED or not isinstance(wait, int | float) \
                    or wait > MAX_RETRY_WAIT_S or attempt == LIMIT_RETRIES:
                raise err
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Results in call order; a failed call's place holds its GatewayError."""
        ids = [next(self._ids) for _ in calls]
        answer = await self._post([{"jsonrpc": "2.0", "id": i, "method": m, "params": p}
                                   for i, (m, p) in zip(ids, calls, strict=True)])
        if isinstance(answer, dict) and "error" in answer:
            raise GatewayError.from_json(answer["error"])
        by_id = {a.get("id"): a for a in answer or []}
        out: list[Any] = []
        for i in ids:
            a = by_id.get(i, {"error": {"code": -32603, "message": "no answer"}})
            out.append(GatewayError.from_json(a["error"]) if "error" in a else a.get("result"))
        return out

    # -- WebSocket -----------------------------------------------------------------------------
    async def _connect_ws(self) -> aiohttp.ClientWebSocketResponse:
        if self._ws is None or self._ws.closed:
            ws_url = self.url.replace("http", "ws", 1) + "/ws"
            try:
                self._ws = await self._sess().ws_connect(ws_url, heartbeat=20.0)
            except (aiohttp.ClientError, OSError) as e:
                raise GatewayUnreachable(f"{ws_url}: {e}") from None
            self._reader = asyncio.create_task(self._read(self._ws))
        return self._ws

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                doc = msg.json()
                for item in doc if isinstance(doc, list) else [doc]:
                    self._dispatch(item)
        finally:
            gone = GatewayUnreachable("websocket closed")
            for fut in self._waiting.values():
                if not fut.done():
                    fut.set_exception(gone)
            for sub in self._subs.values():
                sub.queue.put_nowait(gone)

    def _dispatch(self, item: dict[str, Any]) -> None:
        if item.get("method") == "fictra_subscription":
            p = item.get("params") or {}
            sub_id = p.get("subscription")
            sub = self._subs.get(sub_id)
            if sub is not None:
                sub.queue.put_nowait(p.get("result"))
            elif isinstance(sub_id, str) and len(self._early) < 100:
                self._early.setdefault(sub_id, []).append(p.get("result"))
            return
        fut = self._waiting.pop(item.get("id"), None)
        if fut is not None and not fut.done():
            if "error" in item:
                fut.set_exception(GatewayError.from_json(item["error"]))
            else:
                fut.set_result(item.get("result"))

    async def ws_call(self, method: str, *params: Any) -> Any:
        ws = await self._connect_ws()
        call_id = next(self._ids)
        fut = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = fut
        await ws.send_json({"jsonrpc": "2.0", "id": call_id, "method": method,
                            "params": list(params)})
        return await asyncio.wait_for(fut, self.timeout)

    async def subscribe(self, kind: str, arg: str | None = None) -> Subscription:
        params = [kind] if arg is None else [kind, arg]
        ws = await self._connect_ws()
        call_id = next(self._ids)
        fut = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = fut
        await ws.send_json({"jsonrpc": "2.0", "id": call_id, "method": "fictra_subscribe",
                            "params": params})
        sub_id = await asyncio.wait_for(fut, self.timeout)
        sub = self._subs.setdefault(sub_id, Subscription(self, sub_id))
        for result in self._early.pop(sub_id, []):
            sub.queue.put_nowait(result)
        return sub
