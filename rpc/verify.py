"""Check a ``fictra_getProof`` answer on the wallet's side, trusting nothing the gateway says
but the header: the proof must be for the state key the wallet asked about, the header must
be the one after the proven height and of the expected chain, and the proof must lead from
the value to that header's app hash (``state.proof.verify_proof``)."""

from __future__ import annotations

from typing import Any

from state.proof import ProofError, verify_proof


def verified_value(answer: dict[str, Any], shard: str, key: bytes, chain_id: str
                   ) -> bytes | None:
    """The proven value of (shard, key), None if the proof shows it absent; else ProofError."""
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
