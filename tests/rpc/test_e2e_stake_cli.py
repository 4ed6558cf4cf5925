"""``fictra wallet stake`` through the gateway on the shared localnet: the validators as
elected at genesis, a delegation, its rewards and an undelegation's completion height. The
amounts stay below one unit of power, so the shared network's validator set is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.params import UNIT
from tests.localnets import fictra

from .conftest import Net

pytestmark = pytest.mark.integration


def _json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_stake_commands(net: Net, tmp_path: Path) -> None:
    env = net.cli_env(tmp_path / "keyring")
    vals = _json(fictra("wallet", "stake", "validators", "--json", env=env).stdout)
    rows = vals["validators"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert {r["tier"] for r in rows} == {"primary"} and {r["power"] for r in rows} == {10_000}
    human = fictra("wallet", "stake", "validators", env=env).stdout
    assert "primary" in human and "node0" in human and "5.00%" in human
    op = rows[0]["operator"]
    res = _json(fictra("wallet", "stake", "delegate", "--from", "faucet", op, "0.6PT", "--json",
                       env=env).stdout)
    assert res["code"] == 0
    d = _json(fictra("wallet", "stake", "delegations", "faucet", "--json", env=env).stdout)
    mine = [x for x in d["delegations"] if x["operator"] == op]
    assert mine and int(mine[0]["amount"]) >= UNIT * 6 // 10 - 1
    # A later tx's fee is shared out to the signers, the faucet's delegation included.
    fictra("wallet", "send", "--from", "faucet", "trader-ch", "1PT", env=env)
    r = _json(fictra("wallet", "stake", "rewards", "faucet", "--json", env=env).stdout)
    assert int(r["total"]) >= 0 and {x["operator"] for x in r["rewards"]} >= {op}
    out = _json(fictra("wallet", "stake", "undelegate", "--from", "faucet", op, "0.3PT",
                       "--json", env=env).stdout)
    assert out["code"] == 0 and int(out["completion_height"]) == out["height"] + 30
    bad = fictra("wallet", "stake", "undelegate", "--from", "faucet", op, "1000PT", env=env,
                 check=False)
    assert bad.returncode == 1 and "INSUFFICIENT_STAKE" in bad.stderr  # refused by CheckTx
    p = _json(fictra("wallet", "stake", "params", "--json", env=env).stdout)
    assert p["epoch_blocks"] == 10 and p["primary_slots"] == 25
