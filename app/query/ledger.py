"""Query paths of the ledger: accounts, params, supply, council, validators, proposals and
raw store keys.

- ``/account/<fic1... address>`` -> Account (an unknown account answers code 0 and no value)
- ``/params`` -> Params, ``/supply`` -> Supply, ``/council`` -> Council, ``/validators`` ->
  ValidatorSet, ``/proposal/<id>`` -> Proposal
- ``/store/<shard>/<hex key>`` -> the raw value
"""

from __future__ import annotations

from typing import Any

from app.crypto import from_bech32, to_bech32
from app.errors import Code
from app.modules import catalogue, gov, pt, stake
from app.params import MAX_SUPPLY, TIERS, params_to_json, roles_to_names
from app.pb import state_pb2, tx_pb2
from app.query.routes import BadPath, Single

# -- JSON renderings (shared with the gateway) ---------------------------------------------------

def account_json(address: bytes, a: state_pb2.Account) -> dict[str, Any]:
    return {
        "address": to_bech32(address), "balance": str(a.balance), "nonce": str(a.nonce),
        "tier": TIERS[a.tier], "jurisdiction": a.jurisdiction, "roles": roles_to_names(a.roles),
        "frozen": a.frozen,
    }


def action_json(action: tx_pb2.Action) -> dict[str, Any]:
    kind = action.WhichOneof("sum") or ""
    inner = getattr(action, kind) if kind else None
    body: dict[str, Any] = {}
    if isinstance(inner, tx_pb2.Entity):
        body = {"address": to_bech32(inner.address), "tier": TIERS[inner.tier],
                "jurisdiction": inner.jurisdiction, "roles": roles_to_names(inner.roles)}
    elif isinstance(inner, tx_pb2.AccountRef):
        body = {"address": to_bech32(inner.address)}
    elif isinstance(inner, tx_pb2.Params):
        body = params_to_json(inner)
    elif isinstance(inner, tx_pb2.TreasuryAmount):
        body = {"amount": str(inner.amount)}
    elif isinstance(inner, tx_pb2.ValidatorOverride):
        body = {"operator": to_bech32(inner.operator)}
    elif isinstance(inner, tx_pb2.Commodity):
        body = catalogue.to_json(inner)
    elif isinstance(inner, tx_pb2.DisputeRuling):
        favor = {tx_pb2.PARTY_BUYER: "buyer", tx_pb2.PARTY_SELLER: "seller"}
        body = {"purchase": inner.purchase.hex(),
                "in_favor_of": favor.get(inner.in_favor_of, "unspecified")}
    return {"type": kind, **body}


def proposal_json(p: state_pb2.Proposal) -> dict[str, Any]:
    return {
        "id": str(p.id), "proposer": to_bech32(p.proposer), "action": action_json(p.action),
        "summary": p.summary, "submit_height": str(p.submit_height),
        "expiry_height": str(p.expiry_height), "yes": [to_bech32(a) for a in p.yes],
        "no": [to_bech32(a) for a in p.no], "status": gov.STATUS_NAMES.get(p.status, "unknown"),
        "final_height": str(p.final_height), "result": p.result,
    }


def validators_json(v: state_pb2.ValidatorSet) -> list[dict[str, str]]:
    return [{"pub_key": x.pub_key.hex(), "power": str(x.power)} for x in v.validators]


def council_json(c: state_pb2.Council) -> dict[str, Any]:
    return {"members": [to_bech32(a) for a in c.members], "threshold": c.threshold}


# -- routing -------------------------------------------------------------------------------------

def route(head: str, args: list[str], store: Any, height: int) -> Single | None:
    """The route of a ledger path, or None if the path is none of these."""
    if head == "account" and len(args) == 1:
        try:
            addr = from_bech32(args[0])
        except ValueError as e:
            raise BadPath(str(e)) from None
        return pt.SHARD, pt.account_key(addr), lambda raw: account_json(
            addr, state_pb2.Account.FromString(raw or b"")), None
    if head == "params" and not args:
        return gov.SHARD, gov.PARAMS_KEY, lambda raw: params_to_json(
            tx_pb2.Params.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    if head == "supply" and not args:
        def supply(raw: bytes | None) -> dict[str, Any]:
            t = store.get(pt.SHARD, pt.account_key(pt.TREASURY), height=height)
            return {
                "total": str(state_pb2.Supply.FromString(raw or b"").total),
                "treasury": str(state_pb2.Account.FromString(t or b"").balance),
                "treasury_address": to_bech32(pt.TREASURY), "max_supply": str(MAX_SUPPLY),
            }
        return pt.SHARD, pt.SUPPLY_KEY, supply, None
    if head == "council" and not args:
        return gov.SHARD, gov.COUNCIL_KEY, lambda raw: council_json(
            state_pb2.Council.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    if head == "validators" and not args:
        return stake.SHARD, stake.VALIDATORS_KEY, lambda raw: validators_json(
            state_pb2.ValidatorSet.FromString(raw or b"")), None
    if head == "proposal" and len(args) == 1:
        if not args[0].isdigit() or len(args[0]) > 20 or int(args[0]) >= 2**64:
            raise BadPath(f"proposal id must be a number below 2^64: {args[0]!r}")
        return gov.SHARD, gov.proposal_key(int(args[0])), lambda raw: proposal_json(
            state_pb2.Proposal.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    if head == "store" and len(args) == 2:
        try:
            key = bytes.fromhex(args[1])
        except ValueError:
            raise BadPath("store key must be hex") from None
        return args[0], key, lambda raw: {"value": raw.hex() if raw is not None else None}, None
    return None
