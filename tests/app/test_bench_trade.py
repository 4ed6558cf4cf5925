"""`fictra bench app --mix trade` runs end to end: the mix is exact and purchases settle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main


def test_bench_app_trade_mix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["bench", "app", "--mix", "trade", "--accounts", "400", "--blocks", "3",
               "--block-txs", "200", "--home", str(tmp_path / "b"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["txs"] == out["committed_ok"] == 600 and out["refused_in_checktx"] == 0
    counts = out["mix_counts"]
    assert (counts["send"], counts["create"] + counts["ship"], counts["attest"],
            counts["price"]) == (420, 90, 60, 30)  # 70 / 15 / 10 / 5 %
    assert counts["settled"] == 45  # every purchase attested in a measured block settles
    assert counts["published"] == 3 * 10  # a round per block, ten priced commodities
    assert out["signature_checks"] == 600 and out["tx_per_s"] > 0
