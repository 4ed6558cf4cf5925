"""``fictra bench e2e --plot FILE.png``: committed tx/s per block and latency percentiles.

Needs matplotlib (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

MISSING = "--plot needs matplotlib: pip install -e '.[bench]'"


def available() -> bool:
    """Whether matplotlib imports (checked before a run, so a run's figures are not lost)."""
    return importlib.util.find_spec("matplotlib") is not None


def plot(out: dict[str, Any], path: Path) -> None:
    try:  # lazy: matplotlib is an optional dependency (the bench extra)
        import matplotlib

        matplotlib.use("Agg")  # no display: files only, chosen before pyplot loads
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise SystemExit(MISSING) from e
    apps = [a for a in ("fictra", "kvstore") if out.get(a)]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    for app in apps:
        tp = out[app]["throughput"]
        blocks = [b for b in tp.get("per_block") or [] if b["interval_s"] > 0]
        if not blocks:
            continue
        t, x, y = 0.0, [], []
        for b in blocks:
            t += b["interval_s"]
            x.append(t)
            y.append(b["txs"] / b["interval_s"])
        label = f"{app}: {tp['tx_per_s']:,.0f} tx/s over {tp['window_s']:.0f} s" \
            if tp.get("tx_per_s") else app
        ax1.step(x, y, where="pre", label=label)
    ax1.set_xlabel("time since the first block of the phase (s, block header times)")
    ax1.set_ylabel("committed tx/s (block's num_txs / interval)")
    ax1.set_title(f"throughput phase, {out['validators']} validator(s)")
    ax1.legend()
    ax1.grid(alpha=0.3)
    for app in apps:
        lat = [r for r in out[app]["latency"] if r.get("p50_s") is not None]
        if not lat:
            continue
        xs = list(range(len(lat)))
        for q, style in (("p50_s", "o-"), ("p99_s", "s--"), ("max_s", "^:")):
            ax2.plot(xs, [r[q] for r in lat], style,
                     label=f"{app} {q[:-2]}")
        ax2.set_xticks(xs, [f"{r['rate']:,.0f}" for r in lat])
    ax2.set_xlabel("offered tx/s")
    ax2.set_ylabel("send -> block committed (s)")
    ax2.set_title("confirmation latency")
    ax2.legend()
    ax2.grid(alpha=0.3)
    load = ", ".join(f"{a} {out[a]['load_avg_before'][0]}" for a in apps)
    fig.suptitle(f"fictra bench e2e (1-minute load before each app's run: {load})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
