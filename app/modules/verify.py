"""Delivery verification (shard ``trade``): one request per required kind, and attestations.

Key: ``ver/<purchase id>`` -> Verification, written when the seller confirms shipment: one
KindRequest per kind the commodity required when the purchase was made, each with its quorum.
A registered verifier attests a kind once (approve or reject, with a document hash); the kind
is decided when its approvals or its rejections reach the quorum, and takes no attestations
after that. What a decision means for the purchase (settle, refund) is ``trade``'s business:
``record`` only reports the outcome.
"""

from __future__ import annotations

from enum import Enum

from app import events
from app.context import KV, Ctx
from app.errors import Code, TxError
from app.modules.catalogue import KINDS
from app.pb import state_pb2, tx_pb2

SHARD = "trade"
PREFIX = b"ver/"

_Ver = state_pb2.Verification
_K = state_pb2.KindStatus
KIND_STATUS_NAMES = {_K.KIND_STATUS_PENDING: "pending", _K.KIND_STATUS_APPROVED: "approved",
                     _K.KIND_STATUS_REJECTED: "rejected"}
VERDICTS = {tx_pb2.VERDICT_APPROVE: "approve", tx_pb2.VERDICT_REJECT: "reject"}


class Outcome(Enum):
    PENDING = "pending"      # the purchase still waits for attestations
    VERIFIED = "verified"    # every kind approved
    REJECTED = "rejected"    # a kind reached its quorum of rejections


def key(pid: bytes) -> bytes:
    return PREFIX + pid


def get(store: KV, pid: bytes) -> state_pb2.Verification | None:
    raw = store.get(SHARD, PREFIX + pid)
    return _Ver.FromString(raw) if raw is not None else None


def open_requests(store: KV, purchase: state_pb2.Purchase, height: int) -> None:
    ver = _Ver(purchase=purchase.id, requested_height=height, requests=[
        state_pb2.KindRequest(kind=r.kind, quorum=r.quorum, status=_K.KIND_STATUS_PENDING)
        for r in purchase.requirements
    ])
    store.set(SHARD, PREFIX + purchase.id, ver.SerializeToString())


def record(ctx: Ctx, pid: bytes, verifier: bytes, msg: tx_pb2.MsgAttest) -> Outcome:
    """Add one attestation; TxError if the kind is not required, decided, or already attested
    by this verifier."""
    store = ctx.store
    ver = get(store, pid)
    if ver is None:  # trade only calls this for SHIPPED purchases, which have requests
        raise RuntimeError(f"purchase {pid.hex()} is shipped but has no verification record")
    kind_name = KINDS.get(msg.kind, str(msg.kind))
    req = next((r for r in ver.requests if r.kind == msg.kind), None)
    if req is None:
        raise TxError(Code.KIND_NOT_REQUIRED, f"purchase {pid.hex()} does not require "
                      f"{kind_name} verification")
    if any(a.verifier == verifier for a in req.attestations):
        raise TxError(Code.ALREADY_ATTESTED, f"verifier already attested {kind_name} for "
                      f"purchase {pid.hex()}")
    if req.status != _K.KIND_STATUS_PENDING:
        raise TxError(Code.KIND_DECIDED, f"{kind_name} is already "
                      f"{KIND_STATUS_NAMES[req.status]}")
    approve = msg.verdict == tx_pb2.VERDICT_APPROVE
    req.attestations.append(state_pb2.Attestation(
        verifier=verifier, verdict=msg.verdict, document_hash=msg.document_hash,
        height=ctx.height))
    if approve:
        req.approvals += 1
        if req.approvals >= req.quorum:
            req.status = _K.KIND_STATUS_APPROVED
    else:
        req.rejections += 1
        if req.rejections >= req.quorum:
            req.status = _K.KIND_STATUS_REJECTED
    store.set(SHARD, PREFIX + pid, ver.SerializeToString())
    ctx.emit(events.attestation, pid, kind_name, verifier, VERDICTS[msg.verdict])
    if req.status == _K.KIND_STATUS_REJECTED:
        return Outcome.REJECTED
    if all(r.status == _K.KIND_STATUS_APPROVED for r in ver.requests):
        return Outcome.VERIFIED
    return Outcome.PENDING


def validate_attest(msg: tx_pb2.MsgAttest) -> None:
    if len(msg.purchase) != 16:
        raise TxError(Code.TX_INVALID, "attest.purchase must be a 16-byte purchase id")
    if msg.kind not in KINDS:
        raise TxError(Code.TX_INVALID, f"attest.kind must be one of {', '.join(KINDS.values())}")
    if msg.verdict not in VERDICTS:
        raise TxError(Code.TX_INVALID, "attest.verdict must be approve or reject")
    if len(msg.document_hash) != 32:
        raise TxError(Code.TX_INVALID, "attest.document_hash must be 32 bytes")
