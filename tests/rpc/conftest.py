"""The gateway end-to-end tests of this package run on the session's shared 4-validator
localnet (``tests/conftest.py``, started by ``fictra localnet up`` with its gateway); helpers to
call the gateway and the wallet CLI."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.node.localnet import Localnet
from tests.localnets import TEST_KEY, gateway_url


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


@pytest.fixture(scope="session")
def net(shared_localnet: Localnet) -> Iterator[Net]:
    yield Net(shared_localnet.home, gateway_url(shared_localnet), shared_localnet.chain_id)
