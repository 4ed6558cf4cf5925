"""The pre-signed stream of ``fictra bench e2e --mix trade``: every step follows the step it
needs in offer order and on the same load-client lane, each signer's nonces in order."""

from __future__ import annotations

from app.bench import e2etrade as t
from app.bench.e2e import CHAIN_ID, SENDER_SEED_BASE, _address
from app.tx.builder import purchase_id
from app.tx.codec import decode_tx

LANES = 4


def test_stream_orders_steps_within_a_lane() -> None:
    roles = t.Roles(400, t.oracles_for(100), LANES)
    total = t.SEGMENT * (2 * t.LAG + 1)
    txs, senders, counts = t.stream(total, roles, CHAIN_ID, SENDER_SEED_BASE, _address)
    assert len(txs) == len(senders) == total == sum(counts.values())
    assert counts["attest"] == t.ATTESTS  # the first segment whose attestations are due
    nonces: dict[int, int] = {}
    made: dict[bytes, tuple[int, int]] = {}  # purchase id -> (offer index, lane)
    shipped: dict[bytes, int] = {}
    by_address = {_address(i): i for i in range(roles.n)}
    for i, (raw, s) in enumerate(zip(txs, senders, strict=True)):
        dtx = decode_tx(raw)
        signer = by_address[dtx.signer]
        assert signer == s
        assert dtx.nonce == nonces.get(s, 0)
        nonces[s] = dtx.nonce + 1
        assert s not in roles.oracles  # the price feeder alone signs for oracles
        [(kind, msg)] = dtx.msgs
        if kind == "create_purchase":
            made[purchase_id(raw)] = (i, s % LANES)
        elif kind == "confirm_shipment":
            j, lane = made[msg.id]  # type: ignore[attr-defined]
            assert j < i and lane == s % LANES
            shipped[msg.id] = i  # type: ignore[attr-defined]
        elif kind == "attest":
            j = shipped[msg.purchase]  # type: ignore[attr-defined]
            assert j < i and made[msg.purchase][1] == s % LANES  # type: ignore[attr-defined]
