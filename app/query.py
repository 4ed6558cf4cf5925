"""ABCI Query: committed state at the latest or a given height, with proofs on request.

Paths (``value`` is the stored record, protobuf-encoded; ``info`` is the same as JSON):

- ``/account/<fic1... address>`` -> Account (an unknown account answers code 0 and no value)
- ``/params`` -> Params, ``/supply`` -> Supply, ``/council`` -> Council, ``/validators`` ->
  ValidatorSet, ``/proposal/<id>`` -> Proposal
- ``/store/<shard>/<hex key>`` -> the raw value
- the trade, oracle and FT paths of ``app.query_trade`` (purchases, verification, prices,
  FT, the catalogue), some of which list several records

With ``prove`` the answer carries CometBFT ProofOps from the value to the app hash of that
height, which the header at height + 1 holds (for a list: one proof per record).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from abci.proto import abci as pb
from app.crypto import from_bech32, to_bech32
from app.errors import Code
from app.modules import gov, pt
from app.params import MAX_SUPPLY, TIERS, params_to_json, roles_to_names
from app.pb import state_pb2, tx_pb2


class QueryError(Exception):
    def __init__(self, code: Code, log: str) -> None:
        super().__init__(log)
        self.code = code
        self.log = log


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
    elif isinstance(inner, tx_pb2.ValidatorPower):
        body = {"pub_key": inner.pub_key.hex(), "power": str(inner.power)}
    elif isinstance(inner, tx_pb2.Commodity):
        from app.modules.catalogue import to_json

        body = to_json(inner)
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

Route = tuple[str, bytes, Callable[[bytes | None], Any], Code | None]


def _route(parts: list[str], store: Any, height: int, q: dict[str, str]) -> Any:
    """(shard, key, JSON renderer of the raw value, code when the key is absent), or a
    ``query_trade.ListRoute``."""
    from app import query_trade

    head, args = parts[0], parts[1:]
    if head == "account" and len(args) == 1:
        try:
            addr = from_bech32(args[0])
        except ValueError as e:
            raise QueryError(Code.QUERY_BAD_PATH, str(e)) from None
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
        return gov.SHARD, gov.VALIDATORS_KEY, lambda raw: validators_json(
            state_pb2.ValidatorSet.FromString(raw or b"")), None
    if head == "proposal" and len(args) == 1:
        if not args[0].isdigit() or len(args[0]) > 20:
            raise QueryError(Code.QUERY_BAD_PATH, f"proposal id must be a number: {args[0]!r}")
        return gov.SHARD, gov.proposal_key(int(args[0])), lambda raw: proposal_json(
            state_pb2.Proposal.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    if head == "store" and len(args) == 2:
        try:
            key = bytes.fromhex(args[1])
        except ValueError:
            raise QueryError(Code.QUERY_BAD_PATH, "store key must be hex") from None
        return args[0], key, lambda raw: {"value": raw.hex() if raw is not None else None}, None
    try:
        found = query_trade.route(head, args, q, store, height)
    except query_trade.BadPath as e:
        raise QueryError(e.code, e.log) from None
    if found is not None:
        return found
    raise QueryError(Code.QUERY_BAD_PATH, f"unknown query path {'/'.join(['', *parts])!r}")


def _query_args(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.split("&"):
        if item:
            name, _, value = item.partition("=")
            out[name] = value
    return out


def _answer_list(store: Any, req: pb.RequestQuery, height: int, found: Any) -> pb.ResponseQuery:
    from app.pb import state_pb2 as spb

    entries, pairs = [], []
    res = pb.ResponseQuery(height=height)
    for key in found.keys:
        if req.prove:
            value, ops = store.prove(found.shard, key, height=height)
            res.proof_ops.ops.extend(ops.ops)
        else:
            value = store.get(found.shard, key, height=height)
        if value is None:  # found by the same height's iteration: cannot be missing
            raise QueryError(Code.QUERY_NOT_FOUND, f"record {key.hex()} vanished")
        entries.append(spb.KeyValue(shard=found.shard, key=key, value=value))
        pairs.append((key, value))
    res.value = spb.KeyValues(entries=entries).SerializeToString()
    res.info = json.dumps(found.render(pairs), separators=(",", ":"))
    return res


def answer_query(store: Any, req: pb.RequestQuery) -> pb.ResponseQuery:
    from state.errors import StoreError

    latest = store.height
    height = req.height or latest
    try:
        if latest == 0:
            raise QueryError(Code.QUERY_BAD_HEIGHT, "no block committed yet")
        if req.height < 0 or height > latest:
            raise QueryError(Code.QUERY_BAD_HEIGHT, f"height {req.height} is not committed yet "
                             f"(latest {latest})")
        path, _, qs = req.path.partition("?")
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise QueryError(Code.QUERY_BAD_PATH, "empty query path")
        found = _route(parts, store, height, _query_args(qs))
        if not isinstance(found, tuple):
            return _answer_list(store, req, height, found)
        shard, key, render, absent = found
        if req.prove:
            value, ops = store.prove(shard, key, height=height)
        else:
            value, ops = store.get(shard, key, height=height), None
        res = pb.ResponseQuery(key=key, height=height, value=value or b"")
        if ops is not None:
            res.proof_ops.CopyFrom(ops)
        if value is None and absent is not None:
            res.code, res.log = absent, f"nothing at {req.path}"
            return res
        res.info = json.dumps(render(value), separators=(",", ":"))
        return res
    except QueryError as e:
        return pb.ResponseQuery(code=e.code, log=e.log, height=height)
    except (StoreError, ValueError) as e:
        # Unknown shard, pruned height: the store says which.
        return pb.ResponseQuery(code=Code.QUERY_BAD_HEIGHT if "height" in str(e).lower()
                                else Code.QUERY_BAD_PATH, log=str(e), height=height)
