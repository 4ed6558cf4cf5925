"""``fictra bench e2e``: signed transfers committed through real CometBFT nodes, from the chain.

A fresh localnet under ``.bench/`` (its own ports, ``--base-port``) with ``--senders`` accounts
funded at genesis. Every tx is signed before timing, on every core. A separate client process
(``app.bench.loadclient``) offers them to node0's RPC with ``broadcast_tx_sync``, open loop,
each sender's txs in nonce order, never more outstanding than the mempool has room for.

Phases, each followed by a drain of the mempool:

- throughput: ``--txs`` transfers as fast as the client's connections take them. Committed
  tx/s comes from the chain: ``num_txs`` and header times of the non-empty blocks, without the
  first (ramp-up) and the last (tail); block interval and txs per block over the same window.
- latency: ``--latency-rates`` tx/s offered for ``--latency-s`` each; per tx, from its send to
  the arrival of the ``NewBlockEvents`` of the block that holds it (p50, p99, max).

After every phase each offered tx is looked up in the blocks (``block``) and its result code in
``block_results``; txs that did not commit (CometBFT v0.38 can drop a tx CheckTx accepted when
the mempool is full, while ``broadcast_tx_sync`` still answers code 0) are offered again, in
order, and counted. CPU seconds of each process (``/proc/<pid>/stat``) are sampled twice a
second and interpolated at the window's block times; the app's split by ABCI request kind comes
from the ABCI server's counters (Query ``/abci/stats``).

``--baseline kvstore`` repeats the phases against CometBFT's built-in kvstore app with the same
config and same-size ``key=value`` txs; its throughput phase also tells the client's ceiling.
``--baseline kvstore-socket`` runs ``abci-cli kvstore`` behind the ABCI unix socket instead, as
the fictra app is connected, so CometBFT's socket client is in the baseline too.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import tomlkit

from app.bench import e2etrade
from app.bench.loadclient import read_txs, write_txs
from app.crypto import Key
from app.node.binaries import cometbft, tool
from app.node.cometrpc import RpcError, call, parse_time_ns
from app.node.localnet import Localnet
from app.node.progress import progress
from app.params import UNIT, default_params
from app.tx.builder import build_signed, send
from genesis.network import (
    APP_METRICS_OFFSET,
    COMETBFT_METRICS_OFFSET,
    PORTS_PER_NODE,
    new_network,
)

CHAIN_ID = "fictra-bench"
SENDER_SEED_BASE = 7_000_000  # sender i's key is Key.from_seed((BASE + i) as 32 bytes)
SENDER_BALANCE = 100_000  # units of PT funded per sender
DRAIN_LIMIT_S = 180.0
REOFFER_ROUNDS = 3
STAGES = ("check_tx_new", "check_tx_recheck", "prepare_proposal", "process_proposal",
          "finalize_block", "commit", "decode", "encode", "query", "info")
_TICK = os.sysconf("SC_CLK_TCK")


# -- txs -----------------------------------------------------------------------------------------

def _sender_key(i: int) -> Any:
    return Key.from_seed((SENDER_SEED_BASE + i).to_bytes(32, "big"))


def _sign_range(job: tuple[int, int, int, int, int]) -> list[bytes]:
    """Txs k in [a, b): sender k % S, nonce k // S, 1 PT to another sender."""
    a, b, n_senders, base_fee, fee_per_byte = job
    keys: dict[int, Any] = {}
    out = []
    for k in range(a, b):
        s = k % n_senders
        key = keys.get(s) or keys.setdefault(s, _sender_key(s))
        r = (s + 1 + (k * 7919) % (n_senders - 1)) % n_senders
        out.append(build_signed(key, CHAIN_ID, k // n_senders, [send(_address(r), UNIT)],
                                base_fee=base_fee, fee_per_byte=fee_per_byte))
    return out


_ADDR: dict[int, bytes] = {}


def _address(i: int) -> bytes:
    a = _ADDR.get(i)
    if a is None:
        a = _ADDR[i] = _sender_key(i).address
    return a


def sign_all(total: int, n_senders: int, cache_dir: Path) -> list[bytes]:
    """``total`` signed transfers (cached under ``cache_dir``: the keys are fixed)."""
    p = default_params()
    tag = hashlib.sha256(f"v1 {CHAIN_ID} {n_senders} {total} {p.base_fee} {p.fee_per_byte}"
                         .encode()).hexdigest()[:16]
    path = cache_dir / f"transfers-{tag}.bin"
    if path.exists():
        _, txs = read_txs(path)
        if len(txs) == total:
            return txs
    step = 2_000
    jobs = [(a, min(a + step, total), n_senders, p.base_fee, p.fee_per_byte)
            for a in range(0, total, step)]
    txs: list[bytes] = []
    t0 = time.monotonic()
    with Pool(os.cpu_count() or 1) as pool:
        for part in pool.imap(_sign_range, jobs):
            txs += part
            progress(f"signing: {len(txs):,}/{total:,} txs ({time.monotonic() - t0:.0f} s)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_txs(path, [0] * len(txs), txs)
    return txs


def sign_trade(total: int, roles: Any, cache_dir: Path
               ) -> tuple[list[bytes], list[int], dict[str, int]]:
    """``total`` signed txs of the trade mix but its prices, their signers, counts by kind."""
    p = default_params()
    tag = hashlib.sha256(f"trade v2 {CHAIN_ID} {roles.n} {len(roles.oracles)} {roles.lanes} "
                         f"{total} "
                         f"{p.base_fee} {p.fee_per_byte}".encode()).hexdigest()[:16]
    path = cache_dir / f"trade-{tag}.bin"
    if path.exists() and path.with_suffix(".json").exists():
        senders, txs = read_txs(path)
        if len(txs) == total:
            return txs, senders, json.loads(path.with_suffix(".json").read_text())
    txs, senders, counts = e2etrade.stream(total, roles, CHAIN_ID, SENDER_SEED_BASE, _address)
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_txs(path, senders, txs)
    path.with_suffix(".json").write_text(json.dumps(counts))
    return txs, senders, counts


def trade_outcome(url: str, feeder: Any, lo: int) -> dict[str, Any]:
    """The price submissions' result codes and the purchases settled, from blocks lo..now."""
    hi = height(url)
    sent = set(feeder.sent)
    found = 0
    failed: dict[str, int] = {}
    settled = 0
    rounds: dict[str, int] = {}  # price rounds closed, by outcome
    for h, _, k in block_metas(url, lo, hi):
        digests = block_txs(url, h) if k else []
        r = call(url, "block_results", timeout=30.0, height=str(h))
        results = r.get("txs_results") or []
        for d, res in zip(digests, results, strict=False):
            if d in sent:
                found += 1
                code = int(res.get("code") or 0)
                if code:
                    failed[str(code)] = failed.get(str(code), 0) + 1
            for e in res.get("events") or []:
                if e.get("type") == "purchase" and any(
                        a.get("key") == "status" and a.get("value") == "settled"
                        for a in e.get("attributes") or []):
                    settled += 1
        for e in r.get("finalize_block_events") or []:
            if e.get("type") == "price":
                st = next((a.get("value") for a in e.get("attributes") or []
                           if a.get("key") == "status"), "?")
                rounds[st] = rounds.get(st, 0) + 1
    return {"prices": {"accepted": len(sent), "committed": found,
                       "lost": len(sent) - found, "failed_codes": failed,
                       "refused_by_checktx": feeder.refused, "unmet": feeder.unmet,
                       "skipped_round_closing": feeder.skipped,
                       "rpc_errors": feeder.errors, "oracles": len(feeder.keys)},
            "purchases_settled": settled, "price_rounds": rounds}


def kvstore_txs(txs: list[bytes]) -> list[bytes]:
    """Same-size ``key=value`` txs for the kvstore app (one '=', no ':')."""
    out = []
    for k, tx in enumerate(txs):
        key = b"k%010d=" % k
        out.append(key + b"v" * max(1, len(tx) - len(key)))
    return out


# -- processes and CPU ---------------------------------------------------------------------------

def cpu_s(pid: int | None) -> float:
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def children(pid: int) -> list[int]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    out: list[int] = []
    for task in tasks:
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


class Sampler(threading.Thread):
    """CPU seconds per role (and the ABCI stage counters) every ``interval`` seconds."""

    def __init__(self, pids: dict[str, list[int]], stats_url: str | None,
                 interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.stats_url = stats_url
        self.interval = interval
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.stats: list[tuple[float, dict[str, Any]]] = []
        self.stop = threading.Event()
        self.last: dict[int, float] = {}  # an exited process keeps its last reading

    def _cpu(self, pid: int) -> float:
        v = cpu_s(pid) or self.last.get(pid, 0.0)
        self.last[pid] = v
        return v

    def _with_workers(self, role: str, pids: list[int]) -> list[int]:
        """An app's processes: the app and its signature workers (its children other than
        cometbft), found at each sample since the app starts its workers when first needed."""
        if not role.startswith("app"):
            return pids
        cmts = {p for r, ps in self.pids.items() if r.startswith("cometbft") for p in ps}
        return pids + [c for p in pids for c in children(p) if c not in cmts]

    def sample(self) -> None:
        now = time.time()
        self.samples.append((now, {role: sum(self._cpu(p) for p in self._with_workers(role, pids))
                                   for role, pids in self.pids.items()}))
        if self.stats_url:
            try:
                st = abci_stats(self.stats_url)
                self.stats.append((now, st))
            except RpcError:
                pass

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)
        self.sample()


def abci_stats(url: str) -> dict[str, Any]:
    r = call(url, "abci_query", path="/abci/stats", data="", height="0", prove=False)
    return json.loads(base64.b64decode(r["response"].get("value") or "e30="))


def _interp(samples: list[tuple[float, dict[str, Any]]], t: float, get: Any) -> float:
    """A sampled counter's value at time ``t`` (linear between the samples around it)."""
    if not samples:
        return 0.0
    prev = samples[0]
    for cur in samples:
        if cur[0] >= t:
            if cur is prev or cur[0] == prev[0]:
                return float(get(cur[1]))
            f = (t - prev[0]) / (cur[0] - prev[0])
            return float(get(prev[1]) + f * (get(cur[1]) - get(prev[1])))
        prev = cur
    return float(get(samples[-1][1]))


# -- the chain -----------------------------------------------------------------------------------

def height(url: str) -> int:
    return int(call(url, "status")["sync_info"]["latest_block_height"])


def block_metas(url: str, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """(height, header time ns, num_txs) for heights lo..hi."""
    out: dict[int, tuple[int, int, int]] = {}
    top = hi
    while top >= lo:
        r = call(url, "blockchain", timeout=10.0, minHeight=str(max(lo, top - 19)),
                 maxHeight=str(top))
        for m in r["block_metas"]:
            h = int(m["header"]["height"])
            out[h] = (h, parse_time_ns(m["header"]["time"]), int(m["num_txs"]))
        top -= 20
    return [out[h] for h in sorted(out)]


def block_txs(url: str, h: int) -> list[bytes]:
    """sha256 of each tx in block ``h``, in block order."""
    txs = call(url, "block", timeout=30.0, height=str(h))["block"]["data"]["txs"] or []
    return [hashlib.sha256(base64.b64decode(t)).digest() for t in txs]


def block_codes(url: str, h: int) -> list[int] | None:
    try:
        r = call(url, "block_results", timeout=30.0, height=str(h))
    except RpcError:
        return None  # storage.discard_abci_responses
    return [int(x.get("code") or 0) for x in r.get("txs_results") or []]


def wait_drained(url: str, limit: float = DRAIN_LIMIT_S) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        n = int(call(url, "num_unconfirmed_txs")["n_txs"])
        if n == 0:
            return
        progress(f"draining the mempool: {n:,} txs left")
        time.sleep(0.5)
    raise RuntimeError(f"the mempool did not drain within {limit:.0f} s")


# -- one network ---------------------------------------------------------------------------------

class Net:
    """A fresh N-validator network running the fictra app or CometBFT's kvstore."""

    def __init__(self, app: str, home: Path, validators: int, base_port: int,
                 overrides: dict[str, Any], senders: int, app_state_hook: Any = None) -> None:
        self.app = app
        self.home = home
        check_ports_free(base_port, validators)
        shutil.rmtree(home, ignore_errors=True)
        accounts = [{"address": _sender_key(i).bech32, "balance": str(SENDER_BALANCE * 10**6)}
                    for i in range(senders)] if app == "fictra" else None
        nodes = new_network(home, validators, CHAIN_ID, base_port=base_port,
                            extra_accounts=accounts, app_state_hook=app_state_hook)
        for node in nodes:
            apply_overrides(Path(node.home) / "config" / "config.toml", overrides)
        self.nodes = nodes
        self.url = nodes[0].rpc_url
        self.net = Localnet(home)
        self.kv_procs: list[subprocess.Popen[bytes]] = []
        self.kv_apps: list[subprocess.Popen[bytes]] = []  # abci-cli kvstore (kvstore-socket)

    def start(self) -> None:
        for node in self.nodes:
            if self.app == "fictra":
                self.net.start_node(node.name)
            else:
                self._start_kvstore(Path(node.home))
        t0 = time.monotonic()
        while True:
            if self.app == "fictra":
                dead = [n.name for n in self.nodes if self.net.exited(n.name)]
            else:
                dead = [f"node{i}" for i, p in enumerate(self.kv_procs) if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{dead[0]} exited; see {self.home}/{dead[0]}/node.log")
            try:
                st = call(self.url, "status")
                h = int(st["sync_info"]["latest_block_height"])
            except RpcError:
                st, h = None, 0
            if st is not None and (st["node_info"]["id"] != self.nodes[0].node_id
                                   or st["node_info"]["network"] != CHAIN_ID):
                raise RuntimeError(f"{self.url} answers for another node "
                                   f"({st['node_info']['id']}); choose another --base-port")
            progress(f"{self.app}: starting {len(self.nodes)} validator(s), height {h}, "
                     f"{time.monotonic() - t0:.0f} s")
            if h >= 3:
                break
            if time.monotonic() - t0 > 120:
                raise RuntimeError(f"{self.app} network did not start; see {self.home}/*/node.log")
            time.sleep(0.5)

    def _start_kvstore(self, node_home: Path) -> None:
        """CometBFT's kvstore: built in (``kvstore``), or ``abci-cli kvstore`` behind the ABCI
        unix socket as the fictra app is (``kvstore-socket``), so the socket client's cost is
        in the baseline too."""
        proxy = "kvstore"
        with open(node_home / "node.log", "ab") as log:
            if self.app == "kvstore-socket":
                sock = node_home / "kvstore.sock"
                proxy = f"unix://{sock}"
                self.kv_apps.append(subprocess.Popen(
                    [tool("abci-cli"), "kvstore", "--address", proxy, "--log_level", "error"],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True))
                deadline = time.monotonic() + 30
                while not sock.exists():
                    if time.monotonic() > deadline or self.kv_apps[-1].poll() is not None:
                        raise RuntimeError(f"abci-cli kvstore did not listen; see {log.name}")
                    time.sleep(0.05)
            self.kv_procs.append(subprocess.Popen(
                [cometbft(), "start", "--home", str(node_home), "--proxy_app", proxy],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True))

    def pids(self) -> dict[str, list[int]]:
        if self.app != "fictra":
            pids = {"cometbft": [p.pid for p in self.kv_procs]}
            return {**pids, "app": [p.pid for p in self.kv_apps]} if self.kv_apps else pids
        apps, cmts = [], []
        for node in self.nodes:
            pid = self.net.pid_of(node.name)
            if pid:
                apps.append(pid)
            pid_file = Path(node.home) / "node.pids.json"
            deadline = time.monotonic() + 10
            while not pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            cmts.append(int(json.loads(pid_file.read_text())["cometbft"]))
        # node0's own processes apart: it takes the client's RPC load, and its app's stage
        # counters are the ones sampled
        if len(self.nodes) == 1:
            return {"cometbft": cmts, "app": apps}
        return {"cometbft": cmts, "app": apps, "cometbft_node0": cmts[:1], "app_node0": apps[:1]}

    def stop(self) -> None:
        if self.app == "fictra":
            self.net.stop_nodes()
            return
        procs = self.kv_procs + self.kv_apps  # cometbft first: it leaves its app
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def check_ports_free(base_port: int, validators: int) -> None:
    """Refuse to start where another network listens: the load would go to it."""
    for i in range(validators):
        first = base_port + PORTS_PER_NODE * i  # P2P, RPC, the app's and CometBFT's metrics
        for port in (first + off for off in (0, 1, APP_METRICS_OFFSET, COMETBFT_METRICS_OFFSET)):
            with socket.socket() as sock:
                # as a listening server binds: a port only in TIME_WAIT is free
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError as e:
                    raise RuntimeError(f"port {port} is in use ({e.strerror}); choose another "
                                       "--base-port") from e


def apply_overrides(path: Path, overrides: dict[str, Any]) -> None:
    doc = tomlkit.parse(path.read_text())
    for dotted, value in overrides.items():
        *sections, key = dotted.split(".")
        table: Any = doc
        for s in sections:
            table = table[s]
        table[key] = value
    path.write_text(tomlkit.dumps(doc))


def parse_overrides(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {item!r}: expected SECTION.KEY=VALUE")
        try:
            value: Any = tomlkit.parse(f"v = {raw}")["v"]
        except Exception:  # noqa: BLE001 - a bare word is a string
            value = raw
        out[key] = value
    return out


def mempool_size(path: Path) -> int:
    return int(tomlkit.parse(path.read_text())["mempool"]["size"])  # type: ignore[index]


# -- phases --------------------------------------------------------------------------------------

def run_client(url: str, txs: list[bytes], senders: list[int], work: Path, name: str, *,
               rate: float, room: int, connections: int, on_start: Any = None
               ) -> tuple[dict[str, Any], int]:
    """Run the load client process on ``txs``; its output and pid."""
    path = work / f"{name}.txs"
    out = work / f"{name}.out.json"
    out.unlink(missing_ok=True)
    write_txs(path, senders, txs)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.bench.loadclient", "--url", url, "--txs", str(path),
         "--out", str(out), "--connections", str(connections), "--rate", str(rate),
         "--room", str(room)], stdin=subprocess.DEVNULL)
    if on_start:
        on_start(proc.pid)
    rc = proc.wait()
    if rc != 0 or not out.exists():
        raise RuntimeError(f"load client failed (exit {rc})")
    return json.loads(out.read_text()), proc.pid


class Phase:
    """Offer ``txs`` (and re-offer what did not commit); the chain's view of the result."""

    def __init__(self, net: Net, work: Path, name: str, txs: list[bytes], senders: list[int],
                 *, rate: float, room: int, connections: int) -> None:
        self.net, self.work, self.name = net, work, name
        self.txs, self.senders = txs, senders
        self.rate, self.room, self.connections = rate, room, connections

    def run(self) -> dict[str, Any]:
        url = self.net.url
        h_start = height(url)
        pids = self.net.pids()
        sampler = Sampler({**pids, "client": []}, url if self.net.app == "fictra" else None)
        sampler.start()
        metas: list[tuple[int, int, int]] = []
        done = threading.Event()
        n = len(self.txs)
        t0 = time.monotonic()

        def watch() -> None:
            last = h_start
            committed = 0
            while not done.wait(1.0):
                try:
                    h = height(url)
                    if h > last:
                        new = block_metas(url, last + 1, h)
                        metas.extend(new)
                        committed += sum(m[2] for m in new)
                        last = h
                except RpcError:
                    continue
                progress(f"{self.net.app} {self.name}: {committed:,}/{n:,} txs committed, "
                         f"height {last}, {time.monotonic() - t0:.0f} s")

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        out, client_pid = run_client(
            url, self.txs, self.senders, self.work, self.name, rate=self.rate, room=self.room,
            connections=self.connections,
            on_start=lambda pid: sampler.pids.__setitem__("client", [pid]))
        wait_drained(url)
        done.set()
        watcher.join()
        sampler.stop.set()
        sampler.join()
        h_end = height(url) + 1  # one block past the last busy one (the CPU window's end)
        while height(url) < h_end:
            time.sleep(0.2)
        metas = block_metas(url, h_start, h_end)  # from the last block before the offer
        # where each offered tx landed
        where: dict[bytes, tuple[int, int]] = {}
        for h, _, k in metas:
            if k:
                for idx, d in enumerate(block_txs(url, h)):
                    where[d] = (h, idx)
        digests = [hashlib.sha256(t).digest() for t in self.txs]
        missing = [i for i, d in enumerate(digests) if d not in where]
        reoffered = len(missing)
        first_missing = set(missing)
        rounds = 0
        while missing and rounds < REOFFER_ROUNDS:
            rounds += 1
            progress(f"{self.net.app} {self.name}: re-offering {len(missing):,} txs that did "
                     f"not commit (round {rounds})")
            name = f"{self.name}-re{rounds}"
            h0 = height(url)
            run_client(url, [self.txs[i] for i in missing], [self.senders[i] for i in missing],
                       self.work, name, rate=0,
                       room=self.room, connections=self.connections)
            wait_drained(url)
            for h, _, k in block_metas(url, h0 + 1, height(url)):
                if k:
                    for idx, d in enumerate(block_txs(url, h)):
                        where[d] = (h, idx)
            missing = [i for i in missing if digests[i] not in where]
        # result codes
        codes_by_height: dict[int, list[int] | None] = {}
        failed: dict[str, int] = {}
        codes_checked = True
        for d in digests:
            loc = where.get(d)
            if loc is None:
                continue
            h, idx = loc
            if h not in codes_by_height:
                codes_by_height[h] = block_codes(url, h)
            codes = codes_by_height[h]
            if codes is None:
                codes_checked = False
                continue
            if codes[idx] != 0:
                failed[str(codes[idx])] = failed.get(str(codes[idx]), 0) + 1
        committed = n - len(missing)
        result: dict[str, Any] = {
            "offered": n, "committed": committed, "lost": len(missing),
            "reoffered": reoffered, "reoffer_rounds": rounds,
            "committed_ok": committed - sum(failed.values()) if codes_checked else None,
            "failed_codes": failed, "codes_checked": codes_checked,
            "checktx_rejected_first_offer": sum(1 for c in out["codes"] if c != 0),
            "checktx_errors": out["errors"],
            "offered_tx_per_s": round(n / max(out["t_last"] - out["t_first"], 1e-9), 1),
        }
        self.out, self.metas, self.where, self.digests = out, metas, where, digests
        self.first_missing, self.sampler, self.client_pid = first_missing, sampler, client_pid
        return result


def _stats(values: list[float], nd: int = 3) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "min": 0.0, "max": 0.0}
    return {"mean": round(sum(values) / len(values), nd), "min": round(min(values), nd),
            "max": round(max(values), nd)}


def throughput(ph: Phase) -> dict[str, Any]:
    busy = [m for m in ph.metas[1:] if m[2] > 0]  # metas[0]: the block before the offer
    res: dict[str, Any] = {}
    if not busy:
        return {"tx_per_s": None, "window_s": 0.0, "window_blocks": 0, "steady": False}
    # Window: from the header time of the first non-empty block to that of the last but one;
    # txs of the blocks after the first up to the last but one. Fewer than 3 non-empty blocks
    # (a tiny run): from the block before the first to the last, marked not steady.
    if len(busy) >= 3:
        start, end = busy[0], busy[-2]
        res["steady"] = True
    else:
        before = [m for m in ph.metas if m[0] < busy[0][0]]
        start, end = (before[-1] if before else busy[0]), busy[-1]
        res["steady"] = False
    if end[1] <= start[1]:
        return {"tx_per_s": None, "window_s": 0.0, "window_blocks": 0, "steady": False}
    inside = [m for m in ph.metas if start[0] < m[0] <= end[0]]
    txs = sum(m[2] for m in inside)
    span = (end[1] - start[1]) / 1e9
    times = [m for m in ph.metas if start[0] <= m[0] <= end[0]]
    intervals = [(b[1] - a[1]) / 1e9 for a, b in zip(times, times[1:], strict=False)]
    res.update({
        "tx_per_s": round(txs / span, 1), "window_s": round(span, 2),
        "window_at_least_30s": span >= 30.0,
        "window_blocks": len(inside), "window_txs": txs,
        "block_interval_s": _stats(intervals), "txs_per_block": _stats(
            [float(m[2]) for m in inside], 0),
        "per_block": [{"height": b[0], "txs": b[2], "interval_s": round((b[1] - a[1]) / 1e9, 3)}
                      for a, b in zip(ph.metas, ph.metas[1:], strict=False)],
    })
    # CPU over the same blocks. A header's time is BFT time (about when the block before it
    # committed), so the work on blocks (start, end] lies between the headers of the blocks
    # after start and after end.
    times_by_h = {m[0]: m[1] for m in ph.metas}
    t_a = times_by_h.get(start[0] + 1, start[1]) / 1e9
    t_b = times_by_h.get(end[0] + 1, end[1]) / 1e9
    s = ph.sampler.samples
    cpu = {role: (_interp(s, t_b, lambda d, r=role: d.get(r, 0.0))
                  - _interp(s, t_a, lambda d, r=role: d.get(r, 0.0))) for role in s[0][1]}
    res["cpu_us_per_tx"] = {role: round(v / txs * 1e6, 1) for role, v in cpu.items()}
    res["cpu_us_per_tx"]["total"] = round(sum(v for r, v in cpu.items()
                                              if not r.endswith("_node0")) / txs * 1e6, 1)
    res["cpu_cores_used"] = {role: round(v / span, 2) for role, v in cpu.items()}
    if ph.sampler.stats:
        st = ph.sampler.stats
        kinds = sorted({k for _, d in st for k in d})
        stages = {}
        for k in kinds:
            def get(d: dict[str, Any], k: str = k, f: str = "cpu_s") -> float:
                return float(d.get(k, {}).get(f, 0.0))
            c = _interp(st, t_b, get) - _interp(st, t_a, get)
            w = (_interp(st, t_b, lambda d, k=k: get(d, k, "wall_s"))
                 - _interp(st, t_a, lambda d, k=k: get(d, k, "wall_s")))
            nreq = (_interp(st, t_b, lambda d, k=k: get(d, k, "n"))
                    - _interp(st, t_a, lambda d, k=k: get(d, k, "n")))
            if nreq > 0 or c > 0:
                stages[k] = {"cpu_us_per_tx": round(c / txs * 1e6, 1),
                             "wall_us_per_tx": round(w / txs * 1e6, 1),
                             "requests": round(nreq)}
        app_total = cpu.get("app_node0", cpu.get("app", 0.0)) / txs * 1e6  # node0's stages
        inside_handlers = sum(v["cpu_us_per_tx"] for v in stages.values())
        stages["other"] = {"cpu_us_per_tx": round(app_total - inside_handlers, 1),
                           "note": "event loop, framing, socket I/O, GC outside the handlers"}
        res["app_stages"] = stages
    return res


def latency(ph: Phase, rate: float) -> dict[str, Any]:
    out = ph.out
    arrive = {h: t for h, t, _ in out["blocks"]}
    # Each tx's latency in two parts: intake (send to CheckTx's answer) and the wait from
    # that answer to its block's commit, so a reader sees which part a high percentile is.
    lat, intake, after = [], [], []
    for i, d in enumerate(ph.digests):
        if i in ph.first_missing:
            continue
        loc = ph.where.get(d)
        if loc is None or loc[0] not in arrive:
            continue
        lat.append(arrive[loc[0]] - out["t_send"][i])
        intake.append(out["t_answer"][i] - out["t_send"][i])
        after.append(arrive[loc[0]] - out["t_answer"][i])
    for xs in (lat, intake, after):
        xs.sort()

    def pct(xs: list[float], q: float) -> float | None:
        return round(xs[min(len(xs) - 1, int(q * len(xs)))], 3) if xs else None
    # the interval over the blocks that hold the phase's txs (event arrival times)
    held = [loc[0] for d in ph.digests if (loc := ph.where.get(d)) is not None
            and loc[0] in arrive]
    lo, hi = (min(held), max(held)) if held else (0, 0)
    return {"rate": rate, "offered": len(ph.txs), "achieved_rate":
            round(len(ph.txs) / max(out["t_last"] - out["t_first"], 1e-9), 1),
            "measured": len(lat), "p50_s": pct(lat, 0.5), "p99_s": pct(lat, 0.99),
            "max_s": round(lat[-1], 3) if lat else None,
            "intake_p50_s": pct(intake, 0.5), "intake_p99_s": pct(intake, 0.99),
            "after_answer_p50_s": pct(after, 0.5), "after_answer_p99_s": pct(after, 0.99),
            "block_interval_mean_s": round((arrive[hi] - arrive[lo]) / (hi - lo), 3)
            if hi > lo else None}


def run_app(app: str, args: argparse.Namespace, txs_all: list[bytes], senders_all: list[int],
            overrides: dict[str, Any], base_port: int, roles: Any = None) -> dict[str, Any]:
    home = Path(args.home or ".bench/e2e").resolve() / app
    work = home / "work"
    load_before = os.getloadavg()
    hook = (lambda st: roles.extend_genesis(st, lambda i: _sender_key(i).bech32)) if roles else None
    net = Net(app, home, args.validators, base_port, overrides, args.senders, hook)
    work.mkdir(parents=True, exist_ok=True)
    room = args.room or int(0.8 * mempool_size(Path(net.nodes[0].home) / "config" /
                                                "config.toml"))
    result: dict[str, Any] = {"app": app, "load_avg_before": [round(x, 2) for x in load_before],
                              "room": room}
    feeder = None
    try:
        net.start()
        h_first = height(net.url)
        if roles:
            feeder = e2etrade.PriceFeeder(net.url, roles, CHAIN_ID, SENDER_SEED_BASE)
            feeder.start()
        k = 0
        ph = Phase(net, work, "throughput", txs_all[: args.txs], senders_all[: args.txs],
                   rate=0, room=room, connections=args.connections)
        tp = ph.run()
        tp.update(throughput(ph))
        client_cpu = cpu_delta_client(ph)
        tp["client_cpu_us_per_request"] = round(client_cpu / len(ph.txs) * 1e6, 1)
        tp["client_answered_per_s"] = round(
            sum(1 for c in ph.out["codes"] if c != -2)
            / max(max(ph.out["t_answer"]) - ph.out["t_first"], 1e-9), 1)
        result["throughput"] = tp
        k = args.txs
        result["latency"] = []
        for rate in args.latency_rates:
            n = int(rate * args.latency_s)
            ph = Phase(net, work, f"latency-{rate}", txs_all[k : k + n],
                       senders_all[k : k + n], rate=rate, room=room,
                       connections=args.connections)
            res = ph.run()
            res.update(latency(ph, rate))
            result["latency"].append(res)
            k += n
        result["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
        if feeder:
            feeder.stop.set()
            feeder.join()
            wait_drained(net.url)
            # until the round of the feeder's last submissions has closed
            h_close = (height(net.url) // e2etrade.ROUND_BLOCKS + 1) * e2etrade.ROUND_BLOCKS
            while height(net.url) <= h_close:
                time.sleep(0.5)
            result["trade"] = trade_outcome(net.url, feeder, h_first)
    finally:
        if feeder:
            feeder.stop.set()
        net.stop()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    return result


def cpu_delta_client(ph: Phase) -> float:
    s = [x for x in ph.sampler.samples if x[1].get("client")]
    return (s[-1][1]["client"] - s[0][1]["client"]) if len(s) >= 2 else 0.0


# -- entry point ---------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> int:
    try:
        overrides = parse_overrides(args.set or [])
        args.latency_rates = [float(r) for r in str(args.latency_rates).split(",") if r.strip()]
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.plot:
        from app.bench import plot  # lazy: matplotlib is optional (the bench extra)

        if not plot.available():
            print(f"error: {plot.MISSING}", file=sys.stderr)
            return 2
    if args.validators < 1 or args.txs < 10 or args.senders < 2 or args.connections < 1:
        print("error: --validators >= 1, --txs >= 10, --senders >= 2, --connections >= 1",
              file=sys.stderr)
        return 2
    total = args.txs + sum(int(r * args.latency_s) for r in args.latency_rates)
    root = Path(args.home or ".bench/e2e").resolve()
    uptime = _uptime()
    roles = None
    if args.mix == "trade":
        try:
            roles = e2etrade.Roles(args.senders, e2etrade.oracles_for(5_000),
                                   args.connections)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        txs, senders, mix_counts = sign_trade(total, roles, root.parent / "e2e-cache")
    else:
        txs = sign_all(total, args.senders, root.parent / "e2e-cache")
        senders = [i % args.senders for i in range(total)]
    sizes = sorted(len(t) for t in txs)
    out: dict[str, Any] = {
        "validators": args.validators, "mix": args.mix, "senders": args.senders,
        "connections": args.connections, "config_overrides": overrides,
        "tx_bytes": {"min": sizes[0], "median": sizes[len(sizes) // 2], "max": sizes[-1]},
        "cpus": os.cpu_count(), "uptime_before": uptime,
    }
    if roles:
        out["offered_by_kind"] = mix_counts
    try:
        out["fictra"] = run_app("fictra", args, txs, senders, overrides, args.base_port, roles)
    except RuntimeError as e:
        progress("")
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.baseline:
        try:
            out["kvstore"] = run_app(args.baseline, args, kvstore_txs(txs), senders, overrides,
                                     args.base_port + 500)
        except RuntimeError as e:  # fictra's figures are still reported
            progress("")
            print(f"error: the {args.baseline} baseline: {e}", file=sys.stderr)
            out["baseline_error"] = str(e)
    if "kvstore" in out:
        f, k = out["fictra"]["throughput"], out["kvstore"]["throughput"]
        if f.get("tx_per_s") and k.get("tx_per_s"):
            out["ratio_fictra_kvstore"] = round(f["tx_per_s"] / k["tx_per_s"], 3)
        out["client_ceiling"] = {
            "answered_per_s_vs_kvstore": k.get("client_answered_per_s"),
            "cpu_us_per_request": k.get("client_cpu_us_per_request"),
            "one_core_estimate_per_s": round(1e6 / k["client_cpu_us_per_request"])
            if k.get("client_cpu_us_per_request") else None,
        }
    out["ok"] = all(r["throughput"]["lost"] == 0 and not r["throughput"]["failed_codes"]
                    and all(x["lost"] == 0 and not x["failed_codes"] for x in r["latency"])
                    for r in (out["fictra"], out.get("kvstore") or out["fictra"]))
    if roles:
        out["ok"] = out["ok"] and out["fictra"]["trade"]["prices"]["failed_codes"] == {}
    progress("")
    if args.plot:
        from app.bench.plot import plot  # lazy: matplotlib is optional (the bench extra)

        plot(out, Path(args.plot))
    if args.json:
        print(json.dumps(out))
    else:
        print(summary(out))
    return 0 if out["ok"] and "baseline_error" not in out else 1


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def summary(out: dict[str, Any]) -> str:
    lines = [f"fictra bench e2e: {out['validators']} validator(s), {out['mix']}, "
             f"{out['senders']} senders, {out['connections']} connections, txs "
             f"{out['tx_bytes']['median']} B; {out['uptime_before']}"]
    if out["config_overrides"]:
        lines.append(f"  config overrides: {out['config_overrides']}")
    for app in ("fictra", "kvstore"):
        r = out.get(app)
        if not r:
            continue
        tp = r["throughput"]
        lines.append(f"{r['app']} (load before {r['load_avg_before'][0]}, after "
                     f"{r.get('load_avg_after', ['?'])[0]}):")
        if tp.get("tx_per_s"):
            bi, tb = tp["block_interval_s"], tp["txs_per_block"]
            lines.append(
                f"  committed {tp['tx_per_s']:,.0f} tx/s over {tp['window_s']} s "
                f"({tp['window_blocks']} blocks, {tp['window_txs']:,} txs); block interval "
                f"{bi['mean']} s (min {bi['min']}, max {bi['max']}); txs per block "
                f"{tb['mean']:,.0f} (min {tb['min']:,.0f}, max {tb['max']:,.0f})")
            cpu = tp["cpu_us_per_tx"]
            lines.append("  CPU per committed tx: " + ", ".join(
                f"{k} {v} us" for k, v in cpu.items()) + "; cores busy: " + ", ".join(
                f"{k} {v}" for k, v in tp["cpu_cores_used"].items()))
            if tp.get("app_stages"):
                lines.append("  node0's app by stage (CPU us/tx): " + ", ".join(
                    f"{k} {v['cpu_us_per_tx']}" for k, v in tp["app_stages"].items()))
        else:
            lines.append("  no committed blocks to measure")
        if tp.get("tx_per_s") and not tp.get("window_at_least_30s"):
            lines.append(f"  (window under 30 s{'' if tp['steady'] else ', not steady'}: "
                         "offer more --txs for a figure to quote)")
        lines.append(f"  offered {tp['offered']:,}, committed {tp['committed']:,}, ok "
                     f"{tp['committed_ok']}, lost {tp['lost']}, re-offered {tp['reoffered']}, "
                     f"failed codes {tp['failed_codes'] or 'none'}; client answered "
                     f"{tp['client_answered_per_s']:,.0f} req/s at "
                     f"{tp['client_cpu_us_per_request']} us CPU each")
        if r.get("trade"):
            t, pr = r["trade"], r["trade"]["prices"]
            lines.append(f"  trade mix offered {out.get('offered_by_kind')}; price submissions "
                         f"{pr['committed']:,} committed of {pr['accepted']:,} accepted "
                         f"({pr['oracles']} oracles; failed codes {pr['failed_codes'] or 'none'},"
                         f" refused by CheckTx {pr['refused_by_checktx'] or 'none'}, unmet "
                         f"{pr['unmet']}, left for a closing round "
                         f"{pr['skipped_round_closing']}); {t['purchases_settled']:,} purchases "
                         "settled; "
                         f"price rounds closed {t['price_rounds'] or 'none'}")
        for lt in r["latency"]:
            lines.append(f"  latency at {lt['rate']:,.0f} tx/s offered (achieved "
                         f"{lt['achieved_rate']:,.0f}): p50 {lt['p50_s']} s, p99 {lt['p99_s']} s,"
                         f" max {lt['max_s']} s ({lt['measured']:,} txs, lost {lt['lost']}, "
                         f"re-offered {lt['reoffered']})")
            if lt.get("intake_p99_s") is not None:
                lines.append(f"    send to CheckTx answer p50 {lt['intake_p50_s']} s, p99 "
                             f"{lt['intake_p99_s']} s; answer to commit p50 "
                             f"{lt['after_answer_p50_s']} s, p99 {lt['after_answer_p99_s']} s;"
                             f" blocks every {lt['block_interval_mean_s']} s meanwhile")
    if "ratio_fictra_kvstore" in out:
        lines.append(f"fictra / kvstore committed tx/s: {out['ratio_fictra_kvstore']}")
    if "client_ceiling" in out:
        c = out["client_ceiling"]
        lines.append(f"client ceiling: {c['answered_per_s_vs_kvstore']:,} req/s answered by "
                     f"kvstore, {c['cpu_us_per_request']} us CPU per request (one core: "
                     f"~{c['one_core_estimate_per_s']:,} req/s)")
    if "baseline_error" in out:
        lines.append(f"the baseline did not run: {out['baseline_error']}")
    lines.append("all offered txs committed with code 0" if out["ok"] else
                 "NOT all offered txs committed with code 0")
    return "\n".join(lines)
