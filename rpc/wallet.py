"""The SDK's wallet: build, sign and send txs through a gateway; read balances with proofs.

Txs are built and signed by the ledger's own ``app.tx.builder`` (the fee is the smallest that
covers the signed size). Several txs from one key may be in flight at once: the wallet hands
out consecutive nonces per key itself and sends them in nonce order (each waits only for the
node's CheckTx, not for a block); if another wallet used the same key meanwhile, a nonce
error (or "already known": the other wallet signed the very same bytes) makes it ask the
gateway for the next nonce again and re-sign.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from app.crypto import Key, from_bech32, to_bech32
from app.errors import Code
from app.modules import ft, pt
from app.pb import state_pb2, tx_pb2
from app.tx.builder import build_signed, sign_tx
from rpc.client import GatewayClient, GatewayError, GatewayUnreachable
from rpc.verify import verified_value

TX_REJECTED = -32003
NONCE_RETRIES = 5


class TxTimeout(Exception):
    pass


class TxDropped(Exception):
    """The gateway gave up on a tx it had accepted: it can no longer commit (the reason)."""

    def __init__(self, tx_hash: str, reason: str) -> None:
        super().__init__(f"tx {tx_hash} dropped: {reason}")
        self.tx_hash = tx_hash
        self.reason = reason


_CHECK_EVERY_S = 3.0  # while subscribed, how often to ask whether the tx was dropped


class Wallet:
    def __init__(self, client: GatewayClient) -> None:
        self.gw = client
        self._chain_id: str | None = None
        self._fees: tuple[int, int] | None = None
        self._nonces: dict[bytes, int] = {}
        self._locks: dict[bytes, asyncio.Lock] = {}
        self.last_header_power: tuple[int, int] | None = None  # of the last proven balance

    async def chain_id(self) -> str:
        if self._chain_id is None:
            self._chain_id = str(await self.gw.call("fictra_chainId"))
        return self._chain_id

    async def fees(self) -> tuple[int, int]:
        if self._fees is None:
            p = await self.gw.call("fictra_getParams")
            self._fees = int(p["base_fee"]), int(p["fee_per_byte"])
        return self._fees

    # -- sending -------------------------------------------------------------------------------
    async def sign(self, key: Key, nonce: int, msgs: Sequence[tx_pb2.Msg], *, memo: str = "",
                   fee: int | None = None, timeout_height: int = 0) -> bytes:
        chain_id = await self.chain_id()
        if fee is not None:
            return sign_tx(key, chain_id, nonce, msgs, fee=fee, memo=memo,
                           timeout_height=timeout_height)
        base, per_byte = await self.fees()
        return build_signed(key, chain_id, nonce, msgs, base_fee=base, fee_per_byte=per_byte,
                            memo=memo, timeout_height=timeout_height)

    async def submit(self, key: Key, msgs: Sequence[tx_pb2.Msg], *, memo: str = "",
                     fee: int | None = None, timeout_height: int = 0) -> str:
        """Sign with the key's next nonce and send; the tx hash once CheckTx accepted it."""
        addr = key.address
        lock = self._locks.setdefault(addr, asyncio.Lock())
        async with lock:
            for attempt in range(NONCE_RETRIES + 1):
                nonce = self._nonces.get(addr)
                if nonce is None:
                    nonce = int(await self.gw.call("fictra_getNonce", key.bech32))
                raw = await self.sign(key, nonce, msgs, memo=memo, fee=fee,
                                      timeout_height=timeout_height)
                try:
                    tx_hash = await self.gw.call("fictra_sendRawTransaction", "0x" + raw.hex())
                except GatewayError as e:
                    data = e.data if isinstance(e.data, dict) else {}
                    code = data.get("code")
                    known = data.get("reason") == "already known"
                    clash = code in (Code.NONCE_TOO_LOW, Code.NONCE_TOO_HIGH) or known
                    if e.code == TX_REJECTED and clash and attempt < NONCE_RETRIES:
                        self._nonces.pop(addr, None)  # someone else used the key: ask again
                        if code == Code.NONCE_TOO_HIGH or known:
                            # The other sender's tx may still be inside its CheckTx, not yet
                            # counted by getNonce: asking at once would get the same nonce.
                            await asyncio.sleep(0.2 * (attempt + 1))
                        continue
                    if e.code == TX_REJECTED:
                        self._nonces.pop(addr, None)
                    raise
                self._nonces[addr] = nonce + 1
                return str(tx_hash)
        raise AssertionError("unreachable")

    async def _included(self, tx_hash: str) -> dict[str, Any] | None:
        """The receipt if the tx is in a block; None while pending; TxDropped if dropped."""
        answer = await self.gw.call("fictra_getTransaction", tx_hash)
        if answer is None or answer.get("status") == "pending":
            return None
        if answer.get("status") == "dropped":
            raise TxDropped(tx_hash, str(answer.get("reason") or ""))
        return dict(answer)

    async def wait(self, tx_hash: str, timeout: float = 60.0) -> dict[str, Any]:
        """The tx's receipt once it is in a block (a ``tx`` subscription, else polling).

        Not ``broadcast_tx_sync``'s word alone: the gateway keeps the tx and offers it again if
        the node loses it, and says when it can no longer commit (TxDropped)."""
        try:
            async with asyncio.timeout(timeout):
                try:
                    async with await self.gw.subscribe("tx", tx_hash) as sub:
                        while True:
                            try:
                                return await sub.next(timeout=_CHECK_EVERY_S)
                            except TimeoutError:
                                receipt = await self._included(tx_hash)
                                if receipt is not None:
                                    return receipt
                except (GatewayUnreachable, GatewayError):
                    while True:  # no WebSocket: poll once per half block
                        receipt = await self._included(tx_hash)
                        if receipt is not None:
                            return receipt
                        await asyncio.sleep(1.0)
        except TimeoutError:
            raise TxTimeout(f"tx {tx_hash} not in a block after {timeout:.0f} s") from None

    async def send_and_wait(self, key: Key, msgs: Sequence[tx_pb2.Msg], *, timeout: float = 60.0,
                            **kw: Any) -> dict[str, Any]:
        return await self.wait(await self.submit(key, msgs, **kw), timeout)

    # -- reading -------------------------------------------------------------------------------
    async def balance(self, address: str, *, prove: bool = False, height: int | None = None
                      ) -> dict[str, Any]:
        """``{"address", "pt", "ft", "height"}`` plus ``proof_verified`` when ``prove``: PT and
        FT are then read from the proven account and sovereign records, not from the
        gateway's word, and
        the header holding the app hash is checked to be signed by >2/3 of its validators
        (``last_header_power`` keeps the signed and total power)."""
        if not prove:
            return await self.gw.call("fictra_getBalance", address, height or 0)
        raw_addr = from_bech32(address)
        answer = await self.gw.call("fictra_getProof", f"/account/{to_bech32(raw_addr)}",
                                    height or 0)
        value, (signed, total) = verified_value(answer, pt.SHARD, pt.account_key(raw_addr),
                                                await self.chain_id())
        account = state_pb2.Account.FromString(value or b"")
        h = int(answer["height"])
        ft_answer = await self.gw.call("fictra_getProof", f"/ft/{to_bech32(raw_addr)}", h)
        ft_value, _ = verified_value(ft_answer, ft.SHARD, ft.sovereign_key(raw_addr),
                                     await self.chain_id())
        sovereign = state_pb2.Sovereign.FromString(ft_value or b"")
        self.last_header_power = (signed, total)
        return {"address": to_bech32(raw_addr), "pt": str(account.balance),
                "ft": str(sovereign.balance), "height": h, "proof_verified": True}
