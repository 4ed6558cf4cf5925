"""``fictra bench index``: the analytics index's figures.

``history``: an index holding a year of chain (15,768,000 two-second heights) in which one
account has 10,000 txs spread evenly over the year among other accounts' txs (``--others`` per
height of the account's); a real ``fictra gateway`` reads it, and ``fictra_getAccountHistory``
is timed over HTTP (keep-alive): the newest page, every page by cursor to the oldest tx (the
1-year history), and the oldest page by page number.

``follow``: a 1-validator localnet offered signed transfers by the e2e load client while
``fictra indexer`` follows it; then a second indexer indexes the same chain from scratch. The
figures: the node's committed tx/s, how far the live index fell behind, and the catch-up
rate in blocks/s and tx/s (what the indexer sustains, CPU-bound).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

from app.bench import e2e
from app.crypto import Key
from app.node.cometrpc import RpcError, call
from app.node.progress import progress
from rpc.indexer.db import Database

YEAR_HEIGHTS = 365 * 24 * 3600 // 2
T0_MS = 1_760_000_000_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ms(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {"p50_ms": round(statistics.median(xs) * 1000, 2),
            "p95_ms": round(xs[int(len(xs) * 0.95) - 1 if len(xs) > 1 else 0] * 1000, 2),
            "max_ms": round(xs[-1] * 1000, 2)}


# -- history ------------------------------------------------------------------------------------
def build_history_index(db: Database, target: str, txs: int, others: int) -> int:
    """Rows for a year with ``txs`` txs of ``target``; the number of txs written."""
    db.create_schema()
    pool = [Key.generate().bech32 for _ in range(200)]
    step = YEAR_HEIGHTS // txs
    written = 0
    batch_blocks, batch_txs, batch_acc = [], [], []

    def flush() -> None:
        with db.transaction():
            db.executemany("INSERT INTO blocks (height, time, time_ms, hash, app_hash, "
                           "proposer, num_txs, interval_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           batch_blocks)
            db.executemany("INSERT INTO txs (height, idx, hash, signer, type, msg_types, code, "
                           "log, codespace, fee, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?)", batch_txs)
            db.executemany("INSERT INTO account_txs (address, height, idx) VALUES (?, ?, ?)",
                           batch_acc)
        batch_blocks.clear()
        batch_txs.clear()
        batch_acc.clear()

    for i in range(txs):
        h = 1 + i * step
        t_ms = T0_MS + h * 2000
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t_ms // 1000)) + ".000000000Z"
        batch_blocks.append((h, stamp, t_ms, f"{h:064X}", f"{h:064X}", "AB" * 20, others + 1,
                             2000))
        for idx in range(others + 1):
            sender = target if idx == 0 else pool[(i + idx) % len(pool)]
            recipient = pool[(i * 7 + idx) % len(pool)]
            events = json.dumps([
                {"type": "fee", "attributes": {"payer": sender, "amount": "2370"}},
                {"type": "transfer", "attributes": {"sender": sender, "recipient": recipient,
                                                    "amount": str(1_000_000 + i)}}],
                separators=(",", ":"))
            batch_txs.append((h, idx, f"{h:048X}{idx:016X}", sender, "transfer", "transfer", 0,
                              "", "", 2370, events))
            batch_acc.append((sender, h, idx))
            if recipient != sender:
                batch_acc.append((recipient, h, idx))
            written += 1
        if len(batch_txs) >= 20_000:
            flush()
    flush()
    top = 1 + (txs - 1) * step
    with db.transaction():
        db.execute("UPDATE meta SET value = ? WHERE key = 'last_height'", (top,))
    return written


async def _time_history(url: str, target: str, repeats: int) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        async def call(params: dict[str, Any]) -> tuple[float, Any]:
            body = {"jsonrpc": "2.0", "id": 1, "method": "fictra_getAccountHistory",
                    "params": params}
            start = time.perf_counter()
            async with session.post(url, json=body) as resp:
                doc = await resp.json()
            took = time.perf_counter() - start
            if "error" in doc:
                raise RuntimeError(f"fictra_getAccountHistory: {doc['error']}")
            return took, doc["result"]

        await call({"address": target, "limit": 100})  # warm the connection and the reader
        newest = [(await call({"address": target, "limit": 20}))[0] for _ in range(repeats)]
        walks, pages, count = [], [], 0
        for _ in range(3):
            before, start, count = None, time.perf_counter(), 0
            while True:
                took, res = await call({"address": target, "limit": 100,
                                        **({"before": before} if before else {})})
                pages.append(took)
                count += len(res["txs"])
                before = res["next_before"]
                if before is None:
                    break
            walks.append(time.perf_counter() - start)
        deep = [(await call({"address": target, "page": 100, "per_page": 100}))[0]
                for _ in range(repeats)]
    return {"newest_page_20": _ms(newest), "cursor_page_100": _ms(pages),
            "year_walk_s": round(min(walks), 3), "year_walk_txs": count,
            "year_walk_pages": len(pages) // 3, "oldest_page_by_number": _ms(deep)}


def run_history(args: argparse.Namespace) -> int:
    home = Path(args.home or ".bench/index-history").resolve()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    db_url = args.db or str(home / "index.sqlite")
    target = Key.generate().bech32
    db = Database(db_url)
    t0 = time.perf_counter()
    written = build_history_index(db, target, args.txs, args.others)
    build_s = time.perf_counter() - t0
    db.close()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    gw = subprocess.Popen([sys.executable, "-m", "app.cli.main", "gateway", "--node",
                           "http://127.0.0.1:9", "--listen", f"127.0.0.1:{port}", "--index",
                           db_url, "--no-rate-limit"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_http(url + "/metrics", gw)
        out = asyncio.run(_time_history(url, target, args.repeats))
    finally:
        gw.send_signal(signal.SIGTERM)
        gw.wait(30)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    out.update({"backend": "postgresql" if db_url.startswith("postgres") else "sqlite",
                "account_txs": args.txs, "index_txs": written, "build_s": round(build_s, 1),
                "load_1min": round(os.getloadavg()[0], 2)})
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"fictra bench index history ({out['backend']}): an account with {args.txs:,} txs "
          f"over a year, {written:,} txs in the index (built in {out['build_s']} s); "
          f"load {out['load_1min']}")
    for key in ("newest_page_20", "cursor_page_100", "oldest_page_by_number"):
        f = out[key]
        print(f"  {key:<24} p50 {f['p50_ms']:>7} ms  p95 {f['p95_ms']:>7} ms  "
              f"max {f['max_ms']:>7} ms")
    print(f"  1-year history: {out['year_walk_txs']:,} txs in {out['year_walk_pages']} pages, "
          f"{out['year_walk_s']} s")
    return 0


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


# -- follow -------------------------------------------------------------------------------------
def _marker(db_url: str) -> int:
    try:
        db = Database(db_url, readonly=True)
    except Exception:  # noqa: BLE001 - the indexer has not made it yet
        return 0
    try:
        return db.last_height()
    finally:
        db.close()


def _node_height(url: str) -> int:
    try:
        return int(call(url, "status")["sync_info"]["latest_block_height"])
    except RpcError:
        return 0


def _txs_between(db_url: str, low: int, high: int) -> int:
    db = Database(db_url, readonly=True)
    try:
        row = db.one("SELECT COALESCE(SUM(num_txs), 0) FROM blocks WHERE height > ? AND "
                     "height <= ?", (low, high))
        return int(row[0]) if row else 0
    finally:
        db.close()


def _chain_rate(db_url: str) -> tuple[float, int]:
    """The node's committed tx/s over the loaded blocks (from the index), and their count."""
    db = Database(db_url, readonly=True)
    try:
        rows = db.query("SELECT num_txs, interval_ms FROM blocks WHERE num_txs > 0 AND "
                        "interval_ms IS NOT NULL")
    finally:
        db.close()
    txs = sum(int(r[0]) for r in rows)
    ms = sum(int(r[1]) for r in rows)
    return (txs * 1000 / ms if ms else 0.0), len(rows)


def run_follow(args: argparse.Namespace) -> int:
    home = Path(args.home or ".bench/index-follow").resolve()
    shutil.rmtree(home, ignore_errors=True)
    txs = e2e.sign_all(args.txs, args.senders, Path(".bench/cache").resolve())
    net = e2e.Net("fictra", home / "net", 1, args.base_port, {}, args.senders)
    live_db = args.db or str(home / "live.sqlite")
    catch_db = args.catchup_db or str(home / "catchup.sqlite")
    out: dict[str, Any] = {"txs": args.txs, "load_1min_before": round(os.getloadavg()[0], 2)}
    try:
        net.start()
        net.net.start_indexer(live_db)
        lag = {"max": 0, "stop": False}

        def watch() -> None:
            while not lag["stop"]:
                lag["max"] = max(lag["max"], _node_height(net.url) - _marker(live_db))
                time.sleep(0.5)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        work = home / "work"
        work.mkdir(parents=True, exist_ok=True)
        progress(f"offering {args.txs:,} transfers")
        e2e.run_client(net.url, txs, [i % args.senders for i in range(args.txs)], work,
                       "load", rate=args.rate, room=16_000, connections=64)
        head = _node_height(net.url)
        t_head = time.monotonic()
        while _marker(live_db) < head:
            time.sleep(0.05)
        out["live_catchup_after_load_s"] = round(time.monotonic() - t_head, 2)
        lag["stop"] = True
        watcher.join()
        out["live_max_lag_blocks"] = lag["max"]
        rate, loaded = _chain_rate(live_db)
        out["node_tx_per_s"] = round(rate, 1)
        out["loaded_blocks"] = loaded
        net.net.stop_indexer()

        # Catch-up: the same chain from scratch, timed between the first and last writes.
        net.net._save("indexer", {})  # noqa: SLF001 - forget the live indexer's database
        net.net.start_indexer(catch_db)
        while _marker(catch_db) == 0:
            time.sleep(0.02)
        t0, m0 = time.monotonic(), _marker(catch_db)
        while _marker(catch_db) < head:
            progress(f"catching up: {_marker(catch_db):,}/{head:,}")
            time.sleep(0.1)
        took = time.monotonic() - t0
        out["catchup_blocks"] = head - m0
        out["catchup_s"] = round(took, 2)
        out["catchup_blocks_per_s"] = round((head - m0) / took, 1)
        out["catchup_tx_per_s"] = round(_txs_between(catch_db, m0, head) / took, 1)
        net.net.stop_indexer()
    finally:
        net.net.stop_indexer()
        net.stop()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    progress("")
    out["load_1min_after"] = round(os.getloadavg()[0], 2)
    out["backend"] = "postgresql" if live_db.startswith("postgres") else "sqlite"
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"fictra bench index follow ({out['backend']}): 1 validator, {args.txs:,} transfers "
          f"offered (load {out['load_1min_before']} -> {out['load_1min_after']})")
    print(f"  node committed {out['node_tx_per_s']} tx/s over {out['loaded_blocks']} blocks; "
          f"the live index lagged at most {out['live_max_lag_blocks']} blocks and had the "
          f"last block {out['live_catchup_after_load_s']} s after the load")
    print(f"  catch-up from scratch: {out['catchup_blocks']} blocks in {out['catchup_s']} s: "
          f"{out['catchup_blocks_per_s']} blocks/s, {out['catchup_tx_per_s']} tx/s")
    return 0
