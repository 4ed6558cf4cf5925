"""``fictra bench blocks``: block interval and memory of an N-validator localnet."""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from app.node.cometrpc import RpcError, call, parse_time_ns
from app.node.localnet import Localnet
from app.node.progress import progress
from genesis.network import new_network


def _height(url: str) -> int:
    return int(call(url, "status")["sync_info"]["latest_block_height"])


def run(args: argparse.Namespace) -> int:
    home = Path(args.home or f".bench/blocks-{args.validators}").resolve()
    shutil.rmtree(home, ignore_errors=True)
    t0 = time.monotonic()
    new_network(home, args.validators, "fictra-bench", base_port=args.base_port,
                progress=progress)
    net = Localnet(home)
    try:
        for node in net.nodes:
            net.start_node(node.name)
        url = net.nodes[0].rpc_url
        warm = args.warmup
        while True:
            try:
                h = _height(url)
            except RpcError:
                h = 0
            progress(f"starting {args.validators} validators: height {h}, "
                      f"{time.monotonic() - t0:.0f}s")
            if h >= warm:
                break
            dead = [n.name for n in net.nodes if net.pid_of(n.name) is None]
            if dead:
                raise RuntimeError(f"{dead[0]} exited; see {home}/{dead[0]}/node.log")
            time.sleep(0.5)
        startup_s = time.monotonic() - t0
        first = _height(url)
        target = first + args.blocks
        while (h := _height(url)) < target:
            progress(f"measuring: block {h - first}/{args.blocks}")
            time.sleep(0.5)
        times = [parse_time_ns(call(url, "block", height=str(x))["block"]["header"]["time"])
                 for x in range(first, target + 1)]
        intervals = [(b - a) / 1e9 for a, b in zip(times, times[1:], strict=False)]
        status = net.status()
        rss = [s.rss_mb or 0.0 for s in status]
        heights = [s.height for s in status]
    finally:
        net.stop_nodes()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    progress("")
    result = {
        "validators": args.validators,
        "blocks": args.blocks,
        "mean_interval_s": round(sum(intervals) / len(intervals), 3),
        "min_interval_s": round(min(intervals), 3),
        "max_interval_s": round(max(intervals), 3),
        "startup_s": round(startup_s, 1),
        "rss_total_mb": round(sum(rss)),
        "rss_per_node_mb": round(sum(rss) / len(rss), 1),
        "nodes_at_head": sum(1 for h in heights if h is not None and h >= target - 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.validators} validators, {args.blocks} blocks: mean interval "
              f"{result['mean_interval_s']} s (min {result['min_interval_s']}, max "
              f"{result['max_interval_s']}), memory {result['rss_total_mb']} MB "
              f"({result['rss_per_node_mb']} MB per node: app + cometbft), "
              f"start-up {result['startup_s']} s")
    return 0
