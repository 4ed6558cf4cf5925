"""A chain with the trade parties, a small catalogue and short oracle rounds, and helpers to
run one tx per block and read the trade records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from abci.proto import abci as pb
from app.crypto import Key, to_bech32
from app.modules import pt
from app.params import UNIT
from app.pb import state_pb2
from tests.app.chain import ALICE, BOB, DAVE, Chain, app_state

BUYER, SELLER = ALICE, BOB
VERIFIERS = [Key.derive(f"verifier-{i}") for i in range(3)]
ORACLES = [Key.derive(f"oracle-{i}") for i in range(3)]
SOVEREIGN = Key.derive("sovereign-br")
OUTSIDER = DAVE  # funded below, registered as nothing
RESERVE_START = 1_000_000 * UNIT
ROUND = 3  # oracle_round_blocks
MAX_AGE = 2  # oracle_max_age_rounds
CAP = 1_000 * UNIT  # ft_conversion_cap
WINDOW = 10  # ft_conversion_window_blocks
DOC = b"\x11" * 32

CATALOGUE = [
    {"code": "BRENT", "name": "Brent crude oil", "unit": "bbl", "decimals": 0,
     "ft_rate_bps": 100, "requirements": {"shipping": 2, "quality": 1}},
    {"code": "WHEAT", "name": "Wheat", "unit": "t", "decimals": 3, "ft_rate_bps": 200,
     "requirements": {"shipping": 1}},
    {"code": "TIN", "name": "Tin", "unit": "t", "decimals": 3, "ft_rate_bps": 100,
     "requirements": {"quality": 1}, "active": False},
]


def trade_state(**params: Any) -> dict[str, Any]:
    doc = app_state()
    doc["params"].update({
        "oracle_round_blocks": ROUND, "oracle_max_deviation_bps": 1_000,
        "oracle_max_age_rounds": MAX_AGE, "ft_conversion_rate_bps": 10_000,
        "ft_conversion_cap": str(CAP), "ft_conversion_window_blocks": WINDOW,
        "max_expiries_per_block": 2, "max_deadline_blocks": 1_000, **params,
    })
    doc["reserve"] = {"balance": str(RESERVE_START)}
    doc["commodities"] = CATALOGUE
    doc["accounts"] += [{"address": k.bech32, "balance": str(1_000 * UNIT)}
                        for k in (*VERIFIERS, *ORACLES, SOVEREIGN, OUTSIDER)]
    doc["entities"] += [
        *({"address": k.bech32, "tier": "enhanced", "jurisdiction": "NL",
           "roles": ["verifier"]} for k in VERIFIERS),
        *({"address": k.bech32, "tier": "enhanced", "jurisdiction": "GB",
           "roles": ["oracle"]} for k in ORACLES),
        {"address": SOVEREIGN.bech32, "tier": "sovereign", "jurisdiction": "BR",
         "roles": ["sovereign"]},
    ]
    return doc


def new_chain(path: Path, **params: Any) -> Chain:
    c = Chain(path, trade_state(**params))
    c.finalize([])
    return c


def run(chain: Chain, key: Key, *msgs: Any) -> pb.ExecTxResult:
    """One tx alone in the next block; its result."""
    return chain.finalize([chain.tx(key, *msgs)]).tx_results[0]


def run_many(chain: Chain, txs: list[tuple[Key, tuple[Any, ...]]]) -> pb.ResponseFinalizeBlock:
    return chain.finalize([chain.tx(k, *m) for k, m in txs])


def events(res: Any, kind: str) -> list[dict[str, str]]:
    return [{a.key: a.value for a in e.attributes} for e in res.events if e.type == kind]


def fee_of(res: pb.ExecTxResult) -> int:
    return int(events(res, "fee")[0]["amount"])


def info(chain: Chain, path: str, height: int = 0) -> Any:
    res = chain.query(path, height)
    assert res.code == 0, (path, res.code, res.log)
    return json.loads(res.info)


def purchase(chain: Chain, pid: bytes) -> state_pb2.Purchase:
    res = chain.query(f"/purchase/{pid.hex()}")
    assert res.code == 0, res.log
    return state_pb2.Purchase.FromString(res.value)


def escrow_balance(chain: Chain) -> int:
    return chain.account(to_bech32(pt.ESCROW)).balance


def reserve_balance(chain: Chain) -> int:
    return chain.account(to_bech32(pt.RESERVE)).balance


def ft_balance(chain: Chain, key: Key) -> int:
    return int(info(chain, f"/ft/{key.bech32}")["balance"])



