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
VOTE_OPTION_UNSPECIFIED: VoteOption
VOTE_OPTION_YES: VoteOption
VOTE_OPTION_NO: VoteOption
KYC_TIER_NONE: KycTier
KYC_TIER_BASIC: KycTier
KYC_TIER_ENHANCED: KycTier
KYC_TIER_CORPORATE: KycTier
KYC_TIER_SOVEREIGN: KycTier

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
    __slots__ = ("send", "multi_send", "propose", "vote")
    SEND_FIELD_NUMBER: _ClassVar[int]
    MULTI_SEND_FIELD_NUMBER: _ClassVar[int]
    PROPOSE_FIELD_NUMBER: _ClassVar[int]
    VOTE_FIELD_NUMBER: _ClassVar[int]
    send: MsgSend
    multi_send: MsgMultiSend
    propose: MsgPropose
    vote: MsgVote
    def __init__(self, send: _Optional[_Union[MsgSend, _Mapping]] = ..., multi_send: _Optional[_Union[MsgMultiSend, _Mapping]] = ..., propose: _Optional[_Union[MsgPropose, _Mapping]] = ..., vote: _Optional[_Union[MsgVote, _Mapping]] = ...) -> None: ...

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

class ValidatorPower(_message.Message):
    __slots__ = ("pub_key", "power")
    PUB_KEY_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    pub_key: bytes
    power: int
    def __init__(self, pub_key: _Optional[bytes] = ..., power: _Optional[int] = ...) -> None: ...

class Params(_message.Message):
    __slots__ = ("base_fee", "fee_per_byte", "max_multisend_outputs", "tier_limits", "proposal_expiry_blocks", "blocked_jurisdictions")
    BASE_FEE_FIELD_NUMBER: _ClassVar[int]
    FEE_PER_BYTE_FIELD_NUMBER: _ClassVar[int]
    MAX_MULTISEND_OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    TIER_LIMITS_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_EXPIRY_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    BLOCKED_JURISDICTIONS_FIELD_NUMBER: _ClassVar[int]
    base_fee: int
    fee_per_byte: int
    max_multisend_outputs: int
    tier_limits: _containers.RepeatedScalarFieldContainer[int]
    proposal_expiry_blocks: int
    blocked_jurisdictions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, base_fee: _Optional[int] = ..., fee_per_byte: _Optional[int] = ..., max_multisend_outputs: _Optional[int] = ..., tier_limits: _Optional[_Iterable[int]] = ..., proposal_expiry_blocks: _Optional[int] = ..., blocked_jurisdictions: _Optional[_Iterable[str]] = ...) -> None: ...

class Action(_message.Message):
    __slots__ = ("register_entity", "update_entity", "freeze", "unfreeze", "update_params", "mint", "burn", "set_validator_power")
    REGISTER_ENTITY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_ENTITY_FIELD_NUMBER: _ClassVar[int]
    FREEZE_FIELD_NUMBER: _ClassVar[int]
    UNFREEZE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_PARAMS_FIELD_NUMBER: _ClassVar[int]
    MINT_FIELD_NUMBER: _ClassVar[int]
    BURN_FIELD_NUMBER: _ClassVar[int]
    SET_VALIDATOR_POWER_FIELD_NUMBER: _ClassVar[int]
    register_entity: Entity
    update_entity: Entity
    freeze: AccountRef
    unfreeze: AccountRef
    update_params: Params
    mint: TreasuryAmount
    burn: TreasuryAmount
    set_validator_power: ValidatorPower
    def __init__(self, register_entity: _Optional[_Union[Entity, _Mapping]] = ..., update_entity: _Optional[_Union[Entity, _Mapping]] = ..., freeze: _Optional[_Union[AccountRef, _Mapping]] = ..., unfreeze: _Optional[_Union[AccountRef, _Mapping]] = ..., update_params: _Optional[_Union[Params, _Mapping]] = ..., mint: _Optional[_Union[TreasuryAmount, _Mapping]] = ..., burn: _Optional[_Union[TreasuryAmount, _Mapping]] = ..., set_validator_power: _Optional[_Union[ValidatorPower, _Mapping]] = ...) -> None: ...
