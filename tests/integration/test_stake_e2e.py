"""Staking on real CometBFT: a localnet of 4 validators plus 2 extra operators whose nodes
run as full nodes with their own consensus keys (4 primaries, 2 secondaries, an election
every 10 blocks). The tests run in order on one network:

1. a delegation lifts an extra operator above a primary: at the epoch CometBFT's
   ``/validators`` has it (and its node signs blocks), the outranked one is secondary;
2. a primary stopped for longer than the downtime window is jailed and slashed, the best
   secondary takes its place; after ``unjail`` (and stake that ranks it) it returns;
3. two nodes with the same validator key double-sign: CometBFT's evidence reaches
   FinalizeBlock, the operator is slashed and tombstoned;
4. undelegated PT comes back exactly at the completion height, less the slash of (3) when
   the entry is from the infraction height on.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.crypto import consensus_address, from_bech32
from app.errors import Code
from app.node.cometrpc import call
from app.node.localnet import Localnet
from app.params import UNIT
from app.tx.builder import create_validator, delegate, undelegate, unjail
from genesis.network import add_full_node, new_network
from tests.integration.stake_net import (
    NET_STAKE,
    Net,
    consensus_key,
    start_full_node,
    tune_genesis,
)
from tests.localnets import Procs, free_base_port, height, stop_localnet, wait_until

pytestmark = pytest.mark.integration

CHAIN_ID = "fictra-stake"
GENESIS_BOND = 10_000 * UNIT


class StakeNet:
    def __init__(self, home: Path, procs: Procs) -> None:
        self.home = home
        self.procs = procs
        self.localnet = Localnet(home)
        self.net = Net(home, CHAIN_ID, self.localnet.nodes[0].rpc_url)
        self.extras: list[tuple[Any, Any]] = []  # (node, operator key)
        self.shared: dict[str, Any] = {}

    @property
    def url(self) -> str:
        return self.net.url

    def genesis_operator(self, i: int) -> Any:
        return self.net.key(f"validator-{i}")

    def wait_blocks(self, n: int, what: str, timeout: float = 120) -> int:
        target = height(self.url) + n
        wait_until(lambda: height(self.url) >= target, what, timeout)
        return target

    def wait_election(self) -> int:
        """The next election's height, once CometBFT applies it (two blocks later)."""
        epoch = NET_STAKE["epoch_blocks"]
        e = (height(self.url) // epoch + 1) * epoch
        wait_until(lambda: height(self.url) >= e + 2, f"the election at {e}", 120)
        return e

    def events(self, kind: str, lo: int, hi: int) -> list[tuple[int, dict[str, str]]]:
        out = []
        for h in range(lo, hi + 1):
            res = call(self.url, "block_results", height=str(h))
            for e in res.get("finalize_block_events") or []:
                if e["type"] == kind:
                    out.append((h, {a["key"]: a["value"] for a in e["attributes"]}))
        return out


@pytest.fixture(scope="module")
def sn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StakeNet]:
    home = tmp_path_factory.mktemp("stake-net")
    new_network(home, 4, CHAIN_ID, base_port=free_base_port(4))
    tune_genesis(home, **NET_STAKE)
    procs = Procs()
    try:
        s = StakeNet(home, procs)
        for node in s.localnet.nodes:
            s.localnet.start_node(node.name)
        wait_until(lambda: height(s.url) >= 2, "the first blocks", 120)
        for i in range(2):
            node = start_full_node(home, f"extra{i}", procs)
            key = s.net.new_operator_account(20_000 * UNIT)
            s.extras.append((node, key))
        yield s
    finally:
        procs.close()
        stop_localnet(home)


def test_genesis_operators_are_cometbfts_validators(sn: StakeNet) -> None:
    vals = sn.net.validators()
    assert {v["tier"] for v in vals.values()} == {"primary"} and len(vals) == 4
    keys = {consensus_key(n.home) for n in sn.localnet.nodes}
    assert sn.net.cometbft_set() == {k: GENESIS_BOND // UNIT for k in keys}


def test_a_delegation_moves_an_extra_operator_into_cometbfts_set(sn: StakeNet) -> None:
    for i, (node, key) in enumerate(sn.extras):
        sn.net.submit(key, create_validator(consensus_key(node.home), f"extra{i}", 500, 100,
                                            (5_000 + 1_000 * i) * UNIT))
    sn.wait_election()
    vals = sn.net.validators()
    assert [vals[k.bech32]["tier"] for _, k in sn.extras] == ["secondary", "secondary"]
    node0, op0 = sn.extras[0]
    pub0 = consensus_key(node0.home)
    assert pub0 not in sn.net.cometbft_set()
    sn.net.submit(sn.net.key("faucet"), delegate(op0.address, 6_000 * UNIT))
    e = sn.wait_election()
    vals = sn.net.validators()
    assert vals[op0.bech32]["tier"] == "primary" and vals[op0.bech32]["power"] == 11_000
    # Equal genesis stakes rank by address: the highest address is the one outranked.
    genesis_ops = sorted(sn.genesis_operator(i).bech32 for i in range(4))
    outranked = max(genesis_ops, key=from_bech32)
    assert vals[outranked]["tier"] == "secondary"
    cset = sn.net.cometbft_set(e + 2)
    assert cset[pub0] == 11_000 and len(cset) == 4
    out_op = next(i for i in range(4) if sn.genesis_operator(i).bech32 == outranked)
    assert consensus_key(sn.localnet.node(f"node{out_op}").home) not in cset
    # The new validator's node votes: its signature is in the next commits.
    sn.wait_blocks(3, "blocks signed by the new set")
    addr = consensus_address(pub0).hex().upper()
    sigs = call(sn.url, "commit", height=str(e + 3))["signed_header"]["commit"]["signatures"]
    assert addr in {s["validator_address"] for s in sigs if s["block_id_flag"] == 2}
    times = [call(sn.url, "header", height=str(h))["header"]["time"]
             for h in range(e - 3, e + 5)]
    print("block times around the change:", times)
    sn.shared["outranked"] = outranked


def test_a_stopped_primary_is_jailed_slashed_replaced_and_returns(sn: StakeNet) -> None:
    vals = sn.net.validators()
    # A genesis primary other than node0 (whose RPC the test reads).
    i = next(i for i in (3, 2, 1) if vals[sn.genesis_operator(i).bech32]["tier"] == "primary")
    op = sn.genesis_operator(i)
    name = f"node{i}"
    pub = consensus_key(sn.localnet.node(name).home)
    stopped_at = height(sn.url)
    sn.localnet.stop_nodes([name])
    wait_until(lambda: sn.net.validators()[op.bech32]["tier"] == "jailed", "the jail", 120)
    jailed_at = height(sn.url)
    slashes = [e for _, e in sn.events("slash", stopped_at, jailed_at)
               if e["operator"] == op.bech32]
    assert slashes and slashes[0]["reason"] == "downtime"
    assert int(slashes[0]["amount"]) == GENESIS_BOND // 10_000  # downtime_slash_bps = 1
    v = sn.net.validators()[op.bech32]
    assert int(v["stake"]) == GENESIS_BOND - GENESIS_BOND // 10_000
    wait_until(lambda: pub not in sn.net.cometbft_set(), "it to leave CometBFT's set", 60)
    # The best secondary (the genesis operator outranked in the previous test) takes the seat.
    sn.wait_election()
    vals = sn.net.validators()
    best = sn.shared.get("outranked")
    if best is not None:
        assert vals[best]["tier"] == "primary"
    assert sum(1 for v in vals.values() if v["tier"] == "primary") == 4
    # Back: the node restarts, the jail term ends, unjail, and a delegation ranks it again.
    sn.localnet.start_node(name)
    until = v["jailed_until"]
    wait_until(lambda: height(sn.url) >= until, "the end of the jail term", 120)
    res = sn.net.submit(op, unjail())
    assert res["tx_result"].get("code", 0) == 0
    sn.net.submit(sn.net.key("faucet"), delegate(op.address, 1_500 * UNIT))
    e = sn.wait_election()
    assert sn.net.validators()[op.bech32]["tier"] == "primary"
    assert sn.net.cometbft_set(e + 2)[pub] == (GENESIS_BOND - GENESIS_BOND // 10_000
                                                + 1_500 * UNIT) // UNIT


def test_double_signing_for_real_slashes_and_tombstones(sn: StakeNet) -> None:
    vals = sn.net.validators()
    i = next(i for i in (1, 2, 3) if vals[sn.genesis_operator(i).bech32]["tier"] == "primary")
    op = sn.genesis_operator(i)
    source = sn.localnet.node(f"node{i}")
    pub = consensus_key(source.home)
    # A delegator whose undelegation (after the twin starts) may fall after the infraction.
    d = sn.net.new_operator_account(1_000 * UNIT)
    sn.net.submit(d, delegate(op.address, 200 * UNIT))
    twin = add_full_node(sn.home, "twin", port=free_base_port(1))
    shutil.copy(Path(source.home) / "config" / "priv_validator_key.json",
                Path(twin.home) / "config" / "priv_validator_key.json")
    started = height(sn.url)
    sn.procs.node(Path(twin.home))
    with open(Path(twin.home) / "node.log", "wb") as log:
        twin_proc = sn.procs.start([sys.executable, "-m", "app.cli.main", "node", "start",
                                    "--home", twin.home], stdout=log,
                                   stderr=subprocess.STDOUT)
    wait_until(lambda: height(twin.rpc_url) >= height(sn.url) - 1, "the twin at the head", 180)
    # One undelegation a block until the evidence lands: those from the infraction height to
    # the block that punishes it are slashed with the bonded stake, the others are not.
    sn.net.submit(d, undelegate(op.address, 10 * UNIT))
    while sn.net.validators()[op.bech32]["tier"] != "tombstoned":
        if len(sn.net.info(f"/stake/delegations/{d.bech32}")["unbonding"]) < 7:
            sn.net.submit(d, undelegate(op.address, 10 * UNIT))
        else:
            sn.wait_blocks(1, "a block")
        assert height(sn.url) < started + 150, "no evidence of the double vote"
    twin_proc.terminate()
    now = height(sn.url)
    slashes = [(h, e) for h, e in sn.events("slash", started, now) if e["operator"] == op.bech32]
    assert len(slashes) == 1 and slashes[0][1]["reason"] == "double_sign"
    infraction = int(slashes[0][1]["infraction_height"])
    assert infraction >= started
    wait_until(lambda: pub not in sn.net.cometbft_set(), "it to leave CometBFT's set", 60)
    res = sn.net.submit(op, unjail(), ok=False)  # CheckTx already refuses it
    assert res["check_tx"]["code"] == Code.OPERATOR_TOMBSTONED
    sn.shared["unbonding"] = (d, infraction, slashes[0][0])


def test_undelegated_pt_returns_exactly_at_completion_less_slashes(sn: StakeNet) -> None:
    d, infraction, slashed_at = sn.shared["unbonding"]
    entries = sn.net.info(f"/stake/delegations/{d.bech32}")["unbonding"]
    assert entries
    for entry in entries:
        created, done = entry["creation_height"], entry["completion_height"]
        assert done == created + NET_STAKE["unbonding_blocks"]
        initial = int(entry["initial"])
        hit = infraction <= created <= slashed_at
        expect = initial - (initial * 500 // 10_000 if hit else 0)
        assert int(entry["balance"]) == expect
        print(f"unbonding created at {created}, infraction at {infraction}: {expect} of "
              f"{initial} back at {done}")
    last = max(e["completion_height"] for e in entries)
    wait_until(lambda: height(sn.url) >= last + 1, "the completion heights", 300)
    for entry in entries:
        done = entry["completion_height"]
        before = sn.net.account(d.bech32, done - 1).balance
        after = sn.net.account(d.bech32, done).balance
        assert after - before == int(entry["balance"])  # d sends nothing meanwhile
    assert sn.net.info(f"/stake/delegations/{d.bech32}", last)["unbonding"] == []
