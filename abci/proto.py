"""Access to CometBFT's generated protobuf modules (``abci/pb``, made at install time)."""

from __future__ import annotations

import sys
from pathlib import Path

_PB = Path(__file__).resolve().parent / "pb"
if not (_PB / "tendermint" / "abci" / "types_pb2.py").exists():
    raise ImportError(
        f"CometBFT protobuf modules are missing in {_PB}; run `make install` to generate them"
    )
if str(_PB) not in sys.path:
    # The generated modules import each other as top-level ``tendermint.*`` packages.
    sys.path.insert(0, str(_PB))

from tendermint.abci import types_pb2 as abci  # noqa: E402
from tendermint.crypto import keys_pb2 as crypto_keys  # noqa: E402
from tendermint.crypto import proof_pb2 as crypto_proof  # noqa: E402
from tendermint.types import params_pb2 as params  # noqa: E402
from tendermint.types import types_pb2 as types  # noqa: E402

__all__ = ["abci", "crypto_keys", "crypto_proof", "params", "types"]
