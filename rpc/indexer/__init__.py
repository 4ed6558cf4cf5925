"""The analytics index (``fictra indexer``): a process of its own that follows committed blocks
over a node's CometBFT RPC and writes them to SQLite (the default, one file in WAL mode) or
PostgreSQL, off the consensus path; the gateway answers history and analytics from it.

- ``db``: one connection type over both backends (placeholders, the schema, transactions).
- ``schema``: the tables and their indexes, the same for both backends.
- ``extract``: a block and its results (CometBFT JSON) turned into rows; no I/O.
- ``writer``: a height's rows and the last-height marker in one transaction.
- ``follow``: fetches heights from the node in order, ahead of the writer, and waits for new
  blocks on the node's websocket.
- ``reader``: the queries the gateway's methods run, on a small pool of read connections.
- ``service``: the process: the follower plus ``/metrics`` and ``/health``.
"""
