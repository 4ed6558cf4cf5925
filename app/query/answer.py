"""Answering a query: committed state at the latest or a given height, with proof material on
request. The answer is a neutral value; ``app.responses`` encodes it for CometBFT."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.errors import Code
from app.pb import state_pb2
from app.query import ledger, stake, trade
from app.query.routes import BadPath, ListRoute, Single
from state.errors import StoreError


@dataclass
class QueryAnswer:
    height: int
    code: int = 0
    log: str = ""
    key: bytes = b""
    value: bytes = b""
    info: str = ""
    proof_ops: list[Any] = field(default_factory=list)  # state.proof ProofOps, in order


def _route(parts: list[str], store: Any, height: int, q: dict[str, str], prove: bool
           ) -> Single | ListRoute:
    head, args = parts[0], parts[1:]
    found = ledger.route(head, args, store, height) or stake.route(head, args, store, height) \
        or trade.route(head, args, q, store, height, prove)
    if found is None:
        raise BadPath(f"unknown query path {'/'.join(['', *parts])!r}")
    return found


def _query_args(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.split("&"):
        if item:
            name, _, value = item.partition("=")
            out[name] = value
    return out


def _answer_list(store: Any, prove: bool, height: int, found: ListRoute) -> QueryAnswer:
    entries, pairs = [], []
    res = QueryAnswer(height=height)
    for key in found.keys:
        if prove:
            value, ops = store.prove(found.shard, key, height=height)
            res.proof_ops.extend(ops)
        else:
            value = store.get(found.shard, key, height=height)
        if value is None:  # found by the same height's iteration: cannot be missing
            raise BadPath(f"record {key.hex()} vanished", Code.QUERY_NOT_FOUND)
        entries.append(state_pb2.KeyValue(shard=found.shard, key=key, value=value))
        pairs.append((key, value))
    res.value = state_pb2.KeyValues(entries=entries).SerializeToString()
    res.info = json.dumps(found.render(pairs), separators=(",", ":"))
    return res


def _answer(store: Any, path: str, height: int, prove: bool) -> QueryAnswer:
    route_path, _, qs = path.partition("?")
    parts = [p for p in route_path.split("/") if p]
    if not parts:
        raise BadPath("empty query path")
    found = _route(parts, store, height, _query_args(qs), prove)
    if isinstance(found, ListRoute):
        return _answer_list(store, prove, height, found)
    shard, key, render, absent = found
    if prove:
        value, ops = store.prove(shard, key, height=height)
    else:
        value, ops = store.get(shard, key, height=height), []
    res = QueryAnswer(height=height, key=key, value=value or b"", proof_ops=ops)
    if value is None and absent is not None:
        res.code, res.log = absent, f"nothing at {path}"
        return res
    res.info = json.dumps(render(value), separators=(",", ":"))
    return res


def answer_query(store: Any, path: str, height: int = 0, prove: bool = False) -> QueryAnswer:
    """The answer to ``path`` at ``height`` (0: the latest committed)."""
    latest = store.height
    at = height or latest
    try:
        if latest == 0:
            raise BadPath("no block committed yet", Code.QUERY_BAD_HEIGHT)
        if height < 0 or at > latest:
            raise BadPath(f"height {height} is not committed yet (latest {latest})",
                          Code.QUERY_BAD_HEIGHT)
        return _answer(store, path, at, prove)
    except BadPath as e:
        return QueryAnswer(height=at, code=e.code, log=e.log)
    except (StoreError, ValueError) as e:
        # Unknown shard, pruned height: the store says which.
        code = Code.QUERY_BAD_HEIGHT if "height" in str(e).lower() else Code.QUERY_BAD_PATH
        return QueryAnswer(height=at, code=code, log=str(e))
