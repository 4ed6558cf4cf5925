"""``fictra_simulateTransaction``: would a tx pass, and which fee does it need?

The gateway has no state of its own, so it runs the application's own checks (the tx cache's
decode, validation and signature check, then ``deliver_all_or_nothing``, exactly what
CheckTx runs) over a read-only view of the committed state that it fills through ``/store`` queries
at one height: each run that reads a key it does not have yet stops, the key is fetched, and
the run starts again. Writes stay in the view and are thrown away.

A tx whose nonce follows the sender's pending txs is judged as if those were included first
(its nonce is what the account will expect then); their effect on the balance is not known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.errors import Code, TxError
from app.events import Event
from app.modules import pt, router
from app.node.cometrpc import parse_time_ns
from app.pb import state_pb2
from app.tx.ante import deliver_all_or_nothing
from app.tx.builder import fee_for
from app.tx.cache import TxCache
from app.tx.codec import DecodedTx, decode_tx
from rpc.errors import INTERNAL_ERROR, RpcError

MAX_ROUNDS = 64  # distinct keys one tx may read before the gateway gives up
READS_PER_CALL = 8  # store reads one call covers; each further 8 cost the caller a call

Known = dict[tuple[str, bytes], bytes | None]


class _Missing(Exception):
    def __init__(self, shard: str, key: bytes) -> None:
        super().__init__(shard, key)
        self.shard = shard
        self.key = key


class _Unsupported(Exception):
    pass


class RemoteView:
    """The KV interface the handlers use, over prefetched committed values."""

    def __init__(self, known: Known) -> None:
        self._known = known
        self._writes: dict[tuple[str, bytes], bytes | None] = {}
        self._saved: list[dict[tuple[str, bytes], bytes | None]] = []

    def get(self, shard: str, key: bytes) -> bytes | None:
        k = (shard, key)
        if k in self._writes:
            return self._writes[k]
        if k in self._known:
            return self._known[k]
        raise _Missing(shard, key)

    def set(self, shard: str, key: bytes, value: bytes) -> None:
        self._writes[(shard, key)] = value

    def delete(self, shard: str, key: bytes) -> None:
        self._writes[(shard, key)] = None

    def iterate(self, shard: str, prefix: bytes = b"", start: bytes | None = None) -> Any:
        raise _Unsupported(f"simulation cannot scan shard {shard!r}")

    def checkpoint(self) -> int:
        self._saved.append(dict(self._writes))
        return len(self._saved) - 1

    def revert(self, cp: int) -> None:
        self._writes = self._saved[cp]
        del self._saved[cp:]

    def release(self, cp: int) -> None:
        del self._saved[cp:]


def _events(events: list[Event]) -> list[dict[str, Any]]:
    return [{"type": e.type, "attributes": {k: v for k, v, _ in e.attributes}}
            for e in events]


Charge = Callable[[], None]


async def simulate(gw: Any, raw: bytes, sig_verify: bool = True,
                   charge: Charge = lambda: None) -> dict[str, Any]:
    """``charge()`` takes one more call from the caller's rate limit (raises when empty)."""
    params = await gw.query("/params")
    height = params.height
    p = params.info_json()
    required = fee_for(len(raw), int(p["base_fee"]), int(p["fee_per_byte"]))
    out: dict[str, Any] = {"would_pass": False, "code": 0, "log": "", "fee": "0",
                           "required_fee": str(required), "size": len(raw), "height": height,
                           "events": []}
    chain_id = await gw.chain_id()
    try:
        if sig_verify:
            dtx = TxCache(chain_id, limit=1).get(raw)
        else:
            dtx = decode_tx(raw)
            router.validate_basic(dtx.msgs)
    except TxError as e:
        return {**out, "code": int(e.code), "log": e.log}
    out["fee"] = str(dtx.fee)
    block = await gw.node.call("block", height=str(height))
    time_ns = parse_time_ns(block["block"]["header"]["time"])
    known: Known = {}
    code, log, events = await _run(gw, dtx, chain_id, height, time_ns, known, charge)
    if code == Code.NONCE_TOO_HIGH and await _follows_pending(gw, dtx, known):
        code, log, events = await _run(gw, dtx, chain_id, height, time_ns, known, charge)
        if code == 0:
            log = "passes once the sender's pending txs are included"
    return {**out, "would_pass": code == 0, "code": code, "log": log, "events": events}


async def _run(gw: Any, dtx: DecodedTx, chain_id: str, height: int, time_ns: int,
               known: Known, charge: Charge) -> tuple[int, str, list[dict[str, Any]]]:
    for n in range(MAX_ROUNDS):
        if n and n % READS_PER_CALL == 0:
            charge()
        ctx = router.context(RemoteView(known), height + 1, time_ns, chain_id)
        try:
            res = deliver_all_or_nothing(ctx, dtx)
            return res.code, res.log, _events(list(res.events)) if res.code == 0 else []
        except _Missing as m:
            r = await gw.query(f"/store/{m.shard}/{m.key.hex()}", height)
            value = (r.info_json() or {}).get("value")
            known[(m.shard, m.key)] = bytes.fromhex(value) if value is not None else None
        except _Unsupported as e:
            raise RpcError(INTERNAL_ERROR, f"Internal error: {e}") from None
    raise RpcError(INTERNAL_ERROR, f"Internal error: the tx reads more than {MAX_ROUNDS} keys")


async def _follows_pending(gw: Any, dtx: DecodedTx, known: Known) -> bool:
    """If the tx's nonce continues the sender's pending run, pretend the account is there."""
    key = (pt.SHARD, pt.account_key(dtx.signer))
    acct = state_pb2.Account.FromString(known.get(key) or b"")
    mempool, total = await gw.node.unconfirmed_txs()
    nxt = gw.pending.next_nonce(dtx.signer, acct.nonce, mempool, len(mempool) >= total)
    if not acct.nonce < dtx.nonce == nxt:
        return False
    acct.nonce = dtx.nonce
    known[key] = acct.SerializeToString()
    return True
