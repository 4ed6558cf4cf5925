"""``fictra wallet ...``: keys, balances, transfers and council steps through a gateway (the
trade, price and FT steps are in ``app.cli.wallet_trade``).

Every command takes ``--json`` (one JSON object for programs) and these options:
``--gateway URL`` (default $FICTRA_GATEWAY, else the gateway of the localnet in
``--localnet-home``, else http://127.0.0.1:8545), ``--keyring DIR`` (encrypted keys; default
$FICTRA_KEYRING or ~/.fictra/keyring), ``--localnet-home DIR`` (whose unencrypted
``keys/<name>.json``, e.g. ``faucet``, are usable by name; default $FICTRA_LOCALNET_HOME or
.localnet). The passphrase comes from $FICTRA_PASSPHRASE or a prompt.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.crypto import Key
    from rpc.client import GatewayClient
    from rpc.keystore import Keyring

Cmd = Callable[[argparse.Namespace], Awaitable[int]]


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--gateway", default=None, help="gateway URL")
    p.add_argument("--api-key", default=os.environ.get("FICTRA_API_KEY"))
    p.add_argument("--keyring", type=Path, default=None, help="encrypted key directory")
    p.add_argument("--localnet-home", type=Path, default=None,
                   help="localnet whose keys/ may be used by name (default .localnet)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def register(sub: argparse._SubParsersAction) -> None:
    common = _common()
    w = sub.add_parser("wallet", help="keys, balances and transfers through a gateway")
    cmds = w.add_subparsers(dest="wallet_cmd", required=True, metavar="CMD")

    def cmd(parent: Any, name: str, func: Cmd, helptext: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=helptext, parents=[common])
        p.set_defaults(func=lambda args: _run(func, args))
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
    p.add_argument("--height", type=int, default=0)
    p = cmd(cmds, "account", _account, "an account: balance, nonce, tier, roles, frozen")
    p.add_argument("who")

    p = cmd(cmds, "send", _send, "send PT: send --from NAME TO AMOUNT (e.g. 12.5PT)")
    _tx_opts(p)
    p.add_argument("to")
    p.add_argument("amount")
    p = cmd(cmds, "multisend", _multisend, "pay several: multisend --from NAME ADDR=AMOUNT ...")
    _tx_opts(p)
    p.add_argument("outputs", nargs="+", metavar="ADDR=AMOUNT")
    p = cmd(cmds, "tx", _tx, "a tx's status and receipt")
    p.add_argument("hash")
    p = cmd(cmds, "history", _history, "txs an address signed or received, newest first")
    p.add_argument("who")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--per-page", type=int, default=20)
    cmd(cmds, "status", _status, "the chain as the gateway sees it")

    council = cmds.add_parser("council", help="council proposals and votes")
    cc = council.add_subparsers(dest="council_cmd", required=True, metavar="CMD")
    p = cmd(cc, "propose", _propose, "propose an action (members only)")
    _tx_opts(p)
    p.add_argument("action", choices=sorted(_ACTIONS))
    p.add_argument("args", nargs="*", help="register-entity/update-entity ADDR; freeze/"
                   "unfreeze ADDR; mint/burn/fund-reserve AMOUNT; validator-power PUBKEY "
                   "POWER; resolve-dispute PURCHASE buyer|seller")
    p.add_argument("--tier", default="basic")
    p.add_argument("--jurisdiction", default="CH")
    p.add_argument("--roles", default="trader", help="comma-separated roles")
    p.add_argument("--summary", default="")
    p = cmd(cc, "vote", _vote, "vote yes or no on a proposal")
    _tx_opts(p)
    p.add_argument("id", type=int)
    p.add_argument("option", choices=["yes", "no"])
    p = cmd(cc, "show", _proposal, "a proposal and its votes")
    p.add_argument("id", type=int)

    from app.cli import wallet_trade

    wallet_trade.register(cmds, cmd)


def _tx_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="sender", required=True, help="key name")
    p.add_argument("--memo", default="")
    p.add_argument("--fee", default=None, help="fee (default: the minimum for the tx's size)")
    p.add_argument("--no-wait", action="store_true", help="return after CheckTx")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a block")


# -- plumbing ------------------------------------------------------------------------------------

class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _run(func: Cmd, args: argparse.Namespace) -> int:
    from rpc.client import GatewayError, GatewayUnreachable
    from rpc.keystore import KeystoreError
    from rpc.wallet import TxTimeout
    from state.proof import ProofError

    try:
        return asyncio.run(func(args))
    except GatewayUnreachable as e:
        _fail(args, f"cannot reach the gateway ({e}); is `fictra localnet up` running?")
    except GatewayError as e:
        detail = ""
        if isinstance(e.data, dict) and "code" in e.data:
            detail = f" [code {e.data['code']} {_code_name(e.data['code'])}]"
        _fail(args, f"{e.message}{detail}", {"code": e.code, "data": e.data})
    except ProofError as e:
        _fail(args, f"PROOF DID NOT VERIFY: {e}")
    except (UserError, KeystoreError, TxTimeout, ValueError) as e:
        _fail(args, str(e))
    return 1


def _fail(args: argparse.Namespace, message: str, extra: dict[str, Any] | None = None) -> None:
    if getattr(args, "json", False):
        print(json.dumps({"error": message, **(extra or {})}))
    else:
        print(f"error: {message}", file=sys.stderr)


def _code_name(code: int) -> str:
    from app.errors import Code

    try:
        return Code(code).name
    except ValueError:
        return "?"


def _out(args: argparse.Namespace, doc: Any, text: str) -> int:
    print(json.dumps(doc) if args.json else text)
    return 0


def _localnet_home(args: argparse.Namespace) -> Path:
    return Path(args.localnet_home or os.environ.get("FICTRA_LOCALNET_HOME", ".localnet"))


def _gateway_url(args: argparse.Namespace) -> str:
    if args.gateway:
        return str(args.gateway)
    if os.environ.get("FICTRA_GATEWAY"):
        return os.environ["FICTRA_GATEWAY"]
    state = _localnet_home(args) / "localnet.json"
    try:
        url = json.loads(state.read_text()).get("gateway", {}).get("url")
        if url:
            return str(url)
    except (OSError, ValueError, AttributeError):
        pass
    return "http://127.0.0.1:8545"


def _keyring(args: argparse.Namespace) -> Keyring:
    from rpc.keystore import Keyring

    default = os.environ.get("FICTRA_KEYRING") or Path.home() / ".fictra" / "keyring"
    return Keyring(Path(args.keyring or default))


def _passphrase(prompt: str, confirm: bool = False) -> str:
    env = os.environ.get("FICTRA_PASSPHRASE")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise UserError("no passphrase: set FICTRA_PASSPHRASE or run in a terminal")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("repeat the passphrase: ") != first:
        raise UserError("the passphrases differ")
    if confirm and len(first) < 8:
        raise UserError("use a passphrase of at least 8 characters")
    return first


def _plain_key_path(args: argparse.Namespace, name: str) -> Path:
    return _localnet_home(args) / "keys" / f"{name}.json"


def _load_key(args: argparse.Namespace, name: str) -> Key:
    """A signing key by name: the encrypted keyring first, then the localnet's plain keys."""
    from rpc.keystore import read_plain

    ring = _keyring(args)
    if ring.exists(name):
        return ring.load(name, _passphrase(f"passphrase for {name}: "))
    plain = _plain_key_path(args, name)
    if plain.exists():
        return read_plain(plain)
    raise UserError(f"no key {name!r} in {ring.dir} or {plain.parent}")


def _address_of(args: argparse.Namespace, who: str) -> str:
    """An address as given, or the address of a key name."""
    from app.crypto import from_bech32, to_bech32
    from rpc.keystore import read_plain

    if who.startswith("fic1"):
        return to_bech32(from_bech32(who))
    ring = _keyring(args)
    if ring.exists(who):
        return ring.info(who)["address"]
    plain = _plain_key_path(args, who)
    if plain.exists():
        return read_plain(plain).bech32
    raise UserError(f"{who!r} is neither a fic1 address nor a key name")


def _client(args: argparse.Namespace) -> GatewayClient:
    from rpc.client import GatewayClient

    return GatewayClient(_gateway_url(args), api_key=args.api_key)


def _pt(base_units: int | str) -> str:
    from app.params import format_amount

    return f"{format_amount(int(base_units))} PT"


# -- keys ----------------------------------------------------------------------------------------

async def _keys_add(args: argparse.Namespace) -> int:
    from app.crypto import Key

    ring = _keyring(args)
    ring.path(args.name)
    if ring.exists(args.name):
        raise UserError(f"a key named {args.name!r} already exists in {ring.dir}")
    key = Key.generate()
    path = ring.add(args.name, key, _passphrase(f"new passphrase for {args.name}: ", True))
    return _out(args, {"name": args.name, "address": key.bech32},
                f"added {args.name}: {key.bech32}\nkey file: {path} (keep the passphrase: "
                "it cannot be recovered)")


async def _keys_list(args: argparse.Namespace) -> int:
    from rpc.keystore import KeystoreError, read_plain

    ring = _keyring(args)
    rows = []
    for name in ring.names():
        try:
            rows.append({**ring.info(name), "source": "keyring"})
        except KeystoreError:
            continue
    plain_dir = _localnet_home(args) / "keys"
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
    return _out(args, {"keys": rows}, text)


async def _keys_show(args: argparse.Namespace) -> int:
    from rpc.keystore import read_plain

    ring = _keyring(args)
    if ring.exists(args.name):
        info = ring.info(args.name)
    else:
        plain = _plain_key_path(args, args.name)
        if not plain.exists():
            raise UserError(f"no key {args.name!r}")
        key = read_plain(plain)
        info = {"name": args.name, "address": key.bech32, "public_key": key.public_key.hex()}
    return _out(args, info, f"{info['name']}: {info['address']}\npublic key: "
                f"{info['public_key']}")


async def _keys_import(args: argparse.Namespace) -> int:
    from rpc.keystore import decrypt, is_encrypted, read_plain

    ring = _keyring(args)
    ring.path(args.name)
    try:
        doc = json.loads(Path(args.file).read_text())
    except (OSError, ValueError) as e:
        raise UserError(f"{args.file}: {e}") from None
    if is_encrypted(doc):
        key = decrypt(doc, _passphrase(f"passphrase of {args.file}: "))  # proves it opens
        ring.write(args.name, doc)
    else:
        key = read_plain(args.file)
        ring.add(args.name, key, _passphrase(f"new passphrase for {args.name}: ", True))
    return _out(args, {"name": args.name, "address": key.bech32},
                f"imported {args.name}: {key.bech32}")


async def _keys_export(args: argparse.Namespace) -> int:
    ring = _keyring(args)
    doc = ring.read(args.name)
    if args.private_key:
        key = ring.load(args.name, _passphrase(f"passphrase for {args.name}: "))
        doc = {"name": args.name, "address": key.bech32, "public_key": key.public_key.hex(),
               "private_key": key.seed.hex()}
        print("warning: this is the UNENCRYPTED private key", file=sys.stderr)
    print(json.dumps(doc, indent=None if args.json else 2))
    return 0


# -- reads ---------------------------------------------------------------------------------------

async def _balance(args: argparse.Namespace) -> int:
    from rpc.wallet import Wallet

    address = _address_of(args, args.who)
    async with _client(args) as gw:
        wallet = Wallet(gw)
        bal = await wallet.balance(address, prove=args.prove, height=args.height or None)
    from app.params import format_amount

    bal.setdefault("proof_verified", False)
    text = (f"{address}: {_pt(bal['pt'])}, {format_amount(int(bal['ft']))} FT at height "
            f"{bal['height']}")
    if args.prove and wallet.last_header_power is not None:
        signed, total = wallet.last_header_power
        text += (f"\nproof verified against the app hash in header {bal['height'] + 1}, "
                 f"signed by validators holding {signed} of {total} voting power")
    return _out(args, bal, text)


async def _account(args: argparse.Namespace) -> int:
    address = _address_of(args, args.who)
    async with _client(args) as gw:
        a = await gw.call("fictra_getAccount", address)
    text = (f"{a['address']}\n  balance {_pt(a['balance'])}, next nonce {a['nonce']}\n"
            f"  tier {a['tier']}, jurisdiction {a['jurisdiction'] or '-'}, roles "
            f"{', '.join(a['roles']) or '-'}{', FROZEN' if a['frozen'] else ''}  "
            f"(height {a['height']})")
    return _out(args, a, text)


async def _tx(args: argparse.Namespace) -> int:
    async with _client(args) as gw:
        r = await gw.call("fictra_getTransaction", args.hash)
    if r is None:
        return _out(args, {"hash": args.hash.upper(), "status": "pending"},
                    f"{args.hash.upper()}: not in a block (pending, unknown or dropped)")
    return _out(args, r, _receipt_text(r))


def _receipt_text(r: dict[str, Any]) -> str:
    head = f"{r['hash']}: {r['status']} in block {r['height']} (code {r['code']}"
    head += f" {_code_name(r['code'])})" if r["code"] else ")"
    lines = [head]
    if r["log"]:
        lines.append(f"  log: {r['log']}")
    for e in r["events"]:
        attrs = ", ".join(f"{k}={v}" for k, v in e["attributes"].items())
        lines.append(f"  {e['type']}: {attrs}")
    return "\n".join(lines)


async def _history(args: argparse.Namespace) -> int:
    address = _address_of(args, args.who)
    async with _client(args) as gw:
        h = await gw.call("fictra_getAccountHistory", address, args.page, args.per_page)
    lines = [f"{address}, page {h['page']}:"]
    for r in h["txs"]:
        moves = [e["attributes"] for e in r["events"] if e["type"] == "transfer"]
        what = "; ".join(
            (f"sent {_pt(m['amount'])} to {m['recipient']}" if m["sender"] == address
             else f"received {_pt(m['amount'])} from {m['sender']}") for m in moves) or "-"
        lines.append(f"  {r['height']:>7}  {r['hash'][:12]}  {r['status']:<7}  {what}")
    if not h["txs"]:
        lines.append("  no txs")
    if h["next_page"]:
        lines.append(f"  more: --page {h['next_page']}")
    return _out(args, h, "\n".join(lines))


async def _status(args: argparse.Namespace) -> int:
    async with _client(args) as gw:
        st = await gw.call("fictra_status")
    return _out(args, st, f"chain {st['chain_id']}, height {st['height']}, last block "
                f"{st['last_block_age_s']:.1f} s ago{', catching up' if st['catching_up'] else ''}")


async def _proposal(args: argparse.Namespace) -> int:
    async with _client(args) as gw:
        p = await gw.call("fictra_getProposal", args.id)
    if p is None:
        raise UserError(f"no proposal {args.id}")
    return _out(args, p, f"proposal {p['id']} ({p['status']}): {p['action']['type']} "
                f"by {p['proposer']}\n  yes {len(p['yes'])}, no {len(p['no'])}, expires at "
                f"{p['expiry_height']}")


# -- txs -----------------------------------------------------------------------------------------

async def _submit(args: argparse.Namespace, msgs: list[Any], summary: str) -> int:
    from app.params import parse_amount
    from rpc.wallet import Wallet

    key = _load_key(args, args.sender)
    fee = parse_amount(args.fee) if args.fee else None
    async with _client(args) as gw:
        wallet = Wallet(gw)
        tx_hash = await wallet.submit(key, msgs, memo=args.memo, fee=fee)
        if args.no_wait:
            return _out(args, {"hash": tx_hash, "height": None, "code": None},
                        f"{summary}: tx {tx_hash} accepted, not yet in a block")
        r = await wallet.wait(tx_hash, args.timeout)
    return _report(args, r, summary)


def _report(args: argparse.Namespace, r: dict[str, Any], summary: str,
            extra: dict[str, Any] | None = None) -> int:
    """Print a tx's outcome once it is in a block; exit status 1 if its message failed."""
    doc = {"hash": r["hash"], "height": r["height"], "code": r["code"], **(extra or {})}
    if args.json:
        print(json.dumps(doc))
    elif r["code"] == 0:
        print(f"{summary}: tx {r['hash']} in block {r['height']} (fee {_pt(r['fee'])})")
    else:
        print(f"{summary} FAILED in block {r['height']}: code {r['code']} "
              f"{_code_name(r['code'])}: {r['log']} (fee {_pt(r['fee'])} still paid)")
    return 0 if r["code"] == 0 else 1


async def _send(args: argparse.Namespace) -> int:
    from app.crypto import from_bech32
    from app.params import parse_amount
    from app.txbuilder import send

    to = from_bech32(_address_of(args, args.to))
    amount = parse_amount(args.amount)
    return await _submit(args, [send(to, amount)], f"sent {_pt(amount)} to {args.to}")


async def _multisend(args: argparse.Namespace) -> int:
    from app.crypto import from_bech32
    from app.params import parse_amount
    from app.txbuilder import multi_send

    outputs = []
    for item in args.outputs:
        who, sep, amount = item.partition("=")
        if not sep:
            raise UserError(f"{item!r}: use ADDR=AMOUNT")
        outputs.append((from_bech32(_address_of(args, who)), parse_amount(amount)))
    total = sum(a for _, a in outputs)
    return await _submit(args, [multi_send(outputs)],
                         f"sent {_pt(total)} to {len(outputs)} recipients")


def _action(args: argparse.Namespace) -> Any:
    from app import txbuilder as tb
    from app.crypto import from_bech32
    from app.params import TIERS, parse_amount, roles_from_names

    need = {"register-entity": 1, "update-entity": 1, "freeze": 1, "unfreeze": 1, "mint": 1,
            "burn": 1, "fund-reserve": 1, "validator-power": 2,
            "resolve-dispute": 2}[args.action]
    if len(args.args) != need:
        raise UserError(f"{args.action} takes {need} argument(s)")
    a = args.args
    if args.action in ("register-entity", "update-entity"):
        if args.tier not in TIERS:
            raise UserError(f"--tier must be one of {', '.join(TIERS)}")
        build = tb.register_entity if args.action == "register-entity" else tb.update_entity
        roles = roles_from_names([r for r in args.roles.split(",") if r])
        return build(from_bech32(_address_of(args, a[0])), TIERS.index(args.tier),
                     args.jurisdiction.upper(), roles)
    if args.action in ("freeze", "unfreeze"):
        return getattr(tb, args.action)(from_bech32(_address_of(args, a[0])))
    if args.action in ("mint", "burn", "fund-reserve"):
        return getattr(tb, args.action.replace("-", "_"))(parse_amount(a[0]))
    if args.action == "resolve-dispute":
        from app.cli.wallet_trade import _pid

        if a[1] not in ("buyer", "seller"):
            raise UserError("resolve-dispute takes PURCHASE and buyer or seller")
        return tb.resolve_dispute(_pid(a[0]), a[1] == "buyer")
    try:
        pub = bytes.fromhex(a[0]) if len(a[0]) == 64 else base64.b64decode(a[0], validate=True)
        power = int(a[1])
    except ValueError:
        raise UserError("validator-power takes PUBKEY (hex or base64) and POWER") from None
    return tb.set_validator_power(pub, power)


_ACTIONS = ("register-entity", "update-entity", "freeze", "unfreeze", "mint", "burn",
            "fund-reserve", "validator-power", "resolve-dispute")


async def _propose(args: argparse.Namespace) -> int:
    from app.txbuilder import propose

    return await _submit(args, [propose(_action(args), args.summary)],
                         f"proposed {args.action}")


async def _vote(args: argparse.Namespace) -> int:
    from app.txbuilder import vote

    return await _submit(args, [vote(args.id, args.option == "yes")],
                         f"voted {args.option} on proposal {args.id}")
