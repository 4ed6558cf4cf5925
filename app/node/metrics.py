"""Prometheus metrics of the app process (``fictra_app_*``), served on the node's own port.

Nothing deterministic reads them: they are written by the metered application
(``app.node.metered``) and read only by a scrape. Cheap on the hot path by construction: the
ABCI calls add to plain Python integers, lists and dicts (no lock, no prometheus_client object
per call); each series has one writer thread (CheckTx: the ABCI server's event loop; blocks and
snapshots: the consensus and snapshot connections' threads), and a scrape, on the HTTP
server's thread, copies them at C level (``list(...)``, ``dict(...)``) before rendering.
Gauges of the store, the snapshots and the signature cache are read at scrape time. Every
label set is bounded: message kinds and result codes come from the app's own tables.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, ProcessCollector, start_http_server
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from app.errors import Code

# Seconds of one CheckTx (a transfer takes ~0.1 ms), and of a block stage (PrepareProposal,
# ProcessProposal, FinalizeBlock, Commit: a 5,000-tx block executes in ~0.3 s).
CHECK_BUCKETS = (1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 1e-2, 0.1)
STAGE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TXS_BUCKETS = (0, 1, 10, 100, 1_000, 2_500, 5_000, 10_000, 20_000)
STAGES = ("prepare_proposal", "process_proposal", "finalize_block", "commit")
CHECKS = ("new", "recheck")


def code_name(code: int) -> str:
    try:
        return Code(code).name
    except ValueError:
        return "UNKNOWN"


class Hist:
    """A histogram one thread writes: a count per bucket (the last is +Inf) and a sum."""

    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1  # le: the first bound >= value
        self.sum += value

    def buckets(self) -> tuple[list[tuple[str, float]], float]:
        """Cumulative (le, count) pairs ending with +Inf, and the sum (for a scrape)."""
        counts, total = list(self.counts), self.sum
        out, running = [], 0
        for bound, n in zip((*map(floatToGoString, self.bounds), "+Inf"), counts, strict=True):
            running += n
            out.append((bound, running))
        return out, total


class AppMetrics:
    """What the metered app records; read by ``Collector``."""

    def __init__(self) -> None:
        self.check_seconds = {c: Hist(CHECK_BUCKETS) for c in CHECKS}
        self.check_codes: dict[tuple[str, int], int] = {}  # (new|recheck, code) -> txs
        self.check_batch_seconds = Hist(STAGE_BUCKETS)
        self.stage_seconds = {s: Hist(STAGE_BUCKETS) for s in STAGES}
        self.block_txs = Hist(TXS_BUCKETS)
        self.txs: dict[tuple[str, int], int] = {}  # (message kind, code) -> txs in blocks
        self.proposals: dict[str, int] = {"accept": 0, "reject": 0}
        self.blocks = 0
        self.validator_updates = 0
        self.last_block_time_s = 0.0  # the header time of the last finalized block
        self.snapshot_chunks_served = 0
        self.snapshot_offers: dict[str, int] = {}  # answer -> offers
        self.snapshot_chunks_applied: dict[str, int] = {}  # answer -> chunks


def _counter(name: str, doc: str, labels: list[str], values: dict[Any, int]) -> Metric:
    m = CounterMetricFamily(name, doc, labels=labels)
    for key, n in sorted(dict(values).items()):
        m.add_metric([str(k) for k in (key if isinstance(key, tuple) else (key,))], n)
    return m


def _gauge(name: str, doc: str, value: float) -> Metric:
    return GaugeMetricFamily(name, doc, value=value)


def _hists(name: str, doc: str, label: str | None, hists: dict[str, Hist]) -> Metric:
    m = HistogramMetricFamily(name, doc, labels=[label] if label else None)
    for key, h in hists.items():
        buckets, total = h.buckets()
        m.add_metric([key] if label else [], buckets, total)
    return m


class Collector:
    """Renders ``AppMetrics`` and the app's store, snapshots and signature cache at scrape."""

    def __init__(self, app: Any, m: AppMetrics) -> None:
        self.app = app
        self.m = m

    def collect(self) -> Iterator[Metric]:
        m = self.m
        yield _hists("fictra_app_check_tx_seconds", "time of one CheckTx in the app (new: "
                     "first sight of a tx; recheck: after a commit)", "check", m.check_seconds)
        yield _hists("fictra_app_check_tx_batch_seconds", "time of a batch of CheckTx requests "
                     "that arrived together, their parallel signature checks included", None,
                     {"": m.check_batch_seconds})
        check = {(c, code, code_name(code)): n for (c, code), n in dict(m.check_codes).items()}
        yield _counter("fictra_app_check_tx", "CheckTx answers by check and result code",
                       ["check", "code", "name"], check)
        for stage in STAGES:
            yield _hists(f"fictra_app_{stage}_seconds", f"time of {stage} in the app", None,
                         {"": m.stage_seconds[stage]})
        yield _hists("fictra_app_block_txs", "txs per finalized block", None,
                     {"": m.block_txs})
        txs = {(kind, code, code_name(code)): n for (kind, code), n in dict(m.txs).items()}
        yield _counter("fictra_app_txs", "txs in finalized blocks by message kind ('mixed': "
                       "several kinds; 'undecodable') and result code",
                       ["type", "code", "name"], txs)
        yield _counter("fictra_app_proposals", "ProcessProposal answers", ["result"],
                       m.proposals)
        yield _counter("fictra_app_blocks", "blocks committed by this process", [],
                       {(): m.blocks})
        yield _counter("fictra_app_validator_updates", "validator updates answered by "
                       "FinalizeBlock", [], {(): m.validator_updates})
        yield _gauge("fictra_app_last_block_time_seconds", "header time of the last finalized "
                     "block (Unix seconds)", m.last_block_time_s)
        yield _counter("fictra_app_snapshot_chunks_served", "state-sync chunks served to "
                       "peers", [], {(): m.snapshot_chunks_served})
        yield _counter("fictra_app_snapshot_offers", "snapshots offered to this node, by "
                       "answer", ["result"], m.snapshot_offers)
        yield _counter("fictra_app_snapshot_chunks_applied", "state-sync chunks applied, by "
                       "answer", ["result"], m.snapshot_chunks_applied)
        yield from self._store()
        yield from self._cache()

    def _store(self) -> Iterator[Metric]:
        store = self.app.store  # None while a state-sync restore runs
        height = GaugeMetricFamily("fictra_app_height", "last committed height")
        earliest = GaugeMetricFamily("fictra_app_store_earliest_height",
                                     "lowest height still readable (older state pruned)")
        keys = GaugeMetricFamily("fictra_app_store_keys", "keys in a shard", labels=["shard"])
        size = GaugeMetricFamily("fictra_app_store_bytes", "a shard's LevelDB files on disk",
                                 labels=["shard"])
        held = GaugeMetricFamily("fictra_app_snapshots", "state-sync snapshots held")
        latest = GaugeMetricFamily("fictra_app_snapshot_latest_height",
                                   "height of the newest snapshot held (0: none)")
        failed = GaugeMetricFamily("fictra_app_snapshot_failed",
                                   "1 if the last snapshot export failed")
        if store is not None:
            height.add_metric([], store.height)
            earliest.add_metric([], store.earliest_height)
            for shard in store.shards:
                keys.add_metric([shard], store.key_count(shard))
                with contextlib.suppress(OSError):  # a file compaction removes meanwhile
                    size.add_metric([shard], store.dbs[shard].size_bytes())
            manager = store.snapshots
            try:  # an export may be writing its files right now: skip them this once
                snaps = manager.list_snapshots() if manager is not None else []
            except (OSError, ValueError, KeyError):
                snaps = None
            if snaps is not None:
                held.add_metric([], len(snaps))
                latest.add_metric([], snaps[0].height if snaps else 0)
            failed.add_metric([], 1 if manager is not None and manager.error else 0)
        yield from (height, earliest, keys, size, held, latest, failed)

    def _cache(self) -> Iterator[Metric]:
        cache = self.app.cache  # None before InitChain
        entries = GaugeMetricFamily("fictra_app_sigcache_entries",
                                    "verified txs held by the signature cache")
        size = GaugeMetricFamily("fictra_app_sigcache_bytes",
                                 "estimated memory of the signature cache's entries")
        limit = GaugeMetricFamily("fictra_app_sigcache_limit_entries",
                                  "the signature cache's bound on entries")
        hits = CounterMetricFamily("fictra_app_sigcache_hits",
                                   "tx lookups answered from the signature cache")
        checks = CounterMetricFamily("fictra_app_sigcache_verifications",
                                     "signature checks done (lookups the cache missed)")
        if cache is not None:
            entries.add_metric([], len(cache))
            size.add_metric([], cache.bytes)
            limit.add_metric([], cache.limit)
            hits.add_metric([], cache.hits)
            checks.add_metric([], cache.verifications)
        yield from (entries, size, limit, hits, checks)


class MetricsServer:
    """``GET /metrics`` on ``host:port``, served by prometheus_client on a daemon thread of
    its own (no line per scrape in the node's log)."""

    def __init__(self, app: Any, m: AppMetrics, host: str, port: int) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(Collector(app, m))
        ProcessCollector(registry=self.registry)  # CPU seconds, resident memory, open fds
        # Listens at once: OSError if the address is taken.
        self._httpd, self._thread = start_http_server(port, host, registry=self.registry)
        self.port = int(self._httpd.server_address[1])

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
