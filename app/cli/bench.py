"""``fictra bench ...``: benchmarks that print figures (JSON with ``--json``)."""

from __future__ import annotations

import argparse
import sys

from app.bench.cli import register_e2e, register_index


def register(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="run a benchmark and print its figures")
    kinds = bench.add_subparsers(dest="bench", required=True, metavar="BENCH")

    state = kinds.add_parser("state", help="state store: updates, reads, proofs, snapshots")
    state.add_argument("--json", action="store_true", help="print one JSON object")
    state.set_defaults(func=_run_state)

    app = kinds.add_parser("app", help="the app's block pipeline in-process on a real store")
    app.add_argument("--accounts", type=int, default=100_000, help="funded accounts")
    app.add_argument("--block-txs", type=int, default=5_000, help="transfers per block")
    app.add_argument("--blocks", type=int, default=10, help="blocks to measure")
    app.add_argument("--home", default=None, help="scratch directory (default .bench/app)")
    app.add_argument("--keep", action="store_true", help="keep the scratch directory")
    app.add_argument("--role", choices=("proposer", "validator"), default="proposer",
                     help="run blocks as their proposer, or receive them as a validator")
    app.add_argument("--mix", choices=("transfer", "trade"), default="transfer",
                     help="transfer: PT transfers only; trade: 70%% transfers, 15%% purchase "
                          "steps, 10%% attestations, 5%% price submissions")
    app.add_argument("--check-batch", type=int, default=1, metavar="N",
                     help="CheckTx requests arriving together, as CometBFT pipelines them "
                          "under load (default 1: one at a time)")
    app.add_argument("--profile", default=None, metavar="FILE",
                     help="write cProfile stats of the measured part to FILE")
    app.add_argument("--metrics", action="store_true",
                     help="run the metered app a node serving metrics runs (A/B its cost)")
    app.add_argument("--json", action="store_true", help="print one JSON object")
    app.set_defaults(func=_run_app)

    blocks = kinds.add_parser("blocks", help="block interval and memory of an N-validator net")
    blocks.add_argument("--validators", type=int, default=4, help="validators (default 4)")
    blocks.add_argument("--blocks", type=int, default=30, help="blocks to measure")
    blocks.add_argument("--warmup", type=int, default=3, help="blocks to skip first")
    blocks.add_argument("--base-port", type=int, default=46656, help="the localnet's base port")
    blocks.add_argument("--home", default=None, help="scratch directory (default .bench/)")
    blocks.add_argument("--keep", action="store_true", help="keep the scratch directory")
    blocks.add_argument("--json", action="store_true", help="print one JSON object")
    blocks.set_defaults(func=_run_blocks)

    stake = kinds.add_parser("stake", help="staking's cost: an epoch's election and one "
                             "block's rewards, in-process on a real store")
    stake.add_argument("--operators", type=int, default=125)
    stake.add_argument("--delegations", type=int, default=10_000)
    stake.add_argument("--signers", type=int, default=25, help="votes in the last commit")
    stake.add_argument("--repeat", type=int, default=20, help="runs of each measurement")
    stake.add_argument("--home", default=None, help="scratch directory (default: a temp dir)")
    stake.add_argument("--keep", action="store_true", help="keep the scratch directory")
    stake.add_argument("--json", action="store_true", help="print one JSON object")
    stake.set_defaults(func=_run_stake)

    _register_rpc(kinds)
    register_e2e(kinds)
    register_index(kinds)


def _run_stake(args: argparse.Namespace) -> int:
    # imported here: a benchmark loads what it measures; other commands need not
    from app.bench import stake as stake_bench

    if args.operators < 1 or args.delegations < 1 or args.signers < 1 or args.repeat < 1:
        print("error: --operators, --delegations, --signers and --repeat must be positive",
              file=sys.stderr)
        return 2
    return stake_bench.run(args)


def _register_rpc(kinds: argparse._SubParsersAction) -> None:
    rpc = kinds.add_parser("rpc", help="wallet gateway: getBalance and sendRawTransaction "
                           "under offered load against a localnet")
    rpc.add_argument("--validators", type=int, default=4, help="validators (default 4)")
    rpc.add_argument("--rates", default="200,500,1000",
                     help="offered loads in calls/s, comma-separated")
    rpc.add_argument("--duration", type=float, default=10.0, help="seconds per load level")
    rpc.add_argument("--senders", type=int, default=2000, help="funded accounts")
    rpc.add_argument("--connections", type=int, default=256, help="client connection pool")
    rpc.add_argument("--direct", action="store_true",
                     help="offer the same calls to node0's CometBFT RPC (a baseline)")
    rpc.add_argument("--base-port", type=int, default=47656, help="the localnet's base port")
    rpc.add_argument("--home", default=None, help="scratch directory (default .bench/)")
    rpc.add_argument("--keep", action="store_true", help="keep the scratch directory")
    rpc.add_argument("--json", action="store_true", help="print one JSON object")
    rpc.set_defaults(func=_run_rpc)


def _run_rpc(args: argparse.Namespace) -> int:
    # imported here: a benchmark loads what it measures; other commands need not
    from app.bench import rpc as rpc_bench

    try:
        args.rates = [int(r) for r in args.rates.split(",") if r]
    except ValueError:
        args.rates = []
    if not args.rates or min(args.rates) < 1 or args.duration <= 0 or args.senders < 1 \
            or args.validators < 1:
        print("error: --rates must be positive integers, --duration, --senders and "
              "--validators positive")
        return 2
    return rpc_bench.run(args)


def _run_state(args: argparse.Namespace) -> int:
    # imported here: a benchmark loads what it measures; other commands need not
    from state import bench as state_bench

    return state_bench.run(args)


def _run_app(args: argparse.Namespace) -> int:
    # imported here: a benchmark loads what it measures; other commands need not
    from app.bench import app as bench_app

    if args.check_batch < 1:
        print("error: --check-batch must be at least 1", file=sys.stderr)
        return 2
    return bench_app.run(args)


def _run_blocks(args: argparse.Namespace) -> int:
    # imported here: a benchmark loads what it measures; other commands need not
    from app.bench import blocks as bench_blocks

    if args.validators < 1 or args.blocks < 2:
        print("error: --validators must be >= 1 and --blocks >= 2", file=sys.stderr)
        return 2
    return bench_blocks.run(args)
