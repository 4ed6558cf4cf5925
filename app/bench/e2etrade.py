"""The ``--mix trade`` workload of ``fictra bench e2e``: the in-process trade mix's shares
(70% PT transfers, 15% purchase steps: CreatePurchase and ConfirmShipment, half each, 10%
attestations, 5% price submissions) offered through CometBFT.

Purchase steps are signed before timing, like transfers. Their deadlines lie far ahead
(``ship_by`` and ``verify_by`` near ``max_deadline_blocks``), so no signed byte depends on the
height a tx lands in. The stream is cut into segments of ``SEGMENT`` txs; segment j holds the
CreatePurchases of j, the ConfirmShipments of the purchases made in segment j - ``LAG`` and the
attestations of those shipped in segment j - ``LAG``. A step so reaches CheckTx thousands of
txs after the step before it, which by then sits in the mempool or a block: CheckTx runs a tx
against the check state, which holds the node's pending txs in mempool order, and block
proposals keep that order. Half the purchases of a segment need one attestation (shipping),
the others two (shipping and quality), which keeps attestations at 10%.

A price submission must name the round of the block it lands in, which no tx signed before
the run can know. ``PriceFeeder`` (a thread of the benchmark) signs them as the chain goes:
after each new block, 5 for every 100 txs the chain committed (its own included), for the
current round when at least two more of its blocks follow the next one, each (oracle,
commodity) pair once a round, commodity by commodity (a round publishes a commodity's price
only where 2/3 of the oracle set submitted). Its txs are part of what the chain commits and
are checked like the others.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from multiprocessing import Pool
from typing import Any

from app.bench.trade import SHIP_AND_QUALITY, SHIP_ONLY
from app.crypto import Key
from app.node.cometrpc import RpcError, call
from app.node.progress import progress
from app.params import UNIT, default_params
from app.pb import state_pb2, tx_pb2
from app.tx import builder as tb
from genesis.localnet import LOCALNET_CATALOGUE

SEGMENT = 1_900  # non-price txs: 1,400 transfers, 150 creates, 150 shipments, 200 attestations
CREATES, SHIPS, ATTESTS = 150, 150, 200
TWO_KIND = ATTESTS - CREATES  # purchases of a segment that need two attestations
LAG = 2  # segments between a purchase's steps
ROUND_BLOCKS = 5  # oracle_round_blocks: a round spans 10 s of 2-second blocks
PRICE_PER_100 = 5  # price submissions per 100 committed txs
SHIP_BY = 1_000_000  # far deadlines: below the default max_deadline_blocks from any height
VERIFY_BY = 1_200_000
N_VERIFIERS = 50
_DOC = b"\x5a" * 32
_PRICED = [c["code"] for c in LOCALNET_CATALOGUE]


class Roles:
    """Which sender index plays which part. The load client pins sender i to connection
    i % ``lanes``, so a purchase's buyer, seller and verifiers are taken from one lane: its
    steps reach CheckTx in offer order. The highest indices hold the roles (oracles, then
    verifiers and traders, ``per lane`` of each in every lane, one sovereign); transfers go
    between all senders but the oracles (the price feeder alone holds their nonces)."""

    VERIFIERS_PER_LANE = 2
    TRADERS_PER_LANE = 4

    def __init__(self, n_senders: int, oracles: int, lanes: int) -> None:
        n_ver = self.VERIFIERS_PER_LANE * lanes
        n_tr = self.TRADERS_PER_LANE * lanes
        need = oracles + n_ver + n_tr + 1
        if n_senders < need:
            raise ValueError(f"--mix trade with {lanes} connections needs --senders of at "
                             f"least {need}")
        top = n_senders - 1
        self.n, self.lanes = n_senders, lanes
        self.sovereign = top
        self.oracles = list(range(top - oracles, top))
        self.verifiers = list(range(self.oracles[0] - n_ver, self.oracles[0]))
        self.traders = list(range(self.verifiers[0] - n_tr, self.verifiers[0]))
        self.movers = list(range(self.oracles[0]))

    def in_lane(self, group: list[int], lane: int) -> list[int]:
        return [i for i in group if i % self.lanes == lane]

    def extend_genesis(self, app_state: dict[str, Any], bech32: Any) -> None:
        app_state["params"]["oracle_round_blocks"] = ROUND_BLOCKS
        app_state["commodities"] = [*app_state["commodities"], SHIP_ONLY, SHIP_AND_QUALITY]

        def entity(i: int, tier: str, role: str) -> dict[str, Any]:
            return {"address": bech32(i), "tier": tier, "jurisdiction": "CH", "roles": [role]}
        app_state["entities"] = [
            *app_state["entities"],
            *(entity(i, "corporate", "trader") for i in self.traders),
            *(entity(i, "enhanced", "verifier") for i in self.verifiers),
            *(entity(i, "enhanced", "oracle") for i in self.oracles),
            entity(self.sovereign, "sovereign", "sovereign"),
        ]


def oracles_for(peak_tx_per_s: int) -> int:
    """Oracles enough that a round's (oracle, commodity) pairs cover its price share."""
    per_round = peak_tx_per_s * 2 * ROUND_BLOCKS * PRICE_PER_100 // 100
    return max(3, -(-per_round // len(_PRICED)))


# -- the pre-signed stream -----------------------------------------------------------------------

def _sign_entries(job: tuple[list[tuple[int, int, bytes]], int, int, str, int]) -> list[bytes]:
    entries, base_fee, fee_per_byte, chain_id, seed_base = job
    keys: dict[int, Key] = {}
    out = []
    for signer, nonce, msg in entries:
        key = keys.get(signer)
        if key is None:
            key = keys[signer] = Key.from_seed((seed_base + signer).to_bytes(32, "big"))
        out.append(tb.build_signed(key, chain_id, nonce, [tx_pb2.Msg.FromString(msg)],
                                   base_fee=base_fee, fee_per_byte=fee_per_byte))
    return out


def _sign(entries: list[tuple[int, int, bytes]], chain_id: str, seed_base: int,
          label: str) -> list[bytes]:
    p = default_params()
    step = 2_000
    jobs = [(entries[a:a + step], p.base_fee, p.fee_per_byte, chain_id, seed_base)
            for a in range(0, len(entries), step)]
    out: list[bytes] = []
    t0 = time.monotonic()
    with Pool(os.cpu_count() or 1) as pool:
        for part in pool.imap(_sign_entries, jobs):
            out += part
            progress(f"signing {label}: {len(out):,}/{len(entries):,} txs "
                     f"({time.monotonic() - t0:.0f} s)")
    return out


def stream(total: int, roles: Roles, chain_id: str, seed_base: int,
           address: Any) -> tuple[list[bytes], list[int], dict[str, int]]:
    """``total`` signed non-price txs in offer order, their signers, and the count by kind."""
    nonces = [0] * roles.n
    kinds: list[str] = []
    plan: list[tuple[int, int, bytes] | None] = []  # None: a step whose purchase is unsigned
    steps: list[tuple[int, str, int, int, int]] = []  # plan index, kind, create index, signer, k
    creates: list[int] = []  # plan index of each CreatePurchase
    sellers: list[int] = []
    mover_i = 0
    lane_traders = [roles.in_lane(roles.traders, k) for k in range(roles.lanes)]
    lane_verifiers = [roles.in_lane(roles.verifiers, k) for k in range(roles.lanes)]
    segments = -(-total // SEGMENT)
    for j in range(segments):
        jobs: list[tuple[str, Any]] = [("create", n) for n in range(CREATES)]
        if j >= LAG:
            jobs += [("ship", (j - LAG) * CREATES + n) for n in range(SHIPS)]
        if j >= 2 * LAG:
            base = (j - 2 * LAG) * CREATES
            jobs += [("attest", (base + n, _SHIPPING)) for n in range(CREATES)]
            jobs += [("attest", (base + n, _QUALITY)) for n in range(TWO_KIND)]
        jobs += [("send", None)] * (SEGMENT - len(jobs))
        # interleave deterministically: a fixed stride walks the segment's jobs
        order = sorted(range(len(jobs)), key=lambda i: (i * 7919) % len(jobs))
        for i in order:
            if len(plan) == total:
                break
            kind, arg = jobs[i]
            if kind == "send":
                signer = roles.movers[mover_i % len(roles.movers)]
                to = roles.movers[(mover_i * 7 + 1) % len(roles.movers)]
                if to == signer:
                    to = roles.movers[(mover_i * 7 + 2) % len(roles.movers)]
                mover_i += 1
                entry: tuple[int, int, bytes] | None = (
                    signer, nonces[signer], tb.send(address(to), UNIT).SerializeToString())
            elif kind == "create":
                c = len(creates)
                lt = lane_traders[c % roles.lanes]
                turn = c // roles.lanes
                signer, seller = lt[turn % len(lt)], lt[(turn + 1) % len(lt)]
                commodity = SHIP_AND_QUALITY if c % CREATES < TWO_KIND else SHIP_ONLY
                entry = (signer, nonces[signer], tb.create_purchase(
                    address(seller), commodity["code"], 10, UNIT, address(roles.sovereign),
                    SHIP_BY, VERIFY_BY).SerializeToString())
                creates.append(len(plan))
                sellers.append(seller)
            elif kind == "ship":
                signer = sellers[arg]
                steps.append((len(plan), "ship", arg, signer, 0))
                entry = None
            else:
                c, k = arg
                lv = lane_verifiers[c % roles.lanes]
                signer = lv[(c // roles.lanes + (k == _QUALITY)) % len(lv)]
                steps.append((len(plan), "attest", c, signer, k))
                entry = None
            if entry is None:
                plan.append((signer, nonces[signer], b""))
            else:
                plan.append(entry)
            kinds.append(kind)
            nonces[signer] += 1
    # Two passes: a step names its purchase's id, the hash of the signed CreatePurchase.
    created = _sign([plan[i] for i in creates], chain_id, seed_base, "purchases")  # type: ignore[misc]
    pids = [tb.purchase_id(raw) for raw in created]
    for idx, kind, c, _signer, k in steps:
        signer, nonce, _ = plan[idx]  # type: ignore[misc]
        msg = (tb.confirm_shipment(pids[c], [_DOC]) if kind == "ship"
               else tb.attest(pids[c], k, True, _DOC))
        plan[idx] = (signer, nonce, msg.SerializeToString())
    rest_idx = [i for i in range(len(plan)) if kinds[i] != "create"]
    rest = _sign([plan[i] for i in rest_idx], chain_id, seed_base, "transfers and steps")  # type: ignore[misc]
    txs: list[bytes] = [b""] * len(plan)
    for i, raw in zip(creates, created, strict=True):
        txs[i] = raw
    for i, raw in zip(rest_idx, rest, strict=True):
        txs[i] = raw
    counts = {k: kinds.count(k) for k in ("send", "create", "ship", "attest")}
    return txs, [e[0] for e in plan], counts  # type: ignore[index]


_SHIPPING = tx_pb2.VERIFICATION_KIND_SHIPPING
_QUALITY = tx_pb2.VERIFICATION_KIND_QUALITY


# -- price submissions as the chain goes ---------------------------------------------------------

class PriceFeeder(threading.Thread):
    """Submits the mix's prices against the live chain (see the module's docstring)."""

    def __init__(self, url: str, roles: Roles, chain_id: str, seed_base: int) -> None:
        super().__init__(daemon=True, name="price-feeder")
        self.url, self.roles, self.chain_id = url, roles, chain_id
        self.keys = {i: Key.from_seed((seed_base + i).to_bytes(32, "big")) for i in roles.oracles}
        self.nonces = dict.fromkeys(roles.oracles, 0)
        p = default_params()
        self.fees = {"base_fee": p.base_fee, "fee_per_byte": p.fee_per_byte}
        self.stop = threading.Event()
        self.sent: list[bytes] = []  # sha256 of each tx CheckTx accepted
        self.refused: dict[int, int] = {}  # CheckTx code -> count
        self.unmet = 0  # submissions the round's free pairs could not cover
        self.errors = 0

    def _height(self) -> int:
        return int(call(self.url, "status")["sync_info"]["latest_block_height"])

    def _num_txs(self, lo: int, hi: int) -> int:
        n = 0
        while lo <= hi:
            r = call(self.url, "blockchain", minHeight=str(lo), maxHeight=str(min(hi, lo + 19)))
            n += sum(int(m["num_txs"]) for m in r["block_metas"])
            lo += 20
        return n

    def _resync(self, oracle: int) -> None:
        r = call(self.url, "abci_query", path=f"/account/{self.keys[oracle].bech32}", data="",
                 height="0", prove=False)
        raw = base64.b64decode(r["response"].get("value") or "")
        self.nonces[oracle] = state_pb2.Account.FromString(raw).nonce if raw else 0

    def run(self) -> None:
        last = self._height()
        owed = 0  # hundredths of a price submission still due
        used: set[tuple[int, str]] = set()
        used_round = -1
        while not self.stop.wait(0.2):
            try:
                h = self._height()
                if h <= last:
                    continue
                owed += self._num_txs(last + 1, h) * PRICE_PER_100  # 5% of all, its own too
                last = h
                nxt = h + 1
                rnd = nxt // ROUND_BLOCKS
                if nxt % ROUND_BLOCKS > ROUND_BLOCKS - 3:
                    continue  # too close to the round's end: wait for the next round
                if rnd != used_round:
                    used, used_round = set(), rnd
                due = owed // 100
                # Commodity by commodity, every oracle: a round publishes only where 2/3 of
                # the oracle set submitted. The first commodity turns with the round.
                first = rnd % len(_PRICED)
                free = [(o, c) for c in _PRICED[first:] + _PRICED[:first]
                        for o in self.roles.oracles if (o, c) not in used]
                for oracle, code in free[:due]:
                    self._submit(oracle, code, rnd)
                    used.add((oracle, code))
                self.unmet += max(0, due - len(free))
                owed -= due * 100
            except RpcError:
                self.errors += 1

    def _submit(self, oracle: int, code: str, rnd: int) -> None:
        price = (100 + (oracle % 7)) * UNIT
        raw = tb.build_signed(self.keys[oracle], self.chain_id, self.nonces[oracle],
                              [tb.submit_price(code, rnd, price)], **self.fees)
        r = call(self.url, "broadcast_tx_sync", tx=base64.b64encode(raw).decode())
        code_ = int(r.get("code") or 0)
        if code_ == 0:
            self.nonces[oracle] += 1
            self.sent.append(hashlib.sha256(raw).digest())
        else:
            self.refused[code_] = self.refused.get(code_, 0) + 1
            self._resync(oracle)
