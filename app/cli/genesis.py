"""``fictra genesis new``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    genesis = sub.add_parser("genesis", help="create networks and genesis files")
    cmds = genesis.add_subparsers(dest="genesis_cmd", required=True, metavar="CMD")
    new = cmds.add_parser("new", help="an N-validator network on 127.0.0.1")
    new.add_argument("--validators", type=int, default=4, help="how many (default 4)")
    new.add_argument("--chain-id", default="fictra-localnet",
                     help="the chain id every tx is signed for (default fictra-localnet)")
    new.add_argument("--out", type=Path, required=True, help="directory for the node homes")
    new.add_argument("--base-port", type=int, default=26656,
                     help="node i: P2P base + 10*i, RPC base + 10*i + 1 (default 26656)")
    new.add_argument("--json", action="store_true", help="print one JSON object")
    new.set_defaults(func=_new)


def _new(args: argparse.Namespace) -> int:
    # imported here: the network code (tomlkit) costs other fictra commands start-up
    from genesis.network import NetworkError, new_network

    try:
        nodes = new_network(args.out, args.validators, args.chain_id, base_port=args.base_port)
    except NetworkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"chain_id": args.chain_id, "nodes": [asdict(n) for n in nodes]}))
    else:
        print(f"{len(nodes)} validators for chain {args.chain_id} in {args.out}")
        for n in nodes:
            print(f"  {n.name}  p2p :{n.p2p_port}  rpc {n.rpc_url}  id {n.node_id}")
    return 0
