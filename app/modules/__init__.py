"""Domain modules, one per concern, each the only writer of its own keys: ``pt`` (the PT
keeper: accounts, balances, supply), ``ft`` (the FT keeper and sovereign registry), ``gov``
(params, council, proposals), ``catalogue`` (commodities), ``trade`` (purchases and
escrow), ``verify`` (delivery attestations), ``oracle`` (prices), ``stake`` (operators,
delegations, rewards, slashing, the elected validator set). ``router``
joins them; ``SHARDS`` is the list of shards they register."""

from app.modules.router import SHARDS

__all__ = ["SHARDS"]
