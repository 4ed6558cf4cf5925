"""A real 4-validator localnet started by ``fictra localnet up`` (nodes and gateway), shared
by the end-to-end tests of this package, with helpers to call the gateway and the wallet CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from genesis.network import new_network
from tests.integration.conftest import free_base_port

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = "test-key"  # an unlimited tier, so the tests are not rate limited
FREE_KEY = "free-key"
WALLET_ENV = {"FICTRA_GATEWAY", "FICTRA_KEYRING", "FICTRA_PASSPHRASE", "FICTRA_LOCALNET_HOME",
              "FICTRA_API_KEY"}

GATEWAY_TOML = f"""
[tiers.TEST]
rate = 0
burst = 1

[api_keys]
"{TEST_KEY}" = "TEST"
"{FREE_KEY}" = "FREE"
"""


def fictra(*args: str, env: dict[str, str] | None = None, check: bool = True,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # The caller's own wallet settings (gateway, keyring, passphrase) must not leak in.
    base = {k: v for k, v in os.environ.items() if k not in WALLET_ENV}
    proc = subprocess.run([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**base, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"fictra {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


@dataclass
class Net:
    home: Path
    url: str
    chain_id: str

    def post(self, body: Any, key: str | None = TEST_KEY, raw: bytes | None = None
             ) -> tuple[int, dict[str, str], Any]:
        """(HTTP status, headers, decoded JSON or None) of one POST to the gateway."""
        data = raw if raw is not None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if key:
            headers["X-API-Key"] = key
        req = urllib.request.Request(self.url, data, headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                text = resp.read()
                return resp.status, dict(resp.headers), json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            return e.code, dict(e.headers), json.loads(text) if text else None

    def call(self, method: str, *params: Any, key: str | None = TEST_KEY) -> Any:
        _, _, doc = self.post({"jsonrpc": "2.0", "id": 1, "method": method,
                               "params": list(params)}, key)
        if "error" in doc:
            raise AssertionError(f"{method}: {doc['error']}")
        return doc["result"]

    def cli_env(self, keyring: Path) -> dict[str, str]:
        return {"FICTRA_LOCALNET_HOME": str(self.home), "FICTRA_KEYRING": str(keyring),
                "FICTRA_PASSPHRASE": "a passphrase for tests", "FICTRA_API_KEY": TEST_KEY}


def base_port_with_gateway(nodes: int) -> int:
    """A free base port whose gateway port (base + 9, what `localnet up` picks) is free too."""
    for _ in range(20):
        base = free_base_port(nodes)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", base + 9))
            except OSError:
                continue
        return base
    raise RuntimeError("no free port range for a localnet with its gateway")


@pytest.fixture(scope="package")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    home = tmp_path_factory.mktemp("rpc-net")
    new_network(home, 4, "fictra-rpc", base_port=base_port_with_gateway(4))
    (home / "gateway.toml").write_text(GATEWAY_TOML)
    try:
        out = fictra("localnet", "up", "--home", str(home), "--detach").stdout
        assert "wallet gateway http://" in out, out
        state = json.loads((home / "localnet.json").read_text())
        yield Net(home, state["gateway"]["url"], "fictra-rpc")
    finally:
        fictra("localnet", "down", "--home", str(home), check=False)
