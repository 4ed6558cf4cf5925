"""Generate an N-validator network on 127.0.0.1: node homes, keys, one genesis, configs.

Each node home is a CometBFT home (``config/``, ``data/``); the app keeps its store under
``data/state``. Keys are made by ``cometbft init`` so their files are exactly CometBFT's.
"""

from __future__ import annotations

import base64
import json
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomlkit

from app.node.binaries import cometbft
from genesis.localnet import KeyWriter, localnet_app_state

DEFAULT_BASE_PORT = 26656
PORTS_PER_NODE = 10  # node i uses base + 10*i (p2p) and base + 10*i + 1 (rpc)
APP_METRICS_OFFSET = 2  # + the p2p port: the app's Prometheus metrics
COMETBFT_METRICS_OFFSET = 3  # + the p2p port: CometBFT's own
VALIDATOR_POWER = 10_000  # the localnet operators' self-bond in PT (InitChain answers it too)
# Full mesh up to this size; above it each node dials peers at offsets 1, 2, 4, 8, ...
# which keeps the graph connected with a short diameter and far fewer connections.
FULL_MESH_MAX = 8


@dataclass(frozen=True)
class NodeInfo:
    name: str
    home: str
    node_id: str
    p2p_port: int
    rpc_port: int
    validator_address: str
    validator_pubkey: str  # base64 ed25519
    role: str = "validator"  # or "observer": a full node outside the validator set

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"

    @property
    def p2p_address(self) -> str:
        return f"{self.node_id}@127.0.0.1:{self.p2p_port}"

    @property
    def app_metrics_port(self) -> int:
        return self.p2p_port + APP_METRICS_OFFSET

    @property
    def cometbft_metrics_port(self) -> int:
        return self.p2p_port + COMETBFT_METRICS_OFFSET


class NetworkError(Exception):
    pass


def consensus_timeouts(validators: int) -> dict[str, str]:
    """Timeouts that give 2-second blocks: the commit wait plus one round's latency."""
    # Measured round latency on loopback grows with the validator count (more votes to gossip
    # on two cores); the commit wait absorbs it so the interval stays near 2 s.
    if validators <= 8:
        commit_ms = 1950
    elif validators <= 16:
        commit_ms = 1850
    else:
        commit_ms = 1800
    return {
        "timeout_propose": "3s",
        "timeout_prevote": "1s",
        "timeout_precommit": "1s",
        "timeout_commit": f"{commit_ms}ms",
        "peer_gossip_sleep_duration": "20ms" if validators <= 8 else "50ms",
    }


def _run(*args: str) -> str:
    proc = subprocess.run([cometbft(), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise NetworkError(f"cometbft {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def init_home(home: Path, moniker: str) -> tuple[str, dict[str, Any]]:
    """Create keys and default config in ``home``; return (node id, validator key JSON)."""
    if (home / "config" / "genesis.json").exists():
        raise NetworkError(f"{home} already holds a node; choose another directory or remove it")
    _run("init", "--home", str(home))
    node_id = _run("show-node-id", "--home", str(home))
    pv = json.loads((home / "config" / "priv_validator_key.json").read_text())
    return node_id, pv


def peers_of(i: int, n: int) -> list[int]:
    if n <= FULL_MESH_MAX:
        return [j for j in range(n) if j != i]
    out: list[int] = []
    step = 1
    while step < n:
        for j in ((i + step) % n, (i - step) % n):
            if j != i and j not in out:
                out.append(j)
        step *= 2
    return sorted(out)


# CometBFT sizing for 2-second blocks of at least 10,000 txs (measured with `fictra bench e2e`;
# the config reference is in the README's benchmark section). A block holds at most
# BLOCK_MAX_GAS txs, and no more than the mempool holds; the genesis block max_bytes
# (CometBFT's 21 MiB) holds ~140,000 transfers and does not bind.
MEMPOOL_SIZE = 20_000  # two 10,000-tx blocks: one executing, one filling (default 5,000)
MEMPOOL_MAX_TXS_BYTES = 64 * 1024 * 1024  # bounds memory: 20,000 txs of 3.3 KB on average
MEMPOOL_CACHE_SIZE = 100_000  # seen-tx hashes: five full mempools (default 10,000, less than
# one block: a tx evicted early is CheckTx'd again when a peer gossips it back)
P2P_RATE = 20_000_000  # bytes/s per peer (default 5,120,000): a 10,000-tx block is ~1.5 MB
# A block's execution budget (consensus_params.block.max_gas; CheckTx wants 1 gas a tx, so
# txs per block): the proposal is executed after the commit wait, before the next block
# time, so under full load blocks as large as the mempool allowed (~15,500 txs) stretched
# the 2-second interval to 2.29-2.33 s; at 14,000 it held 2.22 s for 7% less throughput.
BLOCK_MAX_GAS = 14_000


def write_config(node: NodeInfo, peers: list[NodeInfo] | list[str], validators: int,
                 log_level: str, *, serves_rpc: bool = True, host: str = "127.0.0.1") -> None:
    """``peers``: nodes of this network, or ``ID@HOST:PORT`` addresses. ``serves_rpc``: the
    node answers the gateway (history, receipts) and so indexes txs; a validator that serves
    no RPC does not pay for an index nobody reads. ``host``: the address it listens on."""
    path = Path(node.home) / "config" / "config.toml"
    doc = tomlkit.parse(path.read_text())
    doc["moniker"] = node.name
    doc["proxy_app"] = f"unix://{Path(node.home).resolve()}/abci.sock"
    doc["log_level"] = log_level
    doc["rpc"]["laddr"] = f"tcp://{host}:{node.rpc_port}"  # type: ignore[index]
    # No browser talks to CometBFT's RPC: wallets and explorers use the gateway, which calls
    # the node from its own process. So no origin is allowed (CometBFT then sends no CORS
    # headers), and a web page a node operator visits cannot drive the node's RPC.
    doc["rpc"]["cors_allowed_origins"] = []  # type: ignore[index]
    p2p = doc["p2p"]
    p2p["laddr"] = f"tcp://{host}:{node.p2p_port}"  # type: ignore[index]
    p2p["persistent_peers"] = ",".join(  # type: ignore[index]
        p if isinstance(p, str) else p.p2p_address for p in peers
    )
    p2p["addr_book_strict"] = False  # type: ignore[index]
    p2p["allow_duplicate_ip"] = True  # type: ignore[index]
    p2p["pex"] = False  # type: ignore[index]
    # The default 100 ms flush throttle delays every vote; on loopback it alone adds ~200 ms
    # (prevote + precommit) to each block.
    p2p["flush_throttle_timeout"] = "10ms"  # type: ignore[index]
    p2p["max_num_inbound_peers"] = max(40, validators)  # type: ignore[index]
    p2p["max_num_outbound_peers"] = max(10, validators)  # type: ignore[index]
    cons = doc["consensus"]
    for key, value in consensus_timeouts(validators).items():
        cons[key] = value  # type: ignore[index]
    cons["create_empty_blocks"] = True  # type: ignore[index]
    p2p["send_rate"] = P2P_RATE  # type: ignore[index]
    p2p["recv_rate"] = P2P_RATE  # type: ignore[index]
    mempool = doc["mempool"]
    mempool["size"] = MEMPOOL_SIZE  # type: ignore[index]
    mempool["max_txs_bytes"] = MEMPOOL_MAX_TXS_BYTES  # type: ignore[index]
    mempool["cache_size"] = MEMPOOL_CACHE_SIZE  # type: ignore[index]
    # recheck stays on: the app's check state restarts from committed state at Commit, and
    # RECHECK replays the pending txs into it (off, a sender's next tx fails NONCE_TOO_HIGH).
    # broadcast stays on: txs must reach the next proposers.
    # CometBFT's own metrics (consensus, mempool, p2p, ABCI timings), beside the app's.
    instr = doc["instrumentation"]
    instr["prometheus"] = True  # type: ignore[index]
    addr = f"127.0.0.1:{node.cometbft_metrics_port}"
    instr["prometheus_listen_addr"] = addr  # type: ignore[index]
    # CometBFT's tx index serves `tx`/`tx_search`, which only a gateway without the analytics
    # index asks for.
    doc["tx_index"]["indexer"] = "kv" if serves_rpc else "null"  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))
    write_app_config(Path(node.home), node.app_metrics_port)


APP_TOML = """\
# FICTRA application settings (read by `fictra node start`).
[state]
# Heights of state kept for queries and proofs at a height (90 days of 2-second blocks);
# older versions are pruned a bounded amount per block. archive = true keeps everything.
keep_recent = 3888000
archive = false
# Memory for the store's caches, MiB, all shards together: decoded Merkle tree pages and
# (an eighth) LevelDB block caches. Filled as the state grows.
cache_mb = 256
# A state-sync snapshot every this many heights (0: none), keeping the newest few.
snapshot_interval = 100
snapshot_keep_recent = 2

[node]
# Commit this height, then stop cleanly (a coordinated upgrade; `fictra node start
# --halt-height H` does the same); 0: never.
halt_height = 0
# A node started with state sync that is offered no snapshot within this many seconds
# falls back to block sync from genesis (0: keep waiting for one).
statesync_fallback_s = 60
# Processes that check batches of signatures for the node (unset: one per core, at most 4;
# 0: threads of the node's own process).
# signature_workers = 2

[metrics]
# The app's Prometheus metrics (fictra_app_*) at http://LISTEN/metrics; "" serves none.
listen = "127.0.0.1:{metrics_port}"
"""


def write_app_config(home: Path, metrics_port: int) -> None:
    path = home / "config" / "app.toml"
    if not path.exists():
        path.write_text(APP_TOML.format(metrics_port=metrics_port))


def make_genesis(
    chain_id: str, nodes: list[NodeInfo], app_state: dict[str, Any], template: dict[str, Any]
) -> dict[str, Any]:
    # imported here: the application's protobufs cost `fictra localnet` commands start-up
    from app.application import APP_VERSION

    genesis = dict(template)
    # The app version the app reports in Info, also in the consensus params: CometBFT's
    # rollback rebuilds its state's version from these, and a 0 there against the headers'
    # 1 stops the node restarting after `fictra node rollback` ("wrong Block.Header.Version").
    params = dict(genesis.get("consensus_params") or {})
    params["version"] = {"app": str(APP_VERSION)}
    params["block"] = {**(params.get("block") or {}), "max_gas": str(BLOCK_MAX_GAS)}
    genesis["consensus_params"] = params
    genesis["chain_id"] = chain_id
    genesis["genesis_time"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    genesis["initial_height"] = "1"
    genesis["validators"] = [
        {
            "address": n.validator_address,
            "pub_key": {"type": "tendermint/PubKeyEd25519", "value": n.validator_pubkey},
            "power": str(VALIDATOR_POWER),
            "name": n.name,
        }
        for n in nodes
    ]
    genesis["app_state"] = app_state
    return genesis


def new_network(
    out: Path,
    validators: int,
    chain_id: str,
    *,
    base_port: int = DEFAULT_BASE_PORT,
    log_level: str = "*:error,state:info",
    progress: Any = None,
    extra_accounts: list[dict[str, str]] | None = None,
    app_state_hook: Any = None,
    observers: int = 0,
) -> list[NodeInfo]:
    """Create ``out/node0..`` (and ``out/observer0..``) and ``out/network.json``; return the
    nodes, validators first. ``extra_accounts`` (``{"address", "balance"}``) are funded at
    genesis beside the localnet's own; ``app_state_hook`` may change the app_state before it is
    written (a benchmark's roles). Observers are full nodes outside the validator set; with
    any, the first observer serves the gateway and the indexer."""
    if validators < 1:
        raise NetworkError("--validators must be at least 1")
    if observers < 0:
        raise NetworkError("--observers must be 0 or more")
    if not chain_id or len(chain_id) > 50:
        raise NetworkError("--chain-id must be 1 to 50 characters")
    total = validators + observers
    if base_port < 1024 or base_port + PORTS_PER_NODE * total > 65535:
        raise NetworkError(f"--base-port {base_port} leaves no room for {total} nodes")
    out = out.resolve()
    if (out / "network.json").exists():
        raise NetworkError(f"{out} already holds a network; remove it or use another --out")
    out.mkdir(parents=True, exist_ok=True)
    nodes: list[NodeInfo] = []
    for i in range(total):
        role = "validator" if i < validators else "observer"
        name = f"node{i}" if i < validators else f"observer{i - validators}"
        home = out / name
        node_id, pv = init_home(home, name)
        port = base_port + PORTS_PER_NODE * i
        nodes.append(
            NodeInfo(
                name=name, home=str(home), node_id=node_id, p2p_port=port,
                rpc_port=port + 1, validator_address=pv["address"],
                validator_pubkey=pv["pub_key"]["value"], role=role,
            )
        )
        if progress:
            progress(f"keys for {name} ({i + 1}/{total})")
    vals = nodes[:validators]
    app_state = _app_state(out, vals, extra_accounts=extra_accounts)
    if app_state_hook:
        app_state_hook(app_state)
    template = json.loads((Path(nodes[0].home) / "config" / "genesis.json").read_text())
    genesis = make_genesis(chain_id, vals, app_state, template)
    text = json.dumps(genesis, indent=2) + "\n"
    for i, node in enumerate(nodes):
        (Path(node.home) / "config" / "genesis.json").write_text(text)
        # The localnet's gateway answers history and receipts from `fictra indexer`, which
        # reads blocks and their results, never CometBFT's tx index: no node keeps one.
        write_config(node, [nodes[j] for j in peers_of(i, total)], validators, log_level,
                     serves_rpc=False)
    (out / "network.json").write_text(
        json.dumps(
            {"chain_id": chain_id, "base_port": base_port, "nodes": [asdict(n) for n in nodes]},
            indent=2,
        )
        + "\n"
    )
    return nodes


def _app_state(out: Path, nodes: list[NodeInfo], write_key: KeyWriter | None = None,
               extra_accounts: list[dict[str, str]] | None = None) -> dict[str, Any]:
    pubkeys = [base64.b64decode(n.validator_pubkey) for n in nodes]
    return localnet_app_state(out, pubkeys, write_key, extra_accounts)


def load_network(out: Path) -> tuple[str, list[NodeInfo]]:
    path = out / "network.json"
    if not path.exists():
        raise NetworkError(f"no network in {out} (missing network.json); run `fictra localnet up`")
    data = json.loads(path.read_text())
    return data["chain_id"], [NodeInfo(**n) for n in data["nodes"]]


def init_single(
    home: Path, chain_id: str, *, write_key: KeyWriter, base_port: int = DEFAULT_BASE_PORT,
    log_level: str = "info",
) -> NodeInfo:
    """A one-validator chain in ``home`` (``fictra node init``). Its council and funded keys
    go to ``write_key`` (``fictra node init``: an encrypted keyring in ``<home>/keys``), never
    to a localnet's plaintext files."""
    home = home.resolve()
    node_id, pv = init_home(home, "node0")
    node = NodeInfo(
        name=home.name or "node0", home=str(home), node_id=node_id, p2p_port=base_port,
        rpc_port=base_port + 1, validator_address=pv["address"],
        validator_pubkey=pv["pub_key"]["value"],
    )
    template = json.loads((home / "config" / "genesis.json").read_text())
    genesis = make_genesis(chain_id, [node], _app_state(home, [node], write_key), template)
    (home / "config" / "genesis.json").write_text(json.dumps(genesis, indent=2) + "\n")
    write_config(node, [], 1, log_level)
    return node


def add_full_node(
    out: Path, name: str, *, port: int, statesync: dict[str, Any] | None = None
) -> NodeInfo:
    """A non-validator node joining the network in ``out`` (P2P ``port``, RPC ``port + 1``).

    With ``statesync`` (``rpc_servers``, ``trust_height``, ``trust_hash``) it restores the app
    state from peers' snapshots instead of replaying every block.
    """
    out = out.resolve()
    _, nodes = load_network(out)
    home = out / name
    node_id, pv = init_home(home, name)
    node = NodeInfo(name=name, home=str(home), node_id=node_id, p2p_port=port,
                    rpc_port=port + 1, validator_address=pv["address"],
                    validator_pubkey=pv["pub_key"]["value"])
    genesis = (Path(nodes[0].home) / "config" / "genesis.json").read_text()
    (home / "config" / "genesis.json").write_text(genesis)
    write_config(node, nodes, len(nodes), "*:error,state:info,statesync:info")
    if statesync:
        path = home / "config" / "config.toml"
        doc = tomlkit.parse(path.read_text())
        ss = doc["statesync"]
        ss["enable"] = True  # type: ignore[index]
        ss["rpc_servers"] = ",".join(statesync["rpc_servers"])  # type: ignore[index]
        ss["trust_height"] = int(statesync["trust_height"])  # type: ignore[index]
        ss["trust_hash"] = statesync["trust_hash"]  # type: ignore[index]
        ss["trust_period"] = "168h0m0s"  # type: ignore[index]
        ss["discovery_time"] = "5s"  # type: ignore[index]
        path.write_text(tomlkit.dumps(doc))
    return node
