"""The localnet's genesis ``app_state``: a council, funded trade parties (verifiers,
oracles, a sovereign, a faucet) with their key files, a commodity catalogue, and one
validator operator per node (``validator-<i>``, KYC role validator) bonding an equal
self-bond with the node's consensus key."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.crypto import Key, write_key_file
from app.genesis import GenesisError
from app.params import UNIT, default_params, params_to_json

# The localnet's catalogue: benchmark contracts of the energy, metals and agricultural markets.
# Quorums fit the localnet's three verifiers; ft_rate_bps is the share of a settled trade's
# value issued as FT to the origin sovereign.
LOCALNET_CATALOGUE: tuple[dict[str, Any], ...] = (
    {"code": "BRENT", "name": "Brent crude oil", "unit": "bbl", "decimals": 0,
     "ft_rate_bps": 100, "requirements": {"shipping": 2, "customs": 1, "quality": 1}},
    {"code": "WTI", "name": "West Texas Intermediate crude oil", "unit": "bbl", "decimals": 0,
     "ft_rate_bps": 100, "requirements": {"shipping": 2, "customs": 1, "quality": 1}},
    {"code": "LNG", "name": "Liquefied natural gas", "unit": "MMBtu", "decimals": 0,
     "ft_rate_bps": 80, "requirements": {"shipping": 2, "customs": 1}},
    {"code": "COPPER", "name": "Copper cathode, grade A", "unit": "t", "decimals": 3,
     "ft_rate_bps": 150, "requirements": {"shipping": 1, "customs": 1, "quality": 2}},
    {"code": "ALUMINIUM", "name": "Primary aluminium", "unit": "t", "decimals": 3,
     "ft_rate_bps": 150, "requirements": {"shipping": 1, "customs": 1, "quality": 1}},
    {"code": "IRON_ORE", "name": "Iron ore fines, 62% Fe", "unit": "t", "decimals": 3,
     "ft_rate_bps": 120, "requirements": {"shipping": 1, "customs": 1, "quality": 1}},
    {"code": "GOLD", "name": "Gold bullion, 995 fine", "unit": "ozt", "decimals": 3,
     "ft_rate_bps": 50, "requirements": {"shipping": 2, "customs": 2, "quality": 2}},
    {"code": "WHEAT", "name": "Wheat, milling grade", "unit": "t", "decimals": 3,
     "ft_rate_bps": 200, "requirements": {"shipping": 1, "quality": 1}},
    {"code": "SOYBEANS", "name": "Soybeans, No. 2 yellow", "unit": "t", "decimals": 3,
     "ft_rate_bps": 200, "requirements": {"shipping": 1, "quality": 1}},
    {"code": "COFFEE", "name": "Arabica coffee, green", "unit": "t", "decimals": 3,
     "ft_rate_bps": 250, "requirements": {"shipping": 1, "customs": 1, "quality": 1}},
)


# -- localnet ------------------------------------------------------------------------------------

COUNCIL_SIZE = 3
COUNCIL_THRESHOLD = 2
FAUCET_BALANCE = 1_000_000_000 * UNIT
TREASURY_BALANCE = 100_000_000 * UNIT
RESERVE_BALANCE = 100_000_000 * UNIT
# name, tier, jurisdiction, roles, initial PT
LOCALNET_ENTITIES = (
    ("faucet", "corporate", "CH", ["trader"], FAUCET_BALANCE),
    ("trader-ch", "corporate", "CH", ["trader"], 1_000_000 * UNIT),
    ("trader-sg", "enhanced", "SG", ["trader"], 1_000_000 * UNIT),
    ("sovereign-br", "sovereign", "BR", ["sovereign"], 1_000 * UNIT),  # fees for ConvertFT
    ("verifier-1", "enhanced", "NL", ["verifier"], 10_000 * UNIT),
    ("verifier-2", "enhanced", "CH", ["verifier"], 10_000 * UNIT),
    ("verifier-3", "enhanced", "SG", ["verifier"], 10_000 * UNIT),
    ("oracle-1", "enhanced", "GB", ["oracle"], 10_000 * UNIT),
    ("oracle-2", "enhanced", "US", ["oracle"], 10_000 * UNIT),
    ("oracle-3", "enhanced", "JP", ["oracle"], 10_000 * UNIT),
)
# Shorter than the default one-minute rounds, so a localnet shows prices within seconds.
LOCALNET_ORACLE_ROUND_BLOCKS = 5
# Each node's operator: its self-bond (power = self-bond / 1 PT) and what it keeps beside it.
VALIDATOR_SELF_BOND = 10_000 * UNIT
VALIDATOR_BALANCE = 100_000 * UNIT
# Staking on a localnet's time scale: an election every 20 s, unbonding in a minute, a
# node down for 20 of the last 30 blocks jailed for 30 s.
LOCALNET_STAKE = {"epoch_blocks": 10, "unbonding_blocks": 30, "signed_window": 30,
                  "max_missed_blocks": 20, "jail_blocks": 15}


KeyWriter = Callable[[str, Key], None]  # (name, key): keep the key somewhere


def plain_key_writer(home: Path) -> KeyWriter:
    """Key files ``<home>/keys/<name>.json``, UNENCRYPTED: a localnet's only."""
    keys_dir = Path(home) / "keys"
    return lambda name, key: write_key_file(keys_dir / f"{name}.json", name, key)


def localnet_app_state(home: Path, validator_pubkeys: list[bytes],
                       write_key: KeyWriter | None = None,
                       extra_accounts: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Make council and entity keys, hand each to ``write_key`` (by default an UNENCRYPTED
    file under ``<home>/keys/``: localnet only) and return an app_state that funds them. A
    localnet's faucet is ``<home>/keys/faucet.json``. ``extra_accounts`` (``{"address",
    "balance"}``, e.g. a benchmark's senders) are funded too."""
    for i, pk in enumerate(validator_pubkeys):
        if len(pk) != 32:
            raise GenesisError(f"validators[{i}]", "must be a 32-byte ed25519 key")
    write = write_key or plain_key_writer(home)
    council = []
    for i in range(1, COUNCIL_SIZE + 1):
        key = Key.generate()
        write(f"council-{i}", key)
        council.append(key.bech32)
    accounts, entities = [], []
    for name, tier, jurisdiction, roles, balance in LOCALNET_ENTITIES:
        key = Key.generate()
        write(name, key)
        if balance:
            accounts.append({"address": key.bech32, "balance": str(balance)})
        entities.append({"address": key.bech32, "tier": tier, "jurisdiction": jurisdiction,
                         "roles": roles})
    for addr in council:  # members pay fees for their votes
        accounts.append({"address": addr, "balance": str(1_000 * UNIT)})
    operators = []
    for i, pk in enumerate(validator_pubkeys):
        key = Key.generate()
        write(f"validator-{i}", key)
        accounts.append({"address": key.bech32, "balance": str(VALIDATOR_BALANCE)})
        entities.append({"address": key.bech32, "tier": "corporate", "jurisdiction": "CH",
                         "roles": ["validator"]})
        operators.append({"address": key.bech32, "pub_key": base64.b64encode(pk).decode(),
                          "moniker": f"node{i}", "commission_bps": 500, "max_change_bps": 100,
                          "self_bond": str(VALIDATOR_SELF_BOND)})
    accounts += extra_accounts or []
    params = params_to_json(default_params())
    params["proposal_expiry_blocks"] = "1800"  # an hour of 2-second blocks
    params["oracle_round_blocks"] = LOCALNET_ORACLE_ROUND_BLOCKS
    params.update(LOCALNET_STAKE)
    return {
        "params": params,
        "council": {"members": council, "threshold": COUNCIL_THRESHOLD},
        "treasury": {"balance": str(TREASURY_BALANCE)},
        "reserve": {"balance": str(RESERVE_BALANCE)},
        "accounts": accounts,
        "entities": entities,
        "commodities": [dict(c) for c in LOCALNET_CATALOGUE],
        "stake": {"operators": operators},
    }
