"""``fictra localnet up|status|down|logs|kill|stop|start``."""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.node.localnet import Localnet

DEFAULT_HOME = Path(".localnet")


def register(sub: argparse._SubParsersAction) -> None:
    ln = sub.add_parser("localnet", help="run N validators (and observers) on 127.0.0.1")
    cmds = ln.add_subparsers(dest="localnet_cmd", required=True, metavar="CMD")

    def home_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--home", type=Path, default=DEFAULT_HOME,
                       help="localnet directory (default: .localnet)")

    up = cmds.add_parser("up", help="create (if needed) and start the localnet")
    home_arg(up)
    up.add_argument("--validators", type=int, default=4,
                    help="number of validator nodes (default 4)")
    up.add_argument("--observers", type=int, default=None,
                    help="full nodes that are not validators (follow the chain, serve RPC; "
                         "the gateway sits in front of observer0); default 0")
    up.add_argument("--chain-id", default="fictra-localnet",
                    help="chain id of a new localnet (default fictra-localnet)")
    up.add_argument("--base-port", type=int, default=26656,
                    help="node i listens on base + 10*i (P2P) and base + 10*i + 1 (RPC); "
                         "default 26656")
    up.add_argument("--fresh", action="store_true", help="remove an existing localnet first")
    up.add_argument("--detach", action="store_true",
                    help="return once blocks are produced; stop later with `localnet down`")
    up.add_argument("--gateway-port", type=int, default=None,
                    help="wallet gateway port (default 8545; base port + 9 for other bases)")
    up.add_argument("--no-gateway", action="store_true", help="do not start the wallet gateway")
    up.add_argument("--log-format", choices=("plain", "json"), default=None,
                    help="how the nodes and the gateway log: plain lines or one JSON object "
                         "per line (default: as last time, else plain)")
    up.add_argument("--no-indexer", action="store_true",
                    help="do not start the analytics indexer (the gateway then answers "
                         "history from node0's tx index, if it keeps one)")
    up.add_argument("--index-db", default=None,
                    help="the indexer's database: postgresql://... (default: index.sqlite "
                         "in the home; a database given once is kept for later `up`s)")
    up.set_defaults(func=_up)

    status = cmds.add_parser("status", help="every node: pids, RPC URL, height, app hash")
    home_arg(status)
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(func=_status)

    down = cmds.add_parser("down", help="stop every node, the indexer and the gateway")
    home_arg(down)
    down.set_defaults(func=_down)

    logs = cmds.add_parser("logs", help="print a node's, the gateway's or the indexer's log")
    home_arg(logs)
    logs.add_argument("node", help="node0, node1, ... or gateway")
    logs.add_argument("-n", "--lines", type=int, default=50, help="last lines (default 50)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    logs.set_defaults(func=_logs)

    for name, helptext, func in (
        ("kill", "SIGKILL a node or the indexer (crash it)", _kill),
        ("stop", "stop a node or the indexer cleanly (SIGTERM)", _stop),
        ("start", "start a stopped node or the indexer", _start),
    ):
        p = cmds.add_parser(name, help=helptext)
        home_arg(p)
        p.add_argument("node", help="node0, node1, ...")
        p.set_defaults(func=func)


def _open(home: Path) -> Localnet | None:
    # imported here: the network code (tomlkit, urllib) costs other fictra commands start-up
    from app.node.localnet import Localnet
    from genesis.network import NetworkError

    try:
        return Localnet(home)
    except NetworkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _up(args: argparse.Namespace) -> int:
    # imported here: the network code (tomlkit, urllib) costs other fictra commands start-up
    from app.node.localnet import Localnet
    from genesis.network import NetworkError, new_network

    home: Path = args.home
    if args.validators < 1:
        print("error: --validators must be at least 1", file=sys.stderr)
        return 2
    if args.observers is not None and args.observers < 0:
        print("error: --observers must be 0 or more", file=sys.stderr)
        return 2
    observers = args.observers or 0
    if (home / "network.json").exists():
        existing = Localnet(home)
        if any(existing.pid_of(n.name) for n in existing.nodes):
            if not args.fresh:
                print(f"error: the localnet in {home} is already running "
                      f"(`fictra localnet down --home {home}` first, or add --fresh)",
                      file=sys.stderr)
                return 2
            print(f"stopping the localnet still running in {home} first ...", flush=True)
            existing.stop_gateway()
            existing.stop_indexer()
            existing.stop_nodes()
        if args.fresh:
            shutil.rmtree(home)
    elif home.exists() and args.fresh:
        shutil.rmtree(home)
    if not (home / "network.json").exists():
        extra = f" and {observers} observer{'s' if observers != 1 else ''}" \
            if observers else ""
        print(f"creating a {args.validators}-validator network{extra} in {home} ...",
              flush=True)
        try:
            new_network(home, args.validators, args.chain_id, base_port=args.base_port,
                        progress=_progress_line, observers=observers)
        except NetworkError as exc:
            print(f"\nerror: {exc}", file=sys.stderr)
            return 2
        _progress_line("", done=True)
    net = Localnet(home)
    if args.log_format:
        net.set_log_format(args.log_format)
    try:
        return _start_all(net, args)
    except (KeyboardInterrupt, BrokenPipeError):  # Ctrl-C or a closed pipe during start-up
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        net.stop_gateway()
        net.stop_indexer()
        net.stop_nodes()
        print("interrupted: stopped every node", file=sys.stderr)
        return 130


def _start_all(net: Localnet, args: argparse.Namespace) -> int:
    n, o = len(net.validators), len(net.observers)
    if args.observers is not None and o != args.observers:
        print(f"note: the localnet in {net.home} has {o} observer(s); --observers applies "
              "to a new localnet (add --fresh)")
    extra = f" and {o} observer{'s' if o != 1 else ''}" if o else ""
    print(f"starting {n} validator{'s' if n != 1 else ''}{extra} (chain {net.chain_id}, home "
          f"{net.home})")
    for i, node in enumerate(net.nodes):
        net.start_node(node.name)
        _progress_line(f"started {node.name} ({i + 1}/{len(net.nodes)})  rpc {node.rpc_url}")
    _progress_line("", done=True)
    if not _wait_first_block(net):
        net.stop_nodes()
        return 1
    index = None if args.no_indexer else _start_indexer(net, args.index_db)
    if not args.no_gateway:
        _start_gateway(net, args.gateway_port, index)
    if args.detach:
        _print_status(net, as_json=False)
        print("running in the background; `fictra localnet down --home "
              f"{net.home}` stops it")
        return 0
    return _follow(net)


def _start_indexer(net: Localnet, db: str | None) -> str | None:
    """Start the indexer and wait until it has made its schema (so the gateway can read it);
    a failure is loud, not fatal. The database URL, or None if it did not start."""
    # imported here: urllib.request costs other fictra commands start-up
    import urllib.error
    import urllib.request

    db = net.start_indexer(db)
    metrics = str((net.indexer_status() or {}).get("metrics"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(metrics.replace("/metrics", "/health"), timeout=2):
                pass
        except urllib.error.HTTPError:  # answering: 503 until it has caught up
            pass
        except (urllib.error.URLError, OSError):
            if net.indexer_exited():
                break
            time.sleep(0.3)
            continue
        print(f"indexer {(net.indexer_status() or {}).get('db')} (metrics {metrics})")
        return db
    print(f"error: the indexer did not start; see {net.home}/indexer.log", file=sys.stderr)
    return None


def _start_gateway(net: Localnet, port: int | None, index: str | None = None) -> None:
    """Start the wallet gateway and wait until it answers; a failure is loud, not fatal."""
    # imported here: urllib.request costs other fictra commands start-up
    import urllib.error
    import urllib.request

    url = net.start_gateway(port, index=index)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                pass
            print(f"wallet gateway {url} (JSON-RPC; WebSocket {url.replace('http', 'ws')}/ws)")
            print(f"block explorer {url}/explorer/")
            return
        except urllib.error.HTTPError:  # answering, e.g. 503 while the node warms up
            print(f"wallet gateway {url}")
            print(f"block explorer {url}/explorer/")
            return
        except (urllib.error.URLError, OSError):
            if net.gateway_exited():
                break
            time.sleep(0.3)
    print(f"error: the wallet gateway did not start; see {net.home}/gateway.log",
          file=sys.stderr)


def _progress_line(text: str, done: bool = False) -> None:
    if done:
        sys.stdout.write("\n" if sys.stdout.isatty() else "")
    elif sys.stdout.isatty():
        sys.stdout.write("\r\033[K" + text)
    else:
        sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _wait_first_block(net: Localnet) -> bool:
    # imported here: the network code (tomlkit, urllib) costs other fictra commands start-up
    from app.node.cometrpc import RpcError, call

    start = time.monotonic()
    while time.monotonic() - start < 120:
        dead = [n.name for n in net.nodes if net.exited(n.name)]
        if dead:
            print(f"\nerror: {', '.join(dead)} exited during start-up; see "
                  f"{net.home}/{dead[0]}/node.log", file=sys.stderr)
            return False
        up = 0
        heights = []
        for node in net.nodes:
            try:
                info = call(node.rpc_url, "status", timeout=0.5)["sync_info"]
                up += 1
                heights.append(int(info["latest_block_height"]))
            except RpcError:
                pass
        best = max(heights, default=0)
        _progress_line(f"nodes answering {up}/{len(net.nodes)}, height {best}, "
                       f"{time.monotonic() - start:.0f}s")
        if up == len(net.nodes) and best >= 1:
            _progress_line("", done=True)
            return True
        time.sleep(0.5)
    print("\nerror: no block within 120 s; see the node logs", file=sys.stderr)
    return False


def _follow(net: Localnet) -> int:
    """Print a line per block until Ctrl-C, then stop every node."""
    stopping = False

    def on_signal(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        _print_blocks(net, lambda: stopping)
    except BrokenPipeError:  # the reader went away: still stop every node
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    finally:
        print("\nstopping every node ...", flush=True)
        net.stop_gateway()
        net.stop_indexer()
        stopped = net.stop_nodes()
        print(f"stopped {len(stopped)} nodes; data kept in {net.home} "
              "(`make run` starts afresh)")
    return 0


def _print_blocks(net: Localnet, stopping: Callable[[], bool]) -> None:
    # imported here: the network code (tomlkit, urllib) costs other fictra commands start-up
    from app.node.cometrpc import RpcError, call, parse_time_ns

    print("block   txs  interval  app hash   (Ctrl-C stops every node)")
    last_height = 0
    last_time: int | None = None
    dead_reported: set[str] = set()
    while not stopping():
        for node in net.nodes:
            if node.name not in dead_reported and net.pid_of(node.name) is None:
                dead_reported.add(node.name)
                print(f"!! {node.name} is not running; see {node.home}/node.log", flush=True)
            elif node.name in dead_reported and net.pid_of(node.name) is not None:
                dead_reported.discard(node.name)
                print(f"{node.name} is running again", flush=True)
        url = net.first_live_rpc()
        try:
            if url is None:
                raise RpcError("no node is running")
            height = int(call(url, "status")["sync_info"]["latest_block_height"])
            for h in range(max(last_height + 1, height - 20), height + 1):
                header = call(url, "block", height=str(h))["block"]["header"]
                results = call(url, "block_results", height=str(h))
                t = parse_time_ns(header["time"])
                interval = f"{(t - last_time) / 1e9:.2f}s" if last_time and h == last_height + 1 \
                    else "   -"
                ntx = len(results.get("txs_results") or [])
                app_hash = base64.b64decode(results.get("app_hash") or "").hex().upper()[:12]
                print(f"{h:<7} {ntx:>4}  {interval:>8}  {app_hash}", flush=True)
                last_height, last_time = h, t
        except RpcError:
            pass
        time.sleep(0.25)


def _print_status(net: Localnet, as_json: bool) -> None:
    nodes = net.status()
    gateway = net.gateway_status()
    indexer = _indexer_status(net)
    if as_json:
        print(json.dumps({"home": str(net.home), "chain_id": net.chain_id,
                          "nodes": [n.as_dict() for n in nodes], "gateway": gateway,
                          "indexer": indexer}, indent=2))
        return
    print(f"chain {net.chain_id}, home {net.home}")
    width = max(7, *(len(n.name) for n in nodes))
    print(f"{'node':<{width}} {'role':<9} {'pid':>7} {'cometbft':>8}  {'rpc':<23} "
          f"{'height':>7}  {'app hash':<12} {'rss MB':>7}")
    for n in nodes:
        if not n.alive:
            print(f"{n.name:<{width}} {n.role:<9} {'-':>7} {'-':>8}  {n.rpc:<23} "
                  f"{'stopped':>7}")
            continue
        height = str(n.height) if n.height is not None else "?"
        sync = " (catching up)" if n.catching_up else ""
        print(f"{n.name:<{width}} {n.role:<9} {n.pid:>7} {n.cometbft_pid or '-':>8}  "
              f"{n.rpc:<23} {height:>7}  {(n.app_hash or '')[:12]:<12} "
              f"{n.rss_mb or 0:>7.0f}{sync}")
    if gateway is not None:
        state = f"pid {gateway['pid']}" if gateway["alive"] else "stopped"
        print(f"gateway {gateway['url']} ({state}) in front of {net.gateway_node().name}; "
              f"block explorer {gateway['explorer']}")
    if nodes and nodes[0].metrics.get("app"):
        first = nodes[0].metrics
        print(f"metrics: {nodes[0].name} app {first['app']}, cometbft {first['cometbft'] or '-'}"
              f" (each node its own: --json lists them)")
    if indexer is not None:
        state = f"pid {indexer['pid']}" if indexer["alive"] else "stopped"
        at = f", indexed height {indexer['height']}" if indexer.get("height") is not None else ""
        print(f"indexer {indexer['db']} ({state}{at}; metrics {indexer['metrics']})")


def _indexer_status(net: Localnet) -> dict[str, object] | None:
    """The indexer's record with its indexed height (from its /health) while it runs."""
    # imported here: urllib.request costs other fictra commands start-up
    import urllib.error
    import urllib.request

    st = net.indexer_status()
    if st is None or not st["alive"]:
        return st
    try:
        with urllib.request.urlopen(str(st["metrics"]).replace("/metrics", "/health"),
                                    timeout=1) as resp:
            body = json.loads(resp.read())
    except urllib.error.HTTPError as e:  # 503 while behind: the body still says where
        body = json.loads(e.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        body = {}
    st["height"] = body.get("indexed_height")
    return st


def _status(args: argparse.Namespace) -> int:
    net = _open(args.home)
    if net is None:
        return 2
    _print_status(net, args.json)
    return 0


def _down(args: argparse.Namespace) -> int:
    net = _open(args.home)
    if net is None:
        return 2
    gateway = net.stop_gateway()
    indexer = net.stop_indexer()
    stopped = net.stop_nodes()
    also = [name for name, pid in (("the indexer", indexer), ("the gateway", gateway)) if pid]
    print(f"stopped {len(stopped)} nodes" + (f" and {' and '.join(also)}" if also else ""))
    return 0


def _logs(args: argparse.Namespace) -> int:
    net = _open(args.home)
    if net is None:
        return 2
    if args.node in ("gateway", "indexer"):
        path = Path(net.home) / f"{args.node}.log"
    else:
        try:
            node = net.node(args.node)
        except KeyError as exc:
            print(f"error: {exc.args[0]} (or 'gateway', 'indexer')", file=sys.stderr)
            return 2
        path = Path(node.home) / "node.log"
    if not path.exists():
        print(f"error: {path} does not exist yet", file=sys.stderr)
        return 1
    with open(path, "rb") as f:
        lines = f.readlines()[-args.lines :]
        sys.stdout.write(b"".join(lines).decode(errors="replace"))
        sys.stdout.flush()
        while args.follow:
            chunk = f.read()
            if chunk:
                sys.stdout.write(chunk.decode(errors="replace"))
                sys.stdout.flush()
            else:
                time.sleep(0.3)
    return 0


def _indexer_cmd(net: Localnet, action: str) -> int:
    if action == "start":
        net.start_indexer()
        pid = net.indexer_proc.pid if net.indexer_proc is not None else net.indexer_pid()
        print(f"indexer running (pid {pid})")
        return 0
    pid = net.kill_indexer() if action == "kill" else net.stop_indexer()
    if pid is None:
        print("error: the indexer is not running", file=sys.stderr)
        return 1
    print(f"indexer {'killed' if action == 'kill' else 'stopped'} (pid {pid})")
    return 0


def _node_cmd(args: argparse.Namespace, action: str) -> int:
    net = _open(args.home)
    if net is None:
        return 2
    if args.node == "indexer":
        return _indexer_cmd(net, action)
    try:
        net.node(args.node)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    if action == "start":
        pid = net.start_node(args.node)
        print(f"{args.node} running (pid {pid})")
        return 0
    if action == "kill":
        pid = net.kill_node(args.node)
    else:
        pid = net.signal_node(args.node, signal.SIGTERM)
        if pid:
            net.wait_exit([args.node], 20.0)
    if pid is None:
        print(f"error: {args.node} is not running", file=sys.stderr)
        return 1
    print(f"{args.node} {'killed' if action == 'kill' else 'stopped'} (pid {pid})")
    return 0


def _kill(args: argparse.Namespace) -> int:
    return _node_cmd(args, "kill")


def _stop(args: argparse.Namespace) -> int:
    return _node_cmd(args, "stop")


def _start(args: argparse.Namespace) -> int:
    return _node_cmd(args, "start")
