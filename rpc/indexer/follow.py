"""Follow the chain: fetch each height from the node in order and write it.

Heights are fetched a few ahead of the writer (``block`` and ``block_results`` over RPC), so
catching up after a restart or a gap runs at the node's answer rate, not its latency. Once
caught up, the node's websocket (``tm.event='NewBlock'``, which carries the block and its
FinalizeBlock results) both wakes the follower and hands it the new height's data, so a live
height costs no RPC call; a missed event only means the height is fetched instead. The
database work (turning a height into rows and committing them) runs on one thread of its own
while the next heights arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp

from rpc.cometclient import CometClient, NodeError, NodeUnavailable
from rpc.indexer.db import Database, DatabaseError
from rpc.indexer.extract import extract
from rpc.indexer.metrics import IndexerMetrics
from rpc.indexer.writer import OutOfOrder, start_height, write

log = logging.getLogger("fictra.indexer")

PREFETCH = 4  # heights fetched ahead of the writer
EVENTS_KEPT = 8  # websocket heights held until the writer reaches them
POLL_S = 1.0  # without the websocket, ask the node for its height this often
RETRY_S = 1.0

Fetched = tuple[dict[str, Any], dict[str, Any]]  # (block answer, block_results answer)


def results_of_event(r: dict[str, Any]) -> dict[str, Any]:
    """A NewBlock event's FinalizeBlock response in ``block_results``' shape."""
    return {"txs_results": r.get("tx_results") or [],
            "finalize_block_events": r.get("events") or [],
            "validator_updates": r.get("validator_updates") or [],
            "app_hash": r.get("app_hash") or ""}


class Follower:
    def __init__(self, node_url: str, db: Database, metrics: IndexerMetrics, *,
                 prefetch: int = PREFETCH) -> None:
        self.node = CometClient(node_url, timeout=60.0, connections=prefetch + 4)
        self.db = db
        self.metrics = metrics
        self.prefetch = prefetch
        self.next_height = 0  # 0: read from the database first
        self.prev_time_ms: int | None = None
        self._events: dict[int, Fetched] = {}
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._db_thread = ThreadPoolExecutor(1, thread_name_prefix="indexer-db")
        self.live = False
        self.node_height = 0

    @property
    def indexed_height(self) -> int:
        return max(0, self.next_height - 1)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def _db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db_thread, fn, *args)

    async def run(self) -> None:
        await self._db(self.db.create_schema)
        watcher = asyncio.create_task(self._watch())
        try:
            while not self._stop.is_set():
                try:
                    await self._catch_up()
                except (NodeUnavailable, NodeError) as e:
                    self.metrics.errors.labels("node").inc()
                    log.warning("node: %s; retrying", e)
                    await self._sleep(RETRY_S)
                except (DatabaseError, OutOfOrder, OSError) as e:
                    self.metrics.errors.labels("database").inc()
                    log.error("database: %s; retrying", e)
                    self.next_height = 0  # re-read the marker
                    await self._sleep(RETRY_S)
                except Exception:  # noqa: BLE001 - a driver's own error: logged, retried
                    self.metrics.errors.labels("database").inc()
                    log.exception("indexing height %d failed; retrying", self.next_height)
                    self.next_height = 0
                    await self._sleep(RETRY_S)
                await self._sleep(POLL_S)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            await self.node.close()
            self._db_thread.shutdown(wait=True)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _position(self, earliest: int) -> None:
        self.next_height = await self._db(start_height, self.db, max(1, earliest))
        prev = await self._db(self.db.one, "SELECT time_ms FROM blocks WHERE height = ?",
                              (self.next_height - 1,))
        self.prev_time_ms = int(prev[0]) if prev else None
        self.metrics.height.set(self.next_height - 1)
        log.info("indexing from height %d", self.next_height)

    async def _catch_up(self) -> None:
        info = (await self.node.status())["sync_info"]
        latest = int(info["latest_block_height"])
        self.node_height = max(self.node_height, latest)
        self.metrics.node_height.set(latest)
        if self.next_height == 0:
            await self._position(int(info.get("earliest_block_height") or 1))
        ahead: deque[tuple[int, asyncio.Task[Fetched]]] = deque()
        try:
            while self.next_height <= latest and not self._stop.is_set():
                upto = min(latest, self.next_height + self.prefetch - 1)
                h = ahead[-1][0] + 1 if ahead else self.next_height
                for height in range(h, upto + 1):
                    ahead.append((height, asyncio.create_task(self._fetch(height))))
                height, task = ahead.popleft()
                fetched = await task
                await self._db(self._write, fetched)
                self.next_height = height + 1
                if self.next_height > latest and self._events:
                    latest = max(latest, max(self._events))  # the websocket ran ahead
        finally:
            for _, task in ahead:
                task.cancel()
            await asyncio.gather(*(t for _, t in ahead), return_exceptions=True)

    async def _fetch(self, height: int) -> Fetched:
        got = self._events.pop(height, None)
        if got is not None:
            return got
        start = time.perf_counter()
        block, results = await asyncio.gather(self.node.block(height),
                                              self.node.block_results(height))
        self.metrics.fetch.observe(time.perf_counter() - start)
        return block, results

    def _write(self, fetched: Fetched) -> None:
        """On the database thread: extract the rows and commit them with the marker."""
        start = time.perf_counter()
        rows = extract(fetched[0], fetched[1], self.prev_time_ms)
        write(self.db, rows)
        self.prev_time_ms = rows.time_ms
        self.metrics.write.observe(time.perf_counter() - start)
        self.metrics.height.set(rows.height)
        self.metrics.blocks.inc()
        self.metrics.txs.inc(rows.num_txs)

    # -- the websocket: wake-ups and live heights ---------------------------------------------
    async def _watch(self) -> None:
        pause = 0.2
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    await self._subscribe(session)
                    pause = 0.2
                except (aiohttp.ClientError, OSError, TimeoutError, ValueError, KeyError) as e:
                    log.info("websocket: %s; reconnecting", e or type(e).__name__)
                self.live = False
                self.metrics.following.set(0)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)

    async def _subscribe(self, session: aiohttp.ClientSession) -> None:
        async with session.ws_connect(self.node.ws_url, heartbeat=10.0,
                                      max_msg_size=256 << 20) as ws:
            await ws.send_json({"jsonrpc": "2.0", "id": "indexer", "method": "subscribe",
                                "params": {"query": "tm.event='NewBlock'"}})
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    raise aiohttp.ClientError(f"websocket closed ({msg.type.name})")
                doc = msg.json()
                if doc.get("error"):
                    raise aiohttp.ClientError(f"subscribe refused: {doc['error']}")
                data = (doc.get("result") or {}).get("data")
                if not data:
                    self.live = True
                    self.metrics.following.set(1)
                    continue
                if data.get("type") == "tendermint/event/NewBlock":
                    self._keep(data["value"])

    def _keep(self, value: dict[str, Any]) -> None:
        height = int(value["block"]["header"]["height"])
        if height >= self.next_height > 0:
            self._events[height] = ({"block_id": value.get("block_id") or {},
                                     "block": value["block"]},
                                    results_of_event(value.get("result_finalize_block") or {}))
            while len(self._events) > EVENTS_KEPT:
                del self._events[min(self._events)]
        self.node_height = max(self.node_height, height)
        self.metrics.node_height.set(height)
        self._wake.set()
