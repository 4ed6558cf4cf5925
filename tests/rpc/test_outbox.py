"""The gateway's outbox: accepted txs kept until a block holds them, offered again in nonce
order when late, dropped with a reason, bounded by bytes."""

from __future__ import annotations

from rpc.outbox import Entry, Outbox


def _entry(n: int, signer: bytes = b"a" * 20, size: int = 100) -> Entry:
    return Entry(bytes([n]) * size, f"{n:064X}", signer, nonce=n, timeout_height=0,
                 accepted_height=1, sent_at=0.0)


def test_included_txs_leave_and_late_ones_are_due_in_nonce_order() -> None:
    box = Outbox(resend_after_s=5)
    for n in (3, 1, 2):
        box.add(_entry(n))
    box.add(_entry(9, signer=b"b" * 20))
    assert [e.nonce for e in box.due(now=4)] == []
    assert [(e.signer[:1], e.nonce) for e in box.due(now=5)] == [
        (b"a", 1), (b"a", 2), (b"a", 3), (b"b", 9)]
    box.included([f"{2:064X}"])
    assert [e.nonce for e in box.due(now=10)] == [1, 3, 9]
    assert box.pending(f"{2:064X}") is None and box.dropped(f"{2:064X}") is None


def test_dropped_txs_keep_their_reason_and_the_box_is_bounded_by_bytes() -> None:
    box = Outbox(limit_bytes=3 * (1000 + 256))
    for n in range(5):
        box.add(_entry(n, size=1000))
    assert len(box) == 3 and box.bytes <= box.limit_bytes
    assert box.dropped(f"{0:064X}") == "gateway outbox full: send it again"
    box.drop(f"{3:064X}", "nonce 3 was used by another tx")
    assert box.dropped(f"{3:064X}") == "nonce 3 was used by another tx"
    assert len(box) == 2
