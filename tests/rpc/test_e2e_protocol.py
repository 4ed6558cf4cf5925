"""Bad input of every kind gets the right JSON-RPC error and the gateway keeps serving; rate
limits answer -32005 past the burst; /health and /metrics. Against a real localnet."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import aiohttp
import pytest

from app.crypto import Key
from app.tx.builder import send, sign_tx
from rpc.keystore import read_plain
from tests.localnets import FREE_KEY, TEST_KEY

from .conftest import Net

pytestmark = pytest.mark.integration


def req(method: str, *params: object, id_: object = 1) -> dict:
    return {"jsonrpc": "2.0", "id": id_, "method": method, "params": list(params)}


def still_serving(net: Net) -> None:
    assert net.call("fictra_chainId") == net.chain_id


def error(net: Net, body: object = None, raw: bytes | None = None) -> tuple[int, dict]:
    status, _, doc = net.post(body, raw=raw)
    assert "result" not in doc, doc
    return status, doc["error"]


ADDR = Key.derive("protocol").bech32


@pytest.mark.parametrize("raw, code", [
    (b"{not json", -32700), (b"\xff\xfe", -32700), (b"", -32700),
    (b'{"jsonrpc":"1.0","id":1,"method":"fictra_chainId"}', -32600),
    (b'{"id":1,"method":"fictra_chainId"}', -32600),
    (b'{"jsonrpc":"2.0","id":1,"method":7}', -32600),
    (b'{"jsonrpc":"2.0","id":{},"method":"fictra_chainId"}', -32600),
    (b'{"jsonrpc":"2.0","id":1,"method":"fictra_chainId","params":"x"}', -32600),
    (b'"just a string"', -32600), (b"[]", -32600),
    (b'{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}', -32601),
    (b"[" * 100_000 + b"]" * 100_000, -32700),  # nesting deeper than the parser goes
    (b'{"jsonrpc":"2.0","id":NaN,"method":"fictra_chainId"}', -32600),
    (b'{"jsonrpc":"2.0","id":1,"method":"fictra_getProposal","params":["9' + b"9" * 5000
     + b'"]}', -32602),
])
def test_malformed_requests(net: Net, raw: bytes, code: int) -> None:
    status, err = error(net, raw=raw)
    assert status == 200 and err["code"] == code
    still_serving(net)


@pytest.mark.parametrize("params, param", [
    ([], "address"), ([42], "address"), (["fic1qqqq"], "address"),
    ([Key.derive("x").bech32.replace("fic1", "eth1")], "address"), ([ADDR, -5], "height"),
    ([ADDR, "latest"], "height"), ([ADDR, 1, 2], None), ({"addr": ADDR}, "addr"),
])
def test_wrong_params(net: Net, params: object, param: str | None) -> None:
    status, err = error(net, {"jsonrpc": "2.0", "id": 3, "method": "fictra_getBalance",
                              "params": params})
    assert err["code"] == -32602 and (err.get("data") or {}).get("param") == param
    still_serving(net)


def test_oversized_body_is_refused(net: Net) -> None:
    big = json.dumps(req("fictra_getBalance", "x" * (2 << 20))).encode()
    status, err = error(net, raw=big)
    assert status == 413 and err["code"] == -32600 and err["data"]["max_body_bytes"] == 1 << 20
    still_serving(net)


def test_bad_tx_bytes(net: Net) -> None:
    faucet = read_plain(net.home / "keys" / "faucet.json")
    for bad, code in (("not base64!", -32602), ("0x123", -32602), (12, -32602)):
        _, err = error(net, req("fictra_sendRawTransaction", bad))
        assert err["code"] == code
    _, err = error(net, req("fictra_sendRawTransaction", "0x" + b"\x0a\x05garbage".hex()))
    assert err["code"] == -32003 and err["data"]["code"] == 1  # TX_MALFORMED
    nonce = int(net.call("fictra_getNonce", faucet.bech32))
    other_chain = sign_tx(faucet, "another-chain", nonce, [send(faucet.address, 1)], fee=10**6)
    _, err = error(net, req("fictra_sendRawTransaction", base64.b64encode(other_chain).decode()))
    assert err["code"] == -32003 and err["data"]["code"] == 4  # BAD_SIGNATURE
    cheap = sign_tx(faucet, net.chain_id, nonce, [send(faucet.address, 1)], fee=0)
    _, err = error(net, req("fictra_sendRawTransaction", "0x" + cheap.hex()))
    assert err["code"] == -32003 and err["data"]["code"] == 7  # FEE_TOO_LOW
    assert err["data"]["hash"] and err["data"]["log"]
    still_serving(net)


def test_batch_mixing_good_and_bad(net: Net) -> None:
    batch = [
        req("fictra_chainId", id_="a"),
        {"jsonrpc": "2.0", "method": "fictra_chainId"},  # a notification: no answer
        req("nope", id_="b"),
        req("fictra_getBalance", "bad", id_="c"),
        17,
        req("fictra_getBalance", ADDR, id_="d"),
    ]
    status, _, answers = net.post(batch)
    assert status == 200
    assert [a["id"] for a in answers] == ["a", "b", "c", None, "d"]
    assert answers[0]["result"] == net.chain_id
    assert [a.get("error", {}).get("code") for a in answers[1:4]] == [-32601, -32602, -32600]
    assert answers[4]["result"]["pt"] == "0"
    status, _, doc = net.post([req("fictra_chainId")] * 101)
    assert doc["error"]["code"] == -32600
    status, _, doc = net.post({"jsonrpc": "2.0", "method": "fictra_chainId"})
    assert status == 204 and doc is None
    still_serving(net)


def test_transport_and_key_errors(net: Net) -> None:
    _, err = error(net, req("fictra_subscribe", "newHeads"))
    assert err["code"] == -32004
    status, _, doc = net.post(req("fictra_chainId"), key="no-such-key")
    assert status == 401 and doc["error"]["code"] == -32000
    still_serving(net)


def test_websocket_bad_input_and_good_calls(net: Net) -> None:
    async def go() -> None:
        async with aiohttp.ClientSession(headers={"X-API-Key": TEST_KEY}) as s, \
                s.ws_connect(net.url + "/ws") as ws:
            await ws.send_str("{oops")
            assert (await ws.receive_json(timeout=30))["error"]["code"] == -32700
            await ws.send_json(req("fictra_subscribe", "weather"))
            assert (await ws.receive_json(timeout=30))["error"]["code"] == -32602
            await ws.send_json(req("fictra_subscribe", "tx"))
            assert (await ws.receive_json(timeout=30))["error"]["code"] == -32602
            await ws.send_json([req("fictra_chainId", id_=1), req("x", id_=2)])
            answers = await ws.receive_json(timeout=30)
            assert answers[0]["result"] == net.chain_id and answers[1]["error"]["code"] == -32601
            # Over the message limit: the socket closes, possibly while the client still writes.
            try:
                await ws.send_str("x" * (2 << 20))
            except ConnectionError:
                closed_while_sending = True
            else:
                closed_while_sending = False
                msg = await ws.receive(timeout=30)
                assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                    aiohttp.WSMsgType.CLOSING)
            assert closed_while_sending or ws.closed

    asyncio.run(go())
    still_serving(net)


def test_rate_limit_answers_32005_past_the_burst(net: Net) -> None:
    # One batch takes its tokens at once: the burst of 10 answers, the rest are refused.
    _, _, batch = net.post([req("fictra_chainId", id_=i) for i in range(16)], key=FREE_KEY)
    codes = [a.get("error", {}).get("code") for a in batch]
    assert codes.count(None) >= 10 and codes.count(-32005) >= 3
    assert codes[:10] == [None] * 10
    # Single calls with an empty bucket: HTTP 429 with Retry-After.
    for _ in range(20):
        status, headers, doc = net.post(req("fictra_chainId"), key=FREE_KEY)
        if status == 429:
            break
    assert status == 429, "the bucket never ran dry"
    err = doc["error"]
    assert err["code"] == -32005 and err["data"]["tier"] == "FREE"
    assert 0 < err["data"]["retry_after"] <= 0.5 and int(headers["Retry-After"]) >= 1
    time.sleep(err["data"]["retry_after"] + 0.1)
    assert net.post(req("fictra_chainId"), key=FREE_KEY)[0] == 200
    still_serving(net)  # other callers are not limited by this one


def test_health_and_metrics(net: Net) -> None:
    import urllib.request

    with urllib.request.urlopen(net.url + "/health", timeout=30) as r:
        doc = json.loads(r.read())
    assert r.status == 200 and doc["status"] == "ok" and doc["catching_up"] is False
    net.call("fictra_getBalance", ADDR)
    error(net, req("fictra_getBalance", "bad"))
    with urllib.request.urlopen(net.url + "/metrics", timeout=30) as r:
        text = r.read().decode()
    assert 'fictra_rpc_requests_total{method="fictra_getBalance",transport="http"}' in text
    assert 'fictra_rpc_errors_total{code="-32602",method="fictra_getBalance"}' in text
    assert 'fictra_rpc_latency_seconds_bucket{le="0.01",method="fictra_getBalance"}' in text
    assert "fictra_rpc_following_blocks 1.0" in text
    assert 'method="eth_blockNumber"' not in text  # unknown names do not become labels
