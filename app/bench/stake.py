"""``fictra bench stake``: what staking costs the state machine, in-process on a real store.

Genesis: ``--operators`` validator operators and ``--delegations`` delegations spread over
them (by a seeded choice), committed to LevelDB. Measured, each ``--repeat`` times on a fresh
overlay of the committed state (the median and the slowest printed):

- ``election``: an epoch's end (the secondaries' pool paid, every operator ranked, tiers
  and CometBFT's set written);
- ``rewards``: one block's staking work with ``--signers`` votes in the last commit: the
  fees shared out by power, commission and shares, and the signing windows moved.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from app.context import Vote
from app.crypto import Key, consensus_address
from app.genesis import validate_app_state, write_genesis
from app.modules import SHARDS, pt, router
from app.modules.stake.blocks import distribute
from app.modules.stake.handlers import handle_delegate
from app.modules.stake.records import get_validators
from app.modules.stake.sets import run_election
from app.modules.stake.slashing import count_signatures
from app.node.progress import progress
from app.params import UNIT, default_params, params_to_json
from app.pb import tx_pb2
from state.store import Store

CHAIN_ID = "fictra-bench"


def _key(prefix: str, i: int) -> Key:
    return Key.derive(f"bench-{prefix}-{i}")


def _genesis(n_ops: int, n_delegators: int) -> dict[str, object]:
    council = Key.derive("bench-council")
    accounts, entities, operators = [], [], []
    for i in range(n_ops):
        k = _key("operator", i)
        accounts.append({"address": k.bech32, "balance": str(100_000 * UNIT)})
        entities.append({"address": k.bech32, "tier": "corporate", "jurisdiction": "CH",
                         "roles": ["validator"]})
        operators.append({"address": k.bech32, "moniker": f"op{i}", "commission_bps": 500,
                          "pub_key": base64.b64encode(_key("consensus", i).public_key).decode(),
                          "self_bond": str((10_000 + 37 * i) * UNIT)})
    for i in range(n_delegators):
        accounts.append({"address": _key("delegator", i).bech32, "balance": str(10_000 * UNIT)})
    params = params_to_json(default_params())
    return {"params": params, "council": {"members": [council.bech32], "threshold": 1},
            "treasury": {"balance": "0"}, "accounts": accounts, "entities": entities,
            "stake": {"operators": operators}}


def _timed(store: Store, height: int, work: object, repeat: int
           ) -> tuple[list[float], list[float]]:
    """(the work's times, the same plus hashing what it wrote into the app hash)."""
    alone, hashed = [], []
    for _ in range(repeat):
        overlay = store.overlay()
        ctx = router.context(overlay, height, 0, CHAIN_ID)
        t0 = time.perf_counter()
        work(ctx)  # type: ignore[operator]
        t1 = time.perf_counter()
        overlay.app_hash()
        t2 = time.perf_counter()
        alone.append(t1 - t0)
        hashed.append(t2 - t0)
    return alone, hashed


def run(args: argparse.Namespace) -> int:
    home = Path(args.home or tempfile.mkdtemp(prefix="bench-stake-"))
    shutil.rmtree(home, ignore_errors=True)
    rng = random.Random(7)
    try:
        progress(f"setup: {args.operators} operators, {args.delegations} delegations")
        store = Store.open(home / "state", shards=SHARDS)
        overlay = store.overlay()
        n_delegators = max(1, args.delegations // 2)
        gs = validate_app_state(_genesis(args.operators, n_delegators))
        write_genesis(overlay, gs, CHAIN_ID, 1, [])
        store.commit(overlay, 1)
        overlay = store.overlay()
        ctx = router.context(overlay, 2, 0, CHAIN_ID)
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < args.delegations:
            pairs.add((rng.randrange(n_delegators), rng.randrange(args.operators)))
        for d, o in sorted(pairs):
            handle_delegate(ctx, _key("delegator", d).address, tx_pb2.MsgDelegate(
                operator=_key("operator", o).address, amount=rng.randint(1, 500) * UNIT))
        store.commit(overlay, 2)
        progress("measuring")
        election = _timed(store, 3, run_election, args.repeat)
        vals = get_validators(store)
        signers = sorted(vals.items())[:args.signers]
        votes = tuple(Vote(consensus_address(k), p, True) for k, p in signers)

        def block(ctx: object) -> None:
            ctx.votes = votes  # type: ignore[attr-defined]
            ctx.fees = 5_000 * 3_000  # type: ignore[attr-defined] - 5,000 transfers' fees
            distribute(ctx, pt.flush_fees(ctx))  # type: ignore[arg-type]
            count_signatures(ctx, votes)  # type: ignore[arg-type]
        rewards = _timed(store, 3, block, args.repeat)
        store.close()
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    doc: dict[str, object] = {"operators": args.operators, "delegations": args.delegations,
                              "signers": len(votes), "repeat": args.repeat}
    for name, (alone, hashed) in (("election", election), ("rewards", rewards)):
        doc[f"{name}_ms_median"] = round(statistics.median(alone) * 1000, 3)
        doc[f"{name}_ms_max"] = round(max(alone) * 1000, 3)
        doc[f"{name}_hashed_ms_median"] = round(statistics.median(hashed) * 1000, 3)
    if args.json:
        print(json.dumps(doc))
    else:
        print(f"election of {args.operators} operators ({args.delegations} delegations): "
              f"median {doc['election_ms_median']} ms (max {doc['election_ms_max']}), "
              f"{doc['election_hashed_ms_median']} ms with its writes hashed")
        print(f"one block's rewards and signing windows, {len(votes)} signers: median "
              f"{doc['rewards_ms_median']} ms (max {doc['rewards_ms_max']}), "
              f"{doc['rewards_hashed_ms_median']} ms with its writes hashed")
    return 0
