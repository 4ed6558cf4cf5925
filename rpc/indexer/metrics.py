"""Prometheus metrics of the indexer (``fictra_indexer_*``), on its own registry."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class IndexerMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        disable_created_metrics()
        self.registry = r = CollectorRegistry()
        self.height = Gauge("fictra_indexer_height", "last height fully indexed", registry=r)
        self.node_height = Gauge("fictra_indexer_node_height", "latest height the node has",
                                 registry=r)
        self.blocks = Counter("fictra_indexer_blocks", "blocks indexed", registry=r)
        self.txs = Counter("fictra_indexer_txs", "txs indexed", registry=r)
        self.fetch = Histogram("fictra_indexer_fetch_seconds",
                               "time to fetch a height's block and results from the node",
                               buckets=_BUCKETS, registry=r)
        self.write = Histogram("fictra_indexer_write_seconds",
                               "time to turn a height into rows and commit them",
                               buckets=_BUCKETS, registry=r)
        self.errors = Counter("fictra_indexer_errors", "failed attempts (node or database), "
                              "each retried", ["stage"], registry=r)
        self.following = Gauge("fictra_indexer_following_blocks",
                               "1 while subscribed to new blocks on the node's websocket",
                               registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)
