"""The gateway's HTTP and WebSocket front (aiohttp).

- ``POST /``: JSON-RPC (one call or a batch). ``GET /ws`` (or a WebSocket upgrade on ``/``):
  the same calls plus subscriptions.
- ``GET /health``: 200 when the node answers, is not catching up and its last block is
  recent; 503 with the problems otherwise (for load balancers).
- ``GET /metrics``: Prometheus text.
- ``GET /explorer/``: the block explorer's pages (``rpc.explorer``).

Bodies over ``max_body_bytes`` are refused with HTTP 413 (WebSocket: the frame closes the
socket with 1009) before any of it is parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import signal
from typing import Any

from aiohttp import WSMsgType, web

from rpc import errors as E
from rpc import explorer
from rpc.config import GatewayConfig
from rpc.errors import RpcError
from rpc.gateway import Gateway
from rpc.jsonrpc import Conn, error_response
from rpc.methods.chain import block_age_s
from rpc.ratelimit import ANONYMOUS_TIER
from rpc.subscriptions import WsPeer

log = logging.getLogger("fictra.rpc")

WS_INFLIGHT = 32  # calls of one WebSocket answered concurrently
GATEWAY_KEY = web.AppKey("gateway", Gateway)


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None
          ) -> web.Response:
    return web.Response(text=json.dumps(payload, separators=(",", ":")), status=status,
                        content_type="application/json", headers=headers)


def _caller(request: web.Request, gw: Gateway) -> tuple[str, str] | None:
    """(identity, tier) from the API key, or the client IP as FREE; None for an unknown key."""
    # Never from the query string: URLs end up in logs, proxies and browser history.
    key = request.headers.get("X-API-Key")
    auth = request.headers.get("Authorization", "")
    if not key and auth.startswith("Bearer "):
        key = auth[7:].strip()
    if not key:
        return f"ip:{request.remote}", ANONYMOUS_TIER
    tier = gw.config.api_keys.get(key)
    return (f"key:{key}", tier) if tier else None


def _unknown_key(request: web.Request, gw: Gateway) -> web.Response:
    # Refusals cost the caller's address a token too, so guessing keys is rate limited.
    try:
        gw.limiter.charge(f"ip:{request.remote}", ANONYMOUS_TIER)
    except RpcError as err:
        wait = err.data["retry_after"]
        return _json(error_response(err), status=429,
                     headers={"Retry-After": str(max(1, math.ceil(wait)))})
    return _json(error_response(RpcError(E.INVALID_INPUT, "Invalid input: unknown API key")),
                 status=401)


async def _read_body(request: web.Request, limit: int) -> bytes | None:
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def rpc_http(request: web.Request) -> web.StreamResponse:
    gw = request.app[GATEWAY_KEY]
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await rpc_ws(request)
    caller = _caller(request, gw)
    if caller is None:
        return _unknown_key(request, gw)
    limit = gw.config.max_body_bytes
    body = await _read_body(request, limit)
    if body is None:
        err = RpcError(E.INVALID_REQUEST, f"Invalid request: body larger than {limit} bytes",
                       {"max_body_bytes": limit})
        gw.metrics.record("-", "http", err.code, 0.0)
        return _json(error_response(err), status=413)
    conn = Conn("http", caller[0], caller[1])
    answer = await gw.dispatcher.handle(body, conn)
    if answer.payload is None:
        return web.Response(status=204)
    if answer.limited:
        return _json(answer.payload, status=429,
                     headers={"Retry-After": str(max(1, math.ceil(answer.retry_after)))})
    return _json(answer.payload)


async def rpc_ws(request: web.Request) -> web.StreamResponse:
    gw = request.app[GATEWAY_KEY]
    caller = _caller(request, gw)
    if caller is None:
        return _unknown_key(request, gw)
    ws = web.WebSocketResponse(max_msg_size=gw.config.max_body_bytes, heartbeat=30.0)
    await ws.prepare(request)
    peer = WsPeer(ws)
    writer = asyncio.create_task(peer.writer())
    inflight = asyncio.Semaphore(WS_INFLIGHT)
    tasks: set[asyncio.Task[None]] = set()
    gw.metrics.ws_connections.inc()

    async def answer(data: str | bytes) -> None:
        conn = Conn("ws", caller[0], caller[1], ws=peer)
        try:
            res = await gw.dispatcher.handle(data, conn)
            if res.payload is not None:
                peer.send(res.payload)
            for hook in conn.after:
                await hook()
        finally:
            inflight.release()

    try:
        async for msg in ws:
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await inflight.acquire()
                task = asyncio.create_task(answer(msg.data))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            elif msg.type == WSMsgType.ERROR:
                break
    finally:
        gw.hub.drop_peer(peer)
        gw.metrics.subscriptions.set(gw.hub.count)
        gw.metrics.ws_connections.dec()
        for task in list(tasks):
            task.cancel()
        peer.close()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await writer
    return ws


async def health(request: web.Request) -> web.Response:
    gw = request.app[GATEWAY_KEY]
    problems: list[str] = []
    out: dict[str, Any] = {"node": gw.config.node, "following_blocks": gw.follower.live}
    try:
        st = await asyncio.wait_for(gw.node.status(), 3.0)
        info = st["sync_info"]
        out["height"] = int(info["latest_block_height"])
        out["catching_up"] = bool(info["catching_up"])
        out["last_block_age_s"] = block_age_s(info["latest_block_time"])
        if out["catching_up"]:
            problems.append("node is catching up")
        if out["last_block_age_s"] > gw.config.health_max_block_age_s:
            problems.append(f"last block is {out['last_block_age_s']:.0f} s old (bound "
                            f"{gw.config.health_max_block_age_s:g} s)")
    except Exception as e:  # noqa: BLE001 - any failure to ask the node is "unreachable"
        problems.append(f"node unreachable: {e or type(e).__name__}")
    out["status"] = "fail" if problems else "ok"
    out["problems"] = problems
    return _json(out, status=503 if problems else 200)


async def metrics(request: web.Request) -> web.Response:
    gw = request.app[GATEWAY_KEY]
    return web.Response(body=gw.metrics.render(),
                        headers={"Content-Type": gw.metrics.content_type})


async def index(request: web.Request) -> web.StreamResponse:
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await rpc_ws(request)
    return _json({"service": "fictra gateway", "jsonrpc": "POST / or WebSocket /ws",
                  "discover": "rpc.discover", "health": "/health", "metrics": "/metrics",
                  "explorer": explorer.PREFIX})


def make_app(gw: Gateway) -> web.Application:
    # aiohttp's own limit sits above ours so that our 413 answer (with JSON) is the one seen.
    app = web.Application(client_max_size=gw.config.max_body_bytes + (1 << 16))
    app[GATEWAY_KEY] = gw
    app.router.add_post("/", rpc_http)
    app.router.add_get("/", index)
    app.router.add_get("/ws", rpc_ws)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    explorer.add_routes(app)

    async def lifecycle(_: web.Application) -> Any:
        await gw.start()
        yield
        await gw.close()

    app.cleanup_ctx.append(lifecycle)
    return app


async def serve(config: GatewayConfig, ready: Any = None) -> None:
    """Run until SIGINT/SIGTERM. ``ready(url)`` is called once the socket listens."""
    gw = Gateway(config)
    runner = web.AppRunner(make_app(gw), access_log=None, handle_signals=False)
    await runner.setup()
    host, port = config.host_port
    site = web.TCPSite(runner, host, port, backlog=1024)
    await site.start()
    if ready is not None:
        ready(f"http://{host}:{port}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
