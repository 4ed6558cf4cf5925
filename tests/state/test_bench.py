"""``fictra bench state --json`` prints one object with exactly the documented figures
(run on a small store here; the 1M-key figures come from the real benchmark)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from state.bench import FIGURES

ROOT = Path(__file__).resolve().parents[2]


def test_bench_json_has_exactly_the_figures(tmp_path: Path) -> None:
    env = {**os.environ, "FICTRA_BENCH_STATE_KEYS": "3000", "PYTHONPATH": str(ROOT)}
    code = "import argparse, sys, state.bench as b; sys.exit(b.run(argparse.Namespace(json=True)))"
    proc = subprocess.run([sys.executable, "-c", code],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=None)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    assert list(figures) == list(FIGURES)
    assert all(isinstance(v, int | float) and v >= 0 for v in figures.values())
    assert "pre-filling" in proc.stderr
    assert not (tmp_path / ".bench").exists() or not any((tmp_path / ".bench").iterdir())
