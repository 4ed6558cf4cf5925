"""End to end through the gateway on a real localnet, as a wallet user goes: a new key,
funded by the faucet, sends, reads its receipt and history, proves its balance; a
subscription sees the tx; several txs from one key are in flight at once."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import aiohttp
import pytest

from app.crypto import Key
from app.params import UNIT
from app.tx.builder import send
from rpc.client import GatewayClient
from rpc.keystore import read_plain
from rpc.wallet import Wallet
from tests.localnets import TEST_KEY, fictra

from .conftest import Net

pytestmark = pytest.mark.integration


def _json(proc_out: str) -> dict:
    return json.loads(proc_out.strip().splitlines()[-1])


def test_status_shows_the_gateway(net: Net) -> None:
    doc = json.loads(fictra("localnet", "status", "--home", str(net.home), "--json").stdout)
    assert doc["gateway"]["url"] == net.url and doc["gateway"]["alive"] is True
    human = fictra("localnet", "status", "--home", str(net.home)).stdout
    assert f"gateway {net.url} (pid {doc['gateway']['pid']})" in human


def test_new_key_funded_sends_receipt_history_and_proven_balance(net: Net, tmp_path: Path
                                                                 ) -> None:
    env = net.cli_env(tmp_path / "keyring")
    alice = _json(fictra("wallet", "keys", "add", "alice", "--json", env=env).stdout)
    bob = _json(fictra("wallet", "keys", "add", "bob", "--json", env=env).stdout)
    assert set(alice) == {"name", "address"} and alice["name"] == "alice"
    assert alice["address"].startswith("fic1")

    fund = _json(fictra("wallet", "send", "--from", "faucet", "alice", "100PT", "--json",
                        env=env).stdout)
    assert set(fund) == {"hash", "height", "code"} and fund["code"] == 0
    pay = _json(fictra("wallet", "send", "--from", "alice", bob["address"], "12.5PT",
                       "--json", env=env).stdout)
    assert pay["code"] == 0 and pay["height"] >= fund["height"]

    receipt = _json(fictra("wallet", "tx", pay["hash"], "--json", env=env).stdout)
    assert receipt["status"] == "success" and receipt["height"] == pay["height"]
    transfer = next(e for e in receipt["events"] if e["type"] == "transfer")["attributes"]
    assert transfer == {"sender": alice["address"], "recipient": bob["address"],
                        "amount": str(12_500_000)}
    fee = int(receipt["fee"])
    assert fee > 0

    history = _json(fictra("wallet", "history", "alice", "--json", env=env).stdout)
    assert [t["hash"] for t in history["txs"]] == [pay["hash"], fund["hash"]]

    bal = _json(fictra("wallet", "balance", "alice", "--prove", "--json", env=env).stdout)
    assert set(bal) == {"address", "pt", "ft", "height", "proof_verified"}
    assert bal["proof_verified"] is True and bal["address"] == alice["address"]
    assert bal["pt"] == str(100 * UNIT - 12_500_000 - fee) and bal["ft"] == "0"
    assert bal["height"] >= pay["height"]
    text = fictra("wallet", "balance", "bob", "--prove", env=env).stdout
    assert "12.5 PT" in text and "proof verified against the app hash in header" in text


def test_a_failed_transfer_reports_its_code(net: Net, tmp_path: Path) -> None:
    env = net.cli_env(tmp_path / "keyring")
    fictra("wallet", "keys", "add", "poor", "--json", env=env)
    fictra("wallet", "send", "--from", "faucet", "poor", "1PT", env=env)
    out = fictra("wallet", "send", "--from", "poor", "faucet", "5PT", "--json", env=env,
                 check=False)
    assert out.returncode == 1
    doc = _json(out.stdout)  # refused by CheckTx: never in a block, no fee
    assert doc["code"] == -32003 and doc["data"]["code"] == 20  # INSUFFICIENT_FUNDS
    out = fictra("wallet", "send", "--from", "poor", "faucet", "5PT", env=env, check=False)
    assert out.returncode == 1 and "[code 20 INSUFFICIENT_FUNDS]" in out.stderr
    out = fictra("wallet", "send", "--from", "nobody", "faucet", "5PT", env=env, check=False)
    assert out.returncode == 1 and "no key 'nobody'" in out.stderr


def test_subscriptions_see_the_tx(net: Net) -> None:
    faucet = read_plain(net.home / "keys" / "faucet.json")
    target = Key.generate()

    async def go() -> None:
        async with GatewayClient(net.url, api_key=TEST_KEY) as gw:
            wallet = Wallet(gw)
            heads = await gw.subscribe("newHeads")
            account = await gw.subscribe("account", target.bech32)
            nonce = int(await gw.call("fictra_getNonce", faucet.bech32))
            raw = await wallet.sign(faucet, nonce, [send(target.address, 7 * UNIT)])
            tx_hash = hashlib.sha256(raw).hexdigest().upper()
            tx_sub = await gw.subscribe("tx", tx_hash)
            assert await gw.call("fictra_sendRawTransaction", "0x" + raw.hex()) == tx_hash
            receipt = await tx_sub.next(timeout=60)
            assert receipt["hash"] == tx_hash and receipt["code"] == 0
            seen = await account.next(timeout=60)
            assert seen["txs"] == [tx_hash] and seen["height"] == receipt["height"]
            assert seen["account"]["balance"] == str(7 * UNIT)
            first = await heads.next(timeout=60)
            second = await heads.next(timeout=60)
            assert second["height"] == first["height"] + 1
            # Subscribing after inclusion answers at once.
            late = await gw.subscribe("tx", tx_hash)
            assert (await late.next(timeout=60))["height"] == receipt["height"]
            assert await gw.ws_call("fictra_unsubscribe", late.id) is True
            assert await gw.ws_call("fictra_unsubscribe", late.id) is False
            assert 'fictra_rpc_subscriptions 3.0' in await metrics()

    async def metrics() -> str:
        async with aiohttp.ClientSession() as s, s.get(net.url + "/metrics") as r:
            return await r.text()

    async def subscriptions_end_with_the_connection() -> None:
        for _ in range(300):  # a hang guard
            if "fictra_rpc_subscriptions 0.0" in await metrics():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("subscriptions outlived their connection")

    asyncio.run(go())
    asyncio.run(subscriptions_end_with_the_connection())


def test_several_txs_in_flight_from_one_key(net: Net) -> None:
    faucet = read_plain(net.home / "keys" / "faucet.json")
    target = Key.generate()

    async def go() -> None:
        async with GatewayClient(net.url, api_key=TEST_KEY) as gw1, \
                GatewayClient(net.url, api_key=TEST_KEY) as gw2:
            before = int((await gw1.call("fictra_getAccount", faucet.bech32))["nonce"])
            # Two wallets (as two processes would be) share the key: 6 txs each, at once.
            w1, w2 = Wallet(gw1), Wallet(gw2)
            sends = [w.submit(faucet, [send(target.address, UNIT)])
                     for _ in range(6) for w in (w1, w2)]
            hashes = await asyncio.gather(*sends)
            assert len(set(hashes)) == 12
            receipts = await asyncio.gather(*(w1.wait(h, 120) for h in hashes))
            assert all(r["code"] == 0 for r in receipts)
            acct = await gw1.call("fictra_getAccount", target.bech32)
            assert acct["balance"] == str(12 * UNIT)
            faucet_acct = await gw1.call("fictra_getAccount", faucet.bech32)
            assert int(faucet_acct["nonce"]) == before + 12

    asyncio.run(go())


def test_multisend_and_council_steps(net: Net, tmp_path: Path) -> None:
    env = net.cli_env(tmp_path / "keyring")
    a = _json(fictra("wallet", "keys", "add", "a", "--json", env=env).stdout)["address"]
    b = _json(fictra("wallet", "keys", "add", "b", "--json", env=env).stdout)["address"]
    out = _json(fictra("wallet", "multisend", "--from", "faucet", "a=1.5PT", f"{b}=2",
                       "--json", env=env).stdout)
    assert out["code"] == 0
    for who, amount in ((a, "1500000"), (b, "2000000")):
        bal = _json(fictra("wallet", "balance", who, "--json", env=env).stdout)
        assert bal["pt"] == amount and "proof_verified" not in bal  # no proof was asked for
    # Each recipient's history shows its own output of the multisend, not the other's.
    history = fictra("wallet", "history", b, env=env).stdout
    assert "received 2 PT" in history and "1.5 PT" not in history
    unknown = fictra("wallet", "tx", "AB" * 32, env=env, check=False)
    assert unknown.returncode == 1 and "unknown to the gateway" in unknown.stdout

    proposed = _json(fictra("wallet", "council", "propose", "--from", "council-1",
                            "register-entity", "a", "--tier", "enhanced", "--jurisdiction",
                            "de", "--roles", "trader,verifier", "--json", env=env).stdout)
    assert proposed["code"] == 0
    receipt = _json(fictra("wallet", "tx", proposed["hash"], "--json", env=env).stdout)
    pid = next(e for e in receipt["events"] if e["type"] == "proposal")["attributes"]["id"]
    assert (proposed["proposal_id"], proposed["proposal_status"]) == (pid, "pending")
    voted = _json(fictra("wallet", "council", "vote", "--from", "council-2", pid, "yes",
                         "--json", env=env).stdout)
    assert voted["code"] == 0 and voted["proposal_status"] == "passed"
    prop = _json(fictra("wallet", "council", "show", pid, "--json", env=env).stdout)
    assert prop["status"] == "passed" and len(prop["yes"]) == 2
    acct = _json(fictra("wallet", "account", "a", "--json", env=env).stdout)
    assert (acct["tier"], acct["jurisdiction"], acct["roles"]) == (
        "enhanced", "DE", ["trader", "verifier"])
    # Not a member: refused by CheckTx with the governance code.
    out = fictra("wallet", "council", "vote", "--from", "faucet", pid, "yes", "--json",
                 env=env, check=False)
    assert out.returncode == 1 and _json(out.stdout)["data"]["code"] == 40


def test_keys_import_export(net: Net, tmp_path: Path) -> None:
    env = net.cli_env(tmp_path / "keyring")
    fictra("wallet", "keys", "add", "orig", env=env)
    exported = tmp_path / "orig.json"
    exported.write_text(fictra("wallet", "keys", "export", "orig", env=env).stdout)
    assert "private_key" not in exported.read_text()
    other = {**env, "FICTRA_KEYRING": str(tmp_path / "other")}
    imported = _json(fictra("wallet", "keys", "import", "copy", str(exported), "--json",
                            env=other).stdout)
    shown = _json(fictra("wallet", "keys", "show", "orig", "--json", env=env).stdout)
    assert imported["address"] == shown["address"]
    plain = json.loads(fictra("wallet", "keys", "export", "copy", "--private-key",
                              env=other).stdout)
    assert plain["address"] == shown["address"] and len(plain["private_key"]) == 64
    # The plain localnet faucet file imports too (encrypted under the passphrase).
    faucet = net.home / "keys" / "faucet.json"
    got = _json(fictra("wallet", "keys", "import", "f2", str(faucet), "--json", env=other).stdout)
    assert got["address"] == json.loads(faucet.read_text())["address"]
    listed = _json(fictra("wallet", "keys", "list", "--json", env=other).stdout)["keys"]
    assert {k["name"] for k in listed if k["source"] == "keyring"} == {"copy", "f2"}
    wrong = {**other, "FICTRA_PASSPHRASE": "not it"}
    out = fictra("wallet", "keys", "export", "copy", "--private-key", env=wrong, check=False)
    assert out.returncode == 1 and "wrong passphrase" in out.stderr
