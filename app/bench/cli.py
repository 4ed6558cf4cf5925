"""The ``fictra bench e2e`` subcommand's arguments (``app.cli.bench`` registers it)."""

from __future__ import annotations

import argparse


def register_e2e(kinds: argparse._SubParsersAction) -> None:
    e2e = kinds.add_parser("e2e", help="signed transfers committed through CometBFT: tx/s from "
                           "the chain, confirmation latency, CPU per tx per process")
    e2e.add_argument("--validators", type=int, default=1)
    e2e.add_argument("--txs", type=int, default=150_000,
                     help="txs offered in the throughput phase (with --mix trade: all but "
                     "the price submissions, which follow the chain)")
    e2e.add_argument("--senders", type=int, default=2_000, help="funded accounts sending")
    e2e.add_argument("--mix", choices=("transfers", "trade"), default="transfers")
    e2e.add_argument("--baseline", choices=("kvstore", "kvstore-socket"), default=None,
                     help="repeat against CometBFT's kvstore app with the same config: built "
                          "in, or abci-cli kvstore behind the ABCI unix socket as fictra's is")
    e2e.add_argument("--latency-rates", default="500,1000,2000",
                     help="offered tx/s of the latency phase, comma-separated ('' skips it)")
    e2e.add_argument("--latency-s", type=float, default=20.0, help="seconds per latency rate")
    e2e.add_argument("--connections", type=int, default=128, help="client connections")
    e2e.add_argument("--room", type=int, default=0,
                     help="most txs outstanding (default: 0.8 x the mempool's size)")
    e2e.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                     help="override a config.toml setting on every node (repeatable)")
    # Below the kernel's ephemeral ports (32768 up: any outgoing connection may hold one) and
    # the integration tests' port blocks (30000 + 500k); the kvstore baseline uses base + 500.
    # Taken ports are refused, and the node that answers must be the benchmark's own.
    e2e.add_argument("--base-port", type=int, default=27300)
    e2e.add_argument("--home", default=None, help="scratch directory (default .bench/e2e)")
    e2e.add_argument("--keep", action="store_true", help="keep the scratch directory")
    e2e.add_argument("--plot", default=None, metavar="FILE.png",
                     help="committed tx/s per block and latency percentiles (matplotlib)")
    e2e.add_argument("--json", action="store_true", help="print one JSON object")
    e2e.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from app.bench import e2e  # lazy: keeps `fictra --help` from importing the benchmark

    return e2e.run(args)


def register_index(kinds: argparse._SubParsersAction) -> None:
    idx = kinds.add_parser("index", help="the analytics index: a 1-year account history "
                           "through the gateway, and the indexer's rate against a node")
    which = idx.add_subparsers(dest="index_bench", required=True, metavar="WHAT")
    hist = which.add_parser("history", help="fictra_getAccountHistory over an account with "
                            "10,000 txs spread over a year")
    hist.add_argument("--txs", type=int, default=10_000, help="the account's txs")
    hist.add_argument("--others", type=int, default=9,
                      help="other accounts' txs beside each of the account's")
    hist.add_argument("--repeats", type=int, default=50, help="calls per single-page figure")
    hist.add_argument("--db", default=None,
                      help="index database (default: a SQLite file in the scratch directory; "
                           "postgresql://... must name an empty database)")
    hist.add_argument("--home", default=None, help="scratch directory")
    hist.add_argument("--keep", action="store_true", help="keep the scratch directory")
    hist.add_argument("--json", action="store_true", help="print one JSON object")
    hist.set_defaults(func=_run_index_history)
    follow = which.add_parser("follow", help="the indexer following a loaded 1-validator "
                              "localnet, then catching up with it from scratch")
    follow.add_argument("--txs", type=int, default=60_000, help="transfers offered")
    follow.add_argument("--senders", type=int, default=500, help="funded accounts sending")
    follow.add_argument("--rate", type=float, default=0,
                        help="offered tx/s (default 0: as fast as the node takes them)")
    follow.add_argument("--db", default=None, help="the live index (default: SQLite in the "
                        "scratch directory; postgresql://... must name an empty database)")
    follow.add_argument("--catchup-db", default=None,
                        help="the catch-up index (default: SQLite; an empty database)")
    follow.add_argument("--base-port", type=int, default=28100)
    follow.add_argument("--home", default=None, help="scratch directory")
    follow.add_argument("--keep", action="store_true", help="keep the scratch directory")
    follow.add_argument("--json", action="store_true", help="print one JSON object")
    follow.set_defaults(func=_run_index_follow)


def _run_index_history(args: argparse.Namespace) -> int:
    from app.bench import index  # lazy: keeps `fictra --help` from importing the benchmark

    if args.txs < 100 or args.others < 0 or args.repeats < 1:
        print("error: --txs must be at least 100, --others >= 0, --repeats >= 1")
        return 2
    return index.run_history(args)


def _run_index_follow(args: argparse.Namespace) -> int:
    from app.bench import index  # lazy: keeps `fictra --help` from importing the benchmark

    if args.txs < 1 or args.senders < 2 or args.rate < 0:
        print("error: --txs must be positive, --senders at least 2, --rate >= 0")
        return 2
    return index.run_follow(args)
