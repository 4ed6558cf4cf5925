"""The ``fictra indexer`` process: the follower, plus ``GET /metrics`` (Prometheus) and
``GET /health`` (200 while the index is within a few blocks of the node) on its own port."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Callable

from aiohttp import web

from rpc.indexer.db import Database, describe
from rpc.indexer.follow import Follower
from rpc.indexer.metrics import IndexerMetrics

HEALTHY_LAG = 5  # heights behind the node that still count as keeping up


async def serve(node_url: str, db_url: str, listen: tuple[str, int],
                ready: Callable[[str], None] | None = None) -> None:
    """Run until SIGINT/SIGTERM."""
    metrics = IndexerMetrics()
    db = Database(db_url)
    follower = Follower(node_url, db, metrics)

    async def metrics_page(_: web.Request) -> web.Response:
        return web.Response(body=metrics.render(), headers={"Content-Type":
                                                            metrics.content_type})

    async def health(_: web.Request) -> web.Response:
        indexed, node = follower.indexed_height, follower.node_height
        ok = node > 0 and node - indexed <= HEALTHY_LAG
        body = {"status": "ok" if ok else "fail", "indexed_height": indexed,
                "node_height": node, "node": node_url, "db": describe(db_url),
                "following_blocks": follower.live}
        return web.Response(text=json.dumps(body), status=200 if ok else 503,
                            content_type="application/json")

    app = web.Application()
    app.router.add_get("/metrics", metrics_page)
    app.router.add_get("/health", health)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, listen[0], listen[1])
    await site.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, follower.stop)
    if ready is not None:
        ready(f"http://{listen[0]}:{listen[1]}")
    try:
        await follower.run()
    finally:
        await runner.cleanup()
        db.close()
