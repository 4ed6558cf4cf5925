"""``fictra bench disk``: the size of every store of a node under steady load with pruning.

A fresh one-validator node under ``.bench/disk`` (its own ports, ``--base-port``) that keeps
``--keep-recent`` heights: the app prunes its state versions and answers ``retain_height`` so
CometBFT prunes its block store and state store too. The load is ``--rate`` PT transfers a
second for ``--duration`` seconds, offered with ``broadcast_tx_sync`` in one of two ways:

- ``--load presigned`` (the default): every tx is signed before timing (on every core, cached
  in ``e2e-cache`` beside the scratch directory) and offered by ``fictra bench e2e``'s load
  client, a separate process with ``--connections`` keep-alive connections (default 128), in
  segments of ``--segment-s`` seconds of txs; it reaches the node's own throughput.
- ``--load threads``: ``--connections`` threads sign as they go, one request in flight each;
  about 1,200 tx/s at most (one process, the GIL), enough for low rates and short runs.

Every ``--sample-s`` the size of each store on disk is taken: every shard of the
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
import signal
import threading
import time
from collections import Counter
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
    mempool_size,
    run_client,
    sign_all,
)
from app.node.cometrpc import RpcError, call
from app.node.diskusage import store_sizes
from app.node.localnet import Localnet
from app.node.progress import progress
from app.params import UNIT, default_params
from app.tx.builder import build_signed, send
from genesis.network import new_network


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
        self.errors: Counter[str] = Counter()
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
                self.errors[str(e)[:80]] += 1
                conn.close()  # reconnects on the next request
                continue
            if int(res.get("code", 0)) == 0:
                self.accepted += 1
                self.nonces[s] += 1
            else:
                self.refused += 1
                log = str(res.get("log", ""))[:80]
                self.errors[log] += 1
                self._resync(s)
        conn.close()


class Loads:
    """``connections`` Load threads, each with its share of the senders and of the rate."""

    def __init__(self, url: str, senders: int, rate: float, connections: int) -> None:
        keys = [_sender_key(i) for i in range(senders)]
        c = max(1, min(connections, senders))
        self.threads = [Load(url, keys, list(range(i, senders, c)), rate / c) for i in range(c)]
        self.failure: str | None = None  # a thread's errors are counted, never fatal

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
    def errors(self) -> Counter[str]:
        return sum((t.errors for t in self.threads), Counter())


class PresignedLoad(threading.Thread):
    """Offers pre-signed transfers (sender ``k % senders``, nonce ``k // senders``) through the
    load client process, one segment of ``segment`` txs after another until stopped; a stop
    ends the running segment's offering (SIGTERM to the client) and waits for what it
    offered to commit."""

    def __init__(self, url: str, txs: list[bytes], senders: int, rate: float, segment: int,
                 *, room: int, connections: int, work: Path) -> None:
        super().__init__(daemon=True)
        self.url, self.txs, self.n_senders, self.rate = url, txs, senders, rate
        self.segment, self.room, self.connections, self.work = segment, room, connections, work
        self.stop_event = threading.Event()
        self.accepted = 0
        self.refused = 0
        self.errors: Counter[str] = Counter()
        self.failure: str | None = None
        self._client: int | None = None  # the running client's pid
        self._lock = threading.Lock()

    def _on_client(self, pid: int) -> None:
        with self._lock:
            self._client = pid
            stopped = self.stop_event.is_set()
        if stopped:
            _terminate(pid)

    def run(self) -> None:
        a = 0
        k = 0
        while not self.stop_event.is_set() and a < len(self.txs):
            b = min(len(self.txs), a + self.segment)
            try:
                out, _ = run_client(self.url, self.txs[a:b],
                                    [i % self.n_senders for i in range(a, b)], self.work,
                                    f"segment{k}", rate=self.rate, room=self.room,
                                    connections=self.connections, on_start=self._on_client)
            except RuntimeError as e:
                if not self.stop_event.is_set():  # else killed before it could offer any
                    self.failure = str(e)
                return
            finally:
                with self._lock:
                    self._client = None
            (self.work / f"segment{k}.txs").unlink(missing_ok=True)
            (self.work / f"segment{k}.out.json").unlink(missing_ok=True)
            codes = out["codes"][: out["released"]]
            ok = sum(1 for c in codes if c == 0)
            self.accepted += ok
            self.refused += len(codes) - ok
            self.errors.update(out["errors"])
            a, k = b, k + 1
        if a >= len(self.txs) and not self.stop_event.is_set():
            self.failure = "the load ran out of signed txs before the duration ended"

    def stop(self) -> None:
        with self._lock:
            self.stop_event.set()
            pid = self._client
        if pid is not None:
            _terminate(pid)


def _terminate(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it had just finished
        os.kill(pid, signal.SIGTERM)


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
    load = make_load(args, url, home, node_home)
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
            if load.failure:
                raise RuntimeError(f"the load stopped: {load.failure}")
            if now >= next_sample:
                h = _height(url)
                txs += _num_txs(url, counted + 1, h)
                counted = h
                sizes = store_sizes(node_home)
                samples.append({"t_s": round(now - t0, 1), "height": h, "txs": txs,
                                "earliest_block": _earliest(url), "sizes": sizes})
                mb = sum(sizes.values()) / 1e6
                progress(f"disk: {now - t0:.0f}/{args.duration:.0f} s, height {h}, "
                         f"{txs:,} txs committed, all stores {mb:.1f} MB")
                if args.samples_out:
                    Path(args.samples_out).write_text(json.dumps(samples))
                next_sample += args.sample_s
                if now - t0 >= args.duration:
                    break
            time.sleep(min(1.0, max(0.05, next_sample - time.monotonic())))
        load.stop()
        load.join(10 + args.segment_s * 3)
        h1 = samples[-1]["height"]
    finally:
        load.stop()
        net.stop_nodes()
    out = figures(args, samples, h0, h1, txs, load, time.monotonic() - t_start)
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps(out) if args.json else summary(out))
    return 0


def make_load(args: argparse.Namespace, url: str, home: Path, node_home: Path
              ) -> Loads | PresignedLoad:
    if args.load == "threads":
        return Loads(url, args.senders, args.rate, args.connections)
    # enough for the duration at the offered rate, and one segment more
    segment = max(1, int(args.rate * args.segment_s))
    total = int(args.rate * args.duration) + segment
    txs = sign_all(total, args.senders, home.parent / "e2e-cache")
    work = home / "load"
    work.mkdir(parents=True, exist_ok=True)
    room = int(0.8 * mempool_size(node_home / "config" / "config.toml"))
    return PresignedLoad(url, txs, args.senders, args.rate, segment, room=room,
                         connections=args.connections, work=work)


def figures(args: argparse.Namespace, samples: list[dict[str, Any]], h0: int, h1: int,
            txs: int, load: Loads | PresignedLoad, wall_s: float) -> dict[str, Any]:
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
        "load": args.load, "connections": args.connections,
        "keep_recent": args.keep_recent, "snapshot_interval": args.snapshot_interval,
        "indexer": args.indexer, "blocks": h1 - h0, "txs_committed": txs,
        "height_end": h1, "earliest_block_end": samples[-1]["earliest_block"],
        "tx_per_s": round(txs / max(samples[-1]["t_s"], 1e-9), 1),
        "accepted": load.accepted, "refused": load.refused,
        "errors": dict(load.errors.most_common(5)),
        "pruned_window_s": round(span, 1), "samples": len(samples), "stores": stores,
        "wall_s": round(wall_s, 1), "cpus": os.cpu_count(),
    }


def summary(out: dict[str, Any]) -> str:
    lines = [
        f"disk under load: {out['txs_committed']:,} transfers in {out['blocks']} blocks over "
        f"{out['duration_s']:.0f} s ({out['tx_per_s']} tx/s, {out['rate_offered']:g} offered "
        f"by {out['load']} load over {out['connections']} connections), "
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
