"""``fictra node join``: a node home that joins an existing network by its genesis and peers.

The node is a full node (not a validator: its fresh key is in no validator set). It state
syncs when an RPC server of the network offers snapshots (the trusted height and block hash
come from that server), else it block-syncs from genesis; the choice is said in one line.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.node.bootstrap import configure_statesync, trusted_block
from app.node.cometrpc import RpcError, call
from app.node.snapfile import SnapFileError
from genesis.network import NetworkError, NodeInfo, init_home, write_config

_PEER = re.compile(r"^[0-9a-f]{40}@[A-Za-z0-9.\-]+:\d{1,5}$")


class JoinError(Exception):
    """A clear, one-line reason (bad peer, bad genesis, a home already in use)."""


@dataclass(frozen=True)
class JoinPlan:
    mode: str  # "state sync" | "block sync"
    line: str  # what the node will do, for people
    trust: tuple[int, str] | None = None


def parse_peers(text: str) -> list[str]:
    peers = [p.strip() for p in text.split(",") if p.strip()]
    if not peers:
        raise JoinError("--peers: give at least one ID@HOST:PORT")
    for p in peers:
        if not _PEER.match(p):
            raise JoinError(f"--peers: {p!r} is not ID@HOST:PORT (ID: 40 hex digits, "
                            "`cometbft show-node-id` of that node)")
    return peers


def offered_snapshots(server: str) -> list[int]:
    """Heights of the snapshots the node behind ``server`` offers (its app's /snapshots)."""
    url = server if server.startswith("http") else f"http://{server}"
    res = call(url, "abci_query", path="/snapshots", data="", height="0", prove=False)
    value = json.loads(base64.b64decode(res["response"].get("value") or "W10="))
    return sorted((int(s["height"]) for s in value), reverse=True)


def plan(rpc_servers: list[str]) -> JoinPlan:
    if not rpc_servers:
        return JoinPlan("block sync", "block sync: no --rpc-servers (state sync checks a "
                        "snapshot against their headers), so the node replays the chain from "
                        "genesis")
    found: list[tuple[str, list[int]]] = []
    errors = []
    for server in rpc_servers:
        try:
            found.append((server, offered_snapshots(server)))
        except (RpcError, ValueError, KeyError) as e:
            errors.append(f"{server}: {e}")
    offering = [(s, hs) for s, hs in found if hs]
    if not offering:
        why = "; ".join(errors) if errors and not found else "none offers a snapshot"
        return JoinPlan("block sync", f"block sync: {why}, so the node replays the chain "
                        "from genesis")
    server, heights = offering[0]
    try:
        trust = trusted_block([server], heights[0])
    except SnapFileError as e:
        return JoinPlan("block sync", f"block sync: {e}")
    return JoinPlan("state sync", f"state sync: {server} offers snapshots at heights "
                    f"{', '.join(map(str, heights))}; trusting height {trust[0]} (block "
                    f"{trust[1][:12]}...) from it, the node restores the newest snapshot its "
                    "peers offer, then block-syncs the rest", trust)


def join(home: Path, genesis_file: Path, peers: list[str], rpc_servers: list[str], *,
         p2p_port: int, rpc_port: int, host: str, moniker: str) -> dict[str, Any]:
    # imported here: the supervisor loads the application
    from app.node.supervisor import check_genesis

    problem = check_genesis(genesis_file)
    if problem:
        raise JoinError(problem)
    genesis = json.loads(genesis_file.read_text())
    home = Path(home).resolve()
    join_plan = plan(rpc_servers)
    try:
        node_id, pv = init_home(home, moniker)
    except NetworkError as e:
        raise JoinError(str(e)) from None
    shutil.copy(genesis_file, home / "config" / "genesis.json")
    node = NodeInfo(moniker, str(home), node_id, p2p_port, rpc_port, pv["address"],
                    pv["pub_key"]["value"], role="observer")
    write_config(node, peers, max(1, len(genesis.get("validators") or [])),
                 "*:error,state:info,statesync:info", host=host)
    if join_plan.trust is not None:
        configure_statesync(home, rpc_servers, *join_plan.trust)
    return {"home": str(home), "node_id": node_id, "chain_id": genesis.get("chain_id"),
            "p2p": f"{host}:{p2p_port}", "rpc": f"http://{host}:{rpc_port}",
            "peers": peers, "mode": join_plan.mode, "plan": join_plan.line}
