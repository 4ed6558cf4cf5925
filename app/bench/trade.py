"""The ``--mix trade`` workload of ``fictra bench app``: 70% PT transfers, 15% purchase steps
(CreatePurchase and ConfirmShipment, half each), 10% attestations, 5% price submissions.

Purchases flow through a pipeline one block per step: made in block b, shipped in b + 1,
attested in b + 2, where the last attestation settles them (escrow to the seller, FT to the
sovereign). Two commodities keep the attestation share at 10%: one needs a shipping
attestation, the other shipping and quality. Oracle rounds last one block, so every block
also closes a round (a median per commodity). Two warm-up blocks, run before timing, fill the
pipeline; every measured block then has exactly the mix. Roles (traders, verifiers, oracles,
one sovereign) go to the highest-numbered funded accounts; transfers use all of them.
"""

from __future__ import annotations

import random
from typing import Any

from app.crypto import Key
from app.params import UNIT
from app.pb import tx_pb2
from app.tx import builder as tb
from genesis.localnet import LOCALNET_CATALOGUE

WARMUP_BLOCKS = 2
MAX_TRADERS = 2_000
MAX_VERIFIERS = 50
SHIP_ONLY = {"code": "BENCH_A", "name": "Bench commodity A", "unit": "t", "decimals": 0,
             "ft_rate_bps": 100, "requirements": {"shipping": 1}}
SHIP_AND_QUALITY = {"code": "BENCH_B", "name": "Bench commodity B", "unit": "t", "decimals": 0,
                    "ft_rate_bps": 100, "requirements": {"shipping": 1, "quality": 1}}
_PRICED = [c["code"] for c in LOCALNET_CATALOGUE]
_SHIPPING = tx_pb2.VERIFICATION_KIND_SHIPPING
_QUALITY = tx_pb2.VERIFICATION_KIND_QUALITY
_DOC = b"\x5a" * 32


class TradeMix:
    def __init__(self, n_acc: int, per_block: int, rng: random.Random, keys: dict[int, Key],
                 addrs: list[bytes], params: tx_pb2.Params) -> None:
        self.rng = rng
        self.keys = keys
        self.addrs = addrs
        self.n_acc = n_acc
        self.fees = {"base_fee": params.base_fee, "fee_per_byte": params.fee_per_byte}
        self.n_create = per_block * 15 // 200  # as many shipments follow in the next block
        # Purchases needing two attestations, so that a full pipeline attests 10% a block.
        self.n_two = max(0, min(self.n_create, per_block // 10 - self.n_create))
        self.n_price = per_block // 20
        self.per_block = per_block
        n_priced = min(len(_PRICED), max(self.n_price, 1))
        n_oracles = max(1, -(-self.n_price // n_priced))
        n_verifiers = min(MAX_VERIFIERS, max(2, n_acc // 20))
        n_traders = min(MAX_TRADERS, max(2, n_acc // 4))
        need = n_traders + n_verifiers + n_oracles + 2
        if n_acc < need:
            raise ValueError(f"--mix trade needs at least {need} accounts")
        top = n_acc - 1
        self.sovereign = top
        self.oracles = list(range(top - n_oracles, top))
        self.verifiers = list(range(self.oracles[0] - n_verifiers, self.oracles[0]))
        self.traders = list(range(self.verifiers[0] - n_traders, self.verifiers[0]))
        self.priced = _PRICED[:n_priced]
        self.made: list[tuple[bytes, int, bool]] = []  # last block's: id, seller, two kinds
        self.shipped: list[tuple[bytes, bool]] = []  # last block's: id, two kinds
        self.counts = dict.fromkeys(("send", "create", "ship", "attest", "price"), 0)

    def extend_genesis(self, app_state: dict[str, Any]) -> None:
        app_state["params"]["oracle_round_blocks"] = 1
        app_state["commodities"] = [*LOCALNET_CATALOGUE, SHIP_ONLY, SHIP_AND_QUALITY]

        def entity(i: int, tier: str, role: str) -> dict[str, Any]:
            return {"address": self.keys[i].bech32, "tier": tier, "jurisdiction": "CH",
                    "roles": [role]}
        app_state["entities"] = [
            *(entity(i, "corporate", "trader") for i in self.traders),
            *(entity(i, "enhanced", "verifier") for i in self.verifiers),
            *(entity(i, "enhanced", "oracle") for i in self.oracles),
            entity(self.sovereign, "sovereign", "sovereign"),
        ]

    def block(self, height: int, nonces: list[int], chain_id: str) -> list[bytes]:
        """The signed txs of the block at ``height``, in a shuffled order."""
        rng = self.rng
        jobs: list[tuple[str, Any]] = [("ship", (pid, seller)) for pid, seller, _ in self.made]
        for pid, two in self.shipped:
            jobs += [("attest", (pid, k)) for k in ((_SHIPPING, _QUALITY) if two else
                                                    (_SHIPPING,))]
        jobs += [("price", n) for n in range(self.n_price)]
        jobs += [("create", n) for n in range(self.n_create)]
        jobs += [("send", None)] * (self.per_block - len(jobs))
        rng.shuffle(jobs)
        txs: list[bytes] = []
        made: list[tuple[bytes, int, bool]] = []
        for kind, arg in jobs:
            self.counts[kind] += 1
            if kind == "send":
                signer = rng.randrange(self.n_acc)
                r = rng.randrange(self.n_acc - 1)
                msg = tb.send(self.addrs[r + (r >= signer)], UNIT)
            elif kind == "create":
                signer, seller = rng.sample(self.traders, 2)
                two = arg < self.n_two
                commodity = SHIP_AND_QUALITY["code"] if two else SHIP_ONLY["code"]
                msg = tb.create_purchase(self.addrs[seller], commodity, 10, UNIT,
                                         self.addrs[self.sovereign], height + 10, height + 20)
            elif kind == "ship":
                pid, signer = arg
                msg = tb.confirm_shipment(pid, [_DOC])
            elif kind == "attest":
                pid, k = arg
                signer = rng.choice(self.verifiers)
                msg = tb.attest(pid, k, True, _DOC)
            else:
                signer = self.oracles[arg // len(self.priced)]
                code = self.priced[arg % len(self.priced)]
                msg = tb.submit_price(code, height, (50 + arg % 50) * UNIT)
            raw = tb.build_signed(self.keys[signer], chain_id, nonces[signer], [msg],
                                  **self.fees)
            nonces[signer] += 1
            if kind == "create":
                made.append((tb.purchase_id(raw), seller, two))
            txs.append(raw)
        self.shipped = [(pid, two) for pid, _, two in self.made]
        self.made = made
        return txs

    def reset_counts(self) -> None:
        self.counts = dict.fromkeys(self.counts, 0)

    def observe(self, fin: Any) -> None:
        """Count the purchases a measured block settled and the prices it published."""
        for r in fin.tx_results:
            for e in r.events:
                if e.type == "purchase" and any(a.key == "status" and a.value == "settled"
                                                for a in e.attributes):
                    self.counts["settled"] = self.counts.get("settled", 0) + 1
        self.counts["published"] = self.counts.get("published", 0) + sum(
            1 for e in fin.events if e.type == "price" and any(
                a.key == "status" and a.value == "published" for a in e.attributes))
