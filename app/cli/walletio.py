"""What the wallet commands share (``app.cli.wallet`` and ``app.cli.wallet_trade``): the
common tx options, running a command and reporting its errors, finding the gateway, the
keyring and a key by name, output, and submitting a tx and reporting its outcome."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import units
from app.errors import Code
from state.proof import ProofError

if TYPE_CHECKING:
    from app.crypto import Key
    from rpc.client import GatewayClient
    from rpc.keystore import Keyring

Cmd = Callable[[argparse.Namespace], Awaitable[int]]


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""


def tx_opts(p: argparse.ArgumentParser) -> None:
    """The options of every command that sends a tx."""
    p.add_argument("--from", dest="sender", required=True, metavar="NAME",
                   help="the signing key's name (keyring, or the localnet's keys/)")
    p.add_argument("--memo", default="", help="a note kept with the tx (at most 256 bytes)")
    p.add_argument("--fee", default=None, help="fee in PT (default: the minimum for the tx's size)")
    p.add_argument("--no-wait", action="store_true", help="return after CheckTx")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a block")


def run(func: Cmd, args: argparse.Namespace) -> int:
    """Run one wallet command; a problem is one line (one JSON object with ``--json``)."""
    # imported here: aiohttp and the key store cost every other fictra command start-up
    from rpc.client import GatewayError, GatewayUnreachable
    from rpc.keystore import KeystoreError
    from rpc.wallet import TxTimeout

    try:
        return asyncio.run(func(args))
    except GatewayUnreachable as e:
        fail(args, f"cannot reach the gateway ({e}); is `fictra localnet up` running?")
    except GatewayError as e:
        detail = ""
        if isinstance(e.data, dict) and "code" in e.data:
            detail = f" [code {e.data['code']} {code_name(e.data['code'])}]"
        fail(args, f"{units.readable_log(e.message)}{detail}", {"code": e.code, "data": e.data})
    except ProofError as e:
        fail(args, f"PROOF DID NOT VERIFY: {e}")
    except (UserError, KeystoreError, TxTimeout, ValueError) as e:
        fail(args, str(e))
    return 1


def fail(args: argparse.Namespace, message: str, extra: dict[str, Any] | None = None) -> None:
    if getattr(args, "json", False):
        print(json.dumps({"error": message, **(extra or {})}))
    else:
        print(f"error: {message}", file=sys.stderr)


def warn(args: argparse.Namespace, message: str) -> None:
    """A warning on stderr (also with --json: stdout stays one JSON object)."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def code_name(code: int) -> str:
    try:
        return Code(code).name
    except ValueError:
        return "?"


def out(args: argparse.Namespace, doc: Any, text: str) -> int:
    print(json.dumps(doc) if args.json else text)
    return 0


def localnet_home(args: argparse.Namespace) -> Path:
    return Path(args.localnet_home or os.environ.get("FICTRA_LOCALNET_HOME", ".localnet"))


def gateway_url(args: argparse.Namespace) -> str:
    if args.gateway:
        return str(args.gateway)
    if os.environ.get("FICTRA_GATEWAY"):
        return os.environ["FICTRA_GATEWAY"]
    state = localnet_home(args) / "localnet.json"
    try:
        url = json.loads(state.read_text()).get("gateway", {}).get("url")
        if url:
            return str(url)
    except (OSError, ValueError, AttributeError):
        pass
    return "http://127.0.0.1:8545"


def keyring(args: argparse.Namespace) -> Keyring:
    # imported here: the key store's crypto costs every other fictra command start-up
    from rpc.keystore import Keyring

    default = os.environ.get("FICTRA_KEYRING") or Path.home() / ".fictra" / "keyring"
    return Keyring(Path(args.keyring or default))


def passphrase(prompt: str, confirm: bool = False) -> str:
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


def plain_key_path(args: argparse.Namespace, name: str) -> Path:
    return localnet_home(args) / "keys" / f"{name}.json"


def load_key(args: argparse.Namespace, name: str) -> Key:
    """A signing key by name: the encrypted keyring first, then the localnet's plain keys."""
    # imported here: the key store's crypto costs every other fictra command start-up
    from rpc.keystore import read_plain

    ring = keyring(args)
    if ring.exists(name):
        return ring.load(name, passphrase(f"passphrase for {name}: "))
    plain = plain_key_path(args, name)
    if plain.exists():
        return read_plain(plain)
    raise UserError(f"no key {name!r} in {ring.dir} or {plain.parent}")


def address_of(args: argparse.Namespace, who: str) -> str:
    """An address as given, or the address of a key name."""
    # imported here: protobuf and the key store cost every other fictra command start-up
    from app.crypto import from_bech32, to_bech32
    from rpc.keystore import read_plain

    if who.startswith("fic1"):
        return to_bech32(from_bech32(who))
    ring = keyring(args)
    if ring.exists(who):
        return ring.info(who)["address"]
    plain = plain_key_path(args, who)
    if plain.exists():
        return read_plain(plain).bech32
    raise UserError(f"{who!r} is neither a fic1 address nor a key name")


def purchase_id(text: str) -> bytes:
    """A purchase id given as 32 hex digits (``0x`` optional)."""
    if not re.fullmatch(r"(0x)?[0-9a-fA-F]{32}", text):
        raise UserError(f"{text!r} is not a purchase id (32 hex digits)")
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


RECENT_TXS = 1_000  # hashes remembered for `wallet tx PREFIX`


def _recent_path(args: argparse.Namespace) -> Path:
    return keyring(args).dir.parent / "recent-txs"


def remember(args: argparse.Namespace, hashes: list[str]) -> None:
    """Note tx hashes this wallet printed (newest last), so `wallet tx` takes their prefixes;
    the file keeps the last RECENT_TXS. Not being able to write it costs only that."""
    if not hashes:
        return
    path = _recent_path(args)
    known = recent(args)
    fresh = [h.upper() for h in hashes]
    keep = [h for h in known if h not in set(fresh)] + fresh
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(keep[-RECENT_TXS:]) + "\n")
    except OSError:
        pass


def recent(args: argparse.Namespace) -> list[str]:
    try:
        lines = _recent_path(args).read_text().split()
    except OSError:
        return []
    return [h for h in lines if re.fullmatch(r"[0-9A-F]{64}", h)]


def client(args: argparse.Namespace) -> GatewayClient:
    # imported here: aiohttp costs every other fictra command a tenth of a second of start-up
    from rpc.client import GatewayClient

    return GatewayClient(gateway_url(args), api_key=args.api_key)


pt = units.pt


Outcome = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]


async def submit(args: argparse.Namespace, msgs: list[Any], summary: str,
                 outcome: Outcome | None = None) -> int:
    """Sign ``msgs`` with ``--from``, send them, and (unless ``--no-wait``) report the block;
    ``outcome(receipt)`` adds (text, JSON fields) of what the tx did."""
    # imported here: aiohttp and protobuf cost every other fictra command start-up
    from app.params import parse_amount
    from rpc.wallet import Wallet

    key = load_key(args, args.sender)
    fee = parse_amount(args.fee) if args.fee else None
    async with client(args) as gw:
        wallet = Wallet(gw)
        tx_hash = await wallet.submit(key, msgs, memo=args.memo, fee=fee)
        remember(args, [tx_hash])
        if args.no_wait:
            return out(args, {"hash": tx_hash, "height": None, "code": None},
                       f"{summary}: tx {tx_hash} accepted, not yet in a block")
        r = await wallet.wait(tx_hash, args.timeout)
    text, extra = outcome(r) if outcome is not None and r["code"] == 0 else ("", {})
    return report(args, r, summary + text, extra)


def report(args: argparse.Namespace, r: dict[str, Any], summary: str,
           extra: dict[str, Any] | None = None) -> int:
    """Print a tx's outcome once it is in a block; exit status 1 if its message failed."""
    doc = {"hash": r["hash"], "height": r["height"], "code": r["code"], **(extra or {})}
    if args.json:
        print(json.dumps(doc))
    elif r["code"] == 0:
        print(f"{summary}: tx {r['hash']} in block {r['height']} (fee {pt(r['fee'])})")
    else:
        print(f"{summary} FAILED in block {r['height']}: code {r['code']} "
              f"{code_name(r['code'])}: {units.readable_log(r['log'])} (fee {pt(r['fee'])} "
              "still paid)")
    return 0 if r["code"] == 0 else 1
