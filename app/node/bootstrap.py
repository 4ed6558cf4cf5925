"""Bootstrapping a node from a snapshot file, and what its start-up does about state sync.

Export packs one of the node's snapshots (or its latest state) into a file. Import cannot
hand the state to CometBFT directly: the unmodified ``cometbft`` v0.38 binary has no command
that writes its own state, seen commit and light block for a height (its ``BootstrapState``
is a Go function that state sync and SDK chains call, not a CLI). So import verifies the
file, writes it as the snapshot store of a small local seed node (``<home>/snapshot-seed``)
and configures CometBFT's state sync; ``fictra node start`` runs the seed beside the node as
one more peer, CometBFT state-syncs from it (its light client checks the snapshot's app hash
against headers from the RPC servers), and once the app is restored the seed is stopped and
removed. The node's later blocks come from its peers by block sync as usual.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import socket
import tomllib
from pathlib import Path
from typing import Any

import tomlkit

from app.node.cometrpc import RpcError, call
from app.node.inspect import open_store
from app.node.snapfile import (
    Header,
    SnapFileError,
    chain_id_of,
    snapshot_dir_info,
    unpack,
    verify,
    write_file,
)
from genesis.network import APP_TOML, NetworkError, NodeInfo, init_home, write_config

SEED_DIR = "snapshot-seed"
SEED_APP_TOML = """\
# The local seed of an imported snapshot: it only offers that snapshot, takes none.
[state]
snapshot_interval = 1000000000
snapshot_keep_recent = 1
"""


def _no_metrics(home: Path) -> None:
    """The seed lives for one state sync: CometBFT's metrics would only take a port."""
    path = home / "config" / "config.toml"
    doc = tomlkit.parse(path.read_text())
    doc["instrumentation"]["prometheus"] = False  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))


def snapshots_dir(home: Path) -> Path:
    return Path(home) / "data" / "state" / "snapshots"


def kept_snapshots(home: Path) -> list[int]:
    d = snapshots_dir(home)
    if not d.is_dir():
        return []
    return sorted(int(p.name) for p in d.iterdir()
                  if p.name.isdigit() and (p / "info.json").exists())


def export_file(home: Path, height: int | None, out: Path) -> Header:
    """One of the node's snapshots (``height``), or with no height its latest committed state
    exported now (the node must be stopped), written to ``out``."""
    home = Path(home)
    chain_id = chain_id_of(home)
    kept = kept_snapshots(home)
    if height is not None and height in kept:
        src = snapshots_dir(home) / str(height)
        return write_file(out, chain_id, snapshot_dir_info(src), src)
    store = open_store(home)
    try:
        if store.height == 0:
            raise SnapFileError("the node has committed no block")
        if height is not None and height != store.height:
            have = ", ".join(map(str, kept)) or "none"
            raise SnapFileError(f"height {height} is neither the latest committed "
                                f"({store.height}) nor a kept snapshot (kept: {have})")
        scratch = out.with_name(out.name + ".export")
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            info = store.export_snapshot(scratch)
            return write_file(out, chain_id, info, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_config(home: Path) -> dict[str, Any]:
    with (Path(home) / "config" / "config.toml").open("rb") as f:
        return tomllib.load(f)


def configure_statesync(home: Path, rpc_servers: list[str], trust_height: int,
                        trust_hash: str) -> None:
    """State sync on in ``config.toml``: CometBFT's light client needs two RPC servers (the
    same one twice is accepted) and a trusted height and block hash."""
    servers = [s.removeprefix("http://").removeprefix("tcp://") for s in rpc_servers]
    if len(servers) == 1:
        servers = servers * 2
    path = Path(home) / "config" / "config.toml"
    doc = tomlkit.parse(path.read_text())
    ss = doc["statesync"]
    ss["enable"] = True  # type: ignore[index]
    ss["rpc_servers"] = ",".join(servers)  # type: ignore[index]
    ss["trust_height"] = trust_height  # type: ignore[index]
    ss["trust_hash"] = trust_hash  # type: ignore[index]
    ss["trust_period"] = "168h0m0s"  # type: ignore[index]
    ss["discovery_time"] = "5s"  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))


def disable_statesync(home: Path) -> None:
    path = Path(home) / "config" / "config.toml"
    doc = tomlkit.parse(path.read_text())
    doc["statesync"]["enable"] = False  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))


def trusted_block(rpc_servers: list[str], height: int | None) -> tuple[int, str]:
    """(height, block hash) from the first RPC server that answers: ``height``, or with
    None the server's latest height but one."""
    errors = []
    for server in rpc_servers:
        url = server if server.startswith("http") else f"http://{server}"
        try:
            h = height or int(call(url, "status")["sync_info"]["latest_block_height"]) - 1
            return h, str(call(url, "block", height=str(h))["block_id"]["hash"])
        except (RpcError, KeyError, ValueError) as e:
            errors.append(f"{server}: {e}")
    raise SnapFileError("no RPC server gave a trusted block: " + "; ".join(errors))


def import_file(home: Path, path: Path, rpc_servers: list[str] | None) -> dict[str, Any]:
    """Verify ``path``, make it the snapshot the node state-syncs from at its next start (the
    local seed), and configure state sync; returns what was done."""
    home = Path(home).resolve()
    if not (home / "config" / "genesis.json").exists():
        raise SnapFileError(f"no node in {home}: `fictra node init` or `fictra node join` "
                            "first")
    chain_id = chain_id_of(home)
    if (home / "data" / "state").is_dir():
        store = open_store(home)  # refuses while the node runs
        try:
            if store.height:
                raise SnapFileError(f"the node already holds state at height {store.height}; "
                                    "a snapshot bootstraps an empty node only")
        finally:
            store.close()
    cfg = read_config(home)
    if not rpc_servers:
        configured = str(cfg.get("statesync", {}).get("rpc_servers", ""))
        rpc_servers = [s for s in configured.split(",") if s]
    if not rpc_servers:
        raise SnapFileError("--rpc-servers is needed: CometBFT's state sync checks the "
                            "snapshot's app hash with a light client against their headers")
    header = verify(path, home / "data" / "snapshot-verify")
    if header.chain_id != chain_id:
        raise SnapFileError(f"the snapshot is of chain {header.chain_id}, the node's genesis "
                            f"of {chain_id}")
    trust_height, trust_hash = trusted_block(rpc_servers, header.height)
    seed = home / SEED_DIR
    shutil.rmtree(seed, ignore_errors=True)
    try:
        node_id, pv = init_home(seed, SEED_DIR)
    except NetworkError as e:
        raise SnapFileError(str(e)) from None
    shutil.copy(home / "config" / "genesis.json", seed / "config" / "genesis.json")
    (seed / "config" / "app.toml").write_text(SEED_APP_TOML)
    info = NodeInfo(SEED_DIR, str(seed), node_id, 0, 0, pv["address"], pv["pub_key"]["value"])
    write_config(info, [], 1, "*:error,statesync:info", serves_rpc=False)
    _no_metrics(seed)
    unpack(path, snapshots_dir(seed) / str(header.height))
    configure_statesync(home, rpc_servers, trust_height, trust_hash)
    if not (home / "config" / "app.toml").exists():  # the defaults, serving no metrics
        (home / "config" / "app.toml").write_text(
            APP_TOML.replace('listen = "127.0.0.1:{metrics_port}"', 'listen = ""'))
    return {"height": header.height, "app_hash": header.app_hash.hex().upper(),
            "chunks": header.chunks, "seed": str(seed), "rpc_servers": rpc_servers,
            "trust_height": trust_height, "trust_hash": trust_hash}


class Seed:
    """The local seed node of an imported snapshot, as the supervisor runs it."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home) / SEED_DIR

    def pending(self) -> bool:
        return (self.home / "config" / "genesis.json").exists() and bool(
            kept_snapshots(self.home))

    def prepare(self) -> str:
        """Give the seed free ports; return its peer address ``ID@127.0.0.1:PORT``."""
        p2p, rpc = _free_port(), _free_port()
        path = self.home / "config" / "config.toml"
        doc = tomlkit.parse(path.read_text())
        doc["p2p"]["laddr"] = f"tcp://127.0.0.1:{p2p}"  # type: ignore[index]
        doc["rpc"]["laddr"] = f"tcp://127.0.0.1:{rpc}"  # type: ignore[index]
        path.write_text(tomlkit.dumps(doc))
        key = json.loads((self.home / "config" / "node_key.json").read_text())
        return f"{node_id_of(key)}@127.0.0.1:{p2p}"

    def remove(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


def node_id_of(node_key: dict[str, Any]) -> str:
    """CometBFT's node id: the first 20 bytes of SHA-256 of the ed25519 public key, hex."""
    priv = base64.b64decode(node_key["priv_key"]["value"])
    return hashlib.sha256(priv[32:]).hexdigest()[:40]
