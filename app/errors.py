"""The one table of result codes the application answers (CheckTx, FinalizeBlock, Query).

Code 0 is success. Ranges: 1-19 decoding and ante checks (no fee charged, nonce unchanged),
20-39 PT messages, 40-69 governance, 70-89 queries, 100-129 trade (purchases and
verification), 130-149 oracle, 150-169 FT, 170-189 staking. A tx whose *message* fails (codes
20 and up) still pays its fee and uses its nonce when it is in a block. The table is rendered
into the README by ``render_table``.
"""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    OK = 0
    # -- decoding and ante: the tx is refused as a whole ---------------------------------------
    TX_MALFORMED = 1
    TX_TOO_LARGE = 2
    TX_INVALID = 3
    BAD_SIGNATURE = 4
    NONCE_TOO_LOW = 5
    NONCE_TOO_HIGH = 6
    FEE_TOO_LOW = 7
    INSUFFICIENT_FEE_FUNDS = 8
    SENDER_FROZEN = 9
    TX_TIMEOUT = 10
    AMOUNT_TOO_LARGE = 11
    INTERNAL = 19
    # -- PT -----------------------------------------------------------------------------------
    INSUFFICIENT_FUNDS = 20
    AMOUNT_OVERFLOW = 21
    RECIPIENT_FROZEN = 22
    TIER_LIMIT = 23
    JURISDICTION_BLOCKED = 24
    TOO_MANY_OUTPUTS = 25
    # -- governance ---------------------------------------------------------------------------
    NOT_COUNCIL_MEMBER = 40
    PROPOSAL_NOT_FOUND = 41
    PROPOSAL_CLOSED = 42
    PROPOSAL_EXPIRED = 43
    ALREADY_VOTED = 44
    ENTITY_EXISTS = 45
    ENTITY_NOT_FOUND = 46
    INSUFFICIENT_TREASURY = 47
    VALIDATOR_UPDATE_INVALID = 48
    # -- queries ------------------------------------------------------------------------------
    QUERY_BAD_PATH = 70
    QUERY_NOT_FOUND = 71
    QUERY_BAD_HEIGHT = 72
    # -- trade --------------------------------------------------------------------------------
    COMMODITY_UNKNOWN = 100
    COMMODITY_INACTIVE = 101
    NOT_KYC_TRADER = 102
    PARTY_FROZEN = 103
    NOT_SOVEREIGN = 104
    DEADLINE_INVALID = 105
    PURCHASE_VALUE_INVALID = 106
    SELF_TRADE = 107
    PURCHASE_NOT_FOUND = 108
    NOT_AUTHORIZED = 109
    WRONG_STATUS = 110
    DEADLINE_PASSED = 111
    NOT_VERIFIER = 112
    KIND_NOT_REQUIRED = 113
    ALREADY_ATTESTED = 114
    KIND_DECIDED = 115
    # -- oracle -------------------------------------------------------------------------------
    NOT_ORACLE = 130
    ROUND_INVALID = 131
    ALREADY_SUBMITTED = 132
    # -- FT -----------------------------------------------------------------------------------
    FT_INSUFFICIENT = 150
    CONVERSION_CAP = 151
    RESERVE_INSUFFICIENT = 152
    CONVERSION_TOO_SMALL = 153
    # -- staking ------------------------------------------------------------------------------
    NOT_VALIDATOR_ROLE = 170
    OPERATOR_EXISTS = 171
    OPERATOR_NOT_FOUND = 172
    CONSENSUS_KEY_IN_USE = 173
    SELF_BOND_TOO_LOW = 174
    DELEGATION_NOT_FOUND = 175
    INSUFFICIENT_STAKE = 176
    TOO_MANY_ENTRIES = 177
    AMOUNT_TOO_SMALL = 178
    OPERATOR_TOMBSTONED = 179
    NOT_JAILED = 180
    STILL_JAILED = 181
    REDELEGATION_IN_PROGRESS = 182
    NO_REWARDS = 183
    COMMISSION_CHANGE = 184


DESCRIPTIONS: dict[Code, str] = {
    Code.OK: "success",
    Code.TX_MALFORMED: "bytes are not a canonically encoded Tx, TxBody or AuthInfo",
    Code.TX_TOO_LARGE: "tx is larger than the codec limit",
    Code.TX_INVALID: "a field is invalid without looking at state (address length, zero amount, "
    "empty tx, memo too long, outputs not matching input, bad action, ...)",
    Code.BAD_SIGNATURE: "signature does not verify for this body, auth info and chain id",
    Code.NONCE_TOO_LOW: "nonce already used (replay)",
    Code.NONCE_TOO_HIGH: "nonce ahead of the account's next nonce",
    Code.FEE_TOO_LOW: "fee below base_fee + fee_per_byte * tx size",
    Code.INSUFFICIENT_FEE_FUNDS: "sender balance cannot pay the fee",
    Code.SENDER_FROZEN: "sender account is frozen",
    Code.TX_TIMEOUT: "block height is past the tx's timeout_height",
    Code.AMOUNT_TOO_LARGE: "an amount in the tx exceeds the maximum supply",
    Code.INTERNAL: "unexpected internal error while checking a tx (CheckTx only; a bug)",
    Code.INSUFFICIENT_FUNDS: "sender balance below the amount (after the fee)",
    Code.AMOUNT_OVERFLOW: "a balance, a sum or the supply would exceed the maximum supply",
    Code.RECIPIENT_FROZEN: "a recipient account is frozen",
    Code.TIER_LIMIT: "amount above the sender's KYC tier limit for one transfer",
    Code.JURISDICTION_BLOCKED: "sender or recipient jurisdiction is blocked by params",
    Code.TOO_MANY_OUTPUTS: "MultiSend has more outputs than params allow",
    Code.NOT_COUNCIL_MEMBER: "signer is not a council member",
    Code.PROPOSAL_NOT_FOUND: "no proposal with this id",
    Code.PROPOSAL_CLOSED: "proposal already passed, failed, was rejected or expired",
    Code.PROPOSAL_EXPIRED: "proposal's voting period is over",
    Code.ALREADY_VOTED: "member already voted on this proposal",
    Code.ENTITY_EXISTS: "entity already registered (use update)",
    Code.ENTITY_NOT_FOUND: "entity not registered (use register)",
    Code.INSUFFICIENT_TREASURY: "treasury balance below the burn amount",
    Code.VALIDATOR_UPDATE_INVALID: "validator change refused (unknown validator, empty set, ...)",
    Code.QUERY_BAD_PATH: "unknown query path or malformed argument",
    Code.QUERY_NOT_FOUND: "nothing stored under this path",
    Code.QUERY_BAD_HEIGHT: "height not available (future or pruned)",
    Code.COMMODITY_UNKNOWN: "no commodity with this code in the catalogue",
    Code.COMMODITY_INACTIVE: "commodity is withdrawn from trading (no new purchases or prices)",
    Code.NOT_KYC_TRADER: "buyer or seller is not a KYC-registered account with the trader role",
    Code.PARTY_FROZEN: "the buyer, seller or origin sovereign of the purchase is frozen",
    Code.NOT_SOVEREIGN: "address is not a registered sovereign (origin, or the FT converter)",
    Code.DEADLINE_INVALID: "ship_by must be after this block, verify_by at or after ship_by, "
    "both within max_deadline_blocks",
    Code.PURCHASE_VALUE_INVALID: "quantity x unit price rounds to zero PT",
    Code.SELF_TRADE: "buyer and seller are the same account",
    Code.PURCHASE_NOT_FOUND: "no purchase with this id",
    Code.NOT_AUTHORIZED: "signer is not the party this step belongs to (or is a party "
    "attesting its own purchase)",
    Code.WRONG_STATUS: "the purchase's status does not allow this step",
    Code.DEADLINE_PASSED: "ship_by or verify_by has passed",
    Code.NOT_VERIFIER: "signer does not hold the verifier role",
    Code.KIND_NOT_REQUIRED: "the commodity does not require this verification kind",
    Code.ALREADY_ATTESTED: "verifier already attested this kind for this purchase",
    Code.KIND_DECIDED: "this kind already reached its quorum",
    Code.NOT_ORACLE: "signer is not in the oracle set",
    Code.ROUND_INVALID: "round is not the current price round",
    Code.ALREADY_SUBMITTED: "oracle already submitted a price for this commodity and round",
    Code.FT_INSUFFICIENT: "FT balance below the amount",
    Code.CONVERSION_CAP: "conversion would exceed the sovereign's cap for the rolling window",
    Code.RESERVE_INSUFFICIENT: "the Foundation reserve cannot pay the conversion",
    Code.CONVERSION_TOO_SMALL: "amount converts to zero PT at the current rate",
    Code.NOT_VALIDATOR_ROLE: "signer is not a KYC-registered account with the validator role",
    Code.OPERATOR_EXISTS: "signer is already a validator operator",
    Code.OPERATOR_NOT_FOUND: "no validator operator at this address",
    Code.CONSENSUS_KEY_IN_USE: "the consensus key belongs to another operator or validator",
    Code.SELF_BOND_TOO_LOW: "self-bond below the min_self_bond param",
    Code.DELEGATION_NOT_FOUND: "the signer has no delegation to this operator",
    Code.INSUFFICIENT_STAKE: "the delegation is worth less than the amount",
    Code.TOO_MANY_ENTRIES: "the delegator already has max_entries unbondings (or redelegations)",
    Code.AMOUNT_TOO_SMALL: "the amount is worth less than one share (or one base unit back)",
    Code.OPERATOR_TOMBSTONED: "the operator is tombstoned (double-signed or removed)",
    Code.NOT_JAILED: "the operator is not jailed",
    Code.STILL_JAILED: "the jail term has not ended yet",
    Code.REDELEGATION_IN_PROGRESS: "stake redelegated into the source is still maturing",
    Code.NO_REWARDS: "nothing to withdraw",
    Code.COMMISSION_CHANGE: "the commission moves by more than max_change_bps, or changed "
    "less than an epoch ago",
}


def refused(code: int) -> bool:
    """Codes 1-19: the tx was refused as a whole (no fee, no nonce)."""
    return 0 < code < 20


class TxError(Exception):
    """A tx (or one of its messages) is refused: a code from the table and a readable log."""

    __slots__ = ("code", "log")

    def __init__(self, code: Code, log: str) -> None:
        super().__init__(log)
        self.code = code
        self.log = log


def render_table() -> str:
    """The code table as Markdown (README)."""
    rows = ["| code | name | meaning |", "| ---: | --- | --- |"]
    rows += [f"| {c.value} | `{c.name}` | {DESCRIPTIONS[c]} |" for c in Code]
    return "\n".join(rows)
