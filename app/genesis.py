"""The genesis ``app_state``: schema, validation with field paths, and writing it into state
through each module's own genesis entry point (InitChain).

Schema (amounts are integer strings in PT base units, addresses bech32 ``fic1...``)::

    {
      "params":   {"base_fee", "fee_per_byte", "max_multisend_outputs",
                   "tier_limits": {"none", "basic", "enhanced", "corporate", "sovereign"},
                   "proposal_expiry_blocks", "blocked_jurisdictions": ["ISO 3166 code", ...]},
      "council":  {"members": ["fic1...", ...], "threshold": T},
      "treasury": {"balance": "..."},
      "accounts": [{"address": "fic1...", "balance": "..."}, ...],
      "entities": [{"address": "fic1...", "tier": "corporate", "jurisdiction": "CH",
                    "roles": ["trader"], "frozen": false}, ...],
      "reserve":  {"balance": "..."},
      "commodities": [{"code": "BRENT", "name": "Brent crude oil", "unit": "bbl",
                       "decimals": 0, "ft_rate_bps": 100,
                       "requirements": {"shipping": 2, "customs": 1, "quality": 1},
                       "active": true}, ...],
      "stake":    {"operators": [{"address": "fic1...", "pub_key": "<base64 ed25519>",
                                  "moniker": "node0", "commission_bps": 500,
                                  "max_change_bps": 100, "self_bond": "..."}, ...]}
    }

``params`` may be partial (missing fields take the defaults, the trade params included);
``council``, ``treasury`` and ``accounts`` are required, ``accounts``, ``entities`` and
``commodities`` may be empty, ``reserve`` (the Foundation reserve that pays FT conversions)
defaults to 0. Unknown keys are errors, so typos do not pass. The supply is the treasury and
reserve balances plus all allocations and must not exceed the maximum supply. Entities with the
oracle or sovereign role also enter the oracle set and the sovereign registry. ``stake``'s
operators (entities with the validator role) bond their ``self_bond`` out of their own
allocation; with operators, the election at genesis decides CometBFT's validator set (InitChain
answers it), without, genesis.json's validators stand.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from app.context import KV
from app.crypto import from_bech32
from app.iso3166 import is_country
from app.modules import catalogue, gov, pt, router, stake
from app.params import MAX_SUPPLY, PARAM_BOUNDS, ROLES, TIERS, default_params, params_problems
from app.pb import state_pb2, tx_pb2

# Keyless module accounts: funded only through their own sections.
MODULE_ACCOUNTS = {pt.TREASURY: "treasury", pt.ESCROW: "escrow", pt.RESERVE: "reserve",
                   pt.BONDED: "bonded pool", pt.UNBONDING: "unbonding pool",
                   pt.REWARDS: "rewards pool"}
_FUNDED = ("treasury", "reserve")


class GenesisError(ValueError):
    """A genesis problem: ``path`` names the field (``app_state.accounts[3].balance``)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass
class EntityEntry:
    address: bytes
    tier: int
    jurisdiction: str
    roles: int
    frozen: bool = False


@dataclass
class AppState:
    params: tx_pb2.Params
    council: list[bytes]
    threshold: int
    treasury: int
    accounts: dict[bytes, int] = field(default_factory=dict)  # in genesis order
    entities: list[EntityEntry] = field(default_factory=list)
    reserve: int = 0
    commodities: list[tx_pb2.Commodity] = field(default_factory=list)
    operators: list[stake.GenesisOperator] = field(default_factory=list)

    @property
    def supply(self) -> int:
        return self.treasury + self.reserve + sum(self.accounts.values())


# -- field readers -------------------------------------------------------------------------------

def _obj(v: Any, path: str, keys: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise GenesisError(path, "must be an object")
    unknown = sorted(set(v) - keys)
    if unknown:
        raise GenesisError(f"{path}.{unknown[0]}", "unknown field")
    missing = sorted(required - set(v))
    if missing:
        raise GenesisError(f"{path}.{missing[0]}", "missing")
    return v


def _list(v: Any, path: str) -> list[Any]:
    if not isinstance(v, list):
        raise GenesisError(path, "must be a list")
    return v


def _uint(v: Any, path: str, *, maximum: int = MAX_SUPPLY, minimum: int = 0) -> int:
    # Amounts travel as strings (JSON numbers lose precision past 2^53); small counts may be ints.
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise GenesisError(path, "must be an integer or an integer string")
    if isinstance(v, str):
        if not v.isdigit() or len(v) > 30:
            raise GenesisError(path, f"{v!r} is not a non-negative integer")
        v = int(v)
    if not minimum <= v <= maximum:
        raise GenesisError(path, f"{v} is outside {minimum}..{maximum}")
    return v


def _address(v: Any, path: str) -> bytes:
    if not isinstance(v, str):
        raise GenesisError(path, "must be a bech32 address string")
    try:
        return from_bech32(v)
    except ValueError as e:
        raise GenesisError(path, str(e)) from None


def _params(v: Any, path: str) -> tx_pb2.Params:
    names = {name for name, _, _ in PARAM_BOUNDS} | {"tier_limits", "blocked_jurisdictions"}
    doc = _obj(v, path, names, set())
    p = default_params()
    for name, lo, hi in PARAM_BOUNDS:
        if name in doc:
            setattr(p, name, _uint(doc[name], f"{path}.{name}", minimum=lo, maximum=hi))
    if "tier_limits" in doc:
        tl = _obj(doc["tier_limits"], f"{path}.tier_limits", set(TIERS), set(TIERS))
        p.tier_limits[:] = [_uint(tl[t], f"{path}.tier_limits.{t}") for t in TIERS]
    if "blocked_jurisdictions" in doc:
        codes = _list(doc["blocked_jurisdictions"], f"{path}.blocked_jurisdictions")
        for i, c in enumerate(codes):
            if not isinstance(c, str) or not is_country(c):
                raise GenesisError(f"{path}.blocked_jurisdictions[{i}]",
                                   f"{c!r} is not an ISO 3166-1 alpha-2 code")
        p.blocked_jurisdictions[:] = codes
    problems = params_problems(p)
    if problems:
        fname, _, problem = problems[0].partition(": ")
        raise GenesisError(f"{path}.{fname}", problem)
    return p


def validate_app_state(obj: Any) -> AppState:
    """Check a parsed ``app_state``; GenesisError names the first bad field and the problem."""
    root = "app_state"
    doc = _obj(obj, root, {"params", "council", "treasury", "accounts", "entities", "reserve",
                           "commodities", "stake"}, {"council", "treasury", "accounts"})
    params = _params(doc.get("params", {}), f"{root}.params")

    c = _obj(doc["council"], f"{root}.council", {"members", "threshold"}, {"members", "threshold"})
    members_raw = _list(c["members"], f"{root}.council.members")
    if not members_raw:
        raise GenesisError(f"{root}.council.members", "needs at least one member")
    members: list[bytes] = []
    for i, m in enumerate(members_raw):
        addr = _address(m, f"{root}.council.members[{i}]")
        if addr in members:
            raise GenesisError(f"{root}.council.members[{i}]", "duplicate member")
        members.append(addr)
    threshold = _uint(c["threshold"], f"{root}.council.threshold", minimum=1,
                      maximum=len(members))

    t = _obj(doc["treasury"], f"{root}.treasury", {"balance"}, {"balance"})
    treasury = _uint(t["balance"], f"{root}.treasury.balance")

    reserve = 0
    if "reserve" in doc:
        r = _obj(doc["reserve"], f"{root}.reserve", {"balance"}, {"balance"})
        reserve = _uint(r["balance"], f"{root}.reserve.balance")

    accounts: dict[bytes, int] = {}
    supply = treasury + reserve
    if supply > MAX_SUPPLY:
        raise GenesisError(f"{root}.reserve.balance", f"total supply exceeds the maximum "
                           f"{MAX_SUPPLY}")
    for i, a in enumerate(_list(doc["accounts"], f"{root}.accounts")):
        path = f"{root}.accounts[{i}]"
        a = _obj(a, path, {"address", "balance"}, {"address", "balance"})
        addr = _address(a["address"], f"{path}.address")
        if addr in MODULE_ACCOUNTS:
            name = MODULE_ACCOUNTS[addr]
            raise GenesisError(f"{path}.address", f"the {name} is a module account" + (
                f", funded by {name}.balance" if name in _FUNDED else ""))
        if addr in accounts:
            raise GenesisError(f"{path}.address", "duplicate account")
        accounts[addr] = _uint(a["balance"], f"{path}.balance")
        supply += accounts[addr]
        if supply > MAX_SUPPLY:
            raise GenesisError(f"{path}.balance", f"total supply exceeds the maximum {MAX_SUPPLY}")

    entities: list[EntityEntry] = []
    seen: set[bytes] = set()
    for i, e in enumerate(_list(doc.get("entities", []), f"{root}.entities")):
        path = f"{root}.entities[{i}]"
        e = _obj(e, path, {"address", "tier", "jurisdiction", "roles", "frozen"},
                 {"address", "tier", "jurisdiction"})
        addr = _address(e["address"], f"{path}.address")
        if addr in MODULE_ACCOUNTS:
            raise GenesisError(f"{path}.address", f"the {MODULE_ACCOUNTS[addr]} is a module "
                               "account, not an entity")
        if addr in seen:
            raise GenesisError(f"{path}.address", "duplicate entity")
        seen.add(addr)
        if e["tier"] not in TIERS[1:]:
            raise GenesisError(f"{path}.tier", f"must be one of {', '.join(TIERS[1:])}")
        if not isinstance(e["jurisdiction"], str) or not is_country(e["jurisdiction"]):
            raise GenesisError(f"{path}.jurisdiction",
                               f"{e['jurisdiction']!r} is not an ISO 3166-1 alpha-2 code")
        roles = 0
        for j, r in enumerate(_list(e.get("roles", []), f"{path}.roles")):
            if r not in ROLES:
                raise GenesisError(f"{path}.roles[{j}]", f"unknown role {r!r} "
                                   f"(roles: {', '.join(ROLES)})")
            roles |= ROLES[r]
        frozen = e.get("frozen", False)
        if not isinstance(frozen, bool):
            raise GenesisError(f"{path}.frozen", "must be true or false")
        entities.append(EntityEntry(addr, TIERS.index(e["tier"]), e["jurisdiction"], roles,
                                    frozen))
    commodities = _commodities(doc.get("commodities", []), f"{root}.commodities")
    operators = _operators(doc.get("stake", {}), f"{root}.stake", params, accounts, entities)
    return AppState(params, members, threshold, treasury, accounts, entities, reserve,
                    commodities, operators)


def _operators(v: Any, path: str, params: tx_pb2.Params, accounts: dict[bytes, int],
               entities: list[EntityEntry]) -> list[stake.GenesisOperator]:
    doc = _obj(v, path, {"operators"}, set())
    roles = {e.address: e.roles for e in entities}
    keys = {"address", "pub_key", "moniker", "commission_bps", "max_change_bps", "self_bond"}
    out: list[stake.GenesisOperator] = []
    bonded: dict[bytes, int] = {}
    for i, o in enumerate(_list(doc.get("operators", []), f"{path}.operators")):
        p = f"{path}.operators[{i}]"
        o = _obj(o, p, keys, keys - {"max_change_bps"})
        addr = _address(o["address"], f"{p}.address")
        if not roles.get(addr, 0) & ROLES["validator"]:
            raise GenesisError(f"{p}.address", "must be an entity with the validator role")
        if addr in bonded:
            raise GenesisError(f"{p}.address", "duplicate operator")
        try:
            pub = base64.b64decode(o["pub_key"], validate=True) \
                if isinstance(o["pub_key"], str) else b""
        except (binascii.Error, ValueError):
            pub = b""
        if len(pub) != 32:
            raise GenesisError(f"{p}.pub_key", "must be a base64 32-byte ed25519 key")
        if any(g.pub_key == pub for g in out):
            raise GenesisError(f"{p}.pub_key", "duplicate consensus key")
        moniker = o["moniker"]
        if not isinstance(moniker, str) or not 0 < len(moniker.encode()) <= 64:
            raise GenesisError(f"{p}.moniker", "must be 1-64 bytes")
        commission = _uint(o["commission_bps"], f"{p}.commission_bps", maximum=10_000)
        max_change = _uint(o.get("max_change_bps", 10_000), f"{p}.max_change_bps",
                           maximum=10_000)
        bond = _uint(o["self_bond"], f"{p}.self_bond", minimum=params.min_self_bond)
        if accounts.get(addr, 0) < bond:
            raise GenesisError(f"{p}.self_bond", "exceeds the operator's account balance")
        bonded[addr] = bond
        out.append(stake.GenesisOperator(addr, pub, moniker, commission, max_change, bond))
    return out


def _commodities(v: Any, path: str) -> list[tx_pb2.Commodity]:
    out: list[tx_pb2.Commodity] = []
    seen: set[str] = set()
    for i, c in enumerate(_list(v, path)):
        p = f"{path}[{i}]"
        c = _obj(c, p, {"code", "name", "unit", "decimals", "ft_rate_bps", "requirements",
                        "active"}, {"code", "name", "unit", "decimals", "ft_rate_bps",
                                    "requirements"})
        for name in ("code", "name", "unit"):
            if not isinstance(c[name], str):
                raise GenesisError(f"{p}.{name}", "must be a string")
        _uint(c["decimals"], f"{p}.decimals", maximum=catalogue.MAX_DECIMALS)
        _uint(c["ft_rate_bps"], f"{p}.ft_rate_bps", maximum=catalogue.MAX_RATE_BPS)
        reqs = _obj(c["requirements"], f"{p}.requirements", set(catalogue.KIND_BY_NAME), set())
        for kind, quorum in reqs.items():
            _uint(quorum, f"{p}.requirements.{kind}", minimum=1, maximum=catalogue.MAX_QUORUM)
        if not isinstance(c.get("active", True), bool):
            raise GenesisError(f"{p}.active", "must be true or false")
        entry = catalogue.from_json({**c, "decimals": int(c["decimals"]),
                                     "ft_rate_bps": int(c["ft_rate_bps"]),
                                     "requirements": {k: int(q) for k, q in reqs.items()}})
        problems = catalogue.problems(entry)
        if problems:
            fname, _, problem = problems[0].partition(": ")
            raise GenesisError(f"{p}.{fname}", problem)
        if entry.code in seen:
            raise GenesisError(f"{p}.code", f"duplicate commodity {entry.code}")
        seen.add(entry.code)
        out.append(entry)
    return out


# -- writing genesis into state ------------------------------------------------------------------

def write_genesis(store: KV, gs: AppState, chain_id: str, initial_height: int,
                  validators: list[tuple[bytes, int]]) -> dict[bytes, int]:
    """Write a validated app_state, the chain id and the genesis validators into ``store``;
    return CometBFT's validator set (pub_key -> power)."""
    for i, (pk, power) in enumerate(validators):
        if len(pk) != 32 or power <= 0:
            raise GenesisError(f"validators[{i}]", "must be an ed25519 key with positive power")
    gov.init_genesis(store, chain_id, initial_height, gs.params, gs.council, gs.threshold)
    accounts: dict[bytes, state_pb2.Account] = {}
    for addr, balance in gs.accounts.items():
        accounts[addr] = state_pb2.Account(balance=balance)
    for e in gs.entities:
        a = accounts.setdefault(e.address, state_pb2.Account())
        a.tier, a.jurisdiction, a.roles, a.frozen = e.tier, e.jurisdiction, e.roles, e.frozen
    if gs.treasury:
        accounts[pt.TREASURY] = state_pb2.Account(balance=gs.treasury)
    if gs.reserve:
        accounts[pt.RESERVE] = state_pb2.Account(balance=gs.reserve)
    for o in gs.operators:  # self-bonds move out of the operators' own allocations
        accounts[o.address].balance -= o.self_bond
    if gs.operators:
        accounts[pt.BONDED] = state_pb2.Account(balance=sum(o.self_bond for o in gs.operators))
    pt.init_genesis(store, ((addr, accounts[addr]) for addr in sorted(accounts)), gs.supply)
    for e in sorted(gs.entities, key=lambda x: x.address):
        for hook in router.HOOKS.entity_hooks:
            hook(store, initial_height, e.address, accounts[e.address])
    for c in gs.commodities:
        catalogue.put(store, c)
    return stake.init_genesis(store, initial_height, gs.params, gs.operators, dict(validators))


# -- the same checks for a council proposal built by the CLI -------------------------------------

def params_from_json(doc: Any) -> tx_pb2.Params:
    """Params from their JSON form (a partial object keeps the defaults); GenesisError names
    the field."""
    return _params(doc, "params")


def commodity_from_json(doc: Any) -> tx_pb2.Commodity:
    """One catalogue entry from its JSON form; GenesisError names the field."""
    return _commodities([doc], "commodities")[0]
