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
    blocks.add_argument("--base-port", type=int, default=28400, help="the localnet's base port")
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
    _register_disk(kinds)
    register_e2e(kinds)
    register_index(kinds)
    _register_explorer(kinds)


def _register_explorer(kinds: argparse._SubParsersAction) -> None:
    ex = kinds.add_parser("explorer", help="the block explorer in headless Chromium: first "
                          "render of the network page, search, screenshots")
    ex.add_argument("--gateway", default=None,
                    help="measure this running gateway (default: start a fresh localnet)")
    ex.add_argument("--localnet-home", default=".localnet",
                    help="with --gateway: the localnet whose keys fill the chain")
    ex.add_argument("--api-key", default=None, help="with --gateway: API key for filling it")
    ex.add_argument("--validators", type=int, default=4, help="validators of the fresh localnet")
    ex.add_argument("--base-port", type=int, default=28100)
    ex.add_argument("--home", default=None, help="scratch directory (default .bench/explorer-N)")
    ex.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ex.add_argument("--runs", type=int, default=5, help="cold loads and searches measured")
    ex.add_argument("--price-rounds", type=int, default=6,
                    help="oracle rounds published first (points of the price charts)")
    ex.add_argument("--screenshots", default=None, metavar="DIR",
                    help="write PNGs of the main pages into DIR")
    ex.add_argument("--json", action="store_true", help="print one JSON object")
    ex.set_defaults(func=_run_explorer)


def _run_explorer(args: argparse.Namespace) -> int:
    from app.bench import explorer  # lazy: selenium is a dev dependency

    if args.runs < 1 or args.price_rounds < 1:
        print("error: --runs and --price-rounds must be at least 1", file=sys.stderr)
        return 2
    return explorer.main(args)


def _run_stake(args: argparse.Namespace) -> int:
    # imported here: a benchmark loads what it measures; other commands need not
    from app.bench import stake as stake_bench

    if args.operators < 1 or args.delegations < 1 or args.signers < 1 or args.repeat < 1:
        print("error: --operators, --delegations, --signers and --repeat must be positive",
              file=sys.stderr)
        return 2
    return stake_bench.run(args)


def _register_disk(kinds: argparse._SubParsersAction) -> None:
    disk = kinds.add_parser("disk", help="size of every store of a pruning node under steady "
                            "load, sampled over a duration")
    disk.add_argument("--duration", type=float, default=600.0, help="seconds of load "
                      "(default 600)")
    disk.add_argument("--rate", type=float, default=20.0, help="transfers offered a second "
                      "(default 20)")
    disk.add_argument("--load", choices=("presigned", "threads"), default="presigned",
                      help="presigned: txs signed before timing, offered by the e2e load "
                           "client (reaches the node's throughput); threads: signed as they "
                           "go by load threads (~1,200 tx/s at most) (default presigned)")
    disk.add_argument("--senders", type=int, default=None,
                      help="funded accounts (default 2000 presigned, 200 threads)")
    disk.add_argument("--connections", type=int, default=None,
                      help="keep-alive connections (presigned, default 128) or load threads "
                           "(threads, default 8)")
    disk.add_argument("--segment-s", type=float, default=120.0,
                      help="presigned: seconds of txs the load client offers at a time "
                           "(default 120)")
    disk.add_argument("--keep-recent", type=int, default=300,
                      help="heights of state and blocks kept (default 300)")
    disk.add_argument("--snapshot-interval", type=int, default=100,
                      help="a state-sync snapshot every this many heights (default 100)")
    disk.add_argument("--indexer", choices=("kv", "null"), default=None,
                      help="CometBFT's tx index (default: the network's own, null on a "
                           "localnet; kv: a node serving a gateway without an analytics index)")
    disk.add_argument("--sample-s", type=float, default=30.0,
                      help="seconds between samples (default 30)")
    disk.add_argument("--samples-out", default=None, metavar="FILE",
                      help="write every sample so far to FILE (JSON) as the run goes")
    disk.add_argument("--base-port", type=int, default=29500)
    disk.add_argument("--home", default=None, help="scratch directory (default .bench/disk)")
    disk.add_argument("--keep", action="store_true", help="keep the scratch directory")
    disk.add_argument("--json", action="store_true", help="print one JSON object")
    disk.set_defaults(func=_run_disk)


def _run_disk(args: argparse.Namespace) -> int:
    # imported here: a benchmark loads what it measures; other commands need not
    from app.bench import disk as bench_disk

    presigned = args.load == "presigned"
    if args.connections is None:
        args.connections = 128 if presigned else 8
    if args.senders is None:
        args.senders = 2000 if presigned else 200
    if args.duration <= 0 or args.rate <= 0 or args.senders < 2 or args.keep_recent < 1 \
            or args.sample_s <= 0 or args.segment_s <= 0 or args.snapshot_interval < 0 \
            or args.connections < 1:
        print("error: --duration, --rate, --sample-s, --segment-s and --keep-recent must be "
              "positive, --senders at least 2, --connections at least 1, "
              "--snapshot-interval 0 or more",
              file=sys.stderr)
        return 2
    return bench_disk.run(args)


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
    rpc.add_argument("--base-port", type=int, default=29000, help="the localnet's base port")
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
