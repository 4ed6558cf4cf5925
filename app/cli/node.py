"""``fictra node init|start|rollback|config check|apphash|diff``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.node import logs


def register(sub: argparse._SubParsersAction) -> None:
    node = sub.add_parser("node", help="run one validator node")
    cmds = node.add_subparsers(dest="node_cmd", required=True, metavar="CMD")

    init = cmds.add_parser("init", help="create a one-validator node home")
    init.add_argument("--home", type=Path, required=True, help="the new node home")
    init.add_argument("--chain-id", default="fictra-local",
                      help="the chain id every tx is signed for (default fictra-local)")
    init.set_defaults(func=_init)

    start = cmds.add_parser("start", help="run the app and its cometbft (Ctrl-C/SIGTERM stops)")
    start.add_argument("--home", type=Path, required=True, help="the node home")
    start.add_argument("--log-level", default="INFO",
                       choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    start.add_argument("--halt-height", type=int, default=0, metavar="H",
                       help="commit block H, then stop cleanly (a coordinated upgrade); "
                            "also [node] halt_height in config/app.toml")
    logs.add_argument(start)  # cometbft's log_format follows it
    start.set_defaults(func=_start)

    rb = cmds.add_parser("rollback", help="a stopped node one height back: CometBFT's state "
                         "and the app's store together (after a wrong app hash)")
    rb.add_argument("--home", type=Path, required=True, help="the node home (node stopped)")
    rb.add_argument("--hard", action="store_true",
                    help="also remove the last block (else starting executes it again)")
    rb.add_argument("--json", action="store_true", help="print one JSON object")
    rb.set_defaults(func=_rollback)

    config = cmds.add_parser("config", help="check a node's configuration")
    config_cmds = config.add_subparsers(dest="config_cmd", required=True, metavar="CMD")
    check = config_cmds.add_parser("check", help="config.toml, app.toml and genesis: every "
                                   "problem, naming its file and key")
    check.add_argument("--home", type=Path, required=True)
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=_config_check)

    ah = cmds.add_parser("apphash", help="the app hash at a height, with every shard's root "
                         "(the node must be stopped)")
    ah.add_argument("--home", type=Path, required=True)
    ah.add_argument("--height", type=int, default=0, help="default: the latest committed")
    ah.add_argument("--json", action="store_true", help="print one JSON object")
    ah.set_defaults(func=_apphash)

    df = cmds.add_parser("diff", help="which shard differs between two stopped nodes, and the "
                         "first keys whose values differ")
    df.add_argument("home_a", type=Path)
    df.add_argument("home_b", type=Path)
    df.add_argument("--height", type=int, default=0,
                    help="default: the lower of the two latest heights")
    df.add_argument("--limit", type=int, default=10, help="keys shown per shard")
    df.add_argument("--json", action="store_true", help="print one JSON object")
    df.set_defaults(func=_diff)


def _init(args: argparse.Namespace) -> int:
    # imported here: the supervisor loads the application, a sixth of a second of start-up
    from app.cli.walletio import UserError, passphrase
    from app.node import supervisor

    try:
        secret = passphrase("passphrase for the node's council and faucet keys: ", confirm=True)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return supervisor.init(args.home, args.chain_id, secret)


def _start(args: argparse.Namespace) -> int:
    # imported here: the supervisor loads the application, a sixth of a second of start-up
    from app.node import supervisor

    if args.halt_height < 0:
        print("error: --halt-height must be a positive height", file=sys.stderr)
        return 2
    return supervisor.start(args.home, args.log_level, args.halt_height, args.log_format)


def _rollback(args: argparse.Namespace) -> int:
    # imported here: the store and the modules cost every other fictra command start-up
    from app.node.rollback import RollbackError, rollback

    try:
        doc = rollback(args.home, args.hard)
    except RollbackError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc))
        return 0
    nxt = doc["height"] + 1
    block = (f"block {nxt} removed: the node gets it again from its peers (or proposes it)"
             if args.hard else f"block {nxt} kept: the next start executes it again")
    print(f"rolled back to height {doc['height']}: app hash {doc['app_hash']}, CometBFT's "
          f"{doc['cometbft_app_hash']}; {block}")
    if doc["app_hash"] != doc["cometbft_app_hash"]:
        print("warning: the app's and CometBFT's app hashes differ at that height",
              file=sys.stderr)
    return 0


def _apphash(args: argparse.Namespace) -> int:
    # imported here: the store and the modules cost every other fictra command start-up
    from app.node.inspect import InspectError, app_hash

    try:
        doc = app_hash(args.home, args.height or None)
    except InspectError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc))
    else:
        print(f"height {doc['height']}: app hash {doc['app_hash']}")
        for shard, root in doc["shards"].items():
            print(f"  {shard:<8} {root}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    # imported here: the store and the modules cost every other fictra command start-up
    from app.node.inspect import InspectError, diff

    try:
        doc = diff(args.home_a, args.home_b, args.height or None, max(1, args.limit))
    except InspectError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc))
    elif doc["same"]:
        print(f"height {doc['height']}: same state (app hash {doc['app_hash_a']})")
    else:
        print(f"height {doc['height']}: app hash {doc['app_hash_a']} vs {doc['app_hash_b']}")
        for sh in doc["shards"]:
            print(f"  shard {sh['shard']} differs ({sh['root_a'][:12]} vs {sh['root_b'][:12]}):")
            for k in sh["keys"]:
                print(f"    key {k['key']}: {k['a'] if k['a'] is not None else '(absent)'}"
                      f" vs {k['b'] if k['b'] is not None else '(absent)'}")
    return 0 if doc["same"] else 1


def _config_check(args: argparse.Namespace) -> int:
    # imported here: the supervisor and genesis checks cost other fictra commands start-up
    from app.node.configcheck import check_home

    problems = check_home(args.home)
    if args.json:
        print(json.dumps({"home": str(args.home), "ok": not problems, "problems": problems}))
    elif problems:
        print("\n".join(f"error: {p}" for p in problems), file=sys.stderr)
    else:
        print(f"{args.home}: config.toml, app.toml and genesis are valid")
    return 1 if problems else 0
