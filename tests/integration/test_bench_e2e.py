"""``fictra bench e2e`` on a tiny run: its JSON, and every offered tx committed with code 0."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import free_base_port

pytestmark = pytest.mark.integration

TXS = 2000
LATENCY_RATE = 100
LATENCY_S = 3


def test_bench_e2e_tiny_run_commits_every_tx(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "bench", "e2e", "--validators", "1",
         "--txs", str(TXS), "--senders", "50", "--connections", "16",
         "--latency-rates", str(LATENCY_RATE), "--latency-s", str(LATENCY_S),
         "--base-port", str(free_base_port(1)), "--home", str(tmp_path / "e2e"), "--json"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["validators"] == 1 and out["mix"] == "transfers"
    assert out["ok"] is True
    f = out["fictra"]
    tp = f["throughput"]
    assert tp["offered"] == TXS
    assert tp["committed"] == TXS and tp["lost"] == 0
    assert tp["codes_checked"] is True and tp["committed_ok"] == TXS
    assert tp["failed_codes"] == {}
    assert tp["tx_per_s"] > 0 and tp["window_txs"] > 0
    assert set(tp["cpu_us_per_tx"]) == {"cometbft", "app", "client", "total"}
    assert tp["cpu_us_per_tx"]["app"] > 0 and tp["cpu_us_per_tx"]["cometbft"] > 0
    assert "app_stages" in tp and "other" in tp["app_stages"]
    assert {"mean", "min", "max"} <= set(tp["block_interval_s"])
    assert all({"height", "txs", "interval_s"} <= set(b) for b in tp["per_block"])
    assert sum(b["txs"] for b in tp["per_block"]) <= TXS
    [lat] = f["latency"]
    assert lat["rate"] == LATENCY_RATE and lat["offered"] == LATENCY_RATE * LATENCY_S
    assert lat["committed"] == lat["offered"] and lat["lost"] == 0
    assert lat["committed_ok"] == lat["offered"]
    assert lat["measured"] == lat["offered"]
    assert 0 < lat["p50_s"] <= lat["p99_s"] <= lat["max_s"]
    # the two parts of a tx's latency: each smaller than the whole
    assert 0 <= lat["intake_p50_s"] <= lat["intake_p99_s"] < lat["max_s"]
    assert 0 < lat["after_answer_p50_s"] <= lat["after_answer_p99_s"] <= lat["max_s"]
    # None only if every tx of the phase landed in one block
    assert lat["block_interval_mean_s"] is None or lat["block_interval_mean_s"] > 0
    assert "kvstore" not in out


TRADE_TXS = 12_000  # past 2 x LAG segments: attested and settled purchases in the window


def test_bench_e2e_trade_mix_settles_purchases_and_publishes_prices(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "bench", "e2e", "--validators", "1",
         "--mix", "trade", "--txs", str(TRADE_TXS), "--senders", "400", "--connections", "16",
         "--latency-rates", "", "--base-port", str(free_base_port(1)),
         "--home", str(tmp_path / "e2e"), "--json"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["mix"] == "trade" and out["ok"] is True
    kinds = out["offered_by_kind"]
    assert sum(kinds.values()) == TRADE_TXS and min(kinds.values()) > 0
    tp = out["fictra"]["throughput"]
    assert tp["committed"] == TRADE_TXS and tp["committed_ok"] == TRADE_TXS
    assert tp["failed_codes"] == {}
    trade = out["fictra"]["trade"]
    # every purchase whose attestations were offered settled: one per create of the first
    # segments (the last 2 x LAG segments' purchases are still in the pipeline)
    assert trade["purchases_settled"] > 0
    assert trade["purchases_settled"] <= kinds["create"]
    prices = trade["prices"]
    assert prices["accepted"] > 0 and prices["committed"] == prices["accepted"]
    assert prices["failed_codes"] == {}
    assert sum(trade["price_rounds"].values()) > 0


def test_bench_e2e_kvstore_socket_baseline_runs_abci_cli_behind_the_socket(tmp_path: Path
                                                                          ) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "bench", "e2e", "--validators", "1",
         "--txs", str(TXS), "--senders", "50", "--connections", "16", "--latency-rates", "",
         "--baseline", "kvstore-socket", "--base-port", str(free_base_port(1)),
         "--home", str(tmp_path / "e2e"), "--json"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    kv = out["kvstore"]
    assert kv["app"] == "kvstore-socket" and out["ok"] is True
    tp = kv["throughput"]
    assert tp["committed"] == TXS and tp["committed_ok"] == TXS and tp["lost"] == 0
    assert tp["cpu_us_per_tx"]["app"] > 0  # abci-cli's own process, apart from cometbft's
    assert out["client_ceiling"]["answered_per_s_vs_kvstore"] > 0  # read from the baseline
