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
    e2e.add_argument("--baseline", choices=("kvstore",), default=None,
                     help="repeat against CometBFT's kvstore app with the same config")
    e2e.add_argument("--latency-rates", default="500,1000,2000",
                     help="offered tx/s of the latency phase, comma-separated ('' skips it)")
    e2e.add_argument("--latency-s", type=float, default=20.0, help="seconds per latency rate")
    e2e.add_argument("--connections", type=int, default=128, help="client connections")
    e2e.add_argument("--room", type=int, default=0,
                     help="most txs outstanding (default: 0.8 x the mempool's size)")
    e2e.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                     help="override a config.toml setting on every node (repeatable)")
    # Off the integration tests' port blocks (30000 + 500k, up to 250 ports each); the
    # kvstore baseline uses base + 500. Taken ports are refused, and the node that answers
    # must be the benchmark's own.
    e2e.add_argument("--base-port", type=int, default=36300)
    e2e.add_argument("--home", default=None, help="scratch directory (default .bench/e2e)")
    e2e.add_argument("--keep", action="store_true", help="keep the scratch directory")
    e2e.add_argument("--plot", default=None, metavar="FILE.png",
                     help="committed tx/s per block and latency percentiles (matplotlib)")
    e2e.add_argument("--json", action="store_true", help="print one JSON object")
    e2e.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from app.bench import e2e  # lazy: keeps `fictra --help` from importing the benchmark

    return e2e.run(args)
