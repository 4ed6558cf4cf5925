"""``fictra bench disk``: the size of every store of a node under steady load with pruning.

A fresh one-validator node under ``.bench/disk`` (its own ports, ``--base-port``) that keeps
``--keep-recent`` heights: the app prunes its state versions and answers ``retain_height`` so
CometBFT prunes its block store and state store too. A load thread signs and offers
``--rate`` PT transfers a second (``broadcast_tx_sync`` over ``--connections`` keep-alive
connections, senders in turn) for ``--duration``
seconds; every ``--sample-s`` the size of each store on disk is taken: every shard of the
app's state (``data/state/<shard>``), the app's snapshots, and CometBFT's ``blockstore.db``,
``state.db``, ``tx_index.db``, ``evidence.db`` and consensus WAL.

Figures: per store, its size once pruning has begun (the first sample after height
``keep_recent``), its size at the end, and its growth per hour over the samples after that
(least squares), beside the blocks and txs committed. A store that stays flat grows ~0 MB/h;
one that is never pruned grows with the chain.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import tomlkit

from app.bench.e2e import (
    CHAIN_ID,
    SENDER_BALANCE,
    _sender_key,
    apply_overrides,
    check_ports_free,
)
from app.node.cometrpc import RpcError, call
from app.node.localnet import Localnet
from app.node.progress import progress
from app.params import UNIT, default_params
from app.tx.builder import build_signed, send
from genesis.network import new_network

COMETBFT_STORES = ("blockstore.db", "state.db", "tx_index.db", "evidence.db", "cs.wal")


def dir_bytes(path: Path) -> int:
    """Bytes allocated on disk under ``path`` (st_blocks, as ``du`` counts)."""
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_blocks * 512
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            # a file removed between the listing and the stat (a compaction) counts nothing
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
    return total


def store_sizes(home: Path) -> dict[str, int]:
    """Every store of the node in ``home``: name -> bytes on disk."""
    data = home / "data"
    out: dict[str, int] = {}
    state = data / "state"
    if state.exists():
        for entry in sorted(state.iterdir()):
            name = "snapshots" if entry.name == "snapshots" else f"state/{entry.name}"
            out[name] = dir_bytes(entry)
    for name in COMETBFT_STORES:
        out[name] = dir_bytes(data / name)
    return out


def slope_per_hour(points: list[tuple[float, int]]) -> float:
    """Least-squares growth in bytes per hour of (seconds, bytes) points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return sum((t - mt) * (v - mv) for t, v in points) / var * 3600


class Load(threading.Thread):
    """Offers ``rate`` signed transfers a second from the senders ``mine`` (in turn, over one
    keep-alive connection) until stopped; counts answers."""

    def __init__(self, url: str, keys: list[Any], mine: list[int], rate: float) -> None:
        super().__init__(daemon=True)
        self.url, self.rate, self.keys, self.mine = url, rate, keys, mine
        self.nonces = dict.fromkeys(mine, 0)
        self.stop_event = threading.Event()
        self.accepted = 0
        self.refused = 0
        self.errors: dict[str, int] = {}
        p = default_params()
        self.fees = (p.base_fee, p.fee_per_byte)

    def _resync(self, s: int) -> None:
        """After a refusal, take the sender's nonce from the chain again."""
        try:
            res = call(self.url, "abci_query", path=f"/account/{self.keys[s].bech32}", data="",
                       height="0", prove=False)["response"]
            self.nonces[s] = int(json.loads(base64.b64decode(res["value"]))["nonce"])
        except (RpcError, ValueError, KeyError):
            pass

    def _broadcast(self, conn: http.client.HTTPConnection, tx: bytes) -> dict[str, Any]:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_sync",
                           "params": {"tx": base64.b64encode(tx).decode()}})
        conn.request("POST", "/", body, {"Content-Type": "application/json"})
        answer = json.loads(conn.getresponse().read())
        if "error" in answer:
            raise RpcError(str(answer["error"]))
        return answer["result"]

    def run(self) -> None:
        u = urlparse(self.url)
        conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port or 80, timeout=30)
        t0 = time.monotonic()
        k = 0
        n = len(self.keys)
        while not self.stop_event.is_set():
            due = int((time.monotonic() - t0) * self.rate)
            if k >= due:
                self.stop_event.wait(min(0.05, (k + 1 - due) / self.rate))
                continue
            s = self.mine[k % len(self.mine)]
            to = self.keys[(s + 1) % n].address
            tx = build_signed(self.keys[s], CHAIN_ID, self.nonces[s], [send(to, UNIT)],
                              base_fee=self.fees[0], fee_per_byte=self.fees[1])
            k += 1
            try:
                res = self._broadcast(conn, tx)
            except (RpcError, OSError, http.client.HTTPException, ValueError) as e:
                self.errors[str(e)[:80]] = self.errors.get(str(e)[:80], 0) + 1
                conn.close()  # reconnects on the next request
                continue
            if int(res.get("code", 0)) == 0:
                self.accepted += 1
                self.nonces[s] += 1
            else:
                self.refused += 1
                log = str(res.get("log", ""))[:80]
                self.errors[log] = self.errors.get(log, 0) + 1
                self._resync(s)
        conn.close()


class Loads:
    """``connections`` Load threads, each with its share of the senders and of the rate."""

    def __init__(self, url: str, senders: int, rate: float, connections: int) -> None:
        keys = [_sender_key(i) for i in range(senders)]
        c = max(1, min(connections, senders))
        self.threads = [Load(url, keys, list(range(i, senders, c)), rate / c) for i in range(c)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        for t in self.threads:
            t.stop_event.set()

    def join(self, timeout: float) -> None:
        for t in self.threads:
            t.join(timeout)

    @property
    def accepted(self) -> int:
        return sum(t.accepted for t in self.threads)

    @property
    def refused(self) -> int:
        return sum(t.refused for t in self.threads)

    @property
    def errors(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.threads:
            for k, v in t.errors.items():
                out[k] = out.get(k, 0) + v
        return out


def _height(url: str) -> int:
    return int(call(url, "status")["sync_info"]["latest_block_height"])


def _earliest(url: str) -> int:
    """CometBFT's block store base: above 1 once it pruned."""
    return int(call(url, "status")["sync_info"]["earliest_block_height"])


def _num_txs(url: str, lo: int, hi: int) -> int:
    """Txs committed in heights [lo, hi] (block metas, 20 a call); counted as the run goes,
    since pruning removes old blocks."""
    total = 0
    h = hi
    while h >= lo:
        metas = call(url, "blockchain", minHeight=str(max(lo, h - 19)), maxHeight=str(h),
                     timeout=10.0)["block_metas"]
        total += sum(int(m["num_txs"]) for m in metas)
        h -= 20
    return total


def run(args: argparse.Namespace) -> int:
    home = Path(args.home or ".bench/disk").resolve()
    check_ports_free(args.base_port, 1)
    shutil.rmtree(home, ignore_errors=True)
    accounts = [{"address": _sender_key(i).bech32, "balance": str(SENDER_BALANCE * UNIT)}
                for i in range(args.senders)]
    nodes = new_network(home, 1, CHAIN_ID, base_port=args.base_port, extra_accounts=accounts)
    node_home = Path(nodes[0].home)
    app_toml = node_home / "config" / "app.toml"
    apply_overrides(app_toml, {"state.keep_recent": args.keep_recent,
                               "state.snapshot_interval": args.snapshot_interval})
    if args.indexer:
        apply_overrides(node_home / "config" / "config.toml", {"tx_index.indexer": args.indexer})
    # what the node runs with: the flag, else the network's own setting
    args.indexer = str(tomlkit.parse((node_home / "config" / "config.toml").read_text())
                       ["tx_index"]["indexer"])  # type: ignore[index]
    net = Localnet(home)
    url = nodes[0].rpc_url
    samples: list[dict[str, Any]] = []
    load = Loads(url, args.senders, args.rate, args.connections)
    t_start = time.monotonic()
    try:
        net.start_node(nodes[0].name)
        while True:
            if net.exited(nodes[0].name):
                raise RuntimeError(f"the node exited; see {node_home}/node.log")
            try:
                if _height(url) >= 2:
                    break
            except RpcError:
                pass
            time.sleep(0.5)
        h0 = counted = _height(url)
        txs = 0
        load.start()
        t0 = time.monotonic()
        next_sample = t0
        while True:
            now = time.monotonic()
            if net.exited(nodes[0].name):
                raise RuntimeError(f"the node exited; see {node_home}/node.log")
            if now >= next_sample:
                h = _height(url)
                txs += _num_txs(url, counted + 1, h)
                counted = h
                sizes = store_sizes(node_home)
                samples.append({"t_s": round(now - t0, 1), "height": h,
                                "earliest_block": _earliest(url), "sizes": sizes})
                mb = sum(sizes.values()) / 1e6
                progress(f"disk: {now - t0:.0f}/{args.duration:.0f} s, height {h}, "
                         f"{load.accepted:,} txs accepted, all stores {mb:.1f} MB")
                if args.samples_out:
                    Path(args.samples_out).write_text(json.dumps(samples))
                next_sample += args.sample_s
                if now - t0 >= args.duration:
                    break
            time.sleep(min(1.0, max(0.05, next_sample - time.monotonic())))
        load.stop()
        load.join(10)
        h1 = samples[-1]["height"]
    finally:
        load.stop()
        net.stop_nodes()
    out = figures(args, samples, h0, h1, txs, load, time.monotonic() - t_start)
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps(out) if args.json else summary(out))
    return 0


def figures(args: argparse.Namespace, samples: list[dict[str, Any]], h0: int, h1: int,
            txs: int, load: Loads, wall_s: float) -> dict[str, Any]:
    pruned = [s for s in samples if s["height"] >= args.keep_recent]
    stores: dict[str, Any] = {}
    for name in samples[-1]["sizes"]:
        pts = [(s["t_s"], s["sizes"].get(name, 0)) for s in pruned]
        stores[name] = {
            "mb_at_pruning_start": round(pts[0][1] / 1e6, 2) if pts else None,
            "mb_end": round(samples[-1]["sizes"][name] / 1e6, 2),
            "mb_max": round(max(s["sizes"].get(name, 0) for s in pruned or samples) / 1e6, 2),
            "growth_mb_per_h": round(slope_per_hour(pts) / 1e6, 2),
        }
    span = samples[-1]["t_s"] - (pruned[0]["t_s"] if pruned else 0.0)
    return {
        "duration_s": args.duration, "rate_offered": args.rate, "senders": args.senders,
        "keep_recent": args.keep_recent, "snapshot_interval": args.snapshot_interval,
        "indexer": args.indexer, "blocks": h1 - h0, "txs_committed": txs,
        "height_end": h1, "earliest_block_end": samples[-1]["earliest_block"],
        "tx_per_s": round(txs / max(samples[-1]["t_s"], 1e-9), 1),
        "accepted": load.accepted, "refused": load.refused,
        "errors": dict(sorted(load.errors.items(), key=lambda kv: -kv[1])[:5]),
        "pruned_window_s": round(span, 1), "samples": len(samples), "stores": stores,
        "wall_s": round(wall_s, 1), "cpus": os.cpu_count(),
    }


def summary(out: dict[str, Any]) -> str:
    lines = [
        f"disk under load: {out['txs_committed']:,} transfers in {out['blocks']} blocks over "
        f"{out['duration_s']:.0f} s ({out['tx_per_s']} tx/s, {out['rate_offered']:g} offered), "
        f"keep_recent {out['keep_recent']}, snapshot every {out['snapshot_interval']}, "
        f"tx index {out['indexer']}",
        f"growth measured over {out['pruned_window_s']:.0f} s after pruning began; at the end "
        f"CometBFT kept blocks {out['earliest_block_end']}..{out['height_end']}",
        f"  {'store':<18} {'MB at start':>11} {'MB at end':>10} {'max MB':>8} {'MB/hour':>8}",
    ]
    for name, s in out["stores"].items():
        start = "-" if s["mb_at_pruning_start"] is None else f"{s['mb_at_pruning_start']:.2f}"
        lines.append(f"  {name:<18} {start:>11} {s['mb_end']:>10.2f} {s['mb_max']:>8.2f} "
                     f"{s['growth_mb_per_h']:>8.2f}")
    if out["refused"]:
        lines.append(f"refused {out['refused']} txs: {out['errors']}")
    return "\n".join(lines)
