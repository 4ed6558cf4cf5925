"""Benchmarks that print figures (``fictra bench e2e|app|blocks|rpc``): transfers through real
CometBFT nodes with confirmation latency and CPU per tx (``e2e``, its load client in
``loadclient``), the app's block pipeline in-process on a real store (``app``, with the trade
mix in ``trade``), block interval and memory of a localnet (``blocks``), and the wallet gateway
under offered load against a localnet (``rpc``). The state store's own benchmark is
``state.bench``. Nothing deterministic imports this package."""
