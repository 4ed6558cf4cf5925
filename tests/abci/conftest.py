from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from abci.application import Application
from abci.server import AbciServer


class RunningServer:
    def __init__(self, app: Application, address: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.fatal: list[str] = []
        self.server = AbciServer(app, address, on_fatal=self.fatal.append)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Application], RunningServer]]:
    servers: list[RunningServer] = []

    def start(app: Application, address: str | None = None) -> RunningServer:
        srv = RunningServer(app, address or f"unix://{tmp_path}/abci.sock")
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()
