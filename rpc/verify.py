"""Check a ``fictra_getProof`` answer on the wallet's side: the proof must be for the state
key the wallet asked about, the header must be the one after the proven height and of the
expected chain, the proof must lead from the value to that header's app hash
(``state.proof.verify_proof``), and the header must be signed by more than 2/3 of the voting
power of the validator set it names (``rpc.lightclient``)."""

from __future__ import annotations

from typing import Any

from rpc.lightclient import verify_signed_header
from state.proof import ProofError, verify_proof


def verified_value(answer: dict[str, Any], shard: str, key: bytes, chain_id: str
                   ) -> tuple[bytes | None, tuple[int, int]]:
    """(the proven value, None if absent; (signed, total) voting power of the header)."""
    value = proven_value(answer, shard, key, chain_id)
    try:
        power = verify_signed_header(answer["header"], answer["commit"], answer["validators"])
    except KeyError as e:
        raise ProofError(f"the answer lacks {e.args[0]!r}, needed to check the header") from None
    return value, power


def proven_value(answer: dict[str, Any], shard: str, key: bytes, chain_id: str
                 ) -> bytes | None:
    """The value of (shard, key) the proof shows under the header's app hash (None: absent);
    the header itself is not checked here. ProofError if anything does not hold."""
    try:
        header = answer["header"]
        height = int(answer["height"])
        if int(header["height"]) != height + 1:
            raise ProofError(f"header {header['height']} is not the one after height {height}")
        if header["chain_id"] != chain_id:
            raise ProofError(f"header is of chain {header['chain_id']!r}, not {chain_id!r}")
        app_hash = bytes.fromhex(header["app_hash"])
        ops = answer["proof"]["ops"]
        claimed = bytes.fromhex(answer["value"]) if answer.get("value") else None
    except (KeyError, TypeError, ValueError) as e:
        raise ProofError(f"malformed proof answer: {e}") from None
    try:
        verify_proof(ops, app_hash, shard, key, claimed)
        return claimed
    except ProofError:
        if claimed is not None:
            raise
    # No value shown: it is either absent or stored empty (a default record); one must hold.
    verify_proof(ops, app_hash, shard, key, b"")
    return b""
