"""Record a reference chain: a few hundred blocks of mixed activity through the real ABCI
methods, with every block's CheckTx codes, proposal verdict, results, events, validator
updates and app hash. ``test_replay`` replays it and requires the same at every height.

    .venv/bin/python -m tests.replay.record        # rewrites tests/replay/chain.json.gz

Regenerate only for an intended change of behaviour, and say so in the commit: the fixture
is what keeps every other change from moving a consensus result.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from abci.proto import abci as pb
from app.application import FictraApp
from app.crypto import Key, consensus_address
from app.modules import SHARDS
from app.modules.stake import records
from app.params import UNIT
from app.pb import tx_pb2
from app.tx import builder as tb
from state.store import Store
from tests.app.chain import ALICE, BOB, CAROL, COUNCIL, DAVE, VALIDATORS
from tests.app.stake_chain import CONSENSUS, OPERATORS
from tests.app.stake_chain import STAKE_PARAMS as _STAKE
from tests.app.trade_chain import ORACLES, SOVEREIGN, VERIFIERS, trade_state
from tests.replay.codec import (
    CHAIN_ID,
    FIXTURE,
    block_record,
    finalize_args,
    genesis_request,
    prepare_args,
    process_args,
)

BLOCKS = 320
SEED = 3  # a seed whose run reaches every kind of event the test asks for
TRADERS = [ALICE, BOB]
NEWCOMER = Key.derive("newcomer")
SIGNERS = [ALICE, BOB, CAROL, DAVE, NEWCOMER, *VERIFIERS, *ORACLES, SOVEREIGN, *COUNCIL,
           *OPERATORS]
# Staking's scripted moments: operator 1 is down long enough to be jailed (and unjails
# later), operator 2 double-signs, operator 3 joins by create_validator.
DOWN = (100, 108)
UNJAIL_AT = 130
DOUBLE_SIGN = (200, 196)  # reported at, infraction height
CREATE_AT = 40
DOC = b"\x22" * 32
KINDS = [tx_pb2.VERIFICATION_KIND_SHIPPING, tx_pb2.VERIFICATION_KIND_QUALITY]


def genesis() -> dict[str, Any]:
    doc = trade_state(oracle_round_blocks=4, max_expiries_per_block=2)
    doc["accounts"].append({"address": NEWCOMER.bech32, "balance": str(500 * UNIT)})
    doc["params"].update({**_STAKE, "epoch_blocks": 10, "jail_blocks": 15,
                          "unbonding_blocks": 20, "primary_slots": 3})
    for key in OPERATORS:
        doc["accounts"].append({"address": key.bech32, "balance": str(10_000 * UNIT)})
        doc["entities"].append({"address": key.bech32, "tier": "corporate",
                                "jurisdiction": "CH", "roles": ["validator"]})
    doc["stake"] = {"operators": [
        {"address": OPERATORS[i].bech32,
         "pub_key": base64.b64encode(CONSENSUS[i].public_key).decode(),
         "moniker": f"op{i}", "commission_bps": 500 * (i + 1), "max_change_bps": 100,
         "self_bond": str((1_000 + 100 * i) * UNIT)} for i in range(3)]}
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
             "outsider", "fail", "stake"],
            weights=[22, 5, 10, 9, 14, 3, 8, 3, 4, 4, 10])[0]
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
        if kind == "stake":
            return self.stake_step(h)
        return self.council_step(h)

    def stake_step(self, h: int) -> list[bytes]:
        r = self.rng
        who = r.choice([ALICE, BOB, *OPERATORS[:3]])
        a, b = (k.address for k in r.sample(OPERATORS, 2))
        amount = r.choice([UNIT // 3, 10 * UNIT, 150 * UNIT, 600 * UNIT])
        msg = r.choice([tb.delegate(a, amount), tb.delegate(a, amount), tb.undelegate(a, amount),
                        tb.redelegate(a, b, amount), tb.withdraw_rewards()])
        return [self.tx(who, msg)]

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
            act = r.choice([tb.jail_validator, tb.jail_validator, tb.remove_validator])
            return self.council(act(r.choice(OPERATORS).address))
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
                if h == CREATE_AT:
                    txs.append(sc.tx(OPERATORS[3], tb.create_validator(
                        CONSENSUS[3].public_key, "op3", 300, 100, 1_500 * UNIT)))
                if h == UNJAIL_AT:
                    txs.append(sc.tx(OPERATORS[1], tb.unjail()))
            votes = [[consensus_address(k).hex(), p,
                      1 if DOWN[0] <= h <= DOWN[1] and k == CONSENSUS[1].public_key
                      else 2 if (h * 7 + p) % 13 else 3]  # now and then a nil vote
                     for k, p in sorted(records.get_validators(store).items())] if h > 1 else []
            misbehavior = [[1, consensus_address(CONSENSUS[2].public_key).hex(),
                            DOUBLE_SIGN[1]]] if h == DOUBLE_SIGN[0] else []
            block = {"height": h, "time": time_s, "proposer": proposer.hex(), "votes": votes,
                     "misbehavior": misbehavior}
            offered = txs
            checks = [app.check_tx(pb.RequestCheckTx(tx=t)).code for t in offered]
            prepared = h % 5 == 0
            rejected = False
            if not prepared:
                status = app.process_proposal(
                    pb.RequestProcessProposal(txs=offered, **process_args(block))).status
                rejected = status != pb.ResponseProcessProposal.ACCEPT
            if prepared or rejected:  # the proposer's path (after a rejection: a later round)
                txs = list(app.prepare_proposal(pb.RequestPrepareProposal(
                    txs=offered, max_tx_bytes=1 << 22, **prepare_args(block))).txs)
                status = app.process_proposal(
                    pb.RequestProcessProposal(txs=txs, **process_args(block))).status
                assert status == pb.ResponseProcessProposal.ACCEPT
            res = app.finalize_block(pb.RequestFinalizeBlock(txs=txs, **finalize_args(block)))
            app.commit(pb.RequestCommit())
            header = {"height": h, "time": {"seconds": time_s}, "proposer_address": proposer}
            blocks.append(block_record(header, offered, txs, checks, prepared, rejected, res,
                                       votes, misbehavior))
        out = {"chain_id": CHAIN_ID, "genesis": doc, "init_app_hash": init.app_hash.hex(),
               "validators": [[k.hex(), p] for k, p in validators], "blocks": blocks}
        app.close()
    path.write_bytes(gzip.compress(json.dumps(out, separators=(",", ":")).encode(), 9, mtime=0))
    n = sum(len(b["txs"]) for b in blocks)
    print(f"recorded {len(blocks)} blocks, {n} txs, {path.stat().st_size // 1024} KiB -> {path}")


if __name__ == "__main__":
    record()
