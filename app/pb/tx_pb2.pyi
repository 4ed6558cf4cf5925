from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VoteOption(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VOTE_OPTION_UNSPECIFIED: _ClassVar[VoteOption]
    VOTE_OPTION_YES: _ClassVar[VoteOption]
    VOTE_OPTION_NO: _ClassVar[VoteOption]

class KycTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_TIER_NONE: _ClassVar[KycTier]
    KYC_TIER_BASIC: _ClassVar[KycTier]
    KYC_TIER_ENHANCED: _ClassVar[KycTier]
    KYC_TIER_CORPORATE: _ClassVar[KycTier]
    KYC_TIER_SOVEREIGN: _ClassVar[KycTier]

class VerificationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERIFICATION_KIND_UNSPECIFIED: _ClassVar[VerificationKind]
    VERIFICATION_KIND_SHIPPING: _ClassVar[VerificationKind]
    VERIFICATION_KIND_CUSTOMS: _ClassVar[VerificationKind]
    VERIFICATION_KIND_QUALITY: _ClassVar[VerificationKind]

class Verdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERDICT_UNSPECIFIED: _ClassVar[Verdict]
    VERDICT_APPROVE: _ClassVar[Verdict]
    VERDICT_REJECT: _ClassVar[Verdict]

class Party(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTY_UNSPECIFIED: _ClassVar[Party]
    PARTY_BUYER: _ClassVar[Party]
    PARTY_SELLER: _ClassVar[Party]
VOTE_OPTION_UNSPECIFIED: VoteOption
VOTE_OPTION_YES: VoteOption
VOTE_OPTION_NO: VoteOption
KYC_TIER_NONE: KycTier
KYC_TIER_BASIC: KycTier
KYC_TIER_ENHANCED: KycTier
KYC_TIER_CORPORATE: KycTier
KYC_TIER_SOVEREIGN: KycTier
VERIFICATION_KIND_UNSPECIFIED: VerificationKind
VERIFICATION_KIND_SHIPPING: VerificationKind
VERIFICATION_KIND_CUSTOMS: VerificationKind
VERIFICATION_KIND_QUALITY: VerificationKind
VERDICT_UNSPECIFIED: Verdict
VERDICT_APPROVE: Verdict
VERDICT_REJECT: Verdict
PARTY_UNSPECIFIED: Party
PARTY_BUYER: Party
PARTY_SELLER: Party

class Tx(_message.Message):
    __slots__ = ("body_bytes", "auth_info_bytes", "signature")
    BODY_BYTES_FIELD_NUMBER: _ClassVar[int]
    AUTH_INFO_BYTES_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    body_bytes: bytes
    auth_info_bytes: bytes
    signature: bytes
    def __init__(self, body_bytes: _Optional[bytes] = ..., auth_info_bytes: _Optional[bytes] = ..., signature: _Optional[bytes] = ...) -> None: ...

class SignDoc(_message.Message):
    __slots__ = ("body_bytes", "auth_info_bytes", "chain_id")
    BODY_BYTES_FIELD_NUMBER: _ClassVar[int]
    AUTH_INFO_BYTES_FIELD_NUMBER: _ClassVar[int]
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    body_bytes: bytes
    auth_info_bytes: bytes
    chain_id: str
    def __init__(self, body_bytes: _Optional[bytes] = ..., auth_info_bytes: _Optional[bytes] = ..., chain_id: _Optional[str] = ...) -> None: ...

class TxBody(_message.Message):
    __slots__ = ("messages", "memo", "timeout_height")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Msg]
    memo: str
    timeout_height: int
    def __init__(self, messages: _Optional[_Iterable[_Union[Msg, _Mapping]]] = ..., memo: _Optional[str] = ..., timeout_height: _Optional[int] = ...) -> None: ...

class AuthInfo(_message.Message):
    __slots__ = ("public_key", "nonce", "fee")
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    public_key: bytes
    nonce: int
    fee: int
    def __init__(self, public_key: _Optional[bytes] = ..., nonce: _Optional[int] = ..., fee: _Optional[int] = ...) -> None: ...

class Msg(_message.Message):
    __slots__ = ("send", "multi_send", "propose", "vote", "create_purchase", "confirm_shipment", "attest", "dispute", "submit_price", "convert_ft", "create_validator", "delegate", "undelegate", "redelegate", "unjail", "withdraw_rewards", "edit_validator")
    SEND_FIELD_NUMBER: _ClassVar[int]
    MULTI_SEND_FIELD_NUMBER: _ClassVar[int]
    PROPOSE_FIELD_NUMBER: _ClassVar[int]
    VOTE_FIELD_NUMBER: _ClassVar[int]
    CREATE_PURCHASE_FIELD_NUMBER: _ClassVar[int]
    CONFIRM_SHIPMENT_FIELD_NUMBER: _ClassVar[int]
    ATTEST_FIELD_NUMBER: _ClassVar[int]
    DISPUTE_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    CONVERT_FT_FIELD_NUMBER: _ClassVar[int]
    CREATE_VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    DELEGATE_FIELD_NUMBER: _ClassVar[int]
    UNDELEGATE_FIELD_NUMBER: _ClassVar[int]
    REDELEGATE_FIELD_NUMBER: _ClassVar[int]
    UNJAIL_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_REWARDS_FIELD_NUMBER: _ClassVar[int]
    EDIT_VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    send: MsgSend
    multi_send: MsgMultiSend
    propose: MsgPropose
    vote: MsgVote
    create_purchase: MsgCreatePurchase
    confirm_shipment: MsgConfirmShipment
    attest: MsgAttest
    dispute: MsgDispute
    submit_price: MsgSubmitPrice
    convert_ft: MsgConvertFT
    create_validator: MsgCreateValidator
    delegate: MsgDelegate
    undelegate: MsgUndelegate
    redelegate: MsgRedelegate
    unjail: MsgUnjail
    withdraw_rewards: MsgWithdrawRewards
    edit_validator: MsgEditValidator
    def __init__(self, send: _Optional[_Union[MsgSend, _Mapping]] = ..., multi_send: _Optional[_Union[MsgMultiSend, _Mapping]] = ..., propose: _Optional[_Union[MsgPropose, _Mapping]] = ..., vote: _Optional[_Union[MsgVote, _Mapping]] = ..., create_purchase: _Optional[_Union[MsgCreatePurchase, _Mapping]] = ..., confirm_shipment: _Optional[_Union[MsgConfirmShipment, _Mapping]] = ..., attest: _Optional[_Union[MsgAttest, _Mapping]] = ..., dispute: _Optional[_Union[MsgDispute, _Mapping]] = ..., submit_price: _Optional[_Union[MsgSubmitPrice, _Mapping]] = ..., convert_ft: _Optional[_Union[MsgConvertFT, _Mapping]] = ..., create_validator: _Optional[_Union[MsgCreateValidator, _Mapping]] = ..., delegate: _Optional[_Union[MsgDelegate, _Mapping]] = ..., undelegate: _Optional[_Union[MsgUndelegate, _Mapping]] = ..., redelegate: _Optional[_Union[MsgRedelegate, _Mapping]] = ..., unjail: _Optional[_Union[MsgUnjail, _Mapping]] = ..., withdraw_rewards: _Optional[_Union[MsgWithdrawRewards, _Mapping]] = ..., edit_validator: _Optional[_Union[MsgEditValidator, _Mapping]] = ...) -> None: ...

class MsgSend(_message.Message):
    __slots__ = ("to", "amount")
    TO_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    to: bytes
    amount: int
    def __init__(self, to: _Optional[bytes] = ..., amount: _Optional[int] = ...) -> None: ...

class Output(_message.Message):
    __slots__ = ("address", "amount")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    amount: int
    def __init__(self, address: _Optional[bytes] = ..., amount: _Optional[int] = ...) -> None: ...

class MsgMultiSend(_message.Message):
    __slots__ = ("input", "outputs")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    input: int
    outputs: _containers.RepeatedCompositeFieldContainer[Output]
    def __init__(self, input: _Optional[int] = ..., outputs: _Optional[_Iterable[_Union[Output, _Mapping]]] = ...) -> None: ...

class MsgPropose(_message.Message):
    __slots__ = ("action", "summary")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    action: Action
    summary: str
    def __init__(self, action: _Optional[_Union[Action, _Mapping]] = ..., summary: _Optional[str] = ...) -> None: ...

class MsgVote(_message.Message):
    __slots__ = ("proposal_id", "option")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    OPTION_FIELD_NUMBER: _ClassVar[int]
    proposal_id: int
    option: VoteOption
    def __init__(self, proposal_id: _Optional[int] = ..., option: _Optional[_Union[VoteOption, str]] = ...) -> None: ...

class Entity(_message.Message):
    __slots__ = ("address", "tier", "jurisdiction", "roles")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    tier: KycTier
    jurisdiction: str
    roles: int
    def __init__(self, address: _Optional[bytes] = ..., tier: _Optional[_Union[KycTier, str]] = ..., jurisdiction: _Optional[str] = ..., roles: _Optional[int] = ...) -> None: ...

class AccountRef(_message.Message):
    __slots__ = ("address",)
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    def __init__(self, address: _Optional[bytes] = ...) -> None: ...

class TreasuryAmount(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: int
    def __init__(self, amount: _Optional[int] = ...) -> None: ...

class ValidatorOverride(_message.Message):
    __slots__ = ("operator",)
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    operator: bytes
    def __init__(self, operator: _Optional[bytes] = ...) -> None: ...

class Params(_message.Message):
    __slots__ = ("base_fee", "fee_per_byte", "max_multisend_outputs", "tier_limits", "proposal_expiry_blocks", "blocked_jurisdictions", "max_deadline_blocks", "max_expiries_per_block", "oracle_round_blocks", "oracle_max_deviation_bps", "oracle_max_age_rounds", "ft_conversion_rate_bps", "ft_conversion_cap", "ft_conversion_window_blocks", "epoch_blocks", "primary_slots", "secondary_slots", "power_reduction", "unbonding_blocks", "max_entries", "community_share_bps", "secondary_share_bps", "signed_window", "max_missed_blocks", "jail_blocks", "downtime_slash_bps", "double_sign_slash_bps", "min_self_bond")
    BASE_FEE_FIELD_NUMBER: _ClassVar[int]
    FEE_PER_BYTE_FIELD_NUMBER: _ClassVar[int]
    MAX_MULTISEND_OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    TIER_LIMITS_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_EXPIRY_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    BLOCKED_JURISDICTIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_DEADLINE_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    MAX_EXPIRIES_PER_BLOCK_FIELD_NUMBER: _ClassVar[int]
    ORACLE_ROUND_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    ORACLE_MAX_DEVIATION_BPS_FIELD_NUMBER: _ClassVar[int]
    ORACLE_MAX_AGE_ROUNDS_FIELD_NUMBER: _ClassVar[int]
    FT_CONVERSION_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    FT_CONVERSION_CAP_FIELD_NUMBER: _ClassVar[int]
    FT_CONVERSION_WINDOW_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    EPOCH_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_SLOTS_FIELD_NUMBER: _ClassVar[int]
    SECONDARY_SLOTS_FIELD_NUMBER: _ClassVar[int]
    POWER_REDUCTION_FIELD_NUMBER: _ClassVar[int]
    UNBONDING_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    MAX_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_SHARE_BPS_FIELD_NUMBER: _ClassVar[int]
    SECONDARY_SHARE_BPS_FIELD_NUMBER: _ClassVar[int]
    SIGNED_WINDOW_FIELD_NUMBER: _ClassVar[int]
    MAX_MISSED_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    JAIL_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    DOWNTIME_SLASH_BPS_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_SIGN_SLASH_BPS_FIELD_NUMBER: _ClassVar[int]
    MIN_SELF_BOND_FIELD_NUMBER: _ClassVar[int]
    base_fee: int
    fee_per_byte: int
    max_multisend_outputs: int
    tier_limits: _containers.RepeatedScalarFieldContainer[int]
    proposal_expiry_blocks: int
    blocked_jurisdictions: _containers.RepeatedScalarFieldContainer[str]
    max_deadline_blocks: int
    max_expiries_per_block: int
    oracle_round_blocks: int
    oracle_max_deviation_bps: int
    oracle_max_age_rounds: int
    ft_conversion_rate_bps: int
    ft_conversion_cap: int
    ft_conversion_window_blocks: int
    epoch_blocks: int
    primary_slots: int
    secondary_slots: int
    power_reduction: int
    unbonding_blocks: int
    max_entries: int
    community_share_bps: int
    secondary_share_bps: int
    signed_window: int
    max_missed_blocks: int
    jail_blocks: int
    downtime_slash_bps: int
    double_sign_slash_bps: int
    min_self_bond: int
    def __init__(self, base_fee: _Optional[int] = ..., fee_per_byte: _Optional[int] = ..., max_multisend_outputs: _Optional[int] = ..., tier_limits: _Optional[_Iterable[int]] = ..., proposal_expiry_blocks: _Optional[int] = ..., blocked_jurisdictions: _Optional[_Iterable[str]] = ..., max_deadline_blocks: _Optional[int] = ..., max_expiries_per_block: _Optional[int] = ..., oracle_round_blocks: _Optional[int] = ..., oracle_max_deviation_bps: _Optional[int] = ..., oracle_max_age_rounds: _Optional[int] = ..., ft_conversion_rate_bps: _Optional[int] = ..., ft_conversion_cap: _Optional[int] = ..., ft_conversion_window_blocks: _Optional[int] = ..., epoch_blocks: _Optional[int] = ..., primary_slots: _Optional[int] = ..., secondary_slots: _Optional[int] = ..., power_reduction: _Optional[int] = ..., unbonding_blocks: _Optional[int] = ..., max_entries: _Optional[int] = ..., community_share_bps: _Optional[int] = ..., secondary_share_bps: _Optional[int] = ..., signed_window: _Optional[int] = ..., max_missed_blocks: _Optional[int] = ..., jail_blocks: _Optional[int] = ..., downtime_slash_bps: _Optional[int] = ..., double_sign_slash_bps: _Optional[int] = ..., min_self_bond: _Optional[int] = ...) -> None: ...

class Requirement(_message.Message):
    __slots__ = ("kind", "quorum")
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUORUM_FIELD_NUMBER: _ClassVar[int]
    kind: VerificationKind
    quorum: int
    def __init__(self, kind: _Optional[_Union[VerificationKind, str]] = ..., quorum: _Optional[int] = ...) -> None: ...

class Commodity(_message.Message):
    __slots__ = ("code", "name", "unit", "decimals", "ft_rate_bps", "requirements", "active")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    DECIMALS_FIELD_NUMBER: _ClassVar[int]
    FT_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    unit: str
    decimals: int
    ft_rate_bps: int
    requirements: _containers.RepeatedCompositeFieldContainer[Requirement]
    active: bool
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., unit: _Optional[str] = ..., decimals: _Optional[int] = ..., ft_rate_bps: _Optional[int] = ..., requirements: _Optional[_Iterable[_Union[Requirement, _Mapping]]] = ..., active: _Optional[bool] = ...) -> None: ...

class MsgCreatePurchase(_message.Message):
    __slots__ = ("seller", "commodity", "quantity", "unit_price", "origin_sovereign", "ship_by", "verify_by")
    SELLER_FIELD_NUMBER: _ClassVar[int]
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_SOVEREIGN_FIELD_NUMBER: _ClassVar[int]
    SHIP_BY_FIELD_NUMBER: _ClassVar[int]
    VERIFY_BY_FIELD_NUMBER: _ClassVar[int]
    seller: bytes
    commodity: str
    quantity: int
    unit_price: int
    origin_sovereign: bytes
    ship_by: int
    verify_by: int
    def __init__(self, seller: _Optional[bytes] = ..., commodity: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[int] = ..., origin_sovereign: _Optional[bytes] = ..., ship_by: _Optional[int] = ..., verify_by: _Optional[int] = ...) -> None: ...

class MsgConfirmShipment(_message.Message):
    __slots__ = ("id", "document_hashes")
    ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_HASHES_FIELD_NUMBER: _ClassVar[int]
    id: bytes
    document_hashes: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, id: _Optional[bytes] = ..., document_hashes: _Optional[_Iterable[bytes]] = ...) -> None: ...

class MsgAttest(_message.Message):
    __slots__ = ("purchase", "kind", "verdict", "document_hash")
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_HASH_FIELD_NUMBER: _ClassVar[int]
    purchase: bytes
    kind: VerificationKind
    verdict: Verdict
    document_hash: bytes
    def __init__(self, purchase: _Optional[bytes] = ..., kind: _Optional[_Union[VerificationKind, str]] = ..., verdict: _Optional[_Union[Verdict, str]] = ..., document_hash: _Optional[bytes] = ...) -> None: ...

class MsgDispute(_message.Message):
    __slots__ = ("id", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: bytes
    reason: str
    def __init__(self, id: _Optional[bytes] = ..., reason: _Optional[str] = ...) -> None: ...

class MsgSubmitPrice(_message.Message):
    __slots__ = ("commodity", "round", "price")
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    commodity: str
    round: int
    price: int
    def __init__(self, commodity: _Optional[str] = ..., round: _Optional[int] = ..., price: _Optional[int] = ...) -> None: ...

class MsgConvertFT(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: int
    def __init__(self, amount: _Optional[int] = ...) -> None: ...

class DisputeRuling(_message.Message):
    __slots__ = ("purchase", "in_favor_of")
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    IN_FAVOR_OF_FIELD_NUMBER: _ClassVar[int]
    purchase: bytes
    in_favor_of: Party
    def __init__(self, purchase: _Optional[bytes] = ..., in_favor_of: _Optional[_Union[Party, str]] = ...) -> None: ...

class MsgCreateValidator(_message.Message):
    __slots__ = ("pub_key", "moniker", "commission_bps", "max_change_bps", "self_bond")
    PUB_KEY_FIELD_NUMBER: _ClassVar[int]
    MONIKER_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_BPS_FIELD_NUMBER: _ClassVar[int]
    MAX_CHANGE_BPS_FIELD_NUMBER: _ClassVar[int]
    SELF_BOND_FIELD_NUMBER: _ClassVar[int]
    pub_key: bytes
    moniker: str
    commission_bps: int
    max_change_bps: int
    self_bond: int
    def __init__(self, pub_key: _Optional[bytes] = ..., moniker: _Optional[str] = ..., commission_bps: _Optional[int] = ..., max_change_bps: _Optional[int] = ..., self_bond: _Optional[int] = ...) -> None: ...

class MsgDelegate(_message.Message):
    __slots__ = ("operator", "amount")
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    operator: bytes
    amount: int
    def __init__(self, operator: _Optional[bytes] = ..., amount: _Optional[int] = ...) -> None: ...

class MsgUndelegate(_message.Message):
    __slots__ = ("operator", "amount")
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    operator: bytes
    amount: int
    def __init__(self, operator: _Optional[bytes] = ..., amount: _Optional[int] = ...) -> None: ...

class MsgRedelegate(_message.Message):
    __slots__ = ("src", "dst", "amount")
    SRC_FIELD_NUMBER: _ClassVar[int]
    DST_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    src: bytes
    dst: bytes
    amount: int
    def __init__(self, src: _Optional[bytes] = ..., dst: _Optional[bytes] = ..., amount: _Optional[int] = ...) -> None: ...

class MsgUnjail(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MsgWithdrawRewards(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MsgEditValidator(_message.Message):
    __slots__ = ("moniker", "commission_bps")
    MONIKER_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_BPS_FIELD_NUMBER: _ClassVar[int]
    moniker: str
    commission_bps: int
    def __init__(self, moniker: _Optional[str] = ..., commission_bps: _Optional[int] = ...) -> None: ...

class Action(_message.Message):
    __slots__ = ("register_entity", "update_entity", "freeze", "unfreeze", "update_params", "mint", "burn", "jail_validator", "remove_validator", "set_commodity", "resolve_dispute", "fund_reserve")
    REGISTER_ENTITY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_ENTITY_FIELD_NUMBER: _ClassVar[int]
    FREEZE_FIELD_NUMBER: _ClassVar[int]
    UNFREEZE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_PARAMS_FIELD_NUMBER: _ClassVar[int]
    MINT_FIELD_NUMBER: _ClassVar[int]
    BURN_FIELD_NUMBER: _ClassVar[int]
    JAIL_VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    REMOVE_VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    SET_COMMODITY_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_DISPUTE_FIELD_NUMBER: _ClassVar[int]
    FUND_RESERVE_FIELD_NUMBER: _ClassVar[int]
    register_entity: Entity
    update_entity: Entity
    freeze: AccountRef
    unfreeze: AccountRef
    update_params: Params
    mint: TreasuryAmount
    burn: TreasuryAmount
    jail_validator: ValidatorOverride
    remove_validator: ValidatorOverride
    set_commodity: Commodity
    resolve_dispute: DisputeRuling
    fund_reserve: TreasuryAmount
    def __init__(self, register_entity: _Optional[_Union[Entity, _Mapping]] = ..., update_entity: _Optional[_Union[Entity, _Mapping]] = ..., freeze: _Optional[_Union[AccountRef, _Mapping]] = ..., unfreeze: _Optional[_Union[AccountRef, _Mapping]] = ..., update_params: _Optional[_Union[Params, _Mapping]] = ..., mint: _Optional[_Union[TreasuryAmount, _Mapping]] = ..., burn: _Optional[_Union[TreasuryAmount, _Mapping]] = ..., jail_validator: _Optional[_Union[ValidatorOverride, _Mapping]] = ..., remove_validator: _Optional[_Union[ValidatorOverride, _Mapping]] = ..., set_commodity: _Optional[_Union[Commodity, _Mapping]] = ..., resolve_dispute: _Optional[_Union[DisputeRuling, _Mapping]] = ..., fund_reserve: _Optional[_Union[TreasuryAmount, _Mapping]] = ...) -> None: ...
