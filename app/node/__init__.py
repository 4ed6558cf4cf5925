"""Node operations, outside the deterministic state machine: the supervisor of one validator
(``supervisor``: the ABCI server plus its ``cometbft`` child), reading a node's
``config/app.toml`` and opening its store (``config``), the app's Prometheus metrics
(``metered`` records them, ``metrics`` serves them), log formats (``logs``), the localnet of
N validators on loopback with its gateway (``localnet``), where the CometBFT binaries live
(``binaries``), the synchronous CometBFT RPC client of the CLI, localnet and benchmarks
(``cometrpc``), the progress line of long-running commands (``progress``), and the operator's
tools on a stopped node: checking its configuration (``configcheck``), its app hash and a
diff of two nodes (``inspect``), one height back with CometBFT (``rollback``). Nothing
deterministic imports this package."""
