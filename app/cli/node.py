"""``fictra node init|start``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    node = sub.add_parser("node", help="run one validator node")
    cmds = node.add_subparsers(dest="node_cmd", required=True, metavar="CMD")

    init = cmds.add_parser("init", help="create a one-validator node home")
    init.add_argument("--home", type=Path, required=True)
    init.add_argument("--chain-id", default="fictra-local")
    init.set_defaults(func=_init)

    start = cmds.add_parser("start", help="run the app and its cometbft (Ctrl-C/SIGTERM stops)")
    start.add_argument("--home", type=Path, required=True)
    start.add_argument("--log-level", default="INFO",
                       choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    start.set_defaults(func=_start)


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

    return supervisor.start(args.home, args.log_level)
