"""``fictra node rollback``: a stopped node one height back, CometBFT's state and the app's
store together (recovering from a wrong app hash after a bad upgrade: roll back, start the
fixed version, it executes the height again).

Order: the app's store is opened first (its lock also proves the node is stopped) and
checked that it can go back; then ``cometbft rollback`` takes CometBFT's state (and with
``--hard`` its last block) back; then the store follows to the height CometBFT reports. If
the store step failed after CometBFT's (everything it needs is checked before), the error
says where each half is: without ``--hard`` CometBFT's start-up handshake takes its state
forward to the app's again (from its saved block results).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from app.modules import SHARDS
from app.node.binaries import cometbft
from app.node.offline import open_options, open_stopped_store
from state.errors import StoreError
from state.rollback import rollback as rollback_store

# "Rolled back state to height H and hash X" (with --hard: "... both state and block to ...")
_ROLLED = re.compile(r"Rolled back (?:both )?state (?:and block )?to height (\d+) and hash "
                     r"([0-9A-Fa-f]*)")


class RollbackError(Exception):
    """Why the node could not be rolled back, in one line."""


def rollback(home: Path, hard: bool = False) -> dict[str, Any]:
    """Roll the node in ``home`` back one height; returns ``{"height", "app_hash",
    "cometbft_app_hash", "removed_block"}`` (hashes in upper-case hex)."""
    home = Path(home)
    path = home / "data" / "state"
    opts = open_options(home)
    store = open_stopped_store(home, RollbackError, cometbft=True)
    try:
        app_height = store.height
        rec = store.wal.read()
        if app_height < 2 or rec is None or rec.height != app_height:
            raise RollbackError(f"the app's store is at height {app_height} and cannot go "
                                "back (it keeps the changes of its last block only, and "
                                "needs a height before it)")
        if not store.archive and store.keep_recent < 2:
            raise RollbackError("[state] keep_recent is 1: the app's state at the height "
                                "before was pruned when the last block was committed")
        # CometBFT runs while the store stays open: the node cannot be started meanwhile.
        proc = subprocess.run([cometbft(), "rollback", "--home", str(home)]
                              + (["--hard"] if hard else []),
                              capture_output=True, text=True, timeout=300)
    finally:
        store.close()
    out = proc.stdout + proc.stderr
    m = _ROLLED.search(out)
    last = out.strip().splitlines()[-1] if out.strip() else f"exit {proc.returncode}"
    if proc.returncode != 0:
        raise RollbackError(f"cometbft rollback failed (the app's store is unchanged): {last}")
    if m is None:
        raise RollbackError(f"cometbft rollback answered {last!r}, which names no height; the "
                            f"app's store is unchanged at {app_height}")
    target, comet_hash = int(m.group(1)), m.group(2).upper()
    if target == app_height:  # CometBFT's state was one behind its blocks: the app matches
        return {"height": target, "app_hash": comet_hash, "cometbft_app_hash": comet_hash,
                "removed_block": hard, "app_rolled_back": False}
    if target != app_height - 1:
        raise RollbackError(f"CometBFT went back to height {target}, but the app's store is "
                            f"at {app_height}: start the node to let them agree, then look "
                            "with `fictra node apphash`")
    try:
        height, app_hash = rollback_store(path, shards=SHARDS, **opts)
    except StoreError as e:
        fix = ("removed its block, so the node cannot start until the store follows"
               if hard else "starting the node as it is brings CometBFT back to the app's "
               "height")
        raise RollbackError(f"CometBFT is back at height {target} but the app's store is "
                            f"still at {app_height} ({e}); CometBFT {fix}") from None
    return {"height": height, "app_hash": app_hash.hex().upper(),
            "cometbft_app_hash": comet_hash, "removed_block": hard, "app_rolled_back": True}
