"""The FICTRA application.

The deterministic state machine: ``application`` (the ABCI 2.0 glue) and ``responses`` (its
wire encodings), ``block`` (executing a block), ``tx/`` (codec, signature cache, ante,
builder), ``modules/`` (one per domain, each the only writer of its keys), ``query/``,
``genesis`` and ``snapshots``, over ``state/``. Node operations (``node/``), benchmarks
(``bench/``) and the ``fictra`` command line (``cli/``) are sub-packages that nothing
deterministic imports (``tests/test_layout.py`` checks the boundaries).
"""
