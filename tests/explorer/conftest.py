"""Fixtures of the explorer's browser tests: a chain with transfers, a settled purchase and an
oracle price (on the shared localnet), a gateway in front of it for the browser, headless
Chromium."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.bench.browser import chromium
from app.bench.explorer import Scenario, populate
from app.crypto import Key, read_key_file
from app.node.localnet import Localnet
from tests.localnets import ROOT, TEST_KEY, gateway_url, wait_until

HISTORY_TXS = 25  # more than one page of the account's history (20 a page)


def rpc(url: str, method: str, *params: Any, api_key: str | None = TEST_KEY) -> Any:
    """One JSON-RPC call over HTTP; the result, or AssertionError with the error."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    headers = {"Content-Type": "application/json", **({"X-API-Key": api_key} if api_key else {})}
    req = urllib.request.Request(url, body.encode(), headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        answer = json.loads(resp.read())
    assert "error" not in answer, answer
    return answer["result"]


@dataclass
class Chain(Scenario):
    """What the tests put on the chain (``populate``), to find on the pages."""

    gateway: str = ""  # the localnet's own gateway (rate limited for anonymous callers)
    home: Path = Path()

    def key(self, name: str) -> Key:
        return read_key_file(self.home / "keys" / f"{name}.json")

    def call(self, method: str, *params: Any) -> Any:
        return rpc(self.gateway, method, *params)


@pytest.fixture(scope="module")
def chain(shared_localnet: Localnet) -> Chain:
    gateway, home = gateway_url(shared_localnet), Path(shared_localnet.home)
    s = asyncio.run(asyncio.wait_for(populate(gateway, home / "keys", TEST_KEY, HISTORY_TXS),
                                     300))
    return Chain(**vars(s), gateway=gateway, home=home)


@pytest.fixture(scope="module")
def explorer(shared_localnet: Localnet, chain: Chain) -> Iterator[str]:
    """The explorer's URL on a second gateway in front of node0 without rate limits, so that
    the browser (an anonymous caller) is never slowed down; same arguments as the localnet's
    own gateway otherwise (node0, the localnet's analytics index)."""
    with socket.socket() as sock:  # a port the system hands out: no test's block of ports
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "app.cli.main", "gateway", "--node",
           shared_localnet.nodes[0].rpc_url, "--listen", f"127.0.0.1:{port}", "--no-rate-limit",
           "--index", shared_localnet.index_db()]
    log = open(Path(shared_localnet.home) / "explorer-gateway.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            try:
                rpc(url, "fictra_status", api_key=None)
                return True
            except OSError:
                return False

        wait_until(up, "the explorer's gateway", 60)
        yield url + "/explorer/"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()
