"""Gateway behaviour that needs a node doing things on cue (a fake CometBFT in-process):
the read cache dropped when a block arrives and off while blocks are not followed, histories
that hold the txs a lagging index has not written yet, and
``/health`` failing for each reason it can fail."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from app.crypto import Key
from app.tx.builder import send, sign_tx
from app.tx.codec import tx_hash
from rpc.config import GatewayConfig
from rpc.indexer.db import Database
from rpc.indexer.extract import extract
from rpc.indexer.writer import write
from rpc.server import GATEWAY_KEY, make_app
from tests.indexer.chain import Chain

from .fakenode import FakeNode, address, until

Body = Callable[[FakeNode, TestServer, aiohttp.ClientSession], Awaitable[None]]


def with_gateway(body: Body, **cfg: Any) -> None:
    async def go() -> None:
        node = FakeNode()
        node_srv = TestServer(node.app, host="127.0.0.1")
        await node_srv.start_server()
        conf = GatewayConfig(node=str(node_srv.make_url("")).rstrip("/"),
                             **{"rate_limit": False, **cfg})
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


def _signed_send(nonce: int = 0, timeout_height: int = 0) -> bytes:
    return sign_tx(Key.derive("outbox-sender"), "fake-chain", nonce,
                   [send(b"\x22" * 20, 5)], fee=10_000, timeout_height=timeout_height)


def test_an_accepted_tx_is_kept_offered_again_and_ends_with_its_block() -> None:
    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        gw = gateway(srv)
        gw.outbox.resend_after_s = 0.3
        await until(lambda: gw.follower.live, "the gateway to follow blocks")
        raw = _signed_send()
        sent = await call(http, srv, "fictra_sendRawTransaction", "0x" + raw.hex())
        tx_hash = sent["result"]
        status = await call(http, srv, "fictra_getTransaction", tx_hash)
        assert status["result"]["status"] == "pending"
        # The node lost it (a crash, or CometBFT's second mempool-full check): offered again.
        await until(lambda: len(node.broadcasts) >= 2, "the tx to be offered again")
        assert node.broadcasts[1] == raw
        await until(lambda: gw.outbox.pending(tx_hash).resends >= 1, "the resend counted")
        await node.new_block([raw])
        await until(lambda: gw.outbox.pending(tx_hash) is None, "the block to end its stay")
        n = len(node.broadcasts)
        await asyncio.sleep(1.0)
        assert len(node.broadcasts) == n  # no longer offered

    with_gateway(body)


def test_a_tx_that_can_no_longer_commit_is_dropped_with_the_reason() -> None:
    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        gw = gateway(srv)
        gw.outbox.resend_after_s = 0.3
        await until(lambda: gw.follower.live, "the gateway to follow blocks")
        expiring = _signed_send(nonce=1, timeout_height=2)
        refused = _signed_send(nonce=2)
        for raw in (expiring, refused):
            assert "result" in await call(http, srv, "fictra_sendRawTransaction",
                                          "0x" + raw.hex())
        node.check_code = 8  # the sender can no longer pay: CheckTx refuses from now on
        await node.new_block()  # height 2: the first can still commit at 2, not after
        await until(lambda: gw.height == 2, "block 2")
        await until(lambda: gw.outbox.dropped(tx_hash(refused).hex().upper()) is not None,
                    "the refused tx to be dropped")
        answer = await call(http, srv, "fictra_getTransaction", tx_hash(refused).hex())
        assert answer["result"]["status"] == "dropped"
        assert answer["result"]["reason"] == "code 8: refused"
        await until(lambda: gw.outbox.dropped(tx_hash(expiring).hex().upper()) is not None,
                    "the expired tx to be dropped")
        assert gw.outbox.dropped(tx_hash(expiring).hex().upper()) == "timeout_height 2 passed"

    with_gateway(body)


def test_the_nodes_error_text_is_not_echoed() -> None:
    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        answer = await call(http, srv, "fictra_getBlockHeader", 1)
        text = json.dumps(answer)
        assert "error" in answer and "secret node internals" not in text

    with_gateway(body)


def test_api_keys_come_from_headers_only_and_unknown_keys_are_rate_limited() -> None:
    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        req = {"jsonrpc": "2.0", "id": 1, "method": "fictra_chainId"}
        async with http.post(srv.make_url("/?apikey=not-a-key"), json=req) as r:
            assert r.status == 200  # the query string is ignored: an anonymous caller
        statuses = []
        for _ in range(15):
            async with http.post(srv.make_url("/"), json=req,
                                 headers={"X-API-Key": "guess"}) as r:
                statuses.append(r.status)
        assert statuses[0] == 401 and 429 in statuses

    with_gateway(body, rate_limit=True)


def test_without_an_index_the_explorer_methods_say_so(
        tmp_path: Any) -> None:
    async def body(node: FakeNode, gw: TestServer, http: aiohttp.ClientSession) -> None:
        for method, params in (("fictra_getBlocks", []), ("fictra_getBlock", [1]),
                               ("fictra_search", ["1"]), ("fictra_getNetworkStats", []),
                               ("fictra_getTradeStats", [])):
            answer = await call(http, gw, method, *params)
            assert answer["error"]["code"] == -32002, (method, answer)
            assert "no analytics index" in answer["error"]["message"]
        who = address()
        cursor = await call(http, gw, "fictra_getAccountHistory", who, None, None, "5", 2)
        assert cursor["error"]["code"] == -32602  # cursor paging needs the index

    with_gateway(body)

    async def unreadable(node: FakeNode, gw: TestServer, http: aiohttp.ClientSession) -> None:
        answer = await call(http, gw, "fictra_getBlocks")
        assert answer["error"]["code"] == -32002
        assert "cannot be read" in answer["error"]["message"]

    with_gateway(unreadable, index=str(tmp_path / "missing.sqlite"))


def _history(answer: dict[str, Any]) -> list[str]:
    return [t["hash"] for t in answer["result"]["txs"]]


def test_history_holds_a_tx_the_nodes_tx_index_has_not_written_yet() -> None:
    chain, alice, bob = Chain(), Key.derive("history-alice"), Key.derive("history-bob")
    older, newer = chain.send(alice, bob, 1), chain.send(alice, bob, 2)

    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        await until(lambda: gateway(srv).follower.live, "the gateway to follow blocks")
        node.indexed = [{"hash": older.hash, "height": "1", "index": "0",
                         "tx_result": older.result}]
        await node.new_block([newer.raw], [newer.result])  # height 2, not indexed yet
        await until(lambda: gateway(srv).height == 2, "block 2")
        for who in (alice, bob):  # the payer and the recipient
            answer = await call(http, srv, "fictra_getAccountHistory", who.bech32)
            assert _history(answer) == [newer.hash, older.hash]
        node.indexed.append({"hash": newer.hash, "height": "2", "index": "0",
                             "tx_result": newer.result})  # the index caught up: listed once
        answer = await call(http, srv, "fictra_getAccountHistory", alice.bech32)
        assert _history(answer) == [newer.hash, older.hash]
        page2 = await call(http, srv, "fictra_getAccountHistory", alice.bech32, 2, 1)
        assert _history(page2) == [older.hash] and page2["result"]["next_page"] is None

    with_gateway(body)


def test_history_from_the_index_is_led_by_the_blocks_above_its_head(tmp_path: Path) -> None:
    chain, alice, bob = Chain(), Key.derive("history-alice"), Key.derive("history-bob")
    older = chain.send(alice, bob, 1)
    url = str(tmp_path / "index.sqlite")
    db = Database(url)
    db.create_schema()
    write(db, extract(*chain.block([older]), None))  # the index's head: height 1
    db.close()
    newer = [chain.send(alice, bob, 2), chain.send(alice, bob, 3)]

    async def body(node: FakeNode, srv: TestServer, http: aiohttp.ClientSession) -> None:
        await until(lambda: gateway(srv).follower.live, "the gateway to follow blocks")
        await node.new_block([t.raw for t in newer], [t.result for t in newer])  # height 2
        await until(lambda: gateway(srv).height == 2, "block 2")
        want = [newer[1].hash, newer[0].hash, older.hash]
        for who in (alice, bob):
            answer = await call(http, srv, "fictra_getAccountHistory", who.bech32)
            assert _history(answer) == want
        pages = [await call(http, srv, "fictra_getAccountHistory", alice.bech32, p, 2)
                 for p in (1, 2)]
        assert [_history(p) for p in pages] == [want[:2], want[2:]]
        assert pages[0]["result"]["next_page"] == 2 and pages[1]["result"]["next_page"] is None
        first = await call(http, srv, "fictra_getAccountHistory", alice.bech32, None, None,
                           None, 1)
        assert _history(first) == want[:1]
        cursor = first["result"]["next_before"]
        assert cursor == "2:1"
        rest = await call(http, srv, "fictra_getAccountHistory", alice.bech32, None, None,
                          cursor, 5)
        assert _history(rest) == want[1:] and rest["result"]["next_before"] is None

    with_gateway(body, index=url)
