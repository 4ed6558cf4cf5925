"""Helpers for tests that run real cometbft processes: free ports, waiting for the chain, the
``fictra`` CLI as a subprocess, and process bookkeeping so that nothing a test started
outlives it (``Procs``) or the session (``leftover_processes``)."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.crypto import Key
from app.node.cometrpc import RpcError, call
from app.node.localnet import Localnet
from genesis.network import APP_METRICS_OFFSET, COMETBFT_METRICS_OFFSET, PORTS_PER_NODE

ROOT = Path(__file__).resolve().parents[1]
WALLET_ENV = {"FICTRA_GATEWAY", "FICTRA_KEYRING", "FICTRA_PASSPHRASE", "FICTRA_LOCALNET_HOME",
              "FICTRA_API_KEY"}
STOP_GRACE_S = 30.0
SHARED_CHAIN_ID = "fictra-test"
SNAPSHOT_INTERVAL = 5  # the shared localnet's, so that a node can state-sync from it soon
TEST_KEY = "test-key"  # an unlimited tier, so the tests are not rate limited
FREE_KEY = "free-key"
GATEWAY_TOML = f"""
[tiers.TEST]
rate = 0
burst = 1

[api_keys]
"{TEST_KEY}" = "TEST"
"{FREE_KEY}" = "FREE"
"""

# Concurrent test sessions on one machine start at different blocks, so that two of them rarely
# pick the same free range at once.
_port_blocks = itertools.count(os.getpid() % 60)


# What a node listens on, as offsets in its range: P2P, RPC, the app's and CometBFT's metrics.
_NODE_OFFSETS = (0, 1, APP_METRICS_OFFSET, COMETBFT_METRICS_OFFSET)


def free_base_port(nodes: int) -> int:
    """A base port whose whole range (10 ports per node) is free on 127.0.0.1."""
    for _ in range(200):
        base = 30000 + 500 * (next(_port_blocks) % 60)
        ports = range(base, base + PORTS_PER_NODE * nodes)
        if all(_free(p) for p in ports if p % PORTS_PER_NODE in _NODE_OFFSETS):
            return base
    raise RuntimeError("no free port range")


def base_port_with_gateway(nodes: int) -> int:
    """A free base port whose gateway and indexer ports (base + 9 and base + 8, what
    `localnet up` picks) are free too."""
    for _ in range(20):
        base = free_base_port(nodes)
        if _free(base + 9) and _free(base + 8):
            return base
    raise RuntimeError("no free port range for a localnet with its gateway")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def transfers_until_exit(url: str, chain_id: str, sender: Key, proc: subprocess.Popen,
                         *, wait_commit: bool) -> list[int]:
    """1-PT transfers from ``sender`` to new addresses, one after another, until ``proc`` (a
    node started with a halt height) exits; for each accepted one its block's height
    (``wait_commit``: ``broadcast_tx_commit``) or 0 (``broadcast_tx_sync``)."""
    import base64

    from app.params import UNIT
    from app.tx.builder import build_signed, send

    params = app_info(url, "/params")
    method = "broadcast_tx_commit" if wait_commit else "broadcast_tx_sync"
    heights: list[int] = []
    while proc.poll() is None:
        raw = build_signed(sender, chain_id, len(heights), [send(Key.generate().address, UNIT)],
                           base_fee=int(params["base_fee"]),
                           fee_per_byte=int(params["fee_per_byte"]))
        try:
            res = call(url, method, timeout=30, tx=base64.b64encode(raw).decode())
        except (RpcError, OSError):
            break  # the node halted meanwhile
        if wait_commit and res["tx_result"].get("code", 0) == 0 and int(res["height"]):
            heights.append(int(res["height"]))
        elif not wait_commit and res.get("code", 0) == 0:
            heights.append(0)
    return heights


def height(url: str) -> int:
    try:
        return int(call(url, "status", timeout=2)["sync_info"]["latest_block_height"])
    except RpcError:
        return -1


def app_height(url: str) -> int:
    """The last height the app has committed (``abci_info``): CometBFT's ``status`` reports a
    block once it is stored, which is before the app has executed and committed it."""
    try:
        return int(call(url, "abci_info", timeout=2)["response"].get("last_block_height", 0))
    except RpcError:
        return -1


def scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """A Prometheus endpoint's samples: name -> [(labels, value)] ({} if it does not answer)."""
    # imported here: only the metrics tests parse Prometheus text
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return {}
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def wait_until(pred: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    """Wait for a condition that the network must reach; a hang guard, not a speed check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def app_info(url: str, path: str) -> dict:
    """The JSON ``info`` of an app query at the latest height, once the app has committed a
    block: CometBFT reports block 1 as soon as it is stored, before the app commits it."""
    answer: dict = {}

    def committed() -> bool:
        answer.clear()
        answer.update(call(url, "abci_query", path=path, data="")["response"])
        return not answer.get("code")

    wait_until(committed, f"the app to answer {path}")
    return json.loads(answer["info"])


def app_hash_after(url: str, h: int) -> str:
    """The app hash the app returned for block h (from its block results)."""
    return call(url, "block_results", height=str(h))["app_hash"]


def set_snapshot_interval(node_home: Path, interval: int) -> None:
    """Make the node in ``node_home`` take an app snapshot every ``interval`` blocks."""
    path = node_home / "config" / "app.toml"
    text = path.read_text().replace("snapshot_interval = 100", f"snapshot_interval = {interval}")
    assert f"snapshot_interval = {interval}" in text
    path.write_text(text)


def fictra(*args: str, env: dict[str, str] | None = None, check: bool = True,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``fictra`` CLI; the caller's own wallet settings (gateway, keyring, passphrase)
    do not leak in."""
    base = {k: v for k, v in os.environ.items() if k not in WALLET_ENV}
    proc = subprocess.run([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**base, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"fictra {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def stop_localnet(home: Path) -> None:
    """Stop the gateway and every node of the localnet in ``home``, and any cometbft a node
    left behind."""
    if not (home / "network.json").exists():
        return
    net = Localnet(home)
    net.stop_gateway()
    net.stop_indexer()
    net.stop_nodes()
    for node in net.nodes:
        _kill_recorded_cometbft(Path(node.home))


def _kill_recorded_cometbft(home: Path) -> None:
    try:
        pid = int(json.loads((home / "node.pids.json").read_text())["cometbft"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    cmdline = _cmdline(pid)
    if cmdline is not None and str(home).encode() in cmdline:
        os.kill(pid, signal.SIGKILL)


class Procs:
    """What one test started: processes and localnet homes, all stopped by ``close`` (a
    fixture finalizer) whatever the test's outcome."""

    def __init__(self) -> None:
        self.popens: list[subprocess.Popen] = []
        self.localnets: list[Path] = []
        self.node_homes: list[Path] = []

    def start(self, cmd: list[str], **kwargs: object) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, **kwargs)  # type: ignore[call-overload]
        self.popens.append(proc)
        return proc

    def fictra(self, *args: str, **kwargs: object) -> subprocess.Popen:
        """Start ``fictra ARGS`` in the background (its output in a pipe, as text)."""
        return self.start([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          **kwargs)

    def localnet(self, home: Path) -> Path:
        """Stop the localnet in ``home`` (nodes, gateway) at the end of the test."""
        self.localnets.append(Path(home))
        return Path(home)

    def node(self, home: Path) -> Path:
        """Kill the cometbft recorded in ``home`` if it is still alive at the end."""
        self.node_homes.append(Path(home))
        return Path(home)

    def close(self) -> None:
        for proc in self.popens:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.popens:
            try:
                proc.communicate(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
        for home in self.localnets:
            stop_localnet(home)
        for home in self.node_homes:
            _kill_recorded_cometbft(home)


def _cmdline(pid: int) -> bytes | None:
    """A live process's command line (NULs as separators), or None if gone or a zombie."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    if stat.rsplit(")", 1)[1].split()[0] == "Z":
        return None
    return cmdline


def _uses(pid: int, root: bytes) -> bool:
    """The process names ``root`` on its command line or has a file under it open on stdin,
    stdout or stderr (a node's or gateway's log)."""
    cmdline = _cmdline(pid)
    if cmdline is None:
        return False
    if root in cmdline:
        return True
    for fd in (0, 1, 2):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").encode().startswith(root):
                return True
        except OSError:
            continue
    return False


def leftover_processes(root: Path) -> dict[int, str]:
    """Live processes (other than this one) started from directories under ``root``."""
    prefix = str(root).rstrip("/").encode() + b"/"
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        pid = int(entry.name)
        if _uses(pid, prefix):
            out[pid] = (_cmdline(pid) or b"").replace(b"\0", b" ").decode(errors="replace")
    return out


def kill_leftovers(root: Path, grace: float = 5.0) -> dict[int, str]:
    """The processes still alive under ``root`` after ``grace`` seconds; each is killed."""
    deadline = time.monotonic() + grace
    left = leftover_processes(root)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = leftover_processes(root)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def gateway_url(net: Localnet) -> str:
    """The URL of the gateway ``fictra localnet up`` started for ``net``."""
    return str(json.loads((net.home / "localnet.json").read_text())["gateway"]["url"])
