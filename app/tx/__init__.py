"""Transactions: ``codec`` decodes tx bytes once (canonical encoding, sign bytes), ``cache``
keeps each distinct tx decoded and signature-checked once per node, ``verifier`` checks
batches of signatures in worker processes, ``ante`` charges the fee and nonce and runs a tx's
messages, ``builder`` builds and signs txs (wallets, tests, benchmarks)."""
