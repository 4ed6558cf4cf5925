"""The block's execution budget on a real node: genesis ``consensus_params.block.max_gas``
(CheckTx wants 1 gas a tx) caps the txs CometBFT reaps into a proposal, and the txs over it
wait in the mempool for the next blocks, none lost."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from app.crypto import Key, read_key_file
from app.node.cometrpc import call
from app.node.localnet import Localnet
from app.tx import builder as tb
from genesis.network import BLOCK_MAX_GAS, new_network
from tests.localnets import Procs, app_height, app_info, free_base_port, height, wait_until

pytestmark = pytest.mark.integration

CAP = 40
TXS = 400


def test_no_block_holds_more_txs_than_max_gas(tmp_path: Path, procs: Procs) -> None:
    home = procs.localnet(tmp_path / "net")
    new_network(home, 1, "fictra-gas", base_port=free_base_port(1))
    net = Localnet(home)
    genesis_path = Path(net.nodes[0].home) / "config" / "genesis.json"
    genesis = json.loads(genesis_path.read_text())
    assert genesis["consensus_params"]["block"]["max_gas"] == str(BLOCK_MAX_GAS)
    genesis["consensus_params"]["block"]["max_gas"] = str(CAP)
    genesis_path.write_text(json.dumps(genesis))
    net.start_node("node0")
    url = net.nodes[0].rpc_url
    wait_until(lambda: height(url) >= 1, "the first block")
    faucet = read_key_file(home / "keys" / "faucet.json")
    params = app_info(url, "/params")
    nonce = int(app_info(url, f"/account/{faucet.bech32}")["nonce"])
    start = height(url)
    for i in range(TXS):
        to = Key.generate().address
        raw = tb.build_signed(faucet, "fictra-gas", nonce + i, [tb.send(to, 1)],
                              base_fee=int(params["base_fee"]),
                              fee_per_byte=int(params["fee_per_byte"]))
        res = call(url, "broadcast_tx_sync", tx=base64.b64encode(raw).decode())
        assert res.get("code", 0) == 0, res
    wait_until(lambda: int(app_info(url, f"/account/{faucet.bech32}")["nonce"]) == nonce + TXS,
               "every tx committed", 300)
    top = app_height(url)
    counts = [len(call(url, "block", height=str(h))["block"]["data"]["txs"] or [])
              for h in range(start, top + 1)]
    assert sum(counts) == TXS and max(counts) == CAP, counts  # full blocks of exactly CAP
