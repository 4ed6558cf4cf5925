"""The ``fictra`` command line (``main``): one module per command group (``node``, ``genesis``,
``localnet``, ``gateway``, ``bench``, ``wallet`` with ``wallet_trade``), what the wallet
commands share (``walletio``), amounts for people (``units``) and the council actions built
from what the user types (``council_actions``)."""
