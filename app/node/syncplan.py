"""How a starting node gets its state, said in one line: its own store, CometBFT state sync
(from peers' snapshots, or from the local seed of an imported snapshot), or block sync from
genesis; and the fallback from state sync to block sync when no snapshot is offered.

CometBFT v0.38's state sync never gives up by itself: with no snapshot offered it keeps
"discovering" for ever. So the node watches the app's snapshot offers; if none arrived
within ``[node] statesync_fallback_s`` seconds (app.toml, default 60), it stops cometbft,
writes ``statesync.enable = false`` to config.toml and starts cometbft again, which then
block-syncs from genesis.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.node.bootstrap import Seed, disable_statesync, read_config
from app.node.config import statesync_fallback_s

log = logging.getLogger("fictra.node")

_SEED_STOP_S = 15.0


class SyncPlan:
    def __init__(self, home: Path, app: Any, preexec: Callable[[], None] | None = None) -> None:
        self.home = Path(home)
        self.app = app
        self.preexec = preexec
        try:
            cfg = read_config(self.home)
        except (OSError, ValueError):  # cometbft itself says what is wrong with the file
            cfg = {}
        ss = cfg.get("statesync", {})
        self.empty = app.store.height == 0
        self.statesync = bool(ss.get("enable")) and self.empty
        self.trust_height = int(ss.get("trust_height") or 0)
        self.rpc_servers = str(ss.get("rpc_servers", ""))
        self.fallback_s = statesync_fallback_s(self.home)
        self.peers = str(cfg.get("p2p", {}).get("persistent_peers", ""))
        seed = Seed(self.home)
        self.seed = seed if self.statesync and seed.pending() else None
        self.seed_proc: asyncio.subprocess.Process | None = None

    def announce(self) -> None:
        if not self.empty:
            log.info("continuing from committed height %d", self.app.store.height)
        elif self.statesync:
            source = "the imported snapshot's local seed" if self.seed else "peers' snapshots"
            wait = (f"block sync from genesis if none is offered within {self.fallback_s} s"
                    if self.fallback_s else "no fallback to block sync (statesync_fallback_s 0)")
            log.info("state sync: restoring from %s, trust height %d from %s; %s", source,
                     self.trust_height, self.rpc_servers, wait)
        else:
            log.info("block sync: replaying the chain from genesis (state sync is off)")

    async def start_seed(self) -> str | None:
        """Start the local seed if there is one; the persistent peers cometbft then needs."""
        if self.seed is None or not self.statesync:
            return None
        address = self.seed.prepare()
        log_file = open(self.seed.home / "node.log", "ab")  # noqa: SIM115 - the child's
        try:
            self.seed_proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app.cli.main", "node", "start", "--home",
                str(self.seed.home), stdout=log_file, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, preexec_fn=self.preexec)
        finally:
            log_file.close()
        log.info("snapshot seed started (pid %d, peer %s)", self.seed_proc.pid, address)
        return ",".join(p for p in (self.peers, address) if p)

    async def stop_seed(self) -> None:
        proc = self.seed_proc
        if proc is None:
            return
        self.seed_proc = None
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), _SEED_STOP_S)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    async def watch(self) -> str:
        """Returns "fallback" when state sync found no snapshot in time; otherwise runs until
        cancelled, removing the seed once the app is restored."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        while True:
            await asyncio.sleep(1.0)
            store = self.app.store  # None while a restore runs
            restored = store is not None and store.height > 0
            if restored and self.seed is not None:
                await self.stop_seed()
                self.seed.remove()
                self.seed = None
                log.info("state restored from the imported snapshot at height %d; its local "
                         "seed is stopped and removed", store.height)
            if (self.statesync and self.fallback_s and store is not None and store.height == 0
                    and self.app.sync.offers == 0 and loop.time() - t0 >= self.fallback_s):
                return "fallback"

    def fall_back(self) -> None:
        log.warning("state sync: no snapshot was offered within %d s; falling back to block "
                    "sync from genesis (statesync.enable = false written to config.toml)",
                    self.fallback_s)
        disable_statesync(self.home)
        self.statesync = False
