"""Decode tx bytes once into a ``DecodedTx``: size limit, canonical encoding, sign bytes.

Every signed byte string has exactly one meaning: the outer ``Tx``, ``TxBody``, ``AuthInfo``
and every message inside must be the canonical protobuf encoding (fields in number order, each
once, minimal varints, no default values written, no unknown fields). Otherwise one signed tx
could travel under many hashes, or carry bytes one protobuf runtime reads differently from
another (a repeated scalar keeps its last value; unknown fields would be copied into state).
The check: what the runtime serializes back, unknown fields dropped, must be the bytes given.
"""

from __future__ import annotations

import hashlib
from typing import Any

from google.protobuf.message import DecodeError

from app.crypto import PUBKEY_LEN, SIGNATURE_LEN, address_of
from app.errors import Code, TxError
from app.pb import tx_pb2

MAX_TX_BYTES = 32 * 1024
MAX_MEMO_BYTES = 256
MAX_MESSAGES = 32

_Tx = tx_pb2.Tx
_TxBody = tx_pb2.TxBody
_AuthInfo = tx_pb2.AuthInfo
_SignDoc = tx_pb2.SignDoc


class DecodedTx:
    """Everything the ante checks and handlers need from one tx, decoded once."""

    __slots__ = (
        "hash", "size", "public_key", "signer", "nonce", "fee", "timeout_height", "memo",
        "msgs", "sign_body", "signature",
    )

    def __init__(
        self, hash: bytes, size: int, public_key: bytes, nonce: int, fee: int,
        timeout_height: int, memo: str, msgs: list[tuple[str, object]], sign_body: bytes,
        signature: bytes,
    ) -> None:
        self.hash = hash
        self.size = size
        self.public_key = public_key
        self.signer = address_of(public_key)
        self.nonce = nonce
        self.fee = fee
        self.timeout_height = timeout_height
        self.memo = memo
        self.msgs = msgs  # (oneof name, inner message) in tx order
        self.sign_body = sign_body  # SignDoc without chain id: body and auth info fields
        self.signature = signature

    def sign_doc(self, chain_id: str) -> bytes:
        return self.sign_body + _SignDoc(chain_id=chain_id).SerializeToString()


def tx_hash(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()


def _canonical(cls: Any, data: bytes, what: str) -> Any:
    msg = cls.FromString(data)
    msg.DiscardUnknownFields()  # recursive: nested messages too
    if msg.SerializeToString(deterministic=True) != data:
        raise TxError(Code.TX_MALFORMED, f"{what} is not canonically encoded")
    return msg


def decode_tx(raw: bytes, digest: bytes | None = None) -> DecodedTx:
    """Parse ``raw`` (whose SHA-256 is ``digest`` if known) or raise TxError (TX_TOO_LARGE,
    TX_MALFORMED, TX_INVALID, BAD_SIGNATURE for a signature of the wrong length)."""
    size = len(raw)
    if size > MAX_TX_BYTES:
        raise TxError(Code.TX_TOO_LARGE, f"tx is {size} bytes; the limit is {MAX_TX_BYTES}")
    try:
        tx = _Tx.FromString(raw)
        body = _canonical(_TxBody, tx.body_bytes, "tx body")
        auth = _canonical(_AuthInfo, tx.auth_info_bytes, "auth info")
    except DecodeError as e:
        raise TxError(Code.TX_MALFORMED, f"undecodable tx: {e}") from None
    sign_body = _Tx(body_bytes=tx.body_bytes, auth_info_bytes=tx.auth_info_bytes)
    sign_body_bytes = sign_body.SerializeToString()
    # Fields 1 and 2 of Tx and SignDoc match, so the canonical Tx is sign_body + signature.
    if sign_body_bytes + _Tx(signature=tx.signature).SerializeToString() != raw:
        raise TxError(Code.TX_MALFORMED, "tx is not canonically encoded")
    if len(auth.public_key) != PUBKEY_LEN:
        raise TxError(Code.TX_INVALID, f"public key must be {PUBKEY_LEN} bytes")
    if len(tx.signature) != SIGNATURE_LEN:
        raise TxError(Code.BAD_SIGNATURE, f"signature must be {SIGNATURE_LEN} bytes")
    if not body.messages:
        raise TxError(Code.TX_INVALID, "tx has no messages")
    if len(body.messages) > MAX_MESSAGES:
        raise TxError(Code.TX_INVALID, f"tx has more than {MAX_MESSAGES} messages")
    if len(body.memo.encode()) > MAX_MEMO_BYTES:
        raise TxError(Code.TX_INVALID, f"memo is longer than {MAX_MEMO_BYTES} bytes")
    msgs: list[tuple[str, object]] = []
    for i, m in enumerate(body.messages):
        kind = m.WhichOneof("sum")
        if kind is None:
            raise TxError(Code.TX_INVALID, f"message {i} is empty or of an unknown type")
        msgs.append((kind, getattr(m, kind)))
    return DecodedTx(
        digest or tx_hash(raw), size, auth.public_key, auth.nonce, auth.fee, body.timeout_height,
        body.memo, msgs, sign_body_bytes, tx.signature,
    )
