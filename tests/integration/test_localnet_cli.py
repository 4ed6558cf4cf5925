"""`fictra localnet up` in the foreground: a line per block, and Ctrl-C stops every process;
``--fresh`` replaces a running localnet, ``--no-gateway`` starts no gateway, and
``--log-format json`` makes its nodes log JSON objects."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from app.node.localnet import Localnet
from tests.localnets import Procs, fictra, free_base_port

pytestmark = pytest.mark.integration


def _up(procs: Procs, home: Path, base: int, *extra: str) -> subprocess.Popen[str]:
    """Start ``fictra localnet up`` (two validators, no gateway); whatever happens in the
    test, the process and the nodes it starts are stopped when the test ends."""
    procs.localnet(home)
    return procs.fictra("localnet", "up", "--validators", "2", "--home", str(home),
                        "--base-port", str(base), "--no-gateway", *extra)


def test_foreground_blocks_then_ctrl_c_stops_everything(tmp_path: Path, procs: Procs) -> None:
    home = tmp_path / "net"
    proc = _up(procs, home, free_base_port(2))
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:  # ends if the process dies: then the assertion below fails
        lines.append(line)
        if line.split()[:1] == ["3"]:  # the line for block 3
            break
    proc.send_signal(signal.SIGINT)
    out = "".join(lines) + proc.communicate(timeout=120)[0]
    assert proc.returncode == 0, out
    assert "block   txs  interval  app hash" in out
    assert "stopped 2 nodes" in out
    net = Localnet(home)
    assert all(net.pid_of(n.name) is None for n in net.nodes)


def test_fresh_replaces_a_running_localnet(tmp_path: Path, procs: Procs) -> None:
    home = tmp_path / "net"
    base = free_base_port(2)
    first = _up(procs, home, base, "--detach")
    out = first.communicate(timeout=180)[0]
    assert first.returncode == 0, out
    old = Localnet(home)
    old_pids = [old.pid_of(n.name) for n in old.nodes]
    assert all(old_pids)
    # --no-gateway: none started, none recorded
    status = json.loads(fictra("localnet", "status", "--home", str(home), "--json").stdout)
    assert status["gateway"] is None
    log0 = Path(old.nodes[0].home) / "node.log"
    assert not log0.read_text().startswith("{")  # plain lines by default
    again = _up(procs, home, base)  # without --fresh: refused, nothing touched
    assert again.communicate(timeout=60)[0].count("already running") == 1
    assert again.returncode == 2
    assert [old.pid_of(n.name) for n in old.nodes] == old_pids
    fresh = _up(procs, home, base, "--fresh", "--detach", "--log-format", "json")
    out = fresh.communicate(timeout=180)[0]
    assert fresh.returncode == 0, out
    assert "stopping the localnet still running" in out
    new = Localnet(home)
    new_pids = [new.pid_of(n.name) for n in new.nodes]
    assert all(new_pids) and not set(new_pids) & set(old_pids)
    assert new.log_format == "json"
    for node in new.nodes:  # the app's lines and cometbft's, each one JSON object
        text = (Path(node.home) / "node.log").read_text()
        lines = text[: text.rfind("\n")].splitlines()  # whole lines only: it is running
        modules = {json.loads(line)["module"] for line in lines if line.strip()}
        assert "fictra.node" in modules and "state" in modules, modules
    new.stop_nodes()
    assert all(new.pid_of(n.name) is None for n in new.nodes)
