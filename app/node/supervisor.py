"""One validator: the ABCI app server plus a supervised ``cometbft`` child.

If either side exits the other is stopped and the exit says which and why: a half-alive
node is worse than a dead one. The child gets PR_SET_PDEATHSIG, so even a SIGKILL of this
process takes cometbft down with it.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from abci.server import AbciServer
from app.crypto import Key
from app.genesis import GenesisError, validate_app_state
from app.node import logs
from app.node.binaries import cometbft
from app.node.config import create_app, metrics_listen
from app.node.metered import MeteredApp
from app.node.metrics import MetricsServer
from app.node.syncplan import SyncPlan
from app.node.testfaults import FaultConfigError
from genesis.network import NetworkError, init_single
from rpc.keystore import Keyring, KeystoreError, check_passphrase

log = logging.getLogger("fictra.node")

EXIT_OK = 0
EXIT_COMETBFT_DIED = 3
EXIT_APP_HALTED = 70
_PR_SET_PDEATHSIG = 1
_STOP_GRACE_S = 15.0
# CPython's full (generation 2) collection walks every tracked object the app holds (the tx
# cache's decoded txs, overlays, read caches): 120-260 ms with every thread stopped, about
# every 3 s under load, measured. The app makes almost no cyclic garbage (a full collection
# after 20,000 txs in process finds ~4,500 objects, most of them from start-up), so full
# collections run once per this many generation-1 collections (CPython's default: 10);
# refcounting still frees everything else at once.
_GC_FULL_AFTER = 1000


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class Node:
    def __init__(self, home: Path, halt_height: int = 0, log_format: str = "plain") -> None:
        self.home = home.resolve()
        self.halt_height = halt_height
        self.log_format = log_format
        self.socket = self.home / "abci.sock"
        self.child: asyncio.subprocess.Process | None = None
        self.server: AbciServer | None = None
        self.exit_code = EXIT_OK
        self.reason = ""

    async def run(self) -> int:
        if not (self.home / "config" / "genesis.json").exists():
            log.error("no node in %s: run `fictra node init --home %s` first", self.home, self.home)
            return 2
        problem = check_genesis(self.home / "config" / "genesis.json")
        if problem:
            log.error("%s", problem)
            return 2
        try:
            listen = metrics_listen(self.home)
            app = create_app(self.home, self.halt_height, metered=listen is not None)
        except (FaultConfigError, ValueError) as exc:
            log.error("%s", exc)
            return 2
        if app.halt_height and app.store.height >= app.halt_height:
            log.error("halt height %d already reached (committed %d): start without "
                      "--halt-height (and without app.toml's halt_height) to continue",
                      app.halt_height, app.store.height)
            app.close()
            return 2
        try:
            metrics = self._serve_metrics(app, listen)
        except OSError as exc:
            log.error("cannot serve metrics on %s ([metrics] listen in %s): %s",
                      ":".join(map(str, listen or ())), self.home / "config" / "app.toml",
                      exc.strerror or exc)
            app.close()
            return 2
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def halted(height: int) -> None:  # on the consensus connection's thread, inside Commit
            self.reason = (f"halt height {height} reached: block {height} is committed; "
                           "stopping. Start again (e.g. with a newer version) to continue "
                           f"at {height + 1}")
            # After the Commit answer is written: the stop comes half a second later.
            loop.call_soon_threadsafe(lambda: loop.call_later(0.5, stop.set))

        app.on_halt = halted
        self.server = AbciServer(app, f"unix://{self.socket}", on_fatal=lambda _m: stop.set())
        await self.server.start()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._signalled, stop, sig)
        plan = SyncPlan(self.home, app, _die_with_parent)
        plan.announce()
        while True:
            outcome = await self._run_child(app, plan, stop)
            if outcome != "fallback":
                break
            plan.fall_back()
        await plan.stop_seed()
        await self.server.close()
        if metrics is not None:
            metrics.close()
        app.close()
        (self.home / "node.pids.json").unlink(missing_ok=True)
        if self.exit_code == EXIT_OK:
            log.info("node stopped cleanly")
        return self.exit_code

    async def _run_child(self, app: Any, plan: SyncPlan, stop: asyncio.Event) -> str:
        """Run cometbft until it exits, the node is stopped, or state sync falls back to
        block sync (then cometbft is stopped and "fallback" returned)."""
        assert self.server is not None
        peers = await plan.start_seed()
        extra = ["--p2p.persistent_peers", peers] if peers is not None else []
        self.child = await asyncio.create_subprocess_exec(
            cometbft(), "start", "--home", str(self.home),
            "--proxy_app", f"unix://{self.socket}", *extra,
            preexec_fn=_die_with_parent, env={**os.environ, **logs.cometbft_env(self.log_format)},
        )
        self._write_pids()
        log.info("node started: app pid %d, cometbft pid %d", os.getpid(), self.child.pid)
        child_done = asyncio.create_task(self.child.wait())
        stop_wait = asyncio.create_task(stop.wait())
        watch = asyncio.create_task(plan.watch())
        await asyncio.wait({child_done, stop_wait, watch}, return_when=asyncio.FIRST_COMPLETED)
        if watch.done() and watch.result() == "fallback" and not child_done.done() \
                and not stop.is_set():
            stop_wait.cancel()
            await self._stop_child()
            return "fallback"
        watch.cancel()
        if child_done.done():
            stop_wait.cancel()
            self.exit_code = EXIT_COMETBFT_DIED
            self.reason = f"cometbft exited with status {child_done.result()}; stopping the app"
            log.error(self.reason)
        else:
            stop_wait.cancel()
            if self.server.fatal:
                self.exit_code = EXIT_APP_HALTED
                self.reason = "the application halted on an internal error; stopping cometbft"
                log.critical(self.reason)
            elif self.reason:
                log.warning("%s", self.reason)
            await self._stop_child()
        return "done"

    @staticmethod
    def _serve_metrics(app: Any, listen: tuple[str, int] | None) -> MetricsServer | None:
        """The app's metrics server, listening (OSError if it cannot); None if none is
        configured."""
        if listen is None or not isinstance(app, MeteredApp):
            return None
        server = MetricsServer(app, app.metrics, *listen)
        log.info("app metrics on http://%s:%d/metrics", listen[0], server.port)
        return server

    def _signalled(self, stop: asyncio.Event, sig: int) -> None:
        log.info("received %s: stopping cometbft and the app", signal.Signals(sig).name)
        stop.set()

    async def _stop_child(self) -> None:
        child = self.child
        if child is None or child.returncode is not None:
            return
        child.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(child.wait(), _STOP_GRACE_S)
        except TimeoutError:
            log.error("cometbft did not stop within %.0f s; killing it", _STOP_GRACE_S)
            child.kill()
            await child.wait()

    def _write_pids(self) -> None:
        assert self.child is not None
        (self.home / "node.pids.json").write_text(
            json.dumps({"app": os.getpid(), "cometbft": self.child.pid})
        )


def check_genesis(path: Path) -> str | None:
    """A readable reason why the genesis file cannot start a chain, or None.

    Checked before cometbft starts, so a bad file stops the node with one clear line instead
    of an InitChain failure deep in the handshake.
    """
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return f"bad genesis {path}: {exc}"
    if not isinstance(doc, dict) or not isinstance(doc.get("chain_id"), str):
        return f"bad genesis {path}: chain_id: missing or not a string"
    try:
        validate_app_state(doc.get("app_state") or {})
    except GenesisError as exc:
        return f"bad genesis {path}: {exc}"
    return None


def start(home: Path, log_level: str = "INFO", halt_height: int = 0,
          log_format: str = "plain") -> int:
    logs.setup(log_level, log_format)
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, _GC_FULL_AFTER)
    return asyncio.run(Node(home, halt_height, log_format).run())


def init(home: Path, chain_id: str, passphrase: str) -> int:
    """A one-validator node home; its council and funded keys are encrypted under
    ``passphrase`` in the keyring ``<home>/keys``."""
    keyring = Keyring(Path(home).resolve() / "keys")

    def write_key(name: str, key: Key) -> None:
        keyring.add(name, key, passphrase)

    try:
        check_passphrase(passphrase)
        node = init_single(home, chain_id, write_key=write_key)
    except (NetworkError, KeystoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"initialized {node.home}: chain {chain_id}, node id {node.node_id}, "
          f"rpc {node.rpc_url}; council and faucet keys encrypted in {keyring.dir} "
          f"(fictra wallet --keyring {keyring.dir} ...)")
    return 0


