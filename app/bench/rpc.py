"""``fictra bench rpc``: the gateway under offered load, against a real localnet.

For ``fictra_getBalance`` and then ``fictra_sendRawTransaction``, at each offered rate (default
200, 500 and 1,000 calls/s) for a fixed time: calls start on a fixed schedule whatever the
answers do (open loop, so a slow gateway cannot slow the offered load down), and each call's
latency runs from its start to its answer. ``errors`` counts JSON-RPC errors, HTTP errors and
timeouts; ``achieved_rps`` is successful answers per second from the first start to the last
answer.

Setup: an N-validator localnet with its gateway (rate limits off), and ``--senders`` funded
accounts. getBalance reads those accounts in turn (so the per-height cache sees a realistic
mix of repeats, not one hot key). sendRawTransaction sends pre-signed 1-base-unit transfers,
sender ``i % senders`` with consecutive nonces, so one sender's txs are two seconds apart at
1,000/s and arrive in order. Between levels the mempool drains.

``--direct`` offers the same calls to node0's CometBFT RPC instead (``abci_query`` of the
account, ``broadcast_tx_sync``): the node's own share of the latency, same JSON shape.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

from app.crypto import Key
from app.node.localnet import Localnet
from app.node.progress import progress
from app.tx.builder import build_signed, multi_send, send
from genesis.network import new_network
from rpc.client import GatewayClient
from rpc.keystore import read_plain
from rpc.wallet import Wallet

REQUEST_TIMEOUT_S = 30.0
DRAIN_LIMIT_S = 120.0


def _pct(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return round(sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))], 2)


def _answered(doc: Any) -> bool:
    """A JSON-RPC success; for CometBFT's own answers also ABCI code 0."""
    if not isinstance(doc, dict) or "result" not in doc:
        return False
    res = doc["result"]
    if isinstance(res, dict) and ("code" in res or "response" in res):
        return int((res.get("response") or res).get("code") or 0) == 0
    return True


async def _level(session: aiohttp.ClientSession, url: str, rate: int, duration: float,
                 bodies: list[bytes]) -> dict[str, Any]:
    """Offer ``rate`` calls/s for ``duration`` s; the figures the issue asks for."""
    loop = asyncio.get_running_loop()
    lat: list[float] = []
    kinds: dict[str, int] = {}
    last_done = 0.0

    async def one(body: bytes) -> None:
        nonlocal last_done
        t = time.perf_counter()
        try:
            async with session.post(url, data=body,
                                    headers={"Content-Type": "application/json"}) as r:
                doc = await r.json(content_type=None)
            ok = r.status == 200 and _answered(doc)
            kind = "" if ok else _error_kind(doc)
        except (aiohttp.ClientError, TimeoutError, ValueError, OSError) as e:
            ok, kind = False, type(e).__name__
        now = time.perf_counter()
        if ok:
            lat.append((now - t) * 1000)
        else:
            kinds[kind] = kinds.get(kind, 0) + 1
        last_done = max(last_done, now)

    n = int(rate * duration)
    tasks = []
    start = loop.time() + 0.05
    t0 = time.perf_counter() + 0.05
    for i in range(n):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(bodies[i % len(bodies)])))
    await asyncio.gather(*tasks)
    lat.sort()
    span = max(last_done - t0, 1e-9)
    if kinds:
        progress("errors: " + ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items())))
    return {"achieved_rps": round(len(lat) / span, 1), "p50_ms": _pct(lat, 0.50),
            "p95_ms": _pct(lat, 0.95), "p99_ms": _pct(lat, 0.99),
            "errors": sum(kinds.values())}


def _error_kind(doc: Any) -> str:
    """A short name for a failed answer (shown on stderr to explain ``errors``)."""
    if not isinstance(doc, dict):
        return "not JSON-RPC"
    err = doc.get("error")
    if err:
        data = err.get("data") if isinstance(err.get("data"), dict) else {}
        return f"{err.get('code')}" + (f"/abci {data['code']}" if "code" in data else "")
    res = doc.get("result") or {}
    return f"abci {(res.get('response') or res).get('code')}"


def _body(method: str, params: Any, i: int) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}).encode()


def _balance_body(address: str, i: int, direct: bool) -> bytes:
    if direct:
        return _body("abci_query", {"path": f"/account/{address}", "data": "", "height": "0",
                                    "prove": False}, i)
    return _body("fictra_getBalance", [address], i)


def _send_body(raw: bytes, i: int, direct: bool) -> bytes:
    if direct:
        return _body("broadcast_tx_sync", {"tx": base64.b64encode(raw).decode()}, i)
    return _body("fictra_sendRawTransaction", ["0x" + raw.hex()], i)


async def _fund(url: str, faucet: Key, senders: list[Key]) -> None:
    async with GatewayClient(url) as gw:
        wallet = Wallet(gw)
        hashes = []
        for i in range(0, len(senders), 100):
            chunk = senders[i:i + 100]
            hashes.append(await wallet.submit(faucet, [multi_send(
                [(k.address, 1_000_000_000) for k in chunk])]))
        for h in hashes:
            r = await wallet.wait(h, 120)
            if r["code"] != 0:
                raise RuntimeError(f"funding failed: {r['log']}")


async def _drain(node_url: str) -> None:
    """Wait (bounded) until the node's mempool is empty, so levels do not overlap."""
    deadline = time.monotonic() + DRAIN_LIMIT_S
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            async with s.get(f"{node_url}/num_unconfirmed_txs") as r:
                total = int((await r.json())["result"]["total"])
            if total == 0:
                return
            progress(f"waiting for the mempool to drain: {total} txs")
            await asyncio.sleep(1.0)


async def _measure(args: argparse.Namespace, net: Localnet, url: str) -> dict[str, Any]:
    faucet = read_plain(net.home / "keys" / "faucet.json")
    senders = [Key.derive(f"bench-rpc-{i}") for i in range(args.senders)]
    progress(f"funding {len(senders)} accounts")
    await _fund(url, faucet, senders)
    async with GatewayClient(url) as gw:
        chain_id = await gw.call("fictra_chainId")
        p = await gw.call("fictra_getParams")
    base, per_byte = int(p["base_fee"]), int(p["fee_per_byte"])
    sink = Key.derive("bench-rpc-sink").address
    nonces = [0] * len(senders)
    results: dict[str, Any] = {"getBalance": {}, "sendRawTransaction": {}}
    conn = aiohttp.TCPConnector(limit=args.connections)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    target = net.nodes[0].rpc_url if args.direct else url
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
        balance_bodies = [_balance_body(k.bech32, i, args.direct) for i, k in enumerate(senders)]
        progress("warming up")
        await _level(session, target, 100, 2.0, balance_bodies)
        for rate in args.rates:
            progress(f"getBalance at {rate}/s for {args.duration:g} s")
            results["getBalance"][str(rate)] = await _level(
                session, target, rate, args.duration, balance_bodies)
        for rate in args.rates:
            n = int(rate * args.duration)
            progress(f"signing {n} txs")
            bodies = []
            for i in range(n):
                s = i % len(senders)
                raw = build_signed(senders[s], chain_id, nonces[s], [send(sink, 1)],
                                   base_fee=base, fee_per_byte=per_byte)
                nonces[s] += 1
                bodies.append(_send_body(raw, i, args.direct))
            await _drain(net.nodes[0].rpc_url)
            progress(f"sendRawTransaction at {rate}/s for {args.duration:g} s")
            res = await _level(session, target, rate, args.duration, bodies)
            results["sendRawTransaction"][str(rate)] = res
            # Txs refused (e.g. a full mempool) leave nonce gaps: resync before the next level.
            if res["errors"]:
                await _drain(net.nodes[0].rpc_url)
                async with GatewayClient(url) as gw:
                    for s, key in enumerate(senders):
                        nonces[s] = int((await gw.call("fictra_getAccount", key.bech32))["nonce"])
    return results


def run(args: argparse.Namespace) -> int:
    home = Path(args.home or f".bench/rpc-{args.validators}").resolve()
    shutil.rmtree(home, ignore_errors=True)
    progress(f"creating a {args.validators}-validator localnet")
    new_network(home, args.validators, "fictra-bench-rpc", base_port=args.base_port)
    net = Localnet(home)
    try:
        for node in net.nodes:
            net.start_node(node.name)
        url = net.start_gateway(extra_args=["--no-rate-limit"])
        _wait_ready(net, url)
        results = asyncio.run(_measure(args, net, url))
    finally:
        net.stop_gateway()
        net.stop_nodes()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    progress("")
    if args.json:
        print(json.dumps(results))
        return 0
    load = os.getloadavg()
    where = "node0 directly (no gateway)" if args.direct else "the gateway"
    print(f"fictra bench rpc through {where}: {args.validators} validators, "
          f"{args.duration:g} s per level, "
          f"{args.senders} accounts (load average at the end {load[0]:.2f})")
    print(f"{'method':<20} {'offered':>8} {'achieved':>9} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7}")
    for method, levels in results.items():
        for rate, r in levels.items():
            print(f"{method:<20} {rate:>8} {r['achieved_rps']:>9} {r['p50_ms']:>8} "
                  f"{r['p95_ms']:>8} {r['p99_ms']:>8} {r['errors']:>7}")
    return 0


def _wait_ready(net: Localnet, url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        dead = [n.name for n in net.nodes if net.exited(n.name)]
        if dead:
            raise RuntimeError(f"{dead[0]} exited; see {net.home}/{dead[0]}/node.log")
        if net.gateway_exited():
            raise RuntimeError(f"the gateway exited; see {net.home}/gateway.log")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if json.loads(r.read()).get("height", 0) >= 1:
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        progress("waiting for the first block and the gateway")
        time.sleep(0.5)
    raise RuntimeError("no block or no gateway within 120 s")
