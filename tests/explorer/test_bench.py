"""``fictra bench explorer`` against a running gateway: it fills the chain, measures the
network page's first render and a search in headless Chromium, and writes the screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.localnets import fictra

from .conftest import Chain

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n"


def test_bench_explorer_prints_figures_and_screenshots(shared_localnet: Any, explorer: str,
                                                       chain: Chain, tmp_path: Path) -> None:
    gateway = explorer.removesuffix("/explorer/")  # without rate limits: no API key needed
    out = fictra("bench", "explorer", "--gateway", gateway, "--localnet-home",
                 str(shared_localnet.home), "--runs", "2",
                 "--price-rounds", "1", "--screenshots", str(tmp_path), "--json").stdout
    r = json.loads(out)
    f = r["first_render_ms"]
    assert r["runs"] == 2
    # Each step of a load comes after the one before it.
    assert 0 < f["html_ms"]["median"] <= f["dom_ready_ms"]["median"] <= f["height_ms"]["median"]
    assert f["height_ms"]["max"] >= f["height_ms"]["median"] > 0
    assert f["stats_ms"]["median"] > 0 and r["search_ms"]["median"] > 0
    names = sorted(Path(p).name for p in r["screenshots"])
    assert names == sorted(f"{n}.png" for n in ("network", "blocks", "tx", "account",
                                                "purchase", "commodities", "sovereigns"))
    for p in r["screenshots"]:
        assert Path(p).read_bytes()[:8] == PNG and Path(p).stat().st_size > 10_000
