"""The ledger on four real validators (the shared localnet): faucet -> fresh account -> another
account, seen through CometBFT's abci_query and the gateway's history (from the analytics
index; no node keeps CometBFT's tx index) with a proof checked against the next header, and the
genesis operators elected as CometBFT's validators."""

from __future__ import annotations

import base64
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from app.crypto import Key, read_key_file
from app.node.cometrpc import RpcError, call
from app.node.localnet import Localnet
from app.params import UNIT
from app.pb import state_pb2
from app.tx.builder import build_signed, send
from state.proof import verify_proof
from tests.localnets import (
    SHARED_CHAIN_ID,
    TEST_KEY,
    app_height,
    gateway_url,
    height,
    wait_until,
)

pytestmark = pytest.mark.integration

CHAIN_ID = SHARED_CHAIN_ID


def _query(url: str, path: str, height: int = 0, prove: bool = False) -> dict[str, Any]:
    res = call(url, "abci_query", path=path, data="", height=str(height), prove=prove)
    return res["response"]


def _account(url: str, key: Key) -> state_pb2.Account:
    resp = _query(url, f"/account/{key.bech32}")
    assert resp.get("code", 0) == 0, resp
    return state_pb2.Account.FromString(base64.b64decode(resp.get("value") or ""))


def _submit(url: str, key: Key, *msgs: Any) -> dict[str, Any]:
    params = json.loads(_query(url, "/params")["info"])
    nonce = _account(url, key).nonce
    raw = build_signed(key, CHAIN_ID, nonce, msgs, base_fee=int(params["base_fee"]),
                       fee_per_byte=int(params["fee_per_byte"]))
    res = call(url, "broadcast_tx_commit", timeout=30,
               tx=base64.b64encode(raw).decode())
    assert res["check_tx"].get("code", 0) == 0, res["check_tx"]
    assert res["tx_result"].get("code", 0) == 0, res["tx_result"]
    return res


def _gateway(url: str, method: str, *params: Any) -> Any:
    req = urllib.request.Request(url, json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                                  "params": list(params)}).encode(),
                                 {"Content-Type": "application/json", "X-API-Key": TEST_KEY})
    with urllib.request.urlopen(req, timeout=30) as resp:
        doc = json.loads(resp.read())
    assert "error" not in doc, doc
    return doc["result"]


def test_transfers_queries_history_and_proofs(shared_localnet: Localnet) -> None:
    url = shared_localnet.nodes[0].rpc_url
    other = shared_localnet.nodes[3].rpc_url
    faucet = read_key_file(Path(shared_localnet.home) / "keys" / "faucet.json")
    alice, bob = Key.generate(), Key.generate()
    funding = _submit(url, faucet, send(alice.address, 100 * UNIT))
    res = _submit(url, alice, send(bob.address, 10 * UNIT))
    h = int(res["height"])
    wait_until(lambda: app_height(other) >= h, "the other node to commit the transfer")
    # Balances and nonces, through another validator's abci_query.
    a, b = _account(other, alice), _account(other, bob)
    assert b.balance == 10 * UNIT and a.nonce == 1 and b.nonce == 0
    assert 0 < 100 * UNIT - 10 * UNIT - a.balance < UNIT  # the fee
    # History through the gateway, answered from the indexer's database; no node indexes txs.
    gw = gateway_url(shared_localnet)

    def history(key: Key) -> list[str]:
        return [t["hash"] for t in _gateway(gw, "fictra_getAccountHistory", key.bech32)["txs"]]

    wait_until(lambda: len(history(bob)) == 1, "the index to hold the transfer")
    assert history(bob) == [res["hash"]]
    assert history(alice) == [res["hash"], funding["hash"]]  # newest first
    with pytest.raises(RpcError, match="indexing is disabled"):
        call(url, "tx_search", query=f"transfer.sender='{alice.bech32}'")
    # A proof of bob's balance at height q checks against the app hash in header q + 1.
    resp = _query(other, f"/account/{bob.bech32}", prove=True)
    q = int(resp["height"])
    wait_until(lambda: height(other) >= q + 1, "the next header")
    header = call(other, "header", height=str(q + 1))["header"]
    value = base64.b64decode(resp["value"])
    key = base64.b64decode(resp["key"])
    verify_proof(resp["proofOps"]["ops"], bytes.fromhex(header["app_hash"]), "pt", key, value)
    assert state_pb2.Account.FromString(value).balance == 10 * UNIT


def test_genesis_operators_are_cometbfts_validators(shared_localnet: Localnet) -> None:
    url = shared_localnet.nodes[1].rpc_url
    ranked = json.loads(_query(url, "/stake/validators")["info"])["validators"]
    assert [v["tier"] for v in ranked] == ["primary"] * 4
    assert {v["moniker"] for v in ranked} == {f"node{i}" for i in range(4)}
    vals = call(url, "validators")["validators"]
    assert {v["pub_key"]["value"]: int(v["voting_power"]) for v in vals} == {
        n.validator_pubkey: 10_000 for n in shared_localnet.nodes}
    app_set = json.loads(_query(url, "/validators")["info"])
    assert {v["pub_key"]: v["power"] for v in app_set} == {
        base64.b64decode(n.validator_pubkey).hex(): "10000" for n in shared_localnet.nodes}
