"""``fictra bench ...``: benchmarks that print figures (JSON with ``--json``)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="run a benchmark and print its figures")
    kinds = bench.add_subparsers(dest="bench", required=True, metavar="BENCH")

    state = kinds.add_parser("state", help="state store: updates, reads, proofs, snapshots")
    state.add_argument("--json", action="store_true", help="print one JSON object")
    state.set_defaults(func=_run_state)


def _run_state(args: argparse.Namespace) -> int:
    from state import bench as state_bench

    return state_bench.run(args)
