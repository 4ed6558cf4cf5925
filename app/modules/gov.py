"""Council governance: params, the council, proposals and votes, actions.

Keys in shard ``gov``: ``chain`` -> ChainInfo, ``params`` -> Params, ``council`` -> Council,
``next_proposal`` -> 8-byte id, ``prop/<id>`` -> Proposal,
``exp/<height><id>`` -> b"" (the expiry index; heights and ids are 8-byte big endian, so
the proposals expiring at one height are one prefix scan, never a scan of all proposals).

A proposer's own vote counts as yes. The action runs inside the tx whose vote reaches the
threshold; if it fails the proposal is FAILED and its partial writes are undone, while the
vote itself succeeds. Proposals still pending after ``expiry_height`` expire at the end of
that block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app import events
from app.context import KV, Ctx
from app.crypto import ADDRESS_LEN, to_bech32
from app.errors import Code, TxError
from app.events import Event
from app.iso3166 import is_country
from app.keys import u64
from app.modules import pt
from app.params import (
    ALL_ROLES,
    MAX_SUPPLY,
    TIERS,
    params_problems,
    roles_to_names,
)
from app.pb import state_pb2, tx_pb2

SHARD = "gov"
CHAIN_KEY = b"chain"
PARAMS_KEY = b"params"
COUNCIL_KEY = b"council"
NEXT_PROPOSAL_KEY = b"next_proposal"
PROPOSAL_PREFIX = b"prop/"
EXPIRY_PREFIX = b"exp/"

_S = state_pb2.ProposalStatus
STATUS_NAMES = {
    _S.PROPOSAL_STATUS_PENDING: "pending", _S.PROPOSAL_STATUS_PASSED: "passed",
    _S.PROPOSAL_STATUS_REJECTED: "rejected", _S.PROPOSAL_STATUS_EXPIRED: "expired",
    _S.PROPOSAL_STATUS_FAILED: "failed",
}


def proposal_key(pid: int) -> bytes:
    return PROPOSAL_PREFIX + u64(pid)


# -- records -------------------------------------------------------------------------------------

def load_params(store: KV) -> tx_pb2.Params:
    raw = store.get(SHARD, PARAMS_KEY)
    if raw is None:
        raise RuntimeError("params missing from state (no genesis?)")
    return tx_pb2.Params.FromString(raw)


def set_params(store: KV, params: tx_pb2.Params) -> None:
    store.set(SHARD, PARAMS_KEY, params.SerializeToString())


def load_chain(store: KV) -> state_pb2.ChainInfo | None:
    raw = store.get(SHARD, CHAIN_KEY)
    return state_pb2.ChainInfo.FromString(raw) if raw is not None else None


def load_council(store: KV) -> state_pb2.Council:
    raw = store.get(SHARD, COUNCIL_KEY)
    return state_pb2.Council.FromString(raw) if raw is not None else state_pb2.Council()


def load_proposal(store: KV, pid: int) -> state_pb2.Proposal | None:
    raw = store.get(SHARD, proposal_key(pid))
    return state_pb2.Proposal.FromString(raw) if raw is not None else None


def init_genesis(store: KV, chain_id: str, initial_height: int, params: tx_pb2.Params,
                 council: list[bytes], threshold: int) -> None:
    store.set(SHARD, CHAIN_KEY, state_pb2.ChainInfo(
        chain_id=chain_id, initial_height=initial_height).SerializeToString())
    set_params(store, params)
    store.set(SHARD, COUNCIL_KEY, state_pb2.Council(
        members=sorted(council), threshold=threshold).SerializeToString())


# -- actions: stateless validation and execution -----------------------------------------------

def _invalid(text: str) -> TxError:
    return TxError(Code.TX_INVALID, text)


def _validate_entity(e: tx_pb2.Entity) -> None:
    if len(e.address) != ADDRESS_LEN:
        raise _invalid("entity.address must be a 20-byte address")
    if e.address in pt.MODULE_ACCOUNTS:
        raise _invalid("a module account is not an entity")
    if not 1 <= e.tier < len(TIERS):
        raise _invalid(f"entity.tier must be one of {', '.join(TIERS[1:])}")
    if not is_country(e.jurisdiction):
        raise _invalid(f"entity.jurisdiction {e.jurisdiction!r} is not an ISO 3166-1 alpha-2 code")
    if e.roles & ~ALL_ROLES:
        raise _invalid(f"entity.roles has unknown bits ({e.roles})")


def _validate_ref(r: tx_pb2.AccountRef) -> None:
    if len(r.address) != ADDRESS_LEN:
        raise _invalid("address must be 20 bytes")
    if r.address in pt.MODULE_ACCOUNTS:
        raise _invalid("a module account cannot be frozen")


def _validate_params(p: tx_pb2.Params) -> None:
    problems = params_problems(p)
    if problems:
        raise _invalid("params: " + "; ".join(problems))


def _validate_amount(a: tx_pb2.TreasuryAmount) -> None:
    if not 0 < a.amount <= MAX_SUPPLY:
        raise _invalid("amount must be positive and at most the maximum supply")


def _entity_event(change: str, address: bytes, acct: state_pb2.Account) -> Event:
    return events.entity(
        address, change, tier=TIERS[acct.tier], jurisdiction=acct.jurisdiction,
        roles=",".join(roles_to_names(acct.roles)), frozen=str(acct.frozen).lower(),
    )


def _register(ctx: Ctx, e: tx_pb2.Entity, exists: bool) -> None:
    acct = pt.get_account(ctx.store, e.address)
    if exists and acct.tier == tx_pb2.KYC_TIER_NONE:
        raise TxError(Code.ENTITY_NOT_FOUND, f"{to_bech32(e.address)} is not registered")
    if not exists and acct.tier != tx_pb2.KYC_TIER_NONE:
        raise TxError(Code.ENTITY_EXISTS, f"{to_bech32(e.address)} is already registered")
    acct = pt.set_entity(ctx.store, e.address, e.tier, e.jurisdiction, e.roles)
    # Registries that follow entity roles (the oracle set, the sovereign registry).
    for hook in ctx.hooks.entity_hooks:
        hook(ctx.store, ctx.height, e.address, acct)
    ctx.emit(_entity_event, "update" if exists else "register", e.address, acct)


def _set_frozen(ctx: Ctx, r: tx_pb2.AccountRef, frozen: bool) -> None:
    acct = pt.set_frozen(ctx.store, r.address, frozen)
    ctx.emit(_entity_event, "freeze" if frozen else "unfreeze", r.address, acct)


def _update_params(ctx: Ctx, p: tx_pb2.Params) -> None:
    set_params(ctx.store, p)
    ctx.reload_params()


def _mint(ctx: Ctx, a: tx_pb2.TreasuryAmount) -> None:
    pt.mint(ctx, a.amount)


def _burn(ctx: Ctx, a: tx_pb2.TreasuryAmount) -> None:
    pt.burn(ctx, a.amount)


# Action name (the ``Action.sum`` oneof field) -> (stateless check, execution): governance's
# own. The router joins them with the other modules' (commodities, rulings, reserve funding)
# and hands gov the whole table: the stateless checks to ``validate_propose``, the executions
# through ``Ctx.hooks``.
Action = tuple[Callable[[Any], None], Callable[[Ctx, Any], None]]
ACTIONS: dict[str, Action] = {
    "register_entity": (_validate_entity, lambda ctx, e: _register(ctx, e, exists=False)),
    "update_entity": (_validate_entity, lambda ctx, e: _register(ctx, e, exists=True)),
    "freeze": (_validate_ref, lambda ctx, r: _set_frozen(ctx, r, True)),
    "unfreeze": (_validate_ref, lambda ctx, r: _set_frozen(ctx, r, False)),
    "update_params": (_validate_params, _update_params),
    "mint": (_validate_amount, _mint),
    "burn": (_validate_amount, _burn),
}


def action_kind(action: tx_pb2.Action) -> str | None:
    return action.WhichOneof("sum")


# -- messages ------------------------------------------------------------------------------------

def validate_propose(msg: tx_pb2.MsgPropose, checks: Mapping[str, Callable[[Any], None]]
                     ) -> None:
    kind = action_kind(msg.action)
    if kind is None or kind not in checks:
        raise _invalid("propose.action is empty or of an unknown type")
    if len(msg.summary.encode()) > 1024:
        raise _invalid("propose.summary is longer than 1024 bytes")
    checks[kind](getattr(msg.action, kind))


def validate_vote(msg: tx_pb2.MsgVote) -> None:
    if msg.option not in (tx_pb2.VOTE_OPTION_YES, tx_pb2.VOTE_OPTION_NO):
        raise _invalid("vote.option must be yes or no")


def _require_member(store: KV, signer: bytes) -> state_pb2.Council:
    council = load_council(store)
    if signer not in council.members:
        raise TxError(Code.NOT_COUNCIL_MEMBER, f"{to_bech32(signer)} is not a council member")
    return council


def _close(ctx: Ctx, prop: state_pb2.Proposal, status: int, result: str = "") -> None:
    prop.status = status
    prop.final_height = ctx.height
    prop.result = result
    ctx.store.delete(SHARD, EXPIRY_PREFIX + u64(prop.expiry_height) + u64(prop.id))


def _tally(ctx: Ctx, prop: state_pb2.Proposal, council: state_pb2.Council) -> None:
    kind = action_kind(prop.action) or ""
    if len(prop.yes) >= council.threshold:
        cp = ctx.checkpoint()
        try:
            ctx.hooks.actions[kind](ctx, getattr(prop.action, kind))
        except TxError as e:
            ctx.revert(cp)
            _close(ctx, prop, _S.PROPOSAL_STATUS_FAILED, f"code {int(e.code)}: {e.log}")
        else:
            ctx.release(cp)
            _close(ctx, prop, _S.PROPOSAL_STATUS_PASSED)
    elif len(prop.no) > len(council.members) - council.threshold:
        _close(ctx, prop, _S.PROPOSAL_STATUS_REJECTED)  # the threshold is out of reach
    else:
        return
    extra = {"result": prop.result} if prop.result else {}
    ctx.emit(events.proposal, prop.id, kind, STATUS_NAMES[prop.status], **extra)


def handle_propose(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgPropose) -> None:
    store = ctx.store
    council = _require_member(store, signer)
    raw = store.get(SHARD, NEXT_PROPOSAL_KEY)
    pid = int.from_bytes(raw, "big") if raw else 1
    store.set(SHARD, NEXT_PROPOSAL_KEY, u64(pid + 1))
    prop = state_pb2.Proposal(
        id=pid, proposer=signer, summary=msg.summary, submit_height=ctx.height,
        expiry_height=ctx.height + ctx.params.proposal_expiry_blocks, yes=[signer],
        status=_S.PROPOSAL_STATUS_PENDING,
    )
    prop.action.CopyFrom(msg.action)
    kind = action_kind(prop.action) or ""
    ctx.emit(events.proposal, pid, kind, "pending", proposer=to_bech32(signer))
    store.set(SHARD, EXPIRY_PREFIX + u64(prop.expiry_height) + u64(pid), b"")
    _tally(ctx, prop, council)
    store.set(SHARD, proposal_key(pid), prop.SerializeToString())


def handle_vote(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgVote) -> None:
    store = ctx.store
    council = _require_member(store, signer)
    prop = load_proposal(store, msg.proposal_id)
    if prop is None:
        raise TxError(Code.PROPOSAL_NOT_FOUND, f"no proposal {msg.proposal_id}")
    if prop.status == _S.PROPOSAL_STATUS_EXPIRED or (
        prop.status == _S.PROPOSAL_STATUS_PENDING and ctx.height > prop.expiry_height
    ):
        raise TxError(Code.PROPOSAL_EXPIRED, f"proposal {prop.id} expired at height "
                      f"{prop.expiry_height}")
    if prop.status != _S.PROPOSAL_STATUS_PENDING:
        raise TxError(Code.PROPOSAL_CLOSED, f"proposal {prop.id} is "
                      f"{STATUS_NAMES[prop.status]}")
    if signer in prop.yes or signer in prop.no:
        raise TxError(Code.ALREADY_VOTED, f"{to_bech32(signer)} already voted on {prop.id}")
    yes = msg.option == tx_pb2.VOTE_OPTION_YES
    (prop.yes if yes else prop.no).append(signer)
    ctx.emit(events.vote, prop.id, signer, "yes" if yes else "no")
    _tally(ctx, prop, council)
    store.set(SHARD, proposal_key(prop.id), prop.SerializeToString())


def end_block(ctx: Ctx) -> None:
    """Expire the proposals whose voting period ends at this height."""
    store = ctx.store
    prefix = EXPIRY_PREFIX + u64(ctx.height)
    due = [key for key, _ in store.iterate(SHARD, prefix)]
    for key in due:
        prop = load_proposal(store, int.from_bytes(key[len(prefix):], "big"))
        store.delete(SHARD, key)
        if prop is None or prop.status != _S.PROPOSAL_STATUS_PENDING:
            continue
        _close(ctx, prop, _S.PROPOSAL_STATUS_EXPIRED)
        store.set(SHARD, proposal_key(prop.id), prop.SerializeToString())
        ctx.emit(events.proposal, prop.id, action_kind(prop.action) or "", "expired")


HANDLERS = {"propose": handle_propose, "vote": handle_vote}
VALIDATORS = {"vote": validate_vote}  # the router adds propose's, with every module's actions
