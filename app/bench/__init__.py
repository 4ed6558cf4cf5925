"""Benchmarks through real CometBFT nodes: ``fictra bench e2e`` (``app.bench.e2e``) and its
load client (``app.bench.loadclient``)."""
