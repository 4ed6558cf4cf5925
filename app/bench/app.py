"""``fictra bench app``: the application's block pipeline in-process, on a real store.

N funded accounts at genesis; signed PT transfers between random pairs. Per block: each tx
through CheckTx (NEW), then PrepareProposal, ProcessProposal, FinalizeBlock and Commit, as the
proposer of every block runs them (``--role validator``: no PrepareProposal, the block arrives
as a proposal from elsewhere, as on the other validators). Either way a node executes each
block once: FinalizeBlock reuses the proposal it built or verified. Signing happens before
timing (wallets sign, not nodes).
The pseudo-random choice of pairs is seeded, so every run offers the same txs.
``--mix trade`` offers commodity trade steps among the transfers (``app.bench.trade``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from abci.proto import abci as pb
from abci.proto import crypto_keys
from app.application import FictraApp
from app.bench.trade import WARMUP_BLOCKS, TradeMix
from app.crypto import Key
from app.modules import SHARDS
from app.node.metered import MeteredApp
from app.node.progress import progress
from app.params import UNIT, default_params, params_to_json
from app.tx.builder import build_signed, send
from state.store import Store

CHAIN_ID = "fictra-bench"
STAGES = ("check", "prepare", "process", "finalize", "commit")
MAX_TX_BYTES = 20 * 1024 * 1024  # the top of the requirements' 5-20 MB block range


def _key(i: int) -> Key:
    return Key.from_seed(i.to_bytes(32, "big"))


def run(args: argparse.Namespace) -> int:
    n_acc, per_block, n_blocks = args.accounts, args.block_txs, args.blocks
    if n_acc < 2 or per_block < 1 or n_blocks < 1:
        print("error: --accounts >= 2, --block-txs >= 1 and --blocks >= 1", file=sys.stderr)
        return 2
    home = Path(args.home or ".bench/app").resolve()
    shutil.rmtree(home, ignore_errors=True)
    rng = random.Random(42)
    p = default_params()

    # -- setup (not timed) ---------------------------------------------------------------------
    progress(f"setup: {n_acc} accounts")
    keys: dict[int, Key] = {}
    addrs: list[bytes] = []
    for i in range(n_acc):
        keys[i] = k = _key(i)
        addrs.append(k.address)
        if i % 10_000 == 0:
            progress(f"setup: keys {i}/{n_acc}")
    app_state: dict[str, Any] = {
        "params": params_to_json(p),
        "council": {"members": [keys[0].bech32], "threshold": 1},
        "treasury": {"balance": "0"},
        "accounts": [{"address": keys[i].bech32, "balance": str(1_000_000 * UNIT)}
                     for i in range(n_acc)],
    }
    mix = None
    if args.mix == "trade":
        try:
            mix = TradeMix(n_acc, per_block, rng, keys, addrs, p)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        mix.extend_genesis(app_state)
    store = Store.open(home / "state", shards=SHARDS)
    app = (MeteredApp if args.metrics else FictraApp)(store, keep_recent=0)
    progress("setup: genesis")
    app.init_chain(pb.RequestInitChain(
        chain_id=CHAIN_ID, initial_height=1, app_state_bytes=json.dumps(app_state).encode(),
        validators=[pb.ValidatorUpdate(pub_key=crypto_keys.PublicKey(ed25519=b"\x01" * 32),
                                       power=10)],
    ))
    app.finalize_block(pb.RequestFinalizeBlock(height=1))
    app.commit(pb.RequestCommit())
    nonces = [0] * n_acc
    blocks: list[list[bytes]] = []
    warmup: list[list[bytes]] = []
    if mix is not None:  # fill the purchase pipeline (made, shipped, attested) before timing
        warmup = [mix.block(2 + w, nonces, CHAIN_ID) for w in range(WARMUP_BLOCKS)]
        mix.reset_counts()
    for b in range(n_blocks):
        if mix is not None:
            blocks.append(mix.block(2 + len(warmup) + b, nonces, CHAIN_ID))
            progress(f"setup: signed block {b + 1}/{n_blocks}")
            continue
        txs = []
        for _ in range(per_block):
            s = rng.randrange(n_acc)
            r = rng.randrange(n_acc - 1)
            r += r >= s
            txs.append(build_signed(keys[s], CHAIN_ID, nonces[s], [send(addrs[r], UNIT)],
                                    base_fee=p.base_fee, fee_per_byte=p.fee_per_byte))
            nonces[s] += 1
        blocks.append(txs)
        progress(f"setup: signed block {b + 1}/{n_blocks}")

    for w, txs in enumerate(warmup):
        height = store.height + 1
        progress(f"setup: warm-up block {w + 1}/{len(warmup)}")
        fin = app.finalize_block(pb.RequestFinalizeBlock(
            txs=txs, height=height, time={"seconds": 1_700_000_000 + 2 * height},
            proposer_address=b"\x01" * 20))
        app.commit(pb.RequestCommit())
        if any(r.code for r in fin.tx_results):
            print(f"error: warm-up block {height} had failing txs", file=sys.stderr)
            return 1
    checks_before = app.cache.verifications if app.cache else 0

    # -- measured pipeline ---------------------------------------------------------------------
    profiler = None
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    spent = dict.fromkeys(STAGES, 0.0)
    ok = refused = 0
    clock = time.perf_counter
    cpu0 = time.process_time()  # all threads: under a shared load, steadier than the wall
    for b, txs in enumerate(blocks):
        height = store.height + 1
        header = {"height": height, "time": {"seconds": 1_700_000_000 + 2 * height},
                  "proposer_address": b"\x01" * 20}
        t0 = clock()
        step = args.check_batch
        for i in range(0, len(txs), step):
            reqs = [pb.RequestCheckTx(tx=raw) for raw in txs[i : i + step]]
            answers = app.check_tx_batch(reqs) if step > 1 else [app.check_tx(reqs[0])]
            refused += sum(1 for a in answers if a.code)
        t1 = clock()
        if args.role == "proposer":
            block = list(app.prepare_proposal(pb.RequestPrepareProposal(
                txs=txs, max_tx_bytes=MAX_TX_BYTES, **header)).txs)
        else:
            block = txs
        t2 = clock()
        proc = app.process_proposal(pb.RequestProcessProposal(txs=block, **header))
        t3 = clock()
        fin = app.finalize_block(pb.RequestFinalizeBlock(txs=block, **header))
        t4 = clock()
        app.commit(pb.RequestCommit())
        t5 = clock()
        if proc.status != pb.ResponseProcessProposal.ACCEPT:
            print(f"error: block {height} rejected by ProcessProposal", file=sys.stderr)
            return 1
        ok += sum(1 for r in fin.tx_results if r.code == 0)
        if mix is not None:
            mix.observe(fin)
        for stage, dt in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            spent[stage] += dt
        rate = len(txs) / (t5 - t0)
        progress(f"block {b + 1}/{n_blocks}: {len(block)} txs, {rate:,.0f} tx/s")
    cpu = time.process_time() - cpu0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    total = sum(spent.values())
    n_txs = per_block * n_blocks
    out: dict[str, Any] = {
        "tx_per_s": round(n_txs / total, 1),
        **{f"{s}_share": round(spent[s] / total, 3) for s in STAGES},
        **{f"{s}_us_per_tx": round(spent[s] / n_txs * 1e6, 1) for s in STAGES},
        "cpu_us_per_tx": round(cpu / n_txs * 1e6, 1),
        "txs": n_txs, "committed_ok": ok, "refused_in_checktx": refused,
        "accounts": n_acc, "block_txs": per_block, "blocks": n_blocks, "role": args.role,
        "signature_checks": (app.cache.verifications if app.cache else 0) - checks_before,
        "mix": args.mix, **({"mix_counts": mix.counts} if mix is not None else {}),
        "metrics": bool(args.metrics),
        "load_avg_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
    }
    app.close()
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    if args.json:
        print(json.dumps(out))
    else:
        what = "transfers" if mix is None else "txs of the trade mix (" + ", ".join(
            f"{n} {k}" for k, n in mix.counts.items()) + ")"
        metered = ", metered" if args.metrics else ""
        print(f"app pipeline: {out['tx_per_s']:,.0f} tx/s over {n_txs} {what} "
              f"({n_blocks} blocks of {per_block}, {n_acc} accounts, as {args.role}{metered})")
        for s in STAGES:
            print(f"  {s:<9} {out[f'{s}_share']:6.1%}  {out[f'{s}_us_per_tx']:8.1f} us/tx")
        print(f"  process CPU {out['cpu_us_per_tx']:.1f} us/tx (every thread)")
        print(f"  ok {ok}, refused {refused}, signature checks {out['signature_checks']}, "
              f"load {out['load_avg_1m']} on {out['cpus']} cpus")
    return 0 if ok == n_txs else 1
