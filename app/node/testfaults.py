"""TEST-ONLY faults that make a node misbehave on purpose. Never for a real network.

The real-network tests need nodes that do what an honest node never does: a Byzantine
proposer, a validator whose execution raises, a peer serving corrupted state-sync chunks.
They live here, in node operations, and nothing deterministic imports this module.

How they are switched on, and why not by accident:

- only by the environment variable ``FICTRA_TEST_FAULTS``, a comma-separated list of the
  fault names below, read by ``app.node.config.create_app`` when ``fictra node start``
  opens the app (no config file, flag or RPC can set it);
- only on a chain whose id starts with ``fictra-test`` (the test suite's chains): a node
  started with the variable set on any other chain refuses to start (``FaultConfigError``),
  and an unknown fault name is refused too;
- every fault switched on is logged at CRITICAL when the node starts, and each act of it
  at WARNING, so a node log shows at once that the node is not honest.

Faults:

``byzantine-proposer``
    Wraps PrepareProposal: each proposal this node makes carries, in turn, one bad tx
    after the honest ones: a badly signed tx, a non-canonical tx (an unknown field in the
    signed TxBody), a tx the ante refuses (an unfunded sender), a tx whose execution raises
    on validators running ``raise-on-memo`` (memo ``RAISE_MEMO``), a tx over the codec's
    32 KiB limit. (A proposal over the block's ``max_tx_bytes`` cannot be made through
    CometBFT: its own proposer panics on it before sending, and peers refuse block parts
    beyond ``block.max_bytes`` before the app sees them.)
``raise-on-memo``
    Executing a tx with memo ``RAISE_MEMO`` raises RuntimeError inside block execution, as
    a bug would: ProcessProposal must then answer REJECT, not halt.
``corrupt-snapshot-chunks``
    Every state-sync chunk this node serves has one byte class forged, cycling by chunk
    index: the manifest, the shard index, a key, a value, a subtree index, a value length.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from abci.proto import abci as pb
from app import block
from app.crypto import Key
from app.modules import SHARDS
from app.tx import builder
from app.tx.codec import MAX_TX_BYTES

log = logging.getLogger("fictra.testfaults")

ENV = "FICTRA_TEST_FAULTS"
TEST_CHAIN_PREFIX = "fictra-test"
BYZANTINE = "byzantine-proposer"
RAISE = "raise-on-memo"
CORRUPT = "corrupt-snapshot-chunks"
FAULTS = (BYZANTINE, RAISE, CORRUPT)
RAISE_MEMO = "fictra-test-fault: raise"
ATTACKS = ("bad-signature", "non-canonical", "ante-refused", "execution-raises", "oversized")
CORRUPTIONS = ("manifest", "shard", "key", "value", "subtree-index", "length")


class FaultConfigError(Exception):
    pass


def requested(environ: dict[str, str] | None = None) -> list[str]:
    text = (os.environ if environ is None else environ).get(ENV, "")
    return [f.strip() for f in text.split(",") if f.strip()]


def install(app: Any, home: Path, environ: dict[str, str] | None = None) -> list[str]:
    """Switch on the faults the environment asks for on ``app`` (none: nothing happens)."""
    faults = requested(environ)
    if not faults:
        return []
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise FaultConfigError(f"{ENV}: unknown test faults {', '.join(unknown)} "
                               f"(known: {', '.join(FAULTS)})")
    chain_id = json.loads((Path(home) / "config" / "genesis.json").read_text())["chain_id"]
    if not str(chain_id).startswith(TEST_CHAIN_PREFIX):
        raise FaultConfigError(f"{ENV} is set but chain {chain_id!r} is not a test chain "
                               f"(its id must start with {TEST_CHAIN_PREFIX!r}); refusing "
                               "to start a deliberately faulty node")
    for fault in faults:
        log.critical("TEST FAULT %s SWITCHED ON (%s): this node misbehaves on purpose and "
                     "must never join a real network", fault, ENV)
    if BYZANTINE in faults:
        app.prepare_proposal = _byzantine_prepare(app, app.prepare_proposal)
    if RAISE in faults:
        _raise_on_memo()
    if CORRUPT in faults:
        app.load_snapshot_chunk = _corrupting_loader(app.load_snapshot_chunk)
    return faults


# -- byzantine-proposer ---------------------------------------------------------------------------

def attack_tx(kind: str, chain_id: str, turn: int) -> bytes:
    """A tx of ``kind`` (one of ATTACKS), distinct for each ``turn``."""
    key = Key.derive(f"byzantine-{turn}")  # never funded
    msg = builder.send(Key.derive("byzantine-recipient").address, 1)
    body = builder.body_bytes([msg], memo=f"attack {turn}")
    fee = 10**9
    if kind == "bad-signature":
        raw = bytearray(builder.sign_raw(key, chain_id, body, 0, fee))
        raw[-1] ^= 1  # the signature is the Tx's last field
        return bytes(raw)
    if kind == "non-canonical":
        return builder.sign_raw(key, chain_id, body + b"\x78\x01", 0, fee)  # field 15 = 1
    if kind == "ante-refused":
        return builder.sign_raw(key, chain_id, body, 0, fee)  # the sender holds nothing
    if kind == "execution-raises":
        return builder.sign_raw(key, chain_id, builder.body_bytes([msg], memo=RAISE_MEMO,
                                                                  timeout_height=turn + 1),
                                0, fee)
    if kind == "oversized":
        padding = b"\x7a" + _varint(MAX_TX_BYTES) + b"\x00" * MAX_TX_BYTES  # field 15, bytes
        return builder.sign_raw(key, chain_id, body + padding, 0, fee)
    raise ValueError(kind)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _byzantine_prepare(app: Any, honest: Callable[[Any], Any]) -> Callable[[Any], Any]:
    turns = itertools.count()

    def prepare_proposal(req: pb.RequestPrepareProposal) -> pb.ResponsePrepareProposal:
        resp = honest(req)
        turn = next(turns)
        kind = ATTACKS[turn % len(ATTACKS)]
        raw = attack_tx(kind, app.chain_id or "", turn)
        txs = list(resp.txs)
        while txs and sum(block.proto_size(t) for t in [*txs, raw]) > req.max_tx_bytes:
            txs.pop()
        log.warning("TEST FAULT %s: proposal at height %d carries a %s tx %s", BYZANTINE,
                    req.height, kind, hashlib.sha256(raw).hexdigest().upper())
        return pb.ResponsePrepareProposal(txs=[*txs, raw])

    return prepare_proposal


# -- raise-on-memo --------------------------------------------------------------------------------

def _raise_on_memo() -> None:
    honest = block.deliver

    def deliver(ctx: Any, dtx: Any) -> Any:
        if dtx.memo == RAISE_MEMO:
            raise RuntimeError(f"TEST FAULT {RAISE}: executing tx {dtx.hash.hex().upper()} "
                               "raises")
        return honest(ctx, dtx)

    block.deliver = deliver  # the name block execution calls


# -- corrupt-snapshot-chunks ----------------------------------------------------------------------

def corrupt_chunk(index: int, chunk: bytes) -> tuple[str, bytes]:
    """``chunk`` (number ``index`` of a format-1 snapshot) with one byte class forged; the
    layout is in state/snapformat.py."""
    b = bytearray(chunk)
    if index == 0:
        b[16] ^= 1  # the first shard's root
        return "manifest", bytes(b)
    what = CORRUPTIONS[1 + (index - 1) % (len(CORRUPTIONS) - 1)]
    key_len = int.from_bytes(chunk[13:17], "big")
    if what == "shard":
        b[4] = (b[4] + 1) % len(SHARDS)
    elif what == "key":
        b[17] ^= 1
    elif what == "value":
        b[17 + key_len + 4] ^= 1
    elif what == "subtree-index":
        b[8] ^= 1
    else:  # the first value's length
        b[17 + key_len + 3] ^= 1
    return what, bytes(b)


def _corrupting_loader(honest: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def load_snapshot_chunk(req: pb.RequestLoadSnapshotChunk) -> pb.ResponseLoadSnapshotChunk:
        resp = honest(req)
        if len(resp.chunk) < 24:
            return resp
        what, forged = corrupt_chunk(req.chunk, resp.chunk)
        log.warning("TEST FAULT %s: chunk %d of the snapshot at height %d served with a "
                    "forged %s", CORRUPT, req.chunk, req.height, what)
        return pb.ResponseLoadSnapshotChunk(chunk=forged)

    return load_snapshot_chunk
