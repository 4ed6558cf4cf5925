"""ABCI Query: committed state at the latest or a given height, with proofs on request.

Paths (``value`` is the stored record, protobuf-encoded; ``info`` is the same as JSON): the
ledger's (``ledger``: accounts, params, supply, council, validators, proposals, raw store
keys), staking's (``stake``: validators ranked with their tiers, delegations, rewards, params)
and the trade, oracle and FT modules' (``trade``), some of which list several records.
With ``prove`` the answer carries proof ops from the value to the app hash of that height,
which the header at height + 1 holds (for a list: one proof per record, ``listproof``).
"""
