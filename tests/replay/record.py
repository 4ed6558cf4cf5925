"""Record a reference chain: a few hundred blocks of mixed activity through the real ABCI
methods, with every block's CheckTx codes, proposal verdict, results, events, validator
updates and app hash. ``test_replay`` replays it and requires the same at every height.

    .venv/bin/python -m tests.replay.record        # rewrites tests/replay/chain.json.gz

Regenerate only for an intended change of behaviour, and say so in the commit: the fixture
is what keeps every other change from moving a consensus result.
"""

from __future__ import annotations

import gzip
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from abci.proto import abci as pb
from app.application import FictraApp
from app.crypto import Key
from app.modules import SHARDS
from app.params import UNIT
from app.pb import tx_pb2
from app.tx import builder as tb
from state.store import Store
from tests.app.chain import ALICE, BOB, CAROL, COUNCIL, DAVE, VALIDATORS
from tests.app.trade_chain import ORACLES, SOVEREIGN, VERIFIERS, trade_state
from tests.replay.codec import CHAIN_ID, FIXTURE, block_record, genesis_request

BLOCKS = 320
SEED = 20261202
TRADERS = [ALICE, BOB]
NEWCOMER = Key.derive("newcomer")
EXTRA_VALIDATOR = Key.derive("validator-extra")
SIGNERS = [ALICE, BOB, CAROL, DAVE, NEWCOMER, *VERIFIERS, *ORACLES, SOVEREIGN, *COUNCIL]
DOC = b"\x22" * 32
KINDS = [tx_pb2.VERIFICATION_KIND_SHIPPING, tx_pb2.VERIFICATION_KIND_QUALITY]


def genesis() -> dict[str, Any]:
    doc = trade_state(oracle_round_blocks=4, max_expiries_per_block=2)
    doc["accounts"].append({"address": NEWCOMER.bech32, "balance": str(500 * UNIT)})
    return doc


class Scenario:
    def __init__(self, app: FictraApp, store: Store) -> None:
        self.app = app
        self.store = store
        self.rng = random.Random(SEED)
        self.nonces: dict[bytes, int] = {}
        self.purchases: list[tuple[bytes, int]] = []  # id, buyer index
        self.disputed: list[bytes] = []
        self.next_proposal = 1
        self.carol_frozen = False
        self.extra_validator = False
        self.fee_per_byte = 10

    # -- tx helpers ------------------------------------------------------------------------------
    def _account_nonce(self, key: Key) -> int:
        res = self.app.query(pb.RequestQuery(path=f"/account/{key.bech32}"))
        return int(json.loads(res.info)["nonce"]) if res.info else 0

    def new_block(self) -> None:
        self.nonces = {k.address: self._account_nonce(k) for k in SIGNERS}
        res = self.app.query(pb.RequestQuery(path="/params"))
        self.fee_per_byte = int(json.loads(res.info)["fee_per_byte"])
        raw = self.store.get("gov", b"next_proposal")
        self.next_proposal = int.from_bytes(raw, "big") if raw else 1

    def tx(self, key: Key, *msgs: Any, memo: str = "", timeout: int = 0) -> bytes:
        n = self.nonces[key.address]
        self.nonces[key.address] = n + 1
        return tb.build_signed(key, CHAIN_ID, n, msgs, base_fee=1_000,
                               fee_per_byte=self.fee_per_byte, memo=memo,
                               timeout_height=timeout)

    def council(self, action: tx_pb2.Action, votes: int = 1) -> list[bytes]:
        pid = self.next_proposal
        self.next_proposal += 1
        out = [self.tx(COUNCIL[0], tb.propose(action, f"proposal {pid}"))]
        for i in range(1, 1 + votes):
            out.append(self.tx(COUNCIL[i], tb.vote(pid, self.rng.random() < 0.9)))
        return out

    def _pick(self) -> tuple[bytes, int]:
        if not self.purchases:
            return b"\x00" * 16, 0
        return self.purchases[-1 - self.rng.randrange(min(4, len(self.purchases)))]

    # -- one block's steps -----------------------------------------------------------------------
    def step(self, h: int) -> list[bytes]:
        r = self.rng
        kind = r.choices(
            ["send", "multisend", "create", "ship", "attest", "dispute", "council", "convert",
             "outsider", "fail"],
            weights=[22, 5, 10, 9, 14, 3, 8, 3, 4, 4])[0]
        if kind == "send":
            who = r.choice([ALICE, BOB, CAROL, NEWCOMER])
            to = r.choice([ALICE, BOB, CAROL, DAVE, NEWCOMER, *VERIFIERS])
            return [self.tx(who, tb.send(to.address, r.randint(1, 3_000) * UNIT // 100),
                            memo=r.choice(["", "invoice 42"]), timeout=r.choice([0, h + 3]))]
        if kind == "multisend":
            outs = [(k.address, r.randint(1, 50) * UNIT) for k in r.sample(SIGNERS, 3)]
            return [self.tx(r.choice(TRADERS), tb.multi_send(outs))]
        if kind == "create":
            b = r.randrange(2)
            ship = h + r.randint(1, 6)
            raw = self.tx(TRADERS[b], tb.create_purchase(
                TRADERS[1 - b].address, r.choice(["BRENT", "WHEAT", "TIN"]),
                r.randint(1, 4_000), r.randint(1, 3) * UNIT, SOVEREIGN.address, ship,
                ship + r.randint(0, 8)))
            self.purchases.append((tb.purchase_id(raw), b))
            return [raw]
        if kind == "ship":
            pid, b = self._pick()
            seller = TRADERS[1 - b] if r.random() < 0.85 else TRADERS[b]
            return [self.tx(seller, tb.confirm_shipment(pid, [DOC]))]
        if kind == "attest":
            pid, _ = self._pick()
            return [self.tx(r.choice(VERIFIERS),
                            tb.attest(pid, r.choice(KINDS), r.random() < 0.8, DOC))]
        if kind == "dispute":
            pid, b = self._pick()
            self.disputed.append(pid)
            return [self.tx(TRADERS[b], tb.dispute(pid, "short delivery"))]
        if kind == "convert":
            return [self.tx(SOVEREIGN, tb.convert_ft(r.randint(1, 40) * UNIT // 1_000))]
        if kind == "outsider":  # not a trader, not an oracle: refused messages, fee paid
            return [self.tx(DAVE, r.choice([
                tb.create_purchase(BOB.address, "WHEAT", 10, UNIT, SOVEREIGN.address, h + 2,
                                   h + 4),
                tb.submit_price("BRENT", h // 4, 70 * UNIT),
                tb.propose(tb.mint(UNIT)),
            ]))]
        if kind == "fail":  # messages that fail: more than the balance, a frozen recipient
            return [self.tx(NEWCOMER, tb.send(ALICE.address, 10**9 * UNIT // 10**3)),
                    self.tx(BOB, tb.send(CAROL.address, UNIT))]
        return self.council_step(h)

    def council_step(self, h: int) -> list[bytes]:
        r = self.rng
        what = r.choice(["rule", "mint", "burn", "freeze", "params", "commodity", "reserve",
                         "validator", "entity", "expire"])
        if what == "rule" and self.disputed:
            return self.council(tb.resolve_dispute(self.disputed[-1], r.random() < 0.5))
        if what == "mint":
            return self.council(tb.mint(r.randint(1, 1_000) * UNIT))
        if what == "burn":
            return self.council(tb.burn(r.randint(1, 2_000_000) * UNIT))
        if what == "freeze":
            self.carol_frozen = not self.carol_frozen
            act = tb.freeze if self.carol_frozen else tb.unfreeze
            return self.council(act(CAROL.address))
        if what == "params":
            p = tx_pb2.Params.FromString(self.store.get("gov", b"params") or b"")
            p.fee_per_byte = r.choice([10, 11, 12])
            p.proposal_expiry_blocks = r.choice([4, 5, 6])
            return self.council(tb.update_params(p))
        if what == "commodity":
            c = tx_pb2.Commodity(code="TIN", name="Tin", unit="t", decimals=3,
                                 ft_rate_bps=r.choice([100, 150]), active=r.random() < 0.7,
                                 requirements=[tx_pb2.Requirement(
                                     kind=tx_pb2.VERIFICATION_KIND_QUALITY, quorum=1)])
            return self.council(tb.set_commodity(c))
        if what == "reserve":
            return self.council(tb.fund_reserve(r.randint(1, 500) * UNIT))
        if what == "validator":
            self.extra_validator = not self.extra_validator
            power = 5 if self.extra_validator else 0
            return self.council(tb.set_validator_power(EXTRA_VALIDATOR.public_key, power))
        if what == "entity":
            return self.council(tb.update_entity(
                NEWCOMER.address, r.choice([1, 2]), r.choice(["DE", "KE"]), 1)
                if self.store.get("pt", b"acc/" + NEWCOMER.address) and r.random() < 0.5
                else tb.register_entity(NEWCOMER.address, 1, "DE", 1))
        return self.council(tb.mint(UNIT), votes=0)  # one vote short: expires

    def prices(self, h: int) -> list[bytes]:
        out = []
        for o in ORACLES:
            if self.rng.random() < 0.7:
                for code in ("BRENT", "WHEAT"):
                    base = 70 if code == "BRENT" else 250
                    price = base * UNIT + self.rng.randint(-5, 5) * UNIT // 10
                    if self.rng.random() < 0.05:
                        price *= 2  # a suspect move
                    out.append(self.tx(o, tb.submit_price(code, h // 4, price)))
        return out


def record(path: Path = FIXTURE) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "state", shards=SHARDS)
        app = FictraApp(store)
        doc = genesis()
        validators = [(k.public_key, 10) for k in VALIDATORS]
        init = app.init_chain(genesis_request(doc, validators))
        sc = Scenario(app, store)
        time_s = 1_750_000_000
        blocks: list[dict[str, Any]] = []
        for h in range(1, BLOCKS + 1):
            time_s += 2
            proposer = VALIDATORS[h % len(VALIDATORS)].address
            txs: list[bytes] = []
            if h > 1:
                sc.new_block()
                for _ in range(sc.rng.choice([0, 1, 2, 4, 6, 8, 10])):
                    txs += sc.step(h)
                if h % 4 in (1, 2):
                    txs += sc.prices(h)
            header = {"height": h, "time": {"seconds": time_s}, "proposer_address": proposer}
            offered = txs
            checks = [app.check_tx(pb.RequestCheckTx(tx=t)).code for t in offered]
            prepared = h % 5 == 0
            rejected = False
            if not prepared:
                status = app.process_proposal(
                    pb.RequestProcessProposal(txs=offered, **header)).status
                rejected = status != pb.ResponseProcessProposal.ACCEPT
            if prepared or rejected:  # the proposer's path (after a rejection: a later round)
                txs = list(app.prepare_proposal(pb.RequestPrepareProposal(
                    txs=offered, max_tx_bytes=1 << 22, **header)).txs)
                status = app.process_proposal(
                    pb.RequestProcessProposal(txs=txs, **header)).status
                assert status == pb.ResponseProcessProposal.ACCEPT
            res = app.finalize_block(pb.RequestFinalizeBlock(txs=txs, **header))
            app.commit(pb.RequestCommit())
            blocks.append(block_record(header, offered, txs, checks, prepared, rejected, res))
        out = {"chain_id": CHAIN_ID, "genesis": doc, "init_app_hash": init.app_hash.hex(),
               "validators": [[k.hex(), p] for k, p in validators], "blocks": blocks}
        app.close()
    path.write_bytes(gzip.compress(json.dumps(out, separators=(",", ":")).encode(), 9, mtime=0))
    n = sum(len(b["txs"]) for b in blocks)
    print(f"recorded {len(blocks)} blocks, {n} txs, {path.stat().st_size // 1024} KiB -> {path}")


if __name__ == "__main__":
    record()
