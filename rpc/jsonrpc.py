"""The JSON-RPC 2.0 core, the same for HTTP and WebSocket: parse, batch, dispatch, answer.

A body is one request object or a batch (array). Every call is answered on its own (a batch
mixing good and bad calls gets one answer per call with an ``id``; notifications get none), so
bad input of any kind costs one error object and never the connection or the process.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rpc import errors as E
from rpc.cache import ReadCache
from rpc.cometclient import NodeError, NodeUnavailable
from rpc.errors import RpcError
from rpc.metrics import Metrics
from rpc.params import Param, bind
from rpc.ratelimit import RateLimiter

log = logging.getLogger("fictra.rpc")

Handler = Callable[["CallContext", dict[str, Any]], Awaitable[Any]]
MAX_BATCH = 100


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler
    params: tuple[Param, ...]
    result: dict[str, Any]  # OpenRPC content descriptor: {"name", "schema"}
    summary: str
    description: str = ""
    cache: bool = False  # the answer depends only on the params and the chain height
    ws_only: bool = False
    errors: tuple[int, ...] = ()  # documented error codes besides the generic ones


@dataclass
class Conn:
    """Who is calling and over what: shared by every call of one HTTP request or WS socket."""

    transport: str  # "http" or "ws"
    identity: str  # the API key, or "ip:<address>" when anonymous
    tier: str
    ws: Any = None  # rpc.subscriptions.WsPeer for WebSocket connections
    after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


@dataclass
class CallContext:
    gw: Any  # what handlers call: the node, reads, subscriptions (an ``rpc.gateway.Gateway``)
    conn: Conn
    method: Method


@dataclass
class Answer:
    payload: Any  # a response object, a list of them, or None (nothing to send)
    limited: bool = False  # every call was refused by the rate limiter
    retry_after: float = 0.0


class Registry:
    def __init__(self) -> None:
        self.methods: dict[str, Method] = {}

    def add(self, method: Method) -> None:
        if method.name in self.methods:
            raise ValueError(f"method {method.name} registered twice")
        self.methods[method.name] = method


def error_response(err: RpcError, id_: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": id_, "error": err.to_json()}


def _valid_id(v: Any) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)  # NaN or Infinity could not be written back as JSON
    return v is None or isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))


class Dispatcher:
    """Parses calls, applies the rate limit, binds params, runs handlers (through the read
    cache where a method allows it) and records metrics. Handlers get ``services``."""

    def __init__(self, services: Any, registry: Registry, limiter: RateLimiter,
                 metrics: Metrics, cache: ReadCache) -> None:
        self.services = services
        self.registry = registry
        self.limiter = limiter
        self.metrics = metrics
        self.cache = cache

    async def handle(self, body: bytes | str, conn: Conn) -> Answer:
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as e:  # deep nesting recurses
            self.metrics.record("-", conn.transport, E.PARSE_ERROR, 0.0)
            return Answer(error_response(RpcError(E.PARSE_ERROR, f"Parse error: {e}")))
        if isinstance(doc, list):
            if not doc:
                return Answer(error_response(RpcError(E.INVALID_REQUEST,
                                                      "Invalid request: empty batch")))
            if len(doc) > MAX_BATCH:
                return Answer(error_response(RpcError(
                    E.INVALID_REQUEST, f"Invalid request: batch of {len(doc)} calls; "
                    f"the limit is {MAX_BATCH}", {"max_batch": MAX_BATCH})))
            out = []
            limited = 0
            retry = 0.0
            # Calls of a batch run one after another: a batch is one client's work, and the
            # rate limiter already bounds how much of it there is.
            for item in doc:
                res, lim, ra = await self._one(item, conn)
                limited += lim
                retry = max(retry, ra)
                if res is not None:
                    out.append(res)
            return Answer(out or None, limited == len(doc), retry)
        res, lim, ra = await self._one(doc, conn)
        return Answer(res, lim, ra)

    async def _one(self, req: Any, conn: Conn) -> tuple[dict[str, Any] | None, bool, float]:
        """(response or None for a notification, refused by the limiter, retry after)."""
        t0 = time.perf_counter()
        id_ = req.get("id") if isinstance(req, dict) else None
        if not _valid_id(id_):
            id_ = None
        name = "-"
        try:
            self.limiter.charge(conn.identity, conn.tier)
            method, params = self._check(req)
            name = method.name
            notification = "id" not in req
            result = await self._run(method, params, conn)
            self.metrics.record(name, conn.transport, 0, time.perf_counter() - t0)
            if notification:
                return None, False, 0.0
            return {"jsonrpc": "2.0", "id": id_, "result": result}, False, 0.0
        except RpcError as err:
            self.metrics.record(name, conn.transport, err.code, time.perf_counter() - t0)
            limited = err.code == E.LIMIT_EXCEEDED and name == "-"
            retry = err.data.get("retry_after", 0.0) if limited else 0.0
            if isinstance(req, dict) and "id" not in req and err.code not in (
                    E.INVALID_REQUEST, E.PARSE_ERROR):
                return None, limited, retry  # notifications get no answer, even errors
            return error_response(err, id_), limited, retry

    def _check(self, req: Any) -> tuple[Method, Any]:
        if not isinstance(req, dict):
            raise RpcError(E.INVALID_REQUEST, "Invalid request: a call must be a JSON object")
        if req.get("jsonrpc") != "2.0":
            raise RpcError(E.INVALID_REQUEST, 'Invalid request: "jsonrpc" must be "2.0"',
                           {"jsonrpc": req.get("jsonrpc")})
        if "id" in req and not _valid_id(req["id"]):
            raise RpcError(E.INVALID_REQUEST,
                           "Invalid request: id must be a string, a number or null")
        name = req.get("method")
        if not isinstance(name, str):
            raise RpcError(E.INVALID_REQUEST, 'Invalid request: "method" must be a string')
        params = req.get("params")
        if params is not None and not isinstance(params, list | dict):
            raise RpcError(E.INVALID_REQUEST,
                           'Invalid request: "params" must be an array or an object')
        method = self.registry.methods.get(name)
        if method is None:
            raise RpcError(E.METHOD_NOT_FOUND, f"Method not found: {name[:100]}")
        return method, params

    async def _run(self, method: Method, raw_params: Any, conn: Conn) -> Any:
        if method.ws_only and conn.transport != "ws":
            raise RpcError(E.NOT_SUPPORTED, f"{method.name} needs a WebSocket connection "
                           "(subscriptions push notifications)")
        params = bind(raw_params, method.params)
        ctx = CallContext(self.services, conn, method)
        try:
            if method.cache:
                key = json.dumps([method.name, raw_params], sort_keys=True, default=str)
                return await self.cache.get(key, lambda: method.handler(ctx, params))
            return await method.handler(ctx, params)
        except RpcError:
            raise
        except Exception as e:  # noqa: BLE001 - any bug answers -32603, the gateway keeps serving
            # The node's own error text stays in the gateway's log: it names internals.
            if isinstance(e, NodeUnavailable):
                log.warning("method %s: node unavailable: %s", method.name, e)
                raise RpcError(E.UNAVAILABLE, "Resource unavailable: the node does not answer"
                               ) from None
            if isinstance(e, NodeError):
                log.warning("method %s: node error: %s", method.name, e)
                raise RpcError(E.INTERNAL_ERROR, "Internal error: the node refused a request"
                               ) from None
            log.exception("method %s failed", method.name)
            raise RpcError(E.INTERNAL_ERROR, "Internal error") from None
