"""A tx's bytes as people read them: its messages with their fields, memo, nonce and fee.

Generic over the protobuf descriptors, so a new message type shows without code here:
20-byte fields are addresses (bech32), other bytes are upper-case hex (hashes, keys), enums
are their lower-case names without the type's prefix, 64-bit integers are decimal strings
(JavaScript numbers cannot hold them exactly). Only the member that is set of a oneof shows.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

from app.crypto import ADDRESS_LEN, address_of, to_bech32
from app.tx.codec import decode_tx

_WIDE = {FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_FIXED64,
         FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64}


def _enum_name(enum: EnumDescriptor, number: int) -> str:
    value = enum.values_by_number.get(number)
    if value is None:
        return str(number)
    prefix = "".join("_" + c if c.isupper() else c for c in enum.name).lstrip("_").upper() + "_"
    name = value.name
    return (name[len(prefix):] if name.startswith(prefix) else name).lower()


def _scalar(field: FieldDescriptor, v: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return message_json(v)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return to_bech32(v) if len(v) == ADDRESS_LEN else v.hex().upper()
    if field.type == FieldDescriptor.TYPE_ENUM:
        return _enum_name(field.enum_type, v)
    if field.type in _WIDE:
        return str(v)
    return v


def message_json(msg: Message) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in msg.DESCRIPTOR.fields:
        oneof = field.containing_oneof
        if oneof is not None and msg.WhichOneof(oneof.name) != field.name:
            continue
        value = getattr(msg, field.name)
        if field.is_repeated:
            out[field.name] = [_scalar(field, v) for v in value]
        else:
            out[field.name] = _scalar(field, value)
    return out


def describe(raw: bytes) -> dict[str, Any]:
    """The tx's readable content; raises ``app.errors.TxError`` for bytes that are no tx."""
    dtx = decode_tx(raw)
    return {
        "signer": to_bech32(address_of(dtx.public_key)),
        "public_key": dtx.public_key.hex().upper(),
        "nonce": str(dtx.nonce),
        "fee": str(dtx.fee),
        "memo": dtx.memo,
        "timeout_height": dtx.timeout_height,
        "size": dtx.size,
        "messages": [{"type": kind, **message_json(m)}  # type: ignore[arg-type]
                     for kind, m in dtx.msgs],
    }
