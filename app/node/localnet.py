"""A localnet: N validator nodes on 127.0.0.1, each a ``fictra node start`` process.

The network lives in one directory (``network.json`` plus ``node0..``); ``localnet.json``
records the pid of each running node so ``status``, ``stop``, ``kill`` and ``down`` work from
any shell. It also records the wallet gateway (``fictra gateway`` in front of node0) under
``gateway``: its pid and URL; and the analytics indexer (``fictra indexer`` following the
gateway's node into ``index.sqlite`` in the home, or a PostgreSQL URL) under ``indexer``: its
pid, database and metrics URL. Observers (``observer0..``, full nodes outside the validator
set) are nodes like the others here; with any, the gateway and the indexer sit in front of
``observer0``.
``log_format`` is the format its processes log in.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.node.cometrpc import RpcError, call
from genesis.network import NodeInfo, load_network

STOP_GRACE_S = 20.0
KILL_GRACE_S = 60.0  # SIGKILL cannot be refused; longer means the machine is stuck
DEFAULT_GATEWAY_PORT = 8545
DEFAULT_INDEXER_PORT = 8546
INDEX_FILE = "index.sqlite"


@dataclass
class NodeStatus:
    name: str
    role: str
    pid: int | None
    cometbft_pid: int | None
    rpc: str
    alive: bool
    height: int | None = None
    app_hash: str | None = None
    catching_up: bool | None = None
    rss_mb: float | None = None
    metrics: dict[str, str | None] = field(default_factory=dict)  # "app", "cometbft": URLs

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def metrics_urls(home: Path) -> dict[str, str | None]:
    """Where the node in ``home`` serves Prometheus metrics, from its own config files: the
    app's (``[metrics] listen`` in app.toml) and CometBFT's (``instrumentation`` in
    config.toml); None for one switched off or unreadable."""
    # imported here: app.node.config loads the application, which no other localnet step needs
    from app.node.config import metrics_listen

    out: dict[str, str | None] = {"app": None, "cometbft": None}
    try:
        app = metrics_listen(home)
        out["app"] = f"http://{app[0]}:{app[1]}/metrics" if app else None
    except (OSError, ValueError):
        pass
    try:
        doc = tomllib.loads((Path(home) / "config" / "config.toml").read_text())
        instr = doc.get("instrumentation", {})
        host, _, port = str(instr.get("prometheus_listen_addr", "")).rpartition(":")
        if instr.get("prometheus") is True and port.isdigit():
            out["cometbft"] = f"http://{host or '127.0.0.1'}:{port}/metrics"
    except (OSError, ValueError):
        pass
    return out


def _cmdline(pid: int) -> list[bytes] | None:
    """The live process's arguments, or None if it is gone (or a zombie)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    if stat.rsplit(")", 1)[1].split()[0] == "Z":  # zombie: exited, not yet reaped
        return None
    return cmdline


def _is_node_process(pid: int, home: str) -> bool:
    cmdline = _cmdline(pid)
    return cmdline is not None and b"start" in cmdline and home.encode() in cmdline


def _is_gateway_process(pid: int, node_url: str) -> bool:
    cmdline = _cmdline(pid)
    return cmdline is not None and b"gateway" in cmdline and node_url.encode() in cmdline


def _is_indexer_process(pid: int, node_url: str) -> bool:
    cmdline = _cmdline(pid)
    return cmdline is not None and b"indexer" in cmdline and node_url.encode() in cmdline


def _rss_mb(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Localnet:
    def __init__(self, home: Path) -> None:
        self.home = home.resolve()
        self.chain_id, self.nodes = load_network(self.home)
        self.state_path = self.home / "localnet.json"
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self.gateway_proc: subprocess.Popen[bytes] | None = None
        self.indexer_proc: subprocess.Popen[bytes] | None = None

    # -- pid bookkeeping ---------------------------------------------------------
    def _pids(self) -> dict[str, int]:
        if not self.state_path.exists():
            return {}
        return json.loads(self.state_path.read_text()).get("nodes", {})

    def _save_pids(self, pids: dict[str, int]) -> None:
        self._save("nodes", pids)

    def _save(self, key: str, value: Any) -> None:
        data = {}
        if self.state_path.exists():
            data = json.loads(self.state_path.read_text())
        data[key] = value
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        os.replace(tmp, self.state_path)

    def node(self, name: str) -> NodeInfo:
        for n in self.nodes:
            if n.name == name:
                return n
        names = ", ".join(n.name for n in self.nodes)
        raise KeyError(f"no node {name!r} in this localnet (nodes: {names})")

    @property
    def log_format(self) -> str:
        """How the localnet's processes log (``fictra localnet up --log-format``)."""
        if not self.state_path.exists():
            return "plain"
        return str(json.loads(self.state_path.read_text()).get("log_format") or "plain")

    def set_log_format(self, fmt: str) -> None:
        self._save("log_format", fmt)

    def pid_of(self, name: str) -> int | None:
        pid = self._pids().get(name)
        if pid is not None and _is_node_process(pid, self.node(name).home):
            return pid
        return None

    # -- process control ---------------------------------------------------------
    def start_node(self, name: str, env: dict[str, str] | None = None) -> int:
        """Start a node (``env``: extra environment, e.g. a test fault switch)."""
        node = self.node(name)
        running = self.pid_of(name)
        if running:
            return running
        log = open(Path(node.home) / "node.log", "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "node", "start", "--home", node.home,
             "--log-format", self.log_format],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env={**os.environ, **env} if env else None,
        )
        log.close()
        self._procs[name] = proc
        pids = self._pids()
        pids[name] = proc.pid
        self._save_pids(pids)
        return proc.pid

    def exited(self, name: str) -> bool:
        """True once a node this object started has exited; for other nodes, when its pid is
        gone. (Right after the fork, /proc still shows the parent's command line, so the pid
        check alone would call a starting node dead.)"""
        proc = self._procs.get(name)
        if proc is not None:
            return proc.poll() is not None
        return self.pid_of(name) is None

    def signal_node(self, name: str, sig: int) -> int | None:
        pid = self.pid_of(name)
        if pid is None:
            return None
        os.kill(pid, sig)
        return pid

    def wait_exit(self, names: list[str], timeout: float) -> list[str]:
        """Wait for nodes to exit; return the ones still alive."""
        deadline = time.monotonic() + timeout
        alive = list(names)
        while alive and time.monotonic() < deadline:
            alive = [n for n in alive if self.pid_of(n) is not None]
            _reap()
            if alive:
                time.sleep(0.1)
        return alive

    def stop_nodes(self, names: list[str] | None = None) -> list[str]:
        names = names if names is not None else [n.name for n in self.nodes]
        stopped = [n for n in names if self.signal_node(n, signal.SIGTERM)]
        for name in self.wait_exit(stopped, STOP_GRACE_S):
            self.signal_node(name, signal.SIGKILL)
        self._wait_killed(stopped)
        return stopped

    def kill_node(self, name: str) -> int | None:
        pid = self.signal_node(name, signal.SIGKILL)
        if pid:
            self._wait_killed([name])
        return pid

    def _wait_killed(self, names: list[str]) -> None:
        for name in names:
            _wait_gone(lambda name=name: self.pid_of(name), name)

    # -- observation -------------------------------------------------------------
    def status(self, timeout: float = 1.0) -> list[NodeStatus]:
        out = []
        for node in self.nodes:
            pid = self.pid_of(node.name)
            cmt_pid = None
            pid_file = Path(node.home) / "node.pids.json"
            if pid and pid_file.exists():
                try:
                    cmt_pid = json.loads(pid_file.read_text()).get("cometbft")
                except ValueError:
                    cmt_pid = None
            st = NodeStatus(node.name, node.role, pid, cmt_pid, node.rpc_url, pid is not None,
                            metrics=metrics_urls(Path(node.home)))
            if pid:
                st.rss_mb = round(_rss_mb(pid) + _rss_mb(cmt_pid), 1)
                try:
                    info = call(node.rpc_url, "status", timeout=timeout)["sync_info"]
                    st.height = int(info["latest_block_height"])
                    st.app_hash = info["latest_app_hash"]
                    st.catching_up = bool(info["catching_up"])
                except RpcError:
                    pass
            out.append(st)
        return out

    # -- the wallet gateway -------------------------------------------------------
    @property
    def validators(self) -> list[NodeInfo]:
        return [n for n in self.nodes if n.role == "validator"]

    @property
    def observers(self) -> list[NodeInfo]:
        return [n for n in self.nodes if n.role == "observer"]

    def gateway_node(self) -> NodeInfo:
        """The node the gateway calls: the first observer, else node0."""
        return (self.observers or self.nodes)[0]

    def default_gateway_port(self) -> int:
        """8545 for the default ports; otherwise a port in node0's unused range."""
        base = self.nodes[0].p2p_port
        return DEFAULT_GATEWAY_PORT if base == 26656 else base + 9

    def _gateway_record(self) -> dict[str, Any]:
        if not self.state_path.exists():
            return {}
        return json.loads(self.state_path.read_text()).get("gateway") or {}

    def _remembered_gateway_port(self) -> int | None:
        url = str(self._gateway_record().get("url") or "")
        port = url.rpartition(":")[2]
        return int(port) if port.isdigit() else None

    def gateway_pid(self) -> int | None:
        rec = self._gateway_record()
        pid = rec.get("pid")
        if pid and _is_gateway_process(pid, rec.get("node", "")):
            return int(pid)
        return None

    def gateway_status(self) -> dict[str, Any] | None:
        rec = self._gateway_record()
        if not rec:
            return None
        pid = self.gateway_pid()
        url = rec.get("url")
        return {"url": url, "pid": pid, "alive": pid is not None,
                "explorer": f"{url}/explorer/", "metrics": f"{url}/metrics" if url else None}

    def start_gateway(self, port: int | None = None, extra_args: list[str] | None = None,
                      index: str | None = None) -> str:
        """Start ``fictra gateway`` in front of ``gateway_node()`` (its log:
        ``<home>/gateway.log``), reading history and analytics from the ``index`` database if
        given; returns its URL. A ``gateway.toml`` in the home is passed as its config."""
        node_url = self.gateway_node().rpc_url
        running = self.gateway_pid()
        if running:
            return str(self._gateway_record()["url"])
        # A port chosen once is kept: `localnet up` after `down` comes back on the same URL.
        port = port or self._remembered_gateway_port() or self.default_gateway_port()
        url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "app.cli.main", "gateway", "--node", node_url,
               "--listen", f"127.0.0.1:{port}", "--log-format", self.log_format]
        if index:
            cmd += ["--index", index]
        config = self.home / "gateway.toml"
        if config.exists():
            cmd += ["--config", str(config)]
        log = open(self.home / "gateway.log", "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(cmd + (extra_args or []), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.gateway_proc = proc  # tells a crash even before its command line is visible
        self._save("gateway", {"pid": proc.pid, "url": url, "node": node_url})
        return url

    def gateway_exited(self) -> bool:
        return self.gateway_proc is not None and self.gateway_proc.poll() is not None

    def stop_gateway(self) -> int | None:
        pid = self.gateway_pid()
        if pid is None:
            return None
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10.0
        while self.gateway_pid() is not None and time.monotonic() < deadline:
            _reap()
            time.sleep(0.1)
        if self.gateway_pid() is not None:
            os.kill(pid, signal.SIGKILL)
            _wait_gone(self.gateway_pid, "the gateway")
        _reap()
        return pid

    # -- the analytics indexer ----------------------------------------------------------
    def _indexer_record(self) -> dict[str, Any]:
        if not self.state_path.exists():
            return {}
        return json.loads(self.state_path.read_text()).get("indexer") or {}

    def default_indexer_port(self) -> int:
        base = self.nodes[0].p2p_port
        return DEFAULT_INDEXER_PORT if base == 26656 else base + 8

    def index_db(self) -> str:
        """The index's database URL: the one given to ``start_indexer`` before, or the
        SQLite file in the home."""
        return str(self._indexer_record().get("db") or self.home / INDEX_FILE)

    def indexer_pid(self) -> int | None:
        rec = self._indexer_record()
        pid = rec.get("pid")
        if pid and _is_indexer_process(pid, rec.get("node", "")):
            return int(pid)
        return None

    def indexer_status(self) -> dict[str, Any] | None:
        rec = self._indexer_record()
        if not rec:
            return None
        pid = self.indexer_pid()
        from rpc.indexer.db import describe  # imported here: only status lines need it

        return {"pid": pid, "alive": pid is not None, "db": describe(str(rec.get("db"))),
                "metrics": rec.get("metrics"), "node": rec.get("node")}

    def start_indexer(self, db: str | None = None) -> str:
        """Start ``fictra indexer`` following ``gateway_node()`` (its log:
        ``<home>/indexer.log``) into ``db`` (default: the one used before, else
        ``<home>/index.sqlite``); returns the database URL."""
        node_url = self.gateway_node().rpc_url
        db = db or self.index_db()
        if self.indexer_pid():
            return str(self._indexer_record()["db"])
        port = self.default_indexer_port()
        metrics = f"http://127.0.0.1:{port}/metrics"
        cmd = [sys.executable, "-m", "app.cli.main", "indexer", "--node", node_url,
               "--db", db, "--listen", f"127.0.0.1:{port}", "--log-format", self.log_format]
        log = open(self.home / "indexer.log", "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.indexer_proc = proc
        self._save("indexer", {"pid": proc.pid, "db": db, "metrics": metrics,
                               "node": node_url})
        return db

    def indexer_exited(self) -> bool:
        return self.indexer_proc is not None and self.indexer_proc.poll() is not None

    def kill_indexer(self) -> int | None:
        """SIGKILL the indexer (a crash test)."""
        pid = self.indexer_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            _wait_gone(self.indexer_pid, "the indexer")
        return pid

    def stop_indexer(self) -> int | None:
        pid = self.indexer_pid()
        if pid is None:
            return None
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10.0
        while self.indexer_pid() is not None and time.monotonic() < deadline:
            _reap()
            time.sleep(0.1)
        if self.indexer_pid() is not None:
            os.kill(pid, signal.SIGKILL)
            _wait_gone(self.indexer_pid, "the indexer")
        _reap()
        return pid

    def first_live_rpc(self) -> str | None:
        for node in self.nodes:
            if self.pid_of(node.name):
                return node.rpc_url
        return None


def _wait_gone(pid_of: Callable[[], int | None], what: str) -> None:
    """Wait for a SIGKILLed process to be gone. It can take seconds (it finishes a disk write
    first on a busy machine), and a process started in its place before then would be taken
    for it ("already running")."""
    deadline = time.monotonic() + KILL_GRACE_S
    while pid_of() is not None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} still running {KILL_GRACE_S:.0f} s after SIGKILL")
        _reap()
        time.sleep(0.05)


def _reap() -> None:
    """Collect exited children so they do not linger as zombies."""
    try:
        while True:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
    except ChildProcessError:
        pass
