"""``fictra wallet trade|price|ft ...``: the commodity trade steps, oracle prices and FT.

Trade: ``create`` (the buyer escrows PT), ``ship`` (the seller, with document hashes),
``attest`` (a verifier), ``dispute`` (the buyer), ``show``, ``list``. Prices: ``submit`` (an
oracle, for the current round), ``show``, ``history``. FT: ``show``, ``convert`` (a
sovereign). A document is given as 64 hex digits or as a file, whose SHA-256 is used.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path
from typing import Any

from app.cli import units
from app.cli import walletio as wio


def register(cmds: argparse._SubParsersAction, cmd: Any) -> None:
    trade = cmds.add_parser("trade", help="commodity purchases: create, ship, attest, dispute")
    tc = trade.add_subparsers(dest="trade_cmd", required=True, metavar="CMD")
    p = cmd(tc, "create", _create, "buy: escrow quantity x unit price PT")
    wio.tx_opts(p)
    p.add_argument("--seller", required=True, help="address or key name")
    p.add_argument("--commodity", required=True, help="catalogue code, e.g. WHEAT")
    p.add_argument("--quantity", required=True, help="in the commodity's unit, e.g. 12.5")
    p.add_argument("--unit-price", required=True, help="PT per whole unit, e.g. 250PT")
    p.add_argument("--sovereign", required=True, help="origin sovereign (receives the FT)")
    p.add_argument("--ship-by", default="+200", help="height, or +N blocks from now")
    p.add_argument("--verify-by", default="+400", help="height, or +N blocks from now")
    p = cmd(tc, "ship", _ship, "the seller confirms shipment")
    wio.tx_opts(p)
    p.add_argument("id")
    p.add_argument("--doc", action="append", default=[], help="document (repeatable)")
    p = cmd(tc, "attest", _attest, "a verifier attests one kind: approve or reject")
    wio.tx_opts(p)
    p.add_argument("id")
    p.add_argument("kind", choices=["shipping", "customs", "quality"])
    p.add_argument("verdict", choices=["approve", "reject"])
    p.add_argument("--doc", required=True, help="the document attested")
    p = cmd(tc, "dispute", _dispute, "the buyer disputes before verification")
    wio.tx_opts(p)
    p.add_argument("id")
    p.add_argument("reason")
    cmd(tc, "show", _show, "a purchase and its verification").add_argument("id")
    p = cmd(tc, "list", _list, "purchases of an address")
    p.add_argument("who")
    p.add_argument("--as", dest="role", choices=["buyer", "seller"], default="buyer")

    price = cmds.add_parser("price", help="oracle prices: submit, show, history")
    pc = price.add_subparsers(dest="price_cmd", required=True, metavar="CMD")
    p = cmd(pc, "submit", _price_submit, "an oracle submits a price for the current round")
    wio.tx_opts(p)
    p.add_argument("commodity")
    p.add_argument("price", help="PT per whole unit")
    cmd(pc, "show", _price_show, "a commodity's current price").add_argument("commodity")
    p = cmd(pc, "history", _price_history, "published prices by height")
    p.add_argument("commodity")
    p.add_argument("--from", dest="from_height", type=int, default=None)
    p.add_argument("--to", dest="to_height", type=int, default=None)

    ft = cmds.add_parser("ft", help="Foundation Token: show, convert")
    fc = ft.add_subparsers(dest="ft_cmd", required=True, metavar="CMD")
    cmd(fc, "show", _ft_show, "FT balance, issued and converted").add_argument("who")
    p = cmd(fc, "convert", _ft_convert, "a sovereign converts FT into PT")
    wio.tx_opts(p)
    p.add_argument("amount", help="FT, e.g. 10.5")


def document(text: str) -> bytes:
    if re.fullmatch(r"(0x)?[0-9a-fA-F]{64}", text):
        return bytes.fromhex(text[2:] if text.startswith("0x") else text)
    path = Path(text)
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).digest()
    raise wio.UserError(f"document {text!r} is neither 64 hex digits nor a file")


def _quantity(text: str, decimals: int) -> int:
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?", text.strip())
    if not m or len(m.group(2) or "") > decimals:
        raise wio.UserError(f"quantity {text!r}: a number with at most {decimals} decimals")
    return int(m.group(1)) * 10**decimals + int((m.group(2) or "").ljust(decimals, "0") or 0)


def _height(text: str, now: int) -> int:
    if text.startswith("+") and text[1:].isdigit():
        return now + int(text[1:])
    if text.isdigit():
        return int(text)
    raise wio.UserError(f"{text!r}: a height or +N blocks")


async def _create(args: argparse.Namespace) -> int:
    # imported here: the modules, aiohttp and protobuf cost every other command start-up
    from app.crypto import from_bech32
    from app.keys import purchase_id
    from app.params import parse_amount
    from app.tx import builder as tb
    from rpc.wallet import Wallet

    key = wio.load_key(args, args.sender)
    seller = from_bech32(wio.address_of(args, args.seller))
    sovereign = from_bech32(wio.address_of(args, args.sovereign))
    async with wio.client(args) as gw:
        cat = await gw.call("fictra_listCommodities")
        com = next((c for c in cat["commodities"] if c["code"] == args.commodity), None)
        if com is None:
            raise wio.UserError(f"no commodity {args.commodity!r} in the catalogue")
        now = (await gw.call("fictra_status"))["height"]
        msg = tb.create_purchase(seller, args.commodity,
                                 _quantity(args.quantity, com["decimals"]),
                                 parse_amount(args.unit_price), sovereign,
                                 _height(args.ship_by, now), _height(args.verify_by, now))
        wallet = Wallet(gw)
        tx_hash = await wallet.submit(key, [msg], memo=args.memo)
        wio.remember(args, [tx_hash])
        pid = purchase_id(bytes.fromhex(tx_hash), 0).hex()
        if args.no_wait:
            return wio.out(args, {"hash": tx_hash, "height": None, "code": None, "id": pid},
                           f"purchase {pid}: tx {tx_hash} accepted, not yet in a block")
        r = await wallet.wait(tx_hash, args.timeout)
    qty, price = msg.create_purchase.quantity, msg.create_purchase.unit_price
    what = (f"purchase {pid} created: {units.quantity(qty, com)} {com['code']} at "
            f"{units.pt(price)}/{com['unit']} = {units.pt(qty * price // 10**com['decimals'])}")
    return wio.report(args, r, what, {"id": pid})


async def _step(args: argparse.Namespace, msg: Any, summary: str,
                outcome: wio.Outcome | None = None) -> int:
    return await wio.submit(args, [msg], summary, outcome)


async def catalogue(gw: Any) -> dict[str, dict[str, Any]]:
    """The commodity catalogue by code (for quantities in each commodity's unit)."""
    cat = await gw.call("fictra_listCommodities")
    return {c["code"]: c for c in cat["commodities"]}


async def _ship(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    docs = [document(d) for d in args.doc]
    return await _step(args, tb.confirm_shipment(wio.purchase_id(args.id), docs),
                       f"shipment of {args.id} confirmed")


async def _attest(args: argparse.Namespace) -> int:
    # imported here: the domain modules and protobuf cost every other fictra command start-up
    from app.modules.catalogue import KIND_BY_NAME
    from app.tx import builder as tb

    msg = tb.attest(wio.purchase_id(args.id), KIND_BY_NAME[args.kind],
                    args.verdict == "approve", document(args.doc))
    return await _step(args, msg, f"{args.kind} {args.verdict} on {args.id}")


async def _dispute(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    return await _step(args, tb.dispute(wio.purchase_id(args.id), args.reason),
                       f"{args.id} disputed")


async def _show(args: argparse.Namespace) -> int:
    pid = wio.purchase_id(args.id).hex()
    async with wio.client(args) as gw:
        p = await gw.call("fictra_getPurchase", pid)
        v = await gw.call("fictra_getVerification", pid)
        if p is None:
            raise wio.UserError(f"no purchase {pid}")
        com = (await catalogue(gw)).get(p["commodity"])
    unit = f"/{com['unit']}" if com else " per unit"
    lines = [f"purchase {p['id']}: {p['status']} ({p['outcome'] or 'in progress'})",
             f"  {units.quantity(p['quantity'], com)} {p['commodity']} at "
             f"{units.pt(p['unit_price'])}{unit} = {units.pt(p['value'])}",
             f"  buyer {p['buyer']}, seller {p['seller']}",
             f"  sovereign {p['origin_sovereign']}, FT issued {units.ft(p['ft_issued'])}",
             f"  ship by {p['ship_by']}, verify by {p['verify_by']}"]
    for r in (v or {}).get("requests", []):
        lines.append(f"  {r['kind']}: {r['status']} ({r['approvals']} approve, "
                     f"{r['rejections']} reject, quorum {r['quorum']})")
    return wio.out(args, {"purchase": p, "verification": v}, "\n".join(lines))


async def _list(args: argparse.Namespace) -> int:
    address = wio.address_of(args, args.who)
    async with wio.client(args) as gw:
        got = await gw.call("fictra_listPurchases", address, args.role)
        cat = await catalogue(gw) if got["purchases"] else {}
    lines = [f"{address} as {args.role}:"] + [
        f"  {p['id']}  {p['status']:<9} {units.quantity(p['quantity'], cat.get(p['commodity']))}"
        f" {p['commodity']}  {units.pt(p['value'])}" for p in got["purchases"]]
    if not got["purchases"]:
        lines.append("  none")
    return wio.out(args, got, "\n".join(lines))


# A tx often lands a block later than the next one (it reached the proposer too late): with
# this few blocks left of the round, a submission is at risk of missing it.
CLOSING_BLOCKS = 2


async def _price_submit(args: argparse.Namespace) -> int:
    # imported here: protobuf and aiohttp cost every other fictra command start-up
    from app.errors import Code
    from app.params import parse_amount
    from rpc.client import GatewayError
    from rpc.wallet import TX_REJECTED

    price = parse_amount(args.price)
    w = await _round_now(args)
    if not args.json:
        print(f"submitting for {_when(w)}", flush=True)
    if w["blocks_left"] <= CLOSING_BLOCKS:
        wio.warn(args, f"round {w['round']} is about to close: a tx not in block "
                 f"{w['closes_at']} at the latest fails with ROUND_INVALID (fee paid); round "
                 f"{w['round'] + 1} opens in about {w['seconds_left']} s")
    try:
        return await _submit_for(args, w, price)
    except GatewayError as e:
        data = e.data if isinstance(e.data, dict) else {}
        if e.code != TX_REJECTED or data.get("code") != Code.ROUND_INVALID:
            raise
    # CheckTx refused it (no fee, no nonce used): the round closed before the tx arrived. The
    # oracle's price is for now, so it goes to the round that is open now, said in one line.
    late = w
    w = await _round_now(args)
    wio.warn(args, f"round {late['round']} closed before the submission arrived (refused, no "
             f"fee paid); submitting for {_when(w)}")
    return await _submit_for(args, w, price)


async def _round_now(args: argparse.Namespace) -> dict[str, int]:
    async with wio.client(args) as gw:
        st = await gw.call("fictra_status")
        blocks = int((await gw.call("fictra_getParams"))["oracle_round_blocks"])
        interval = await block_interval(gw, st)
    return round_window(st["height"], blocks, interval)


def _when(w: dict[str, int]) -> str:
    return (f"round {w['round']}, which closes with block {w['closes_at']}, {w['blocks_left']} "
            f"block{'' if w['blocks_left'] == 1 else 's'} (about {w['seconds_left']} s) from "
            "now")


async def _submit_for(args: argparse.Namespace, w: dict[str, int], price: int) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.tx import builder as tb

    msg = tb.submit_price(args.commodity, w["round"], price)
    return await wio.submit(args, [msg], f"{args.commodity} price submitted for round "
                            f"{w['round']}", lambda r: ("", {"round": w["round"],
                                                            "round_closes_at": w["closes_at"]}))


def round_window(height: int, round_blocks: int, interval_s: float) -> dict[str, int]:
    """Where a tx sent after block ``height`` lands: the round of block height + 1, the block
    that closes it (aggregated at its end), and how many blocks and seconds are left."""
    landing = height + 1
    rnd = landing // round_blocks
    closes_at = (rnd + 1) * round_blocks - 1
    left = closes_at - height
    return {"round": rnd, "closes_at": closes_at, "blocks_left": left,
            "seconds_left": max(1, round(left * interval_s))}


async def block_interval(gw: Any, status: dict[str, Any]) -> float:
    """Seconds between the last two blocks (2 s when there is only one)."""
    # imported here: the node helpers cost every other fictra command start-up
    from app.node.cometrpc import parse_time_ns

    if status["height"] < 2:
        return 2.0
    before = await gw.call("fictra_getBlockHeader", status["height"] - 1)
    gap = (parse_time_ns(status["block_time"]) - parse_time_ns(before["time"])) / 1e9
    return gap if 0.1 < gap < 60 else 2.0


async def _price_show(args: argparse.Namespace) -> int:
    async with wio.client(args) as gw:
        p = await gw.call("fictra_getPrice", args.commodity)
        if p is None:
            raise wio.UserError(f"no commodity {args.commodity!r}")
        com = (await catalogue(gw)).get(p["commodity"])
    unit = f"/{com['unit']}" if com else " per unit"
    text = (f"{p['commodity']}: {wio.pt(p['price'])}{unit} (round {p['round']}, height "
            f"{p['published_height']})" if p["status"] == "current"
            else f"{p['commodity']}: no current price")
    return wio.out(args, p, text)


async def _price_history(args: argparse.Namespace) -> int:
    page = {k: v for k, v in (("from", args.from_height), ("to", args.to_height))
            if v is not None}
    async with wio.client(args) as gw:
        h = await gw.call("fictra_getPriceHistory", args.commodity, page or None)
        if h is None:
            raise wio.UserError(f"no commodity {args.commodity!r}")
        com = (await catalogue(gw)).get(h["commodity"])
    unit = f"/{com['unit']}" if com else " per unit"
    lines = [f"{h['commodity']}:"] + [f"  {x['height']:>7}  round {x['round']:<6} "
                                      f"{wio.pt(x['price'])}{unit}" for x in h["points"]]
    return wio.out(args, h, "\n".join(lines))


async def _ft_show(args: argparse.Namespace) -> int:
    address = wio.address_of(args, args.who)
    async with wio.client(args) as gw:
        f = await gw.call("fictra_getFT", address)
    return wio.out(args, f, f"{address}: {units.ft(f['balance'])} (issued "
                   f"{units.ft(f['issued'])}, converted {units.ft(f['converted'])})")


async def _ft_convert(args: argparse.Namespace) -> int:
    # imported here: protobuf costs every other fictra command start-up
    from app.params import parse_amount
    from app.tx import builder as tb

    amount = parse_amount(args.amount.strip().removesuffix("FT"))
    return await _step(args, tb.convert_ft(amount), f"converted {units.ft(amount)} into PT",
                       _converted)


def _converted(r: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    got = next((e["attributes"] for e in r["events"] if e["type"] == "ft_converted"), None)
    return (f" ({units.pt(got['pt_amount'])} received)", {}) if got else ("", {})
