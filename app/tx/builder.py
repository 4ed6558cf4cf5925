"""Build and sign transactions (used by tests, benchmarks, the wallet and the gateway SDK).

    tx = sign_tx(key, chain_id, nonce, [send(to, 5 * UNIT)], fee=fee_for(...))

``fee_for`` computes the minimum fee for a tx of a given size; ``build_signed`` finds the
smallest fee that covers the tx's own size (the fee is part of the signed bytes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from google.protobuf.json_format import MessageToDict

from app import keys
from app.crypto import Key
from app.pb import tx_pb2

Msg = tx_pb2.Msg


def send(to: bytes, amount: int) -> tx_pb2.Msg:
    return Msg(send=tx_pb2.MsgSend(to=to, amount=amount))


def multi_send(outputs: Sequence[tuple[bytes, int]]) -> tx_pb2.Msg:
    return Msg(multi_send=tx_pb2.MsgMultiSend(
        input=sum(a for _, a in outputs),
        outputs=[tx_pb2.Output(address=addr, amount=a) for addr, a in outputs],
    ))


def propose(action: tx_pb2.Action, summary: str = "") -> tx_pb2.Msg:
    return Msg(propose=tx_pb2.MsgPropose(action=action, summary=summary))


def vote(proposal_id: int, yes: bool) -> tx_pb2.Msg:
    option = tx_pb2.VOTE_OPTION_YES if yes else tx_pb2.VOTE_OPTION_NO
    return Msg(vote=tx_pb2.MsgVote(proposal_id=proposal_id, option=option))


# Trade, oracle and FT messages.
def create_purchase(seller: bytes, commodity: str, quantity: int, unit_price: int,
                    origin_sovereign: bytes, ship_by: int, verify_by: int) -> tx_pb2.Msg:
    return Msg(create_purchase=tx_pb2.MsgCreatePurchase(
        seller=seller, commodity=commodity, quantity=quantity, unit_price=unit_price,
        origin_sovereign=origin_sovereign, ship_by=ship_by, verify_by=verify_by))


def confirm_shipment(pid: bytes, document_hashes: Sequence[bytes]) -> tx_pb2.Msg:
    return Msg(confirm_shipment=tx_pb2.MsgConfirmShipment(
        id=pid, document_hashes=list(document_hashes)))


def attest(pid: bytes, kind: int, approve: bool, document_hash: bytes) -> tx_pb2.Msg:
    verdict = tx_pb2.VERDICT_APPROVE if approve else tx_pb2.VERDICT_REJECT
    return Msg(attest=tx_pb2.MsgAttest(purchase=pid, kind=kind, verdict=verdict,
                                       document_hash=document_hash))


def dispute(pid: bytes, reason: str) -> tx_pb2.Msg:
    return Msg(dispute=tx_pb2.MsgDispute(id=pid, reason=reason))


def submit_price(commodity: str, round_: int, price: int) -> tx_pb2.Msg:
    return Msg(submit_price=tx_pb2.MsgSubmitPrice(commodity=commodity, round=round_,
                                                  price=price))


def convert_ft(amount: int) -> tx_pb2.Msg:
    return Msg(convert_ft=tx_pb2.MsgConvertFT(amount=amount))


# -- staking --------------------------------------------------------------------------------------

def create_validator(pub_key: bytes, moniker: str, commission_bps: int, max_change_bps: int,
                     self_bond: int) -> tx_pb2.Msg:
    return tx_pb2.Msg(create_validator=tx_pb2.MsgCreateValidator(
        pub_key=pub_key, moniker=moniker, commission_bps=commission_bps,
        max_change_bps=max_change_bps, self_bond=self_bond))


def delegate(operator: bytes, amount: int) -> tx_pb2.Msg:
    return tx_pb2.Msg(delegate=tx_pb2.MsgDelegate(operator=operator, amount=amount))


def undelegate(operator: bytes, amount: int) -> tx_pb2.Msg:
    return tx_pb2.Msg(undelegate=tx_pb2.MsgUndelegate(operator=operator, amount=amount))


def redelegate(src: bytes, dst: bytes, amount: int) -> tx_pb2.Msg:
    return tx_pb2.Msg(redelegate=tx_pb2.MsgRedelegate(src=src, dst=dst, amount=amount))


def unjail() -> tx_pb2.Msg:
    return tx_pb2.Msg(unjail=tx_pb2.MsgUnjail())


def edit_validator(moniker: str, commission_bps: int) -> tx_pb2.Msg:
    return tx_pb2.Msg(edit_validator=tx_pb2.MsgEditValidator(moniker=moniker,
                                                             commission_bps=commission_bps))


def withdraw_rewards() -> tx_pb2.Msg:
    return tx_pb2.Msg(withdraw_rewards=tx_pb2.MsgWithdrawRewards())


def purchase_id(tx: bytes, index: int = 0) -> bytes:
    """The id of the purchase created by message ``index`` of the signed ``tx``."""
    return keys.purchase_id(hashlib.sha256(tx).digest(), index)


# Actions for ``propose``.
def register_entity(address: bytes, tier: int, jurisdiction: str, roles: int) -> tx_pb2.Action:
    return tx_pb2.Action(register_entity=tx_pb2.Entity(
        address=address, tier=tier, jurisdiction=jurisdiction, roles=roles))


def update_entity(address: bytes, tier: int, jurisdiction: str, roles: int) -> tx_pb2.Action:
    return tx_pb2.Action(update_entity=tx_pb2.Entity(
        address=address, tier=tier, jurisdiction=jurisdiction, roles=roles))


def freeze(address: bytes) -> tx_pb2.Action:
    return tx_pb2.Action(freeze=tx_pb2.AccountRef(address=address))


def unfreeze(address: bytes) -> tx_pb2.Action:
    return tx_pb2.Action(unfreeze=tx_pb2.AccountRef(address=address))


def update_params(params: tx_pb2.Params) -> tx_pb2.Action:
    return tx_pb2.Action(update_params=params)


def mint(amount: int) -> tx_pb2.Action:
    return tx_pb2.Action(mint=tx_pb2.TreasuryAmount(amount=amount))


def burn(amount: int) -> tx_pb2.Action:
    return tx_pb2.Action(burn=tx_pb2.TreasuryAmount(amount=amount))


def jail_validator(operator: bytes) -> tx_pb2.Action:
    """The council's emergency override: out of the set now, for jail_blocks (no slash)."""
    return tx_pb2.Action(jail_validator=tx_pb2.ValidatorOverride(operator=operator))


def remove_validator(operator: bytes) -> tx_pb2.Action:
    """The council's forced removal: out of the set for good (tombstoned, no slash)."""
    return tx_pb2.Action(remove_validator=tx_pb2.ValidatorOverride(operator=operator))


def set_commodity(commodity: tx_pb2.Commodity) -> tx_pb2.Action:
    return tx_pb2.Action(set_commodity=commodity)


def resolve_dispute(pid: bytes, for_buyer: bool) -> tx_pb2.Action:
    party = tx_pb2.PARTY_BUYER if for_buyer else tx_pb2.PARTY_SELLER
    return tx_pb2.Action(resolve_dispute=tx_pb2.DisputeRuling(purchase=pid, in_favor_of=party))


def fund_reserve(amount: int) -> tx_pb2.Action:
    return tx_pb2.Action(fund_reserve=tx_pb2.TreasuryAmount(amount=amount))


# -- signing -------------------------------------------------------------------------------------

def body_bytes(msgs: Sequence[tx_pb2.Msg], memo: str = "", timeout_height: int = 0) -> bytes:
    return tx_pb2.TxBody(messages=msgs, memo=memo, timeout_height=timeout_height
                         ).SerializeToString()


def sign_raw(key: Key, chain_id: str, body: bytes, nonce: int, fee: int) -> bytes:
    """Sign already-encoded body bytes; returns the tx bytes."""
    auth = tx_pb2.AuthInfo(public_key=key.public_key, nonce=nonce, fee=fee).SerializeToString()
    doc = tx_pb2.SignDoc(body_bytes=body, auth_info_bytes=auth, chain_id=chain_id)
    sig = key.sign(doc.SerializeToString())
    return tx_pb2.Tx(body_bytes=body, auth_info_bytes=auth, signature=sig).SerializeToString()


def sign_tx(key: Key, chain_id: str, nonce: int, msgs: Sequence[tx_pb2.Msg], *, fee: int,
            memo: str = "", timeout_height: int = 0) -> bytes:
    return sign_raw(key, chain_id, body_bytes(msgs, memo, timeout_height), nonce, fee)


def fee_for(size: int, base_fee: int, fee_per_byte: int) -> int:
    return base_fee + fee_per_byte * size


def build_signed(key: Key, chain_id: str, nonce: int, msgs: Sequence[tx_pb2.Msg], *,
                 base_fee: int, fee_per_byte: int, memo: str = "", timeout_height: int = 0
                 ) -> bytes:
    """Sign with the smallest fee that covers the resulting tx size."""
    body = body_bytes(msgs, memo, timeout_height)
    fee = fee_for(0, base_fee, fee_per_byte)
    while True:  # the fee's varint length changes the size at most a few times
        raw = sign_raw(key, chain_id, body, nonce, fee)
        need = fee_for(len(raw), base_fee, fee_per_byte)
        if fee >= need:
            return raw
        fee = need


def decode_for_display(raw: bytes) -> dict[str, object]:
    """A readable view of tx bytes (no signature check)."""
    tx = tx_pb2.Tx.FromString(raw)
    return {
        "body": MessageToDict(tx_pb2.TxBody.FromString(tx.body_bytes)),
        "auth_info": MessageToDict(tx_pb2.AuthInfo.FromString(tx.auth_info_bytes)),
        "signature": tx.signature.hex(),
    }
