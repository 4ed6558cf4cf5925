"""``fictra wallet stake ...``: become a validator operator, edit it, delegate, undelegate,
redelegate, unjail, withdraw rewards; and read the validators, an account's delegations and
its rewards. Amounts in PT (``12.5PT``), commissions in percent (``5%``) or basis points."""

from __future__ import annotations

import argparse
import base64
import re
from typing import Any

from app.cli import walletio as wio


def register(cmds: argparse._SubParsersAction, cmd: Any) -> None:
    stake = cmds.add_parser("stake", help="staking: validators, delegations, rewards")
    sc = stake.add_subparsers(dest="stake_cmd", required=True, metavar="CMD")
    p = cmd(sc, "create-validator", _create, "become a validator operator (role validator)")
    wio.tx_opts(p)
    p.add_argument("--pubkey", required=True, help="CometBFT consensus key, base64 or hex")
    p.add_argument("--moniker", required=True)
    p.add_argument("--commission", required=True, help="e.g. 5%% or 500bps")
    p.add_argument("--max-change", default="1%", help="the most one commission change moves")
    p.add_argument("--self-bond", required=True, help="PT bonded by the operator itself")
    for name, func, helptext in (("delegate", _delegate, "bond PT to an operator"),
                                 ("undelegate", _undelegate,
                                  "unbond PT (back after unbonding_blocks)")):
        p = cmd(sc, name, func, helptext)
        wio.tx_opts(p)
        p.add_argument("operator", help="address or key name")
        p.add_argument("amount")
    p = cmd(sc, "redelegate", _redelegate, "move bonded PT from one operator to another")
    wio.tx_opts(p)
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("amount")
    p = cmd(sc, "edit", _edit, "an operator's moniker and commission")
    wio.tx_opts(p)
    p.add_argument("--commission", required=True, help="the new commission, e.g. 5.5%%")
    p.add_argument("--moniker", default="", help="a new moniker (default: unchanged)")
    wio.tx_opts(cmd(sc, "unjail", _unjail, "an operator's return after its jail term"))
    wio.tx_opts(cmd(sc, "withdraw", _withdraw, "withdraw all rewards (and commission)"))
    cmd(sc, "validators", _validators, "operators ranked, with tier, stake and power")
    cmd(sc, "delegations", _delegations, "an account's delegations and unbonding").add_argument(
        "who")
    cmd(sc, "rewards", _rewards, "rewards an account can withdraw").add_argument("who")
    cmd(sc, "params", _params, "the staking params")


def commission_bps(text: str) -> int:
    """``5%``, ``2.5%`` or ``500bps`` -> basis points; UserError if malformed or above 100 %."""
    t = text.strip().lower()
    m = re.fullmatch(r"(\d{1,3})(?:\.(\d{1,2}))?%", t)
    if m:
        bps = int(m.group(1)) * 100 + int((m.group(2) or "").ljust(2, "0"))
    elif re.fullmatch(r"\d{1,5}bps", t):
        bps = int(t[:-3])
    else:
        raise wio.UserError(f"commission {text!r}: use e.g. 5% or 500bps")
    if bps > 10_000:
        raise wio.UserError(f"commission {text!r} is above 100%")
    return bps


def _pubkey(text: str) -> bytes:
    try:
        key = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise wio.UserError("--pubkey must be a 32-byte ed25519 key in base64 or hex (the "
                            "value of priv_validator_key.json's pub_key)")
    return key


def _amount(text: str) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.params import parse_amount

    try:
        return parse_amount(text)
    except ValueError as e:
        raise wio.UserError(str(e)) from None


def _operator(args: argparse.Namespace, who: str) -> bytes:
    # imported here: protobuf costs every other fictra command start-up
    from app.crypto import from_bech32

    return from_bech32(wio.address_of(args, who))


async def _create(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    msg = tb.create_validator(_pubkey(args.pubkey), args.moniker, commission_bps(args.commission),
                              commission_bps(args.max_change), _amount(args.self_bond))
    return await wio.submit(args, [msg], f"created validator {args.moniker} bonding "
                                         f"{wio.pt(_amount(args.self_bond))}")


async def _delegate(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    amount = _amount(args.amount)
    return await wio.submit(args, [tb.delegate(_operator(args, args.operator), amount)],
                            f"delegated {wio.pt(amount)} to {args.operator}")


async def _undelegate(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    amount = _amount(args.amount)
    return await wio.submit(args, [tb.undelegate(_operator(args, args.operator), amount)],
                            f"undelegating {wio.pt(amount)} from {args.operator}", _completion)


def _completion(r: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    for e in r.get("events", []):
        if e["type"] == "stake" and e["attributes"].get("action") == "undelegate":
            done = e["attributes"].get("completion_height", "")
            return f" (back at height {done})", {"completion_height": done}
    return "", {}


async def _redelegate(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    amount = _amount(args.amount)
    msg = tb.redelegate(_operator(args, args.src), _operator(args, args.dst), amount)
    return await wio.submit(args, [msg], f"redelegated {wio.pt(amount)} from {args.src} to "
                                         f"{args.dst}")


async def _edit(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    bps = commission_bps(args.commission)
    return await wio.submit(args, [tb.edit_validator(args.moniker, bps)],
                            f"commission set to {bps / 100:.2f}%")


async def _unjail(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    return await wio.submit(args, [tb.unjail()], "unjailed")


async def _withdraw(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    def paid(r: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        for e in r.get("events", []):
            if e["type"] == "reward" and e["attributes"].get("kind") == "withdraw":
                amount = e["attributes"].get("amount", "0")
                return f" ({wio.pt(amount)})", {"amount": amount}
        return "", {}
    return await wio.submit(args, [tb.withdraw_rewards()], "withdrew rewards", paid)


async def _validators(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        v = await gw.call("fictra_getValidators")
    lines = [f"{'rank':>4}  {'operator':<42} {'moniker':<12} {'tier':<10} {'stake':>16} "
             f"{'power':>8} {'comm.':>6} {'missed':>6}"]
    for r in v["validators"]:
        lines.append(f"{r['rank']:>4}  {r['operator']:<42} {r['moniker'][:12]:<12} "
                     f"{r['tier']:<10} {wio.pt(r['stake']):>16} {r['power']:>8} "
                     f"{r['commission_bps'] / 100:>5.2f}% {r['missed_blocks']:>6}")
    lines.append(f"elected at height {v['elected_height']}, every {v['epoch_blocks']} blocks")
    return wio.out(args, v, "\n".join(lines))


async def _delegations(args: argparse.Namespace) -> int:
    address = wio.address_of(args, args.who)
    async with wio.client(args) as gw:
        d = await gw.call("fictra_getDelegations", address)
    lines = [f"{address}:"]
    lines += [f"  {x['operator']} ({x['moniker']}): {wio.pt(x['amount'])}"
              for x in d["delegations"]] or ["  no delegations"]
    lines += [f"  unbonding from {u['operator']}: {wio.pt(u['balance'])} at height "
              f"{u['completion_height']}" for u in d["unbonding"]]
    lines += [f"  redelegated {wio.pt(r['initial'])} {r['src']} -> {r['dst']} (matures at "
              f"{r['completion_height']})" for r in d["redelegations"]]
    return wio.out(args, d, "\n".join(lines))


async def _rewards(args: argparse.Namespace) -> int:
    address = wio.address_of(args, args.who)
    async with wio.client(args) as gw:
        r = await gw.call("fictra_getRewards", address)
    lines = [f"{address}: {wio.pt(r['total'])} to withdraw"]
    lines += [f"  from {x['operator']}: {wio.pt(x['amount'])}" for x in r["rewards"]]
    if int(r["commission"]):
        lines.append(f"  commission: {wio.pt(r['commission'])}")
    return wio.out(args, r, "\n".join(lines))


async def _params(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        p = await gw.call("fictra_getStakingParams")
    return wio.out(args, p, "\n".join(f"{k}: {v}" for k, v in p.items()))
