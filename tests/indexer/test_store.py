"""The index on both backends (SQLite in WAL mode and a real PostgreSQL server): a height is
written once with its marker or not at all, and the gateway's queries answer what the blocks
hold (blocks, a block's txs, receipts, search, history paged to its oldest tx, network and
trade statistics, validator updates)."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.crypto import Key
from app.errors import Code
from app.keys import purchase_id
from app.tx import builder as tb
from rpc.indexer import reader
from rpc.indexer.db import Database
from rpc.indexer.extract import extract
from rpc.indexer.writer import OutOfOrder, start_height, write
from tests.indexer.chain import Chain, ev
from tests.postgres import PostgresServer

_dbs = itertools.count()

@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = str(tmp_path / "index.sqlite")
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.create_db(f"store{next(_dbs)}")
    database = Database(url)
    database.create_schema()
    try:
        yield database
    finally:
        database.close()

def _index(db: Database, chain_blocks: list[tuple[dict, dict]]) -> None:
    prev = None
    for block, results in chain_blocks:
        rows = extract(block, results, prev)
        write(db, rows)
        prev = rows.time_ms

ALICE, BOB, CAROL = Key.generate(), Key.generate(), Key.generate()

def test_a_height_is_written_once_with_its_marker(db: Database) -> None:
    chain = Chain()
    b1, b2, b3 = (chain.block([chain.send(ALICE, BOB, 5)]) for _ in range(3))
    _index(db, [b1, b2])
    assert db.last_height() == 2
    with pytest.raises(OutOfOrder):
        write(db, extract(*b2, None))  # again
    with pytest.raises(OutOfOrder):
        write(db, extract(*chain.block([]), None))  # height 4 before 3: a gap
    assert db.one("SELECT COUNT(*) FROM blocks")[0] == 2
    assert db.one("SELECT COUNT(*) FROM txs")[0] == 2
    write(db, extract(*b3, None))
    assert db.last_height() == 3
    assert start_height(db, 1) == 4

def test_a_failed_write_leaves_neither_rows_nor_marker(db: Database) -> None:
    chain = Chain()
    _index(db, [chain.block([chain.send(ALICE, BOB, 1)])])
    tx = chain.send(ALICE, BOB, 2)
    bad = chain.block([tx, tx])  # the same tx twice: the unique hash index refuses the second
    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own IntegrityError
        write(db, extract(*bad, None))
    assert db.last_height() == 1
    assert db.one("SELECT COUNT(*) FROM blocks WHERE height = 2")[0] == 0
    assert db.one("SELECT COUNT(*) FROM txs")[0] == 1
    assert db.one("SELECT COUNT(*) FROM account_txs WHERE height = 2")[0] == 0

def test_a_new_index_of_a_pruned_node_starts_at_its_first_block(db: Database) -> None:
    assert start_height(db, 500) == 500
    assert db.last_height() == 499

def test_blocks_txs_search_and_receipts(db: Database) -> None:
    chain = Chain()
    sent = chain.send(ALICE, BOB, 7)
    failed = chain.tx(CAROL, [tb.send(ALICE.address, 10**12)], [], code=int(Code.TIER_LIMIT))
    multi = chain.tx(BOB, [tb.multi_send([(ALICE.address, 1), (CAROL.address, 2)])],
                     [ev("transfer", sender=BOB.bech32, recipient=ALICE.bech32, amount="1"),
                      ev("transfer", sender=BOB.bech32, recipient=CAROL.bech32, amount="2")])
    pub = "ab" * 32

    key_b64 = base64.b64encode(bytes.fromhex(pub)).decode()
    blocks = [chain.block([]), chain.block([sent, failed], interval_ms=1_500),
              chain.block([multi], interval_ms=2_500, validator_updates=[
                  {"pub_key": {"Sum": {"value": {"ed25519": key_b64}}}, "power": "7"}])]
    _index(db, blocks)

    page = reader.blocks(db, None, 2)
    assert page["latest_height"] == 3
    assert [b["height"] for b in page["blocks"]] == [3, 2]
    assert page["next_before"] == 2
    older = reader.blocks(db, page["next_before"], 2)
    assert [b["height"] for b in older["blocks"]] == [1] and older["next_before"] is None
    assert older["blocks"][0]["interval_ms"] is None  # the first block indexed

    b2 = reader.block(db, 2)
    assert b2 is not None and b2["num_txs"] == 2 and b2["interval_ms"] == 1_500
    assert [(t["hash"], t["type"], t["code"], t["code_name"], t["signer"]) for t in b2["txs"]] \
        == [(sent.hash, "transfer", 0, "OK", ALICE.bech32),
            (failed.hash, "transfer", int(Code.TIER_LIMIT), "TIER_LIMIT", CAROL.bech32)]
    b3 = reader.block(db, 3)
    assert b3 is not None and b3["txs"][0]["msg_types"] == ["multi_send"]
    assert b3["validator_updates"] == [{"pub_key": pub, "power": "7"}]
    assert reader.block(db, 4) is None

    receipt = reader.tx(db, sent.hash.lower())
    assert receipt is not None
    assert (receipt["height"], receipt["index"], receipt["status"], receipt["fee"]) == \
        (2, 0, "success", "2000")
    assert receipt["events"][1] == {"type": "transfer", "attributes": {
        "sender": ALICE.bech32, "recipient": BOB.bech32, "amount": "7"}}
    assert reader.tx(db, "00" * 32) is None

    assert reader.search(db, "2") == {"kind": "block", "key": "2"}
    assert reader.search(db, "99")["kind"] == "none"
    assert reader.search(db, sent.hash.lower()) == {"kind": "tx", "key": sent.hash}
    assert reader.search(db, blocks[1][0]["block_id"]["hash"]) == {"kind": "block", "key": "2"}
    assert reader.search(db, BOB.bech32.upper()) == {"kind": "address", "key": BOB.bech32}
    assert reader.search(db, "fic1notanaddress")["kind"] == "none"
    assert reader.search(db, "hello")["kind"] == "none"

    stats = reader.network(db, 100)
    assert (stats["height"], stats["blocks"]) == (3, 3)
    assert stats["tx_per_s"] == "0.8"  # 3 txs in 1.5 s + 2.5 s
    assert stats["block_interval_s"] == "2.00"
    assert stats["txs_by_type"] == {"multi_send": 1, "transfer": 2}
    assert [s["num_txs"] for s in stats["series"]] == [0, 2, 1]
    assert reader.network(db, 1)["txs_by_type"] == {"multi_send": 1}

def test_history_pages_by_cursor_to_the_oldest_tx(db: Database) -> None:
    chain = Chain()
    mine = []
    for _ in range(25):  # 250 txs of ALICE among CAROL's, 10 per block
        txs = [chain.send(ALICE, BOB, 1 + j) for j in range(10)] + [chain.send(CAROL, BOB, 1)]
        mine += [t.hash for t in txs[:10]]
        _index(db, [chain.block(txs)])
    got, before = [], None
    while True:
        page, more = reader.history(db, ALICE.bech32, before, 100)
        got += [r["hash"] for r in page]
        if not more:
            break
        before = (page[-1]["height"], page[-1]["index"])
    assert got == list(reversed(mine))
    by_page = [r["hash"] for p in range(3)
               for r in reader.history(db, ALICE.bech32, None, 100, p * 100)[0]]
    assert by_page == got
    assert len(reader.history(db, BOB.bech32, None, 100, 200)[0]) == 75  # received: 275
    upto = reader.history(db, ALICE.bech32, reader.parse_cursor(3), 100)[0]
    assert {r["height"] for r in upto} == {1, 2}
    assert reader.history(db, Key.generate().bech32, None, 10) == ([], False)

def test_trade_stats_from_purchase_ft_and_price_events(db: Database) -> None:
    chain = Chain()
    sov = Key.generate()
    create = chain.tx(ALICE, [tb.create_purchase(BOB.address, "WHEAT", 5_000, 3, sov.address,
                                                 100, 200),
                              tb.create_purchase(BOB.address, "BRENT", 10, 80, sov.address,
                                                 100, 200)], [])
    p1, p2 = (purchase_id(bytes.fromhex(create.hash), i).hex() for i in range(2))
    create.result["events"] += [
        ev("purchase", id=p1, buyer=ALICE.bech32, seller=BOB.bech32, status="open",
           commodity="WHEAT", value="15000"),
        ev("purchase", id=p2, buyer=ALICE.bech32, seller=BOB.bech32, status="open",
           commodity="BRENT", value="800")]
    attest = chain.tx(CAROL, [tb.attest(bytes.fromhex(p2), 1, True, bytes(32))], [
        ev("attestation", purchase=p2, kind="shipping", verifier=CAROL.bech32,
           verdict="approve"),
        ev("purchase", id=p2, buyer=ALICE.bech32, seller=BOB.bech32, status="settled",
           outcome="seller"),
        ev("ft_issued", sovereign=sov.bech32, amount="8", purchase=p2)])
    convert = chain.tx(sov, [tb.convert_ft(3)], [
        ev("ft_converted", sovereign=sov.bech32, amount="3", pt_amount="3")])
    _index(db, [chain.block([create]), chain.block([attest, convert], block_events=[
        ev("price", commodity="WHEAT", round="4", price="3100000", status="published",
           submissions="3")])])
    stats = reader.trade(db, 30)
    assert stats["volume"] == [
        {"commodity": "BRENT", "day": stats["volume"][0]["day"], "count": 1, "quantity": "10",
         "value_pt": "800"},
        {"commodity": "WHEAT", "day": stats["volume"][0]["day"], "count": 1,
         "quantity": "5000", "value_pt": "15000"}]
    assert stats["purchases_by_status"] == {"open": 1, "settled": 1}
    assert stats["ft_by_sovereign"] == [{"sovereign": sov.bech32, "issued": "8",
                                         "converted": "3"}]
    assert reader.search(db, p2) == {"kind": "purchase", "key": p2}
    steps = db.query("SELECT status FROM purchase_steps WHERE purchase = ? ORDER BY height, "
                     "idx, seq", (p2,))
    assert [s for (s,) in steps] == ["open", "settled"]
    assert db.query("SELECT commodity, round, price FROM prices") == [("WHEAT", 4, 3100000)]
    assert db.query("SELECT verifier, kind, verdict FROM attestations") == [
        (CAROL.bech32, "shipping", "approve")]
