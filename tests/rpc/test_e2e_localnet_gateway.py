"""``fictra localnet up`` starts one gateway and one indexer (recorded next to the nodes),
``status`` shows them, ``down`` stops them; the indexer killed and started again continues.
A one-validator localnet of its own. (That ``--no-gateway`` starts none is checked in
``tests/integration/test_localnet_cli.py``, whose localnets start without one.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rpc.indexer.db import Database
from tests.localnets import Procs, base_port_with_gateway, fictra, wait_until

pytestmark = pytest.mark.integration


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_up_status_down(tmp_path: Path, procs: Procs) -> None:
    home = procs.localnet(tmp_path / "net")
    base = base_port_with_gateway(1)
    try:
        out = fictra("localnet", "up", "--validators", "1", "--home", str(home), "--detach",
                     "--base-port", str(base)).stdout
        url = f"http://127.0.0.1:{base + 9}"
        assert f"wallet gateway {url}" in out
        status = json.loads(fictra("localnet", "status", "--home", str(home), "--json").stdout)
        gw = status["gateway"]
        assert gw["url"] == url and gw["alive"] and _alive(gw["pid"])
        env = {"FICTRA_LOCALNET_HOME": str(home), "FICTRA_KEYRING": str(tmp_path / "ring")}
        chain = json.loads(fictra("wallet", "status", "--json", env=env).stdout)  # found via
        assert chain["chain_id"] == "fictra-localnet" and chain["height"] >= 1  # localnet.json
    finally:
        down = fictra("localnet", "down", "--home", str(home), check=False).stdout
    assert "and the gateway" in down
    assert not _alive(gw["pid"])
    status = json.loads(fictra("localnet", "status", "--home", str(home), "--json").stdout)
    assert status["gateway"]["alive"] is False


def test_up_again_after_down_keeps_the_gateway_port(tmp_path: Path, procs: Procs) -> None:
    home = procs.localnet(tmp_path / "net")
    base = base_port_with_gateway(1)
    port = base + 7  # unused by the node (base, base + 1), not the default base + 9
    try:
        first = fictra("localnet", "up", "--validators", "1", "--home", str(home), "--detach",
                       "--base-port", str(base), "--gateway-port", str(port)).stdout
        assert f"wallet gateway http://127.0.0.1:{port}" in first
        fictra("localnet", "down", "--home", str(home))
        again = fictra("localnet", "up", "--home", str(home), "--detach").stdout
        assert f"wallet gateway http://127.0.0.1:{port}" in again
        assert "starting 1 validator (" in again
    finally:
        fictra("localnet", "down", "--home", str(home), check=False)



def test_the_indexer_starts_stops_and_resumes_with_the_localnet(tmp_path: Path,
                                                                procs: Procs) -> None:
    home = procs.localnet(tmp_path / "net")
    base = base_port_with_gateway(1)

    def status() -> dict:
        return json.loads(fictra("localnet", "status", "--home", str(home), "--json").stdout)

    try:
        out = fictra("localnet", "up", "--validators", "1", "--home", str(home), "--detach",
                     "--base-port", str(base)).stdout
        assert f"indexer {home.resolve() / 'index.sqlite'}" in out
        idx = status()["indexer"]
        assert idx["alive"] and _alive(idx["pid"])
        assert idx["metrics"] == f"http://127.0.0.1:{base + 8}/metrics"
        wait_until(lambda: (status()["indexer"].get("height") or 0) >= 2, "indexed blocks")
        killed = fictra("localnet", "kill", "indexer", "--home", str(home)).stdout
        assert f"indexer killed (pid {idx['pid']})" in killed
        assert status()["indexer"]["alive"] is False
        db = Database(str(home / "index.sqlite"), readonly=True)
        at_kill = db.last_height()
        db.close()
        fictra("localnet", "start", "indexer", "--home", str(home))
        wait_until(lambda: (status()["indexer"].get("height") or 0) > at_kill + 2,
                   "the indexer to continue")
        log = fictra("localnet", "logs", "indexer", "--home", str(home)).stdout
        assert log.count("indexing from height") == 2
        idx = status()["indexer"]
    finally:
        down = fictra("localnet", "down", "--home", str(home), check=False).stdout
    assert "and the indexer and the gateway" in down
    assert not _alive(idx["pid"])
    assert status()["indexer"]["alive"] is False
