"""`fictra bench app` runs end to end on a small workload and reports every figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main


@pytest.mark.parametrize("role", ["proposer", "validator"])
def test_bench_app_small(tmp_path: Path, capsys: pytest.CaptureFixture[str], role: str) -> None:
    rc = main(["bench", "app", "--accounts", "50", "--blocks", "2", "--block-txs", "30",
               "--home", str(tmp_path / "b"), "--role", role, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["txs"] == out["committed_ok"] == 60 and out["refused_in_checktx"] == 0
    assert out["signature_checks"] == 60  # each tx verified once, in CheckTx
    shares = [out[f"{s}_share"] for s in ("check", "prepare", "process", "finalize", "commit")]
    assert abs(sum(shares) - 1) < 0.01 and out["tx_per_s"] > 0
    assert not (tmp_path / "b").exists()  # scratch removed without --keep


def test_bench_stake_small(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["bench", "stake", "--operators", "30", "--delegations", "200", "--signers", "5",
               "--repeat", "2", "--home", str(tmp_path / "s"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["operators"] == 30 and out["delegations"] == 200
    assert out["signers"] == 5  # 25 primaries elected, 5 of them sign
    assert 0 < out["election_ms_median"] <= out["election_hashed_ms_median"]
    assert 0 < out["rewards_ms_median"] <= out["rewards_hashed_ms_median"]
    assert not (tmp_path / "s").exists()
