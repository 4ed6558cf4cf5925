"""``fictra node init|start|join|rollback|compact|snapshot|config check|apphash|diff``."""

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

    cp = cmds.add_parser("compact", help="a stopped node's stores compacted: the space of "
                         "pruned heights back (CometBFT v0.38 never compacts its block store)")
    cp.add_argument("--home", type=Path, required=True, help="the node home (node stopped)")
    cp.add_argument("--json", action="store_true", help="print one JSON object")
    cp.set_defaults(func=_compact)

    join = cmds.add_parser("join", help="create a full-node home that joins an existing "
                           "network by its genesis and peers (state sync if its RPC servers "
                           "offer snapshots, else block sync)")
    join.add_argument("--home", type=Path, required=True)
    join.add_argument("--genesis", type=Path, required=True, help="the network's genesis.json")
    join.add_argument("--peers", required=True, metavar="ID@HOST:PORT,...",
                      help="nodes to connect to (their `cometbft show-node-id` and P2P port)")
    join.add_argument("--rpc-servers", default="", metavar="HOST:PORT,...",
                      help="CometBFT RPC of network nodes: where snapshots are looked for and "
                           "state sync's light client takes its trusted headers")
    join.add_argument("--p2p-port", type=int, default=26656, help="default 26656")
    join.add_argument("--rpc-port", type=int, default=None, help="default P2P port + 1")
    join.add_argument("--host", default="127.0.0.1", help="address to listen on "
                      "(default 127.0.0.1)")
    join.add_argument("--moniker", default=None, help="default: the home's name")
    join.add_argument("--json", action="store_true", help="print one JSON object")
    join.set_defaults(func=_join)

    snap = cmds.add_parser("snapshot", help="a state-sync snapshot as one verified file")
    snap_cmds = snap.add_subparsers(dest="snapshot_cmd", required=True, metavar="CMD")
    exp = snap_cmds.add_parser("export", help="write one of the node's snapshots (or its "
                               "latest state) to a file (the node must be stopped)")
    exp.add_argument("--home", type=Path, required=True)
    exp.add_argument("--height", type=int, default=0,
                     help="a snapshot the node keeps, or its latest height (default latest)")
    exp.add_argument("--out", type=Path, required=True)
    exp.add_argument("--json", action="store_true", help="print one JSON object")
    exp.set_defaults(func=_snapshot_export)
    imp = snap_cmds.add_parser("import", help="verify a snapshot file and make an empty node "
                               "start from it (state sync from a local seed; see README)")
    imp.add_argument("--home", type=Path, required=True)
    imp.add_argument("file", type=Path)
    imp.add_argument("--rpc-servers", default="", metavar="HOST:PORT,...",
                     help="network nodes whose headers state sync's light client trusts "
                          "(default: config.toml's statesync.rpc_servers)")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(func=_snapshot_import)

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


def _compact(args: argparse.Namespace) -> int:
    # imported here: the store and the modules cost every other fictra command start-up
    from app.node.compact import CompactError, compact

    try:
        doc = compact(args.home)
    except CompactError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc))
        return 0
    before, after = doc["before"], doc["after"]
    print(f"compacted in {doc['seconds']:.0f} s: {sum(before.values()) / 1e6:,.1f} MB -> "
          f"{sum(after.values()) / 1e6:,.1f} MB")
    for name in before:
        if before[name] or after.get(name):
            print(f"  {name:<18} {before[name] / 1e6:>9,.1f} MB -> "
                  f"{after.get(name, 0) / 1e6:>9,.1f} MB")
    return 0


def _join(args: argparse.Namespace) -> int:
    # imported here: the network code (tomlkit, urllib) costs other fictra commands start-up
    from app.node.join import JoinError, join, parse_peers

    for port in (args.p2p_port, args.rpc_port):
        if port is not None and not 1 <= port <= 65535:
            print(f"error: port {port} is not 1..65535", file=sys.stderr)
            return 2
    try:
        peers = parse_peers(args.peers)
        servers = [s.strip() for s in args.rpc_servers.split(",") if s.strip()]
        doc = join(args.home, args.genesis, peers, servers, p2p_port=args.p2p_port,
                   rpc_port=args.rpc_port or args.p2p_port + 1, host=args.host,
                   moniker=args.moniker or args.home.resolve().name or "node")
    except (JoinError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc))
        return 0
    print(f"initialized {doc['home']}: chain {doc['chain_id']}, node id {doc['node_id']}, "
          f"p2p {doc['p2p']}, rpc {doc['rpc']}, {len(peers)} peer(s)")
    print(doc["plan"])
    print(f"start it with `fictra node start --home {args.home}`")
    return 0


def _snapshot_export(args: argparse.Namespace) -> int:
    # imported here: the store and the modules cost every other fictra command start-up
    from app.node.bootstrap import export_file
    from app.node.inspect import InspectError
    from app.node.snapfile import SnapFileError

    try:
        header = export_file(args.home, args.height or None, args.out)
    except (InspectError, SnapFileError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    doc = {**header.to_json(), "file": str(args.out), "bytes": args.out.stat().st_size}
    if args.json:
        print(json.dumps(doc))
    else:
        print(f"wrote {args.out}: height {header.height} of chain {header.chain_id}, app hash "
              f"{doc['app_hash']}, {header.chunks} chunks, {doc['bytes']:,} bytes")
    return 0


def _snapshot_import(args: argparse.Namespace) -> int:
    # imported here: the store and the modules cost every other fictra command start-up
    from app.node.bootstrap import import_file
    from app.node.inspect import InspectError
    from app.node.snapfile import SnapFileError

    servers = [s.strip() for s in args.rpc_servers.split(",") if s.strip()]
    try:
        doc = import_file(args.home, args.file, servers)
    except (InspectError, SnapFileError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc))
        return 0
    print(f"verified {args.file}: height {doc['height']}, app hash {doc['app_hash']}, "
          f"{doc['chunks']} chunks (every chunk rebuilt and checked against it)")
    print(f"state sync configured: trust height {doc['trust_height']} (block "
          f"{doc['trust_hash'][:12]}...) from {', '.join(doc['rpc_servers'])}")
    print(f"at `fictra node start --home {args.home}` a local seed ({doc['seed']}) offers "
          "this snapshot to the node's state sync; once restored the seed is removed and the "
          "node block-syncs on from its peers")
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
