"""``fictra indexer``: follow a node's committed blocks into the analytics index (SQLite by
default, PostgreSQL by URL) that the gateway answers history and analytics from."""

from __future__ import annotations

import argparse
import logging
import sys

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
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def ready(url: str) -> None:
        print(f"indexer: node {args.node} -> {describe(args.db)}; metrics {url}/metrics",
              flush=True)

    try:
        asyncio.run(serve(args.node, args.db, (host, int(port)), ready))
    except DatabaseError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: cannot listen on {args.listen}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0
