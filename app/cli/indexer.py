"""``fictra indexer``: follow a node's committed blocks into the analytics index (SQLite by
default, PostgreSQL by URL) that the gateway answers history and analytics from."""

from __future__ import annotations

import argparse
import sys

from app.node import logs

DEFAULT_NODE = "http://127.0.0.1:26657"
DEFAULT_DB = "index.sqlite"
DEFAULT_LISTEN = "127.0.0.1:8546"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("indexer", help="index committed blocks into SQLite or PostgreSQL")
    p.add_argument("--node", default=DEFAULT_NODE,
                   help=f"the node's CometBFT RPC URL (default {DEFAULT_NODE})")
    p.add_argument("--db", default=DEFAULT_DB,
                   help="a SQLite file (default index.sqlite) or postgresql://user@host/db")
    p.add_argument("--listen", default=DEFAULT_LISTEN,
                   help=f"HOST:PORT for /metrics and /health (default {DEFAULT_LISTEN})")
    p.add_argument("--log-level", default="INFO")
    logs.add_argument(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    # imported here: aiohttp and the database drivers cost other fictra commands start-up
    import asyncio

    from rpc.indexer.db import DatabaseError, describe
    from rpc.indexer.service import serve

    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        print(f"error: --listen must be HOST:PORT, got {args.listen!r}", file=sys.stderr)
        return 2
    logs.setup(args.log_level, args.log_format)

    def ready(url: str) -> None:
        logs.announce(args.log_format, "fictra.indexer",
                      f"indexer: node {args.node} -> {describe(args.db)}; metrics {url}/metrics")

    try:
        asyncio.run(serve(args.node, args.db, (host, int(port)), ready))
    except DatabaseError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: cannot listen on {args.listen}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0
