"""Gateway behaviour that needs a node doing things on cue (a fake CometBFT in-process):
the read cache dropped when a block arrives and off while blocks are not followed, and
``/health`` failing for each reason it can fail."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from rpc.config import GatewayConfig
from rpc.server import GATEWAY_KEY, make_app

from .fakenode import FakeNode, address, until

Body = Callable[[FakeNode, TestServer, aiohttp.ClientSession], Awaitable[None]]


def with_gateway(body: Body, **cfg: Any) -> None:
    async def go() -> None:
        node = FakeNode()
        node_srv = TestServer(node.app, host="127.0.0.1")
        await node_srv.start_server()
        conf = GatewayConfig(node=str(node_srv.make_url("")).rstrip("/"), rate_limit=False,
                             **cfg)
        gw_srv = TestServer(make_app_for(conf), host="127.0.0.1")
        await gw_srv.start_server()
        try:
            async with aiohttp.ClientSession() as http:
                await body(node, gw_srv, http)
        finally:
            await gw_srv.close()
            await node_srv.close()

    asyncio.run(go())


def make_app_for(conf: GatewayConfig) -> Any:
    from rpc.gateway import Gateway

    return make_app(Gateway(conf))


async def call(http: aiohttp.ClientSession, srv: TestServer, method: str, *params: Any) -> Any:
    async with http.post(srv.make_url("/"), json={"jsonrpc": "2.0", "id": 1, "method": method,
                                                  "params": list(params)}) as r:
        return await r.json()


def gateway(srv: TestServer) -> Any:
    return srv.app[GATEWAY_KEY]


def test_cache_serves_one_height_and_is_dropped_by_a_new_block() -> None:
    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        await until(lambda: gateway(srv).follower.live, "the gateway to follow blocks")
        accounts = lambda: [q for q in node.queries if q.startswith("/account/")]  # noqa: E731
        first = await call(http, srv, "fictra_getBalance", address())
        again = await call(http, srv, "fictra_getBalance", address())
        assert first == again and first["result"]["pt"] == "1000"
        assert len(accounts()) == 1
        await node.new_block()
        await until(lambda: gateway(srv).height == 2, "block 2 to reach the gateway")
        after = await call(http, srv, "fictra_getBalance", address())
        assert after["result"] == {"address": address(), "pt": "2000", "ft": "0", "height": 2}
        assert len(accounts()) == 2

    with_gateway(body)


def test_without_the_block_feed_every_read_goes_to_the_node() -> None:
    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        gw = gateway(srv)
        await until(lambda: gw.follower.live, "the gateway to follow blocks")
        await node.drop_sockets()
        await until(lambda: not gw.follower.live, "the gateway to notice")
        n = len(node.queries)
        for _ in range(3):
            await call(http, srv, "fictra_getAccount", address())
        assert len(node.queries) == n + 3
        await until(lambda: gw.follower.live, "the gateway to reconnect")
        status = await call(http, srv, "fictra_status")
        assert status["result"]["following_blocks"] is True

    with_gateway(body)


def test_health_fails_for_each_reason() -> None:
    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        async def health() -> tuple[int, dict[str, Any]]:
            async with http.get(srv.make_url("/health")) as r:
                return r.status, await r.json()

        code, doc = await health()
        assert code == 200 and doc["status"] == "ok" and doc["height"] == 1
        node.catching_up = True
        code, doc = await health()
        assert code == 503 and doc["problems"] == ["node is catching up"]
        node.catching_up = False
        node.block_age_s = 120
        code, doc = await health()
        assert code == 503 and "last block is 120 s old" in doc["problems"][0]

    with_gateway(body, health_max_block_age_s=30.0)


def test_health_fails_when_the_node_is_gone() -> None:
    async def go() -> None:
        conf = GatewayConfig(node="http://127.0.0.1:9", rate_limit=False)  # nothing listens
        srv = TestServer(make_app_for(conf), host="127.0.0.1")
        await srv.start_server()
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(srv.make_url("/health")) as r:
                    doc = await r.json()
                    assert r.status == 503 and doc["problems"][0].startswith("node unreachable")
                answer = await call(http, srv, "fictra_chainId")
                assert answer["error"]["code"] == -32002
        finally:
            await srv.close()

    asyncio.run(go())
