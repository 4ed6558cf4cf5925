"""Metrics and logs on the shared localnet: every node serves its app's and CometBFT's metrics
on ports of its own (``localnet status --json`` lists them, and the gateway's), the Grafana
dashboard names only metrics they serve, and the gateway logs plain lines or JSON objects."""

from __future__ import annotations

import json
import re
import signal
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from app.node.localnet import Localnet
from tests.localnets import (
    ROOT,
    TEST_KEY,
    Procs,
    fictra,
    gateway_url,
    scrape,
    wait_until,
)

pytestmark = pytest.mark.integration

DASHBOARD = ROOT / "docs" / "grafana" / "fictra.json"
METRIC = re.compile(r"\b(?:fictra_app|fictra_rpc|cometbft|process)_[a-z0-9_]+")


def dashboard_metrics() -> set[str]:
    """Every metric a query of the dashboard names."""
    found: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("expr", "query") and isinstance(v, str):
                    found.update(METRIC.findall(v))
                else:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(json.loads(DASHBOARD.read_text()))
    return found


def _call(url: str, method: str, key: str | None = TEST_KEY) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []})
    headers = {"Content-Type": "application/json", **({"X-API-Key": key} if key else {})}
    req = urllib.request.Request(url, body.encode(), headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def _value(samples: dict[str, list[tuple[dict[str, str], float]]], name: str,
           **labels: str) -> float:
    return sum(v for lab, v in samples.get(name, []) if labels.items() <= lab.items())


def test_every_node_serves_metrics_and_the_dashboard_names_only_those(
        shared_localnet: Localnet, tmp_path: Path) -> None:
    net = shared_localnet
    status = json.loads(fictra("localnet", "status", "--home", str(net.home), "--json").stdout)
    urls = [n["metrics"][k] for n in status["nodes"] for k in ("app", "cometbft")]
    assert all(urls) and len(set(urls)) == len(urls) == 2 * len(net.nodes)  # one port each
    gateway = status["gateway"]["metrics"]
    assert gateway == gateway_url(net) + "/metrics"
    app0, comet0 = status["nodes"][0]["metrics"]["app"], status["nodes"][0]["metrics"]["cometbft"]
    # a transfer and a refused call: the series of txs and of errors exist after them
    env = {"FICTRA_LOCALNET_HOME": str(net.home), "FICTRA_KEYRING": str(tmp_path / "ring"),
           "FICTRA_API_KEY": TEST_KEY}
    before = _value(scrape(app0), "fictra_app_txs_total", type="send", code="0")
    fictra("wallet", "send", "--from", "faucet", "council-1", "1PT", env=env)
    assert _call(gateway_url(net), "fictra_noSuchMethod")["error"]["code"] == -32601
    wait_until(lambda: _value(scrape(app0), "fictra_app_txs_total", type="send", code="0")
               > before, "the transfer counted by node0's app")
    wait_until(lambda: _value(scrape(app0), "fictra_app_snapshots") >= 1, "a snapshot held")

    app, comet, gw = scrape(app0), scrape(comet0), scrape(gateway)
    served = set(app) | set(comet) | set(gw)
    named = dashboard_metrics()
    assert {n.split("_")[0] + "_" + n.split("_")[1] for n in named} >= {
        "fictra_app", "fictra_rpc", "cometbft_consensus", "cometbft_mempool", "cometbft_p2p"}
    assert sorted(named - served) == []
    # what they say matches the chain
    assert _value(comet, "cometbft_p2p_peers") == len(net.nodes) - 1
    assert _value(comet, "cometbft_consensus_validators") == len(net.nodes)
    assert abs(_value(app, "fictra_app_height") - _value(comet, "cometbft_consensus_height")) <= 2
    assert _value(app, "fictra_app_check_tx_total", check="new", code="0") >= 1
    assert _value(gw, "fictra_rpc_errors_total", code="-32601") >= 1
    for node in status["nodes"][1:]:  # every validator answers on its own port
        assert _value(scrape(node["metrics"]["app"]), "fictra_app_height") >= 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gateway_logs_json_objects_or_plain_lines(shared_localnet: Localnet,
                                                  procs: Procs) -> None:
    plain = (shared_localnet.home / "gateway.log").read_text().splitlines()
    assert any(line.startswith("gateway listening on") for line in plain)  # the default
    assert not any(line.startswith("{") for line in plain)
    port = _free_port()
    proc = procs.fictra("gateway", "--node", shared_localnet.nodes[0].rpc_url, "--listen",
                        f"127.0.0.1:{port}", "--log-format", "json", "--log-level", "INFO")
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())
    assert first["module"] == "fictra.gateway" and first["level"] == "info"
    assert first["_msg"].startswith(f"gateway listening on http://127.0.0.1:{port}")
    assert "result" in _call(f"http://127.0.0.1:{port}", "fictra_chainId", key=None)
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=30)
    docs = [json.loads(line) for line in rest.splitlines() if line.strip()]  # each one JSON
    assert all({"ts", "level", "module", "_msg"} <= d.keys() for d in docs)
