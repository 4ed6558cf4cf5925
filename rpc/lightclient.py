"""Check a signed header as a CometBFT light client does, in the wallet, from the gateway's
JSON: the header hashes to the block id its commit signs, the validator set hashes to the
header's ``validators_hash``, and validators holding more than 2/3 of the set's voting power
signed the commit (ed25519 over CometBFT's canonical precommit bytes).

What this proves: the header (and its app hash) is the one that validator set committed. The
set itself comes from the gateway too; a wallet that knows the chain's validators compares
``validators_hash`` with what it trusts.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from abci.framing import frame
from app.crypto import verify
from app.node.cometrpc import parse_time_ns
from rpc import protowire as pw
from state.proof import ProofError

PRECOMMIT = 2  # SignedMsgType
BLOCK_ID_FLAG_COMMIT = 2


def merkle_root(items: list[bytes]) -> bytes:
    """RFC 6962 tree hash, as CometBFT's ``merkle.HashFromByteSlices``."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return hashlib.sha256(b"\x00" + items[0]).digest()
    k = 1 << ((len(items) - 1).bit_length() - 1)  # largest power of two below len
    return hashlib.sha256(b"\x01" + merkle_root(items[:k]) + merkle_root(items[k:])).digest()


def _timestamp(text: str) -> bytes:
    seconds, nanos = divmod(parse_time_ns(text), 1_000_000_000)
    return pw.timestamp(seconds, nanos)


def _hex(text: str) -> bytes:
    return bytes.fromhex(text or "")


def _block_id(doc: dict[str, Any]) -> bytes:
    parts = doc.get("parts") or {}
    return pw.block_id(_hex(doc.get("hash", "")), int(parts.get("total") or 0),
                       _hex(parts.get("hash", "")))


def header_hash(h: dict[str, Any]) -> bytes:
    def b(field: str) -> bytes:
        return pw.bytes_value(_hex(h[field]))

    return merkle_root([
        pw.consensus_version(int(h["version"]["block"]), int(h["version"].get("app") or 0)),
        pw.string_value(h["chain_id"]),
        pw.int64_value(int(h["height"])),
        _timestamp(h["time"]),
        _block_id(h["last_block_id"]),
        b("last_commit_hash"), b("data_hash"), b("validators_hash"), b("next_validators_hash"),
        b("consensus_hash"), b("app_hash"), b("last_results_hash"), b("evidence_hash"),
        b("proposer_address"),
    ])


def _pub_key(v: dict[str, Any]) -> bytes:
    pk = v["pub_key"]
    if pk.get("type") != "tendermint/PubKeyEd25519":
        raise ProofError(f"unsupported validator key type {pk.get('type')!r}")
    return base64.b64decode(pk["value"])


def validators_hash(validators: list[dict[str, Any]]) -> bytes:
    return merkle_root([pw.simple_validator(_pub_key(v), int(v["voting_power"]))
                        for v in validators])


def vote_sign_bytes(chain_id: str, height: int, round_: int, block_id: dict[str, Any],
                    timestamp: str) -> bytes:
    vote = pw.canonical_vote(PRECOMMIT, height, round_, _block_id(block_id),
                             _timestamp(timestamp), chain_id)
    return frame(vote)  # length-delimited, as protoio.MarshalDelimited


def verify_signed_header(header: dict[str, Any], commit: dict[str, Any],
                         validators: list[dict[str, Any]]) -> tuple[int, int]:
    """(signed power, total power) if the header is committed by >2/3; else ProofError."""
    try:
        if int(commit["height"]) != int(header["height"]):
            raise ProofError("the commit is for another height than the header")
        if header_hash(header) != _hex(commit["block_id"]["hash"]):
            raise ProofError("the header does not hash to the block id the commit signs")
        if validators_hash(validators) != _hex(header["validators_hash"]):
            raise ProofError("the validator set does not match the header's validators_hash")
        by_address = {v["address"].upper(): v for v in validators}
        total = sum(int(v["voting_power"]) for v in validators)
        signed = 0
        seen: set[str] = set()
        for sig in commit["signatures"]:
            if sig.get("block_id_flag") != BLOCK_ID_FLAG_COMMIT:
                continue
            addr = str(sig["validator_address"]).upper()
            v = by_address.get(addr)
            if v is None or addr in seen:
                continue
            msg = vote_sign_bytes(header["chain_id"], int(commit["height"]),
                                  int(commit.get("round") or 0), commit["block_id"],
                                  sig["timestamp"])
            if verify(_pub_key(v), msg, base64.b64decode(sig["signature"] or "")):
                seen.add(addr)
                signed += int(v["voting_power"])
    except (KeyError, TypeError, ValueError) as e:
        raise ProofError(f"malformed header, commit or validator set: {e}") from None
    if 3 * signed <= 2 * total:
        raise ProofError(f"validators holding only {signed} of {total} voting power signed "
                         "the header (more than 2/3 needed)")
    return signed, total
