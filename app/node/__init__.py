"""Node operations, outside the deterministic state machine: the supervisor of one validator
(``supervisor``: the ABCI server plus its ``cometbft`` child), reading a node's
``config/app.toml`` and opening its store (``config``), the app's Prometheus metrics
(``metered`` records them, ``metrics`` serves them), log formats (``logs``), the localnet of
N validators on loopback with its gateway (``localnet``), where the CometBFT binaries live
(``binaries``), the synchronous CometBFT RPC client of the CLI, localnet and benchmarks
(``cometrpc``) and the progress line of long-running commands (``progress``). Nothing
deterministic imports this package."""
