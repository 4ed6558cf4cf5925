"""``fictra gateway``: run the wallet gateway (JSON-RPC over HTTP and WebSocket) in front of
one node."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from app.node import logs
from rpc import config as cfg


def register(sub: argparse._SubParsersAction) -> None:
    gw = sub.add_parser("gateway", help="run the wallet JSON-RPC gateway in front of a node")
    gw.add_argument("--node", default=None,
                    help="the node's CometBFT RPC URL (default http://127.0.0.1:26657)")
    gw.add_argument("--listen", default=None, help="HOST:PORT (default 127.0.0.1:8545)")
    gw.add_argument("--index", default=None,
                    help="the analytics index `fictra indexer` writes (a SQLite file or "
                         "postgresql://...): history and explorer methods")
    gw.add_argument("--config", type=Path, default=None,
                    help="TOML file: limits, rate-limit tiers, API keys")
    gw.add_argument("--max-body-bytes", type=int, default=None,
                    help="largest request body accepted (default 1 MiB)")
    gw.add_argument("--no-rate-limit", action="store_true",
                    help="serve every caller without limits (benchmarks, private use)")
    gw.add_argument("--log-level", default="WARNING", type=str.upper,
                    choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    logs.add_argument(gw)
    gw.set_defaults(func=_run)


def _event_loop_runner() -> Callable[[Coroutine[Any, Any, None]], None]:
    """uvloop's runner where it is installed (it roughly halves the time aiohttp spends per
    request); asyncio's otherwise."""
    try:
        import uvloop  # imported here: only the gateway command runs an event loop on it
    except ImportError:
        return asyncio.run
    return uvloop.run


def _run(args: argparse.Namespace) -> int:
    # imported here: aiohttp costs every other fictra command a tenth of a second of start-up
    from rpc.server import serve

    logs.setup(args.log_level, args.log_format)
    log = logging.getLogger("fictra.gateway")
    try:
        conf = cfg.load(args.config, node=args.node, listen=args.listen, index=args.index,
                        max_body_bytes=args.max_body_bytes,
                        rate_limit=False if args.no_rate_limit else None)
    except cfg.ConfigError as e:
        log.error("%s", e)
        return 2

    def ready(url: str) -> None:
        logs.announce(args.log_format, "fictra.gateway",
                      f"gateway listening on {url} (node {conf.node}); block explorer "
                      f"{url}/explorer/")

    try:
        _event_loop_runner()(serve(conf, ready))
    except OSError as e:
        log.error("cannot listen on %s: %s", conf.listen, e.strerror or e)
        return 1
    return 0
