"""Helpers for staking on a real localnet: its genesis tuned to short staking windows,
extra operators running as non-validator full nodes with their own consensus keys, txs
through CometBFT and the app's staking queries."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.crypto import Key, read_key_file
from app.node.cometrpc import call
from app.pb import state_pb2
from app.tx.builder import build_signed, propose, register_entity, send, vote
from genesis.network import NodeInfo, add_full_node, load_network
from tests.localnets import Procs, free_base_port

# 4 primaries and 2 secondaries; an election every 10 blocks; jailed after missing 6 of the
# last 10 blocks, for 10 blocks; unbonding in 40 blocks.
NET_STAKE = {"primary_slots": 4, "secondary_slots": 2, "epoch_blocks": 10,
             "signed_window": 10, "max_missed_blocks": 5, "jail_blocks": 10,
             "unbonding_blocks": 40}


def tune_genesis(home: Path, **params: Any) -> None:
    """Rewrite every node's genesis.json with these staking params (before any node starts)."""
    _, nodes = load_network(home)
    doc = json.loads((Path(nodes[0].home) / "config" / "genesis.json").read_text())
    doc["app_state"]["params"].update(params)
    text = json.dumps(doc, indent=2) + "\n"
    for n in nodes:
        (Path(n.home) / "config" / "genesis.json").write_text(text)


def start_full_node(home: Path, name: str, procs: Procs) -> NodeInfo:
    """A non-validator node of the localnet in ``home`` (same genesis, the validators as
    persistent peers), started with ``fictra node start``."""
    node = add_full_node(home, name, port=free_base_port(1))
    procs.node(Path(node.home))
    with open(Path(node.home) / "node.log", "wb") as log:
        procs.start([sys.executable, "-m", "app.cli.main", "node", "start", "--home",
                     node.home], stdout=log, stderr=subprocess.STDOUT)
    return node


def consensus_key(node_home: str) -> bytes:
    pv = json.loads((Path(node_home) / "config" / "priv_validator_key.json").read_text())
    return base64.b64decode(pv["pub_key"]["value"])


class Net:
    """Txs and queries through one node's CometBFT RPC."""

    def __init__(self, home: Path, chain_id: str, url: str) -> None:
        self.home = home
        self.chain_id = chain_id
        self.url = url

    def key(self, name: str) -> Key:
        return read_key_file(self.home / "keys" / f"{name}.json")

    def query(self, path: str, height: int = 0) -> dict[str, Any]:
        return call(self.url, "abci_query", path=path, data="", height=str(height),
                    prove=False)["response"]

    def info(self, path: str, height: int = 0) -> Any:
        r = self.query(path, height)
        assert r.get("code", 0) == 0, r
        return json.loads(r["info"])

    def account(self, address: str, height: int = 0) -> state_pb2.Account:
        r = self.query(f"/account/{address}", height)
        return state_pb2.Account.FromString(base64.b64decode(r.get("value") or ""))

    def submit(self, key: Key, *msgs: Any, ok: bool = True) -> dict[str, Any]:
        """broadcast_tx_commit; unless ``ok`` is False, CheckTx and the result must succeed."""
        params = self.info("/params")
        raw = build_signed(key, self.chain_id, self.account(key.bech32).nonce, msgs,
                           base_fee=int(params["base_fee"]),
                           fee_per_byte=int(params["fee_per_byte"]))
        res = call(self.url, "broadcast_tx_commit", timeout=60,
                   tx=base64.b64encode(raw).decode())
        if ok:
            assert res["check_tx"].get("code", 0) == 0, res["check_tx"]
            assert res["tx_result"].get("code", 0) == 0, res["tx_result"]
        return res

    def council(self, action: Any) -> None:
        res = self.submit(self.key("council-1"), propose(action))
        pid = next(int(a["value"]) for e in res["tx_result"]["events"]
                   if e["type"] == "proposal" for a in e["attributes"] if a["key"] == "id")
        res = self.submit(self.key("council-2"), vote(pid, True))
        statuses = [a["value"] for e in res["tx_result"]["events"] if e["type"] == "proposal"
                    for a in e["attributes"] if a["key"] == "status"]
        assert statuses == ["passed"], res["tx_result"]

    def new_operator_account(self, amount: int) -> Key:
        """A fresh account, KYC-registered by the council with the validator role, funded."""
        key = Key.generate()
        self.council(register_entity(key.address, 3, "CH", 16))
        self.submit(self.key("faucet"), send(key.address, amount))
        return key

    def validators(self) -> dict[str, dict[str, Any]]:
        """The app's ranking, by operator."""
        return {v["operator"]: v for v in self.info("/stake/validators")["validators"]}

    def cometbft_set(self, height: int | None = None) -> dict[bytes, int]:
        args = {"height": str(height)} if height else {}
        vals = call(self.url, "validators", per_page="100", **args)["validators"]
        return {base64.b64decode(v["pub_key"]["value"]): int(v["voting_power"]) for v in vals}
