"""``fictra wallet ...``: keys, balances, transfers and council steps through a gateway (the
trade, price and FT steps are in ``app.cli.wallet_trade``, staking in ``app.cli.wallet_stake``).

Every command takes ``--json`` (one JSON object for programs) and these options:
``--gateway URL`` (default $FICTRA_GATEWAY, else the gateway of the localnet in
``--localnet-home``, else http://127.0.0.1:8545), ``--keyring DIR`` (encrypted keys; default
$FICTRA_KEYRING or ~/.fictra/keyring), ``--localnet-home DIR`` (whose unencrypted
``keys/<name>.json``, e.g. ``faucet``, are usable by name; default $FICTRA_LOCALNET_HOME or
.localnet). The passphrase comes from $FICTRA_PASSPHRASE or a prompt.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from app.cli import council_actions, units, wallet_stake, wallet_trade
from app.cli import walletio as wio


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--gateway", default=None, help="gateway URL")
    p.add_argument("--api-key", default=os.environ.get("FICTRA_API_KEY"),
                   help="the gateway API key (default $FICTRA_API_KEY; none: the free tier)")
    p.add_argument("--keyring", type=Path, default=None, help="encrypted key directory")
    p.add_argument("--localnet-home", type=Path, default=None,
                   help="localnet whose keys/ may be used by name (default .localnet)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def register(sub: argparse._SubParsersAction) -> None:
    common = _common()
    w = sub.add_parser("wallet", help="keys, balances and transfers through a gateway")
    cmds = w.add_subparsers(dest="wallet_cmd", required=True, metavar="CMD")

    def cmd(parent: Any, name: str, func: wio.Cmd, helptext: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=helptext, parents=[common])
        p.set_defaults(func=lambda args: wio.run(func, args))
        return p

    keys = cmds.add_parser("keys", help="encrypted keys: add, list, show, import, export")
    kc = keys.add_subparsers(dest="keys_cmd", required=True, metavar="CMD")
    cmd(kc, "add", _keys_add, "create a key").add_argument("name")
    cmd(kc, "list", _keys_list, "list keys (keyring and localnet)")
    cmd(kc, "show", _keys_show, "a key's address and public key").add_argument("name")
    p = cmd(kc, "import", _keys_import, "import a key file (encrypted, or a plain localnet one)")
    p.add_argument("name")
    p.add_argument("file", type=Path)
    p = cmd(kc, "export", _keys_export, "print a key's encrypted file")
    p.add_argument("name")
    p.add_argument("--private-key", action="store_true",
                   help="print it UNENCRYPTED instead (a plain key file)")

    p = cmd(cmds, "balance", _balance, "PT and FT balance of an address or key name")
    p.add_argument("who")
    p.add_argument("--prove", action="store_true",
                   help="verify a Merkle proof against the next header's app hash")
    p.add_argument("--height", type=int, default=0, help="at this height (default: latest)")
    p = cmd(cmds, "account", _account, "an account: balance, nonce, tier, roles, frozen")
    p.add_argument("who")

    p = cmd(cmds, "send", _send, "send PT: send --from NAME TO AMOUNT (e.g. 12.5PT)")
    wio.tx_opts(p)
    p.add_argument("to")
    p.add_argument("amount")
    p = cmd(cmds, "multisend", _multisend, "pay several: multisend --from NAME ADDR=AMOUNT ...")
    wio.tx_opts(p)
    p.add_argument("outputs", nargs="+", metavar="ADDR=AMOUNT")
    p = cmd(cmds, "tx", _tx, "a tx's status and receipt")
    p.add_argument("hash", help="the tx hash, or a prefix of it (at least 6 hex digits) as "
                   "`wallet history` and the other commands print it")
    p.add_argument("--account", metavar="ADDR|NAME",
                   help="resolve a prefix against this account's history (default: the txs "
                        "this wallet sent or listed recently)")
    p = cmd(cmds, "history", _history, "txs an address signed or received, newest first")
    p.add_argument("who")
    p.add_argument("--page", type=int, default=1, help="1 is the newest")
    p.add_argument("--per-page", type=int, default=20, help="txs per page (at most 100)")
    cmd(cmds, "status", _status, "the chain as the gateway sees it")
    p = cmd(cmds, "block", _block, "a block: time, proposer, app hash and its txs")
    p.add_argument("height", type=int, nargs="?", default=0, help="default: the latest")
    cmd(cmds, "commodities", _commodities, "the commodity catalogue: units, decimals, FT rate, "
        "verification")
    cmd(cmds, "params", _params, "the chain params (fees, tier limits, oracle and FT terms)")

    council = cmds.add_parser("council", help="council proposals and votes")
    cc = council.add_subparsers(dest="council_cmd", required=True, metavar="CMD")
    p = cmd(cc, "propose", _propose, "propose an action (members only)")
    wio.tx_opts(p)
    p.add_argument("action", choices=sorted(_ACTIONS))
    p.add_argument("args", nargs="*", help="register-entity/update-entity ADDR; freeze/"
                   "unfreeze ADDR; mint/burn/fund-reserve AMOUNT (PT); jail-validator/"
                   "remove-validator OPERATOR; resolve-dispute PURCHASE buyer|seller; "
                   "set-commodity CODE (with the set-commodity options); update-params "
                   "KEY=VALUE ... (amounts in PT, ft_conversion_cap in FT; see `wallet params`)")
    p.add_argument("--tier", default="basic", choices=council_actions.TIERS,
                   help="register-entity/update-entity: the KYC tier (default basic)")
    p.add_argument("--jurisdiction", default="CH",
                   help="register-entity/update-entity: ISO 3166 country code (default CH)")
    p.add_argument("--roles", default="trader",
                   help="register-entity/update-entity: comma-separated, of "
                        f"{', '.join(council_actions.ROLES)} (default trader)")
    council_actions.add_options(p)
    p.add_argument("--summary", default="", help="a line saying why (kept with the proposal)")
    p = cmd(cc, "vote", _vote, "vote yes or no on a proposal")
    wio.tx_opts(p)
    p.add_argument("id", type=int, help="the proposal id propose printed")
    p.add_argument("option", choices=["yes", "no"])
    p = cmd(cc, "show", _proposal, "a proposal and its votes")
    p.add_argument("id", type=int)

    wallet_trade.register(cmds, cmd)
    wallet_stake.register(cmds, cmd)


# -- keys ----------------------------------------------------------------------------------------

async def _keys_add(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.crypto import Key

    ring = wio.keyring(args)
    ring.path(args.name)
    if ring.exists(args.name):
        raise wio.UserError(f"a key named {args.name!r} already exists in {ring.dir}")
    key = Key.generate()
    path = ring.add(args.name, key, wio.passphrase(f"new passphrase for {args.name}: ", True))
    return wio.out(args, {"name": args.name, "address": key.bech32},
                   f"added {args.name}: {key.bech32}\nkey file: {path} (keep the passphrase: "
                   "it cannot be recovered)")


async def _keys_list(args: argparse.Namespace) -> int:
    # imported here: the key store's crypto costs every other fictra command start-up
    from rpc.keystore import KeystoreError, read_plain

    ring = wio.keyring(args)
    rows = []
    for name in ring.names():
        try:
            rows.append({**ring.info(name), "source": "keyring"})
        except KeystoreError:
            continue
    plain_dir = wio.localnet_home(args) / "keys"
    if plain_dir.is_dir():
        for path in sorted(plain_dir.glob("*.json")):
            try:
                key = read_plain(path)
            except KeystoreError:
                continue
            rows.append({"name": path.stem, "address": key.bech32,
                         "public_key": key.public_key.hex(), "source": "localnet"})
    text = "\n".join(f"{r['name']:<16} {r['address']}  ({r['source']})" for r in rows) \
        or f"no keys (keyring {ring.dir}); add one with `fictra wallet keys add NAME`"
    return wio.out(args, {"keys": rows}, text)


async def _keys_show(args: argparse.Namespace) -> int:
    # imported here: the key store's crypto costs every other fictra command start-up
    from rpc.keystore import read_plain

    ring = wio.keyring(args)
    if ring.exists(args.name):
        info = ring.info(args.name)
    else:
        plain = wio.plain_key_path(args, args.name)
        if not plain.exists():
            raise wio.UserError(f"no key {args.name!r}")
        key = read_plain(plain)
        info = {"name": args.name, "address": key.bech32, "public_key": key.public_key.hex()}
    return wio.out(args, info, f"{info['name']}: {info['address']}\npublic key: "
                   f"{info['public_key']}")


async def _keys_import(args: argparse.Namespace) -> int:
    # imported here: the key store's crypto costs every other fictra command start-up
    from rpc.keystore import decrypt, is_encrypted, read_plain

    ring = wio.keyring(args)
    ring.path(args.name)
    try:
        doc = json.loads(Path(args.file).read_text())
    except (OSError, ValueError) as e:
        raise wio.UserError(f"{args.file}: {e}") from None
    if is_encrypted(doc):
        key = decrypt(doc, wio.passphrase(f"passphrase of {args.file}: "))  # proves it opens
        ring.write(args.name, doc)
    else:
        key = read_plain(args.file)
        ring.add(args.name, key, wio.passphrase(f"new passphrase for {args.name}: ", True))
    return wio.out(args, {"name": args.name, "address": key.bech32},
                   f"imported {args.name}: {key.bech32}")


async def _keys_export(args: argparse.Namespace) -> int:
    ring = wio.keyring(args)
    doc = ring.read(args.name)
    if args.private_key:
        key = ring.load(args.name, wio.passphrase(f"passphrase for {args.name}: "))
        doc = {"name": args.name, "address": key.bech32, "public_key": key.public_key.hex(),
               "private_key": key.seed.hex()}
        print("warning: this is the UNENCRYPTED private key", file=sys.stderr)
    print(json.dumps(doc, indent=None if args.json else 2))
    return 0


# -- reads ---------------------------------------------------------------------------------------

async def _balance(args: argparse.Namespace) -> int:
    # imported here: aiohttp and protobuf cost every other fictra command start-up
    from rpc.wallet import Wallet

    address = wio.address_of(args, args.who)
    async with wio.client(args) as gw:
        wallet = Wallet(gw)
        bal = await wallet.balance(address, prove=args.prove, height=args.height or None)
    text = f"{address}: {units.pt(bal['pt'])}, {units.ft(bal['ft'])} at height {bal['height']}"
    if args.prove and wallet.last_header_power is not None:
        signed, total = wallet.last_header_power
        text += (f"\nproof verified against the app hash in header {bal['height'] + 1}, "
                 f"signed by validators holding {signed} of {total} voting power")
    return wio.out(args, bal, text)


async def _account(args: argparse.Namespace) -> int:
    address = wio.address_of(args, args.who)
    async with wio.client(args) as gw:
        a = await gw.call("fictra_getAccount", address)
    text = (f"{a['address']}\n  balance {wio.pt(a['balance'])}, next nonce {a['nonce']}\n"
            f"  tier {a['tier']}, jurisdiction {a['jurisdiction'] or '-'}, roles "
            f"{', '.join(a['roles']) or '-'}{', FROZEN' if a['frozen'] else ''}  "
            f"(height {a['height']})")
    return wio.out(args, a, text)


async def _tx(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        h = await _full_hash(args, gw, args.hash)
        r = await gw.call("fictra_getTransaction", h)
    if r is None:
        wio.out(args, {"hash": h, "status": "unknown"},
                f"{h}: unknown to the gateway (not in a block, and not sent through it)")
        return 1
    code = wio.out(args, r, tx_text(r))
    return 1 if r["status"] == "dropped" else code


MIN_PREFIX = 6
BLOCK_REMEMBERED = 100  # of a block's txs, for prefixes: a full block would evict the rest
HISTORY_SEARCH = 500  # txs of --account's history searched for a prefix


async def _full_hash(args: argparse.Namespace, gw: Any, given: str) -> str:
    """The 64-digit hash ``given`` is, or starts: among this wallet's recent txs, or in the
    history of ``--account``. Several matches are an error listing them."""
    h = given.strip().upper().removeprefix("0X")
    if not re.fullmatch(r"[0-9A-F]+", h) or not MIN_PREFIX <= len(h) <= 64:
        raise wio.UserError(f"{given!r} is not a tx hash (64 hex digits) or a prefix of one "
                            f"(at least {MIN_PREFIX})")
    if len(h) == 64:
        return h
    if args.account:
        who = wio.address_of(args, args.account)
        got = await gw.call("fictra_getAccountHistory", who, 1, 100)
        pool, where = [t["hash"] for t in got["txs"]], f"the last txs of {who}"
        page = 1
        while got["next_page"] and page * 100 < HISTORY_SEARCH \
                and not any(x.startswith(h) for x in pool):
            page += 1
            got = await gw.call("fictra_getAccountHistory", who, page, 100)
            pool += [t["hash"] for t in got["txs"]]
    else:
        pool, where = wio.recent(args)[::-1], "this wallet's recent txs"
    found = list(dict.fromkeys(x for x in pool if x.startswith(h)))
    if len(found) == 1:
        return found[0]
    if found:
        raise wio.UserError(f"{h} is ambiguous: " + ", ".join(found[:10])
                            + (f" and {len(found) - 10} more" if len(found) > 10 else "")
                            + "; give more digits")
    hint = "" if args.account else "; give the full hash, or --account ADDR|NAME to search " \
        "that account's history"
    raise wio.UserError(f"no tx starting with {h} among {where}{hint}")


def tx_text(r: dict[str, Any]) -> str:
    """A receipt, or a tx the gateway holds (pending) or gave up on (dropped), for people."""
    if r["status"] == "pending":
        again = f"; offered to the node again {r['resends']} times" if r["resends"] else ""
        return f"{r['hash']}: pending: accepted, not in a block yet{again}"
    if r["status"] == "dropped":
        return f"{r['hash']}: dropped: it can no longer commit ({r['reason']})"
    return _receipt_text(r)


def history_line(r: dict[str, Any], address: str) -> str:
    """One tx of ``address``'s history: only the transfers that move its own PT."""
    moves = [e["attributes"] for e in r["events"] if e["type"] == "transfer"
             and address in (e["attributes"].get("sender"), e["attributes"].get("recipient"))]
    what = "; ".join(
        (f"sent {wio.pt(m['amount'])} to {m['recipient']}" if m["sender"] == address
         else f"received {wio.pt(m['amount'])} from {m['sender']}") for m in moves) or "-"
    return f"  {r['height']:>7}  {r['hash'][:12]}  {r['status']:<7}  {what}"


def _receipt_text(r: dict[str, Any]) -> str:
    head = f"{r['hash']}: {r['status']} in block {r['height']} (code {r['code']}"
    head += f" {wio.code_name(r['code'])})" if r["code"] else ")"
    lines = [head]
    if r["log"]:
        lines.append(f"  log: {units.readable_log(r['log'])}")
    lines += [f"  {units.event_text(e)}" for e in r["events"]]
    return "\n".join(lines)


async def _history(args: argparse.Namespace) -> int:
    address = wio.address_of(args, args.who)
    async with wio.client(args) as gw:
        h = await gw.call("fictra_getAccountHistory", address, args.page, args.per_page)
    wio.remember(args, [r["hash"] for r in h["txs"]][::-1])
    lines = [f"{address}, page {h['page']}:"]
    lines += [history_line(r, address) for r in h["txs"]]
    if not h["txs"]:
        lines.append("  no txs")
    if h["next_page"]:
        lines.append(f"  more: --page {h['next_page']}")
    return wio.out(args, h, "\n".join(lines))


async def _status(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        st = await gw.call("fictra_status")
    catching_up = ", catching up" if st["catching_up"] else ""
    return wio.out(args, st, f"chain {st['chain_id']}, height {st['height']}, last block "
                   f"{st['last_block_age_s']:.1f} s ago{catching_up}")


async def _block(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        b = await gw.call("fictra_getBlockHeader", args.height)
    wio.remember(args, b["txs"][:BLOCK_REMEMBERED])
    lines = [f"block {b['height']} {b['hash']}", f"  time {b['time']}, proposer "
             f"{b['proposer']}", f"  app hash {b['app_hash']} (the state after block "
             f"{b['height'] - 1})", f"  {b['num_txs']} tx{'' if b['num_txs'] == 1 else 's'}"
             + (":" if b["txs"] else "")]
    lines += [f"    {h}" for h in b["txs"]]
    if b["more_txs"]:
        lines.append(f"    ... {b['num_txs'] - len(b['txs'])} more (--json lists "
                     f"{len(b['txs'])})")
    return wio.out(args, b, "\n".join(lines))


async def _commodities(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        cat = await gw.call("fictra_listCommodities")
    lines = [f"{'code':<10} {'unit':<6} {'dec':>3} {'FT rate':>7}  {'verification':<34} name"]
    for c in cat["commodities"]:
        reqs = ", ".join(f"{k} {q}" for k, q in c["requirements"].items())
        bps = int(c["ft_rate_bps"])
        rate = f"{bps // 100}.{bps % 100:02d}%"
        lines.append(f"{c['code']:<10} {c['unit']:<6} {c['decimals']:>3} {rate:>7}  "
                     f"{reqs:<34} {c['name']}{'' if c['active'] else ' (withdrawn)'}")
    if not cat["commodities"]:
        lines = ["the catalogue is empty"]
    return wio.out(args, cat, "\n".join(lines))


async def _params(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        p = await gw.call("fictra_getParams")
    return wio.out(args, p, council_actions.params_text(p))


async def _proposal(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        p = await gw.call("fictra_getProposal", args.id)
    if p is None:
        raise wio.UserError(f"no proposal {args.id}")
    text = (f"proposal {p['id']} ({p['status']}): {p['action']['type']} by {p['proposer']}\n"
            f"  yes {len(p['yes'])}, no {len(p['no'])}, expires at {p['expiry_height']}")
    if p["result"]:
        text += f"\n  result: {units.readable_log(p['result'])}"
    return wio.out(args, p, text)


# -- txs -----------------------------------------------------------------------------------------

async def _send(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.crypto import from_bech32
    from app.params import parse_amount
    from app.tx import builder as tb

    to = from_bech32(wio.address_of(args, args.to))
    amount = parse_amount(args.amount)
    return await wio.submit(args, [tb.send(to, amount)], f"sent {wio.pt(amount)} to {args.to}")


async def _multisend(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.crypto import from_bech32
    from app.params import parse_amount
    from app.tx import builder as tb

    outputs = []
    for item in args.outputs:
        who, sep, amount = item.partition("=")
        if not sep:
            raise wio.UserError(f"{item!r}: use ADDR=AMOUNT")
        outputs.append((from_bech32(wio.address_of(args, who)), parse_amount(amount)))
    total = sum(a for _, a in outputs)
    return await wio.submit(args, [tb.multi_send(outputs)],
                            f"sent {wio.pt(total)} to {len(outputs)} recipients")


def _action(args: argparse.Namespace, current: dict[str, Any]) -> Any:
    """The proposed action; ``current`` is what it changes (the params, or the catalogue by
    code) for update-params and set-commodity."""
    # imported here: protobuf costs every other fictra command start-up
    from app.crypto import from_bech32
    from app.params import TIERS, parse_amount, roles_from_names
    from app.tx import builder as tb

    if args.action == "update-params":
        return council_actions.params(args.args, current)
    need = {"register-entity": 1, "update-entity": 1, "freeze": 1, "unfreeze": 1, "mint": 1,
            "burn": 1, "fund-reserve": 1, "jail-validator": 1, "remove-validator": 1,
            "resolve-dispute": 2, "set-commodity": 1}[args.action]
    if len(args.args) != need:
        raise wio.UserError(f"{args.action} takes {need} argument(s)")
    a = args.args
    if args.action == "set-commodity":
        code = a[0].upper()
        return council_actions.commodity(args, code, current.get(code))
    if args.action in ("register-entity", "update-entity"):
        build = tb.register_entity if args.action == "register-entity" else tb.update_entity
        roles = roles_from_names([r for r in args.roles.split(",") if r])
        return build(from_bech32(wio.address_of(args, a[0])), TIERS.index(args.tier),
                     args.jurisdiction.upper(), roles)
    if args.action in ("freeze", "unfreeze"):
        return getattr(tb, args.action)(from_bech32(wio.address_of(args, a[0])))
    if args.action in ("mint", "burn", "fund-reserve"):
        return getattr(tb, args.action.replace("-", "_"))(parse_amount(a[0]))
    if args.action == "resolve-dispute":
        if a[1] not in ("buyer", "seller"):
            raise wio.UserError("resolve-dispute takes PURCHASE and buyer or seller")
        return tb.resolve_dispute(wio.purchase_id(a[0]), a[1] == "buyer")
    build = tb.jail_validator if args.action == "jail-validator" else tb.remove_validator
    return build(from_bech32(wio.address_of(args, a[0])))


_ACTIONS = ("register-entity", "update-entity", "freeze", "unfreeze", "mint", "burn",
            "fund-reserve", "jail-validator", "remove-validator", "resolve-dispute",
            "set-commodity", "update-params")


async def _propose(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    current: dict[str, Any] = {}
    if args.action in ("update-params", "set-commodity"):
        async with wio.client(args) as gw:
            if args.action == "update-params":
                current = await gw.call("fictra_getParams")
            else:
                current = await wallet_trade.catalogue(gw)
    return await wio.submit(args, [tb.propose(_action(args, current), args.summary)],
                            f"proposed {args.action}", proposal_outcome)


async def _vote(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    return await wio.submit(args, [tb.vote(args.id, args.option == "yes")],
                            f"voted {args.option} on proposal {args.id}", proposal_outcome)


def proposal_outcome(r: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """What a propose or vote did to its proposal: its id, and how it stands now (a vote that
    reached the threshold passed it, or failed it when its action failed: the reason)."""
    events = [e["attributes"] for e in r["events"] if e["type"] == "proposal"]
    if not events:
        return "", {}
    last = events[-1]
    pid, status, result = last.get("id", ""), last.get("status", ""), last.get("result", "")
    why = f": {units.readable_log(result)}" if result else ""
    text = f" (proposal {pid}: {status}{why})"
    return text, {"proposal_id": pid, "proposal_status": status, "proposal_result": result}
