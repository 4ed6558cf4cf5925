"""Prometheus metrics of the gateway: requests, errors and latency by method.

Each gateway owns its registry (tests run several in one process). Method labels are only the
registered method names, ``-`` (the call never got as far as a method) or ``unknown``, so a
caller cannot grow the label set with made-up method names.
"""

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

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, methods: set[str]) -> None:
        disable_created_metrics()  # the *_created series only double the output
        self.methods = methods
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("fictra_rpc_requests", "JSON-RPC calls answered",
                                ["method", "transport"], registry=r)
        self.errors = Counter("fictra_rpc_errors", "JSON-RPC calls answered with an error",
                              ["method", "code"], registry=r)
        self.latency = Histogram("fictra_rpc_latency_seconds", "time to answer a call",
                                 ["method"], buckets=_BUCKETS, registry=r)
        self.cache_hits = Counter("fictra_rpc_cache_hits", "reads answered from the cache",
                                  registry=r)
        self.ws_connections = Gauge("fictra_rpc_ws_connections", "open WebSocket connections",
                                    registry=r)
        self.subscriptions = Gauge("fictra_rpc_subscriptions", "active subscriptions",
                                   registry=r)
        self.height = Gauge("fictra_rpc_chain_height", "latest block height seen", registry=r)
        self.following = Gauge("fictra_rpc_following_blocks",
                               "1 while the gateway follows new blocks over the node's websocket",
                               registry=r)

    def record(self, method: str, transport: str, code: int, seconds: float) -> None:
        label = method if method in self.methods or method == "-" else "unknown"
        self.requests.labels(label, transport).inc()
        if code:
            self.errors.labels(label, str(code)).inc()
        self.latency.labels(label).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
