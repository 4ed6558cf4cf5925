"""``fictra gateway``: run the wallet gateway (JSON-RPC over HTTP and WebSocket) in front of
one node."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

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

    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        conf = cfg.load(args.config, node=args.node, listen=args.listen, index=args.index,
                        max_body_bytes=args.max_body_bytes,
                        rate_limit=False if args.no_rate_limit else None)
    except cfg.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    def ready(url: str) -> None:
        print(f"gateway listening on {url} (node {conf.node}); block explorer {url}/explorer/",
              flush=True)

    try:
        _event_loop_runner()(serve(conf, ready))
    except OSError as e:
        print(f"error: cannot listen on {conf.listen}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0
