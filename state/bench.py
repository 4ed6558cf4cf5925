"""``fictra bench state``: the state store's speed, memory and disk figures.

Pre-fills one shard with 1,000,000 keys (100-byte values), then measures blocks of 1,000 and
10,000 updates (hashing plus durable commit), hot and cold reads, proofs, snapshot export
and import. Scratch data lives under .bench/ and is removed afterwards. Set
FICTRA_BENCH_STATE_KEYS to run on fewer keys (the tests do).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .proof import verify_proof
from .snapshot import Restore
from .store import Store

KEYS = 1_000_000
VALUE_BYTES = 100
FILL_BLOCK = 20_000  # bigger blocks copy most pages at once and inflate the peak RSS
# A store of its own: five shards, as on a node, so the LevelDB block cache is split the
# same way; the benchmark fills the first.
SHARDS = ("a", "b", "c", "d", "e")
SHARD = SHARDS[0]
KEEP = 3
FIGURES = (
    "update_us_per_key_1000", "update_us_per_key_10000", "read_p50_us", "read_p99_us",
    "read_cold_p99_us", "prove_us", "verify_us", "snapshot_export_s", "snapshot_import_s",
    "rss_mb", "disk_mb",
)


def _key(i: int) -> bytes:
    return b"acct/%010d" % i


def _progress(msg: str) -> None:
    sys.stderr.write("\r" + msg.ljust(72))
    sys.stderr.flush()


def _pct(samples: list[int], p: int) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, len(s) * p // 100)] / 1000


def _fill(store: Store, n: int, rng: random.Random) -> None:
    t0 = time.perf_counter()
    done = 0
    while done < n:
        ov = store.overlay()
        upto = min(n, done + FILL_BLOCK)
        for i in range(done, upto):
            ov.set(SHARD, _key(i), rng.randbytes(VALUE_BYTES))
        store.commit(ov, store.height + 1)
        done = upto
        el = time.perf_counter() - t0
        _progress(f"pre-filling: {done:,}/{n:,} keys, {el:.0f} s, {done / el:,.0f} keys/s")
    sys.stderr.write("\n")


def _update_us(
    store: Store, n: int, size: int, blocks: int, rng: random.Random, read_first: bool = True
) -> float:
    """Median microseconds per key of hashing (app_hash) plus commit, over ``blocks``. With
    ``read_first`` each update reads the key first, as the ledger's transactions do (the
    reads are not timed); otherwise the writes are blind."""
    per_key = []
    for b in range(blocks + 1):
        ov = store.overlay()
        for i in rng.sample(range(n), min(size, n)):
            if read_first:
                ov.get(SHARD, _key(i))
            ov.set(SHARD, _key(i), rng.randbytes(VALUE_BYTES))
        t0 = time.perf_counter_ns()
        ov.app_hash()
        store.commit(ov, store.height + 1)
        if b:  # the first block warms up
            per_key.append((time.perf_counter_ns() - t0) / min(size, n) / 1000)
        _progress(f"blocks of {size:,} updates: {b}/{blocks}")
    per_key.sort()
    return per_key[len(per_key) // 2]


def _reads(store: Store, keys: list[bytes]) -> list[int]:
    get = store.get
    clock = time.perf_counter_ns
    out = []
    for k in keys:
        t0 = clock()
        get(SHARD, k)
        out.append(clock() - t0)
    return out


def measure(work: Path, n: int, extra: dict[str, float]) -> dict[str, float]:
    """The FIGURES; ``extra`` receives figures that are printed but not in the JSON."""
    rng = random.Random(2024)
    path = work / "state"
    # A short history so pruning runs in every measured block, as on a node in steady state.
    store = Store.open(path, shards=SHARDS, keep_recent=KEEP)
    try:
        _fill(store, n, rng)
        # Settle LevelDB's compaction debt from the bulk fill, so the blocks measure the
        # steady state of a node rather than write stalls left over from the fill.
        _progress("compacting the pre-filled store")
        store.compact()
        up_1k = _update_us(store, n, 1000, 10, rng)
        up_10k = _update_us(store, n, 10_000, 5, rng)
        blind_10k = _update_us(store, n, 10_000, 5, rng, read_first=False)
        _progress("reads, proofs")
        sample = [_key(i) for i in rng.sample(range(n), min(n, 50_000))]
        _reads(store, sample)
        hot = _reads(store, sample)
        proofs = []
        t0 = time.perf_counter_ns()
        for k in sample[:2000]:
            proofs.append((k, *store.prove(SHARD, k)))
        prove_us = (time.perf_counter_ns() - t0) / len(proofs) / 1000
        app_hash = store.app_hash
        t0 = time.perf_counter_ns()
        for k, value, ops in proofs:
            verify_proof(ops, app_hash, SHARD, k, value)
        verify_us = (time.perf_counter_ns() - t0) / len(proofs) / 1000
        disk_mb = store.disk_bytes() / 1e6
        _progress("snapshot export")
        t0 = time.perf_counter()
        info = store.export_snapshot(work / "snapshot")
        export_s = time.perf_counter() - t0
    finally:
        store.close()
    _progress("snapshot import")
    t0 = time.perf_counter()
    restore = Restore(work / "restored", shards=SHARDS, keep_recent=KEEP)
    if not restore.offer(info.height, info.format, info.chunks, info.hash, info.metadata,
                         app_hash).ok:
        raise RuntimeError("own snapshot refused")
    for i in range(info.chunks):
        verdict = restore.apply_chunk(i, (work / "snapshot" / str(i)).read_bytes())
        if not verdict.ok:
            raise RuntimeError(verdict.reason)
    restored = restore.finish()
    import_s = time.perf_counter() - t0
    if restored.app_hash != app_hash:
        raise RuntimeError("restored store has another app hash")
    restored.close()
    _progress("cold reads")
    store = Store.open(path, shards=SHARDS, keep_recent=KEEP)
    try:
        cold = _reads(store, [_key(i) for i in rng.sample(range(n), min(n, 20_000))])
    finally:
        store.close()
    sys.stderr.write("\r" + " " * 72 + "\r")
    extra["update_us_per_key_10000_blind"] = round(blind_10k, 1)
    return {
        "update_us_per_key_1000": round(up_1k, 1),
        "update_us_per_key_10000": round(up_10k, 1),
        "read_p50_us": round(_pct(hot, 50), 1),
        "read_p99_us": round(_pct(hot, 99), 1),
        "read_cold_p99_us": round(_pct(cold, 99), 1),
        "prove_us": round(prove_us, 1),
        "verify_us": round(verify_us, 1),
        "snapshot_export_s": round(export_s, 2),
        "snapshot_import_s": round(import_s, 2),
        # peak resident memory of the whole run (at least the figure at the end)
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "disk_mb": round(disk_mb, 1),
    }


def run(args: argparse.Namespace) -> int:
    n = int(os.environ.get("FICTRA_BENCH_STATE_KEYS", KEYS))
    root = Path.cwd() / ".bench"
    root.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="state-", dir=root))
    extra: dict[str, float] = {}
    try:
        figures = measure(work, n, extra)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"state store, {n:,} keys of {VALUE_BYTES} bytes in one shard")
        for name in FIGURES:
            print(f"  {name:<24} {figures[name]}")
        for name, value in extra.items():
            print(f"  {name:<24} {value}  (blind writes: no read of the key before it)")
    return 0


def prune_run(keys: int = 100_000, blocks: int = 1000, size: int = 5_000, keep: int = 10) -> None:
    """Disk use under a steady workload with a short history: one line every 50 blocks
    (``python -m state.bench prune``)."""
    rng = random.Random(7)
    root = Path.cwd() / ".bench"
    root.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="prune-", dir=root))
    try:
        store = Store.open(work / "state", shards=SHARDS, keep_recent=keep)
        _fill(store, keys, rng)
        print(f"{keys:,} keys, blocks of {size:,} updates, keep_recent={keep}")
        print("height  live entries  disk MB")
        for b in range(1, blocks + 1):
            ov = store.overlay()
            for i in rng.sample(range(keys), size):
                ov.set(SHARD, _key(i), rng.randbytes(VALUE_BYTES))
            store.commit(ov, store.height + 1)
            if b % 50 == 0:
                entries = sum(1 for _ in store.dbs[SHARD].db.iterator(include_value=False))
                print(f"{store.height:6d}  {entries:12,}  {store.disk_bytes() / 1e6:7.1f}",
                      flush=True)
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["prune"]:
        prune_run()
    else:
        sys.exit(run(argparse.Namespace(json="--json" in sys.argv)))
