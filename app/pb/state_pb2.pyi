from app.pb import tx_pb2 as _tx_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProposalStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROPOSAL_STATUS_UNSPECIFIED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_PENDING: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_PASSED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_REJECTED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_EXPIRED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_FAILED: _ClassVar[ProposalStatus]

class PurchaseStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PURCHASE_STATUS_UNSPECIFIED: _ClassVar[PurchaseStatus]
    PURCHASE_STATUS_OPEN: _ClassVar[PurchaseStatus]
    PURCHASE_STATUS_SHIPPED: _ClassVar[PurchaseStatus]
    PURCHASE_STATUS_VERIFIED: _ClassVar[PurchaseStatus]
    PURCHASE_STATUS_SETTLED: _ClassVar[PurchaseStatus]
    PURCHASE_STATUS_DISPUTED: _ClassVar[PurchaseStatus]
    PURCHASE_STATUS_REJECTED: _ClassVar[PurchaseStatus]
    PURCHASE_STATUS_EXPIRED: _ClassVar[PurchaseStatus]
    PURCHASE_STATUS_REFUNDED: _ClassVar[PurchaseStatus]

class KindStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KIND_STATUS_UNSPECIFIED: _ClassVar[KindStatus]
    KIND_STATUS_PENDING: _ClassVar[KindStatus]
    KIND_STATUS_APPROVED: _ClassVar[KindStatus]
    KIND_STATUS_REJECTED: _ClassVar[KindStatus]
PROPOSAL_STATUS_UNSPECIFIED: ProposalStatus
PROPOSAL_STATUS_PENDING: ProposalStatus
PROPOSAL_STATUS_PASSED: ProposalStatus
PROPOSAL_STATUS_REJECTED: ProposalStatus
PROPOSAL_STATUS_EXPIRED: ProposalStatus
PROPOSAL_STATUS_FAILED: ProposalStatus
PURCHASE_STATUS_UNSPECIFIED: PurchaseStatus
PURCHASE_STATUS_OPEN: PurchaseStatus
PURCHASE_STATUS_SHIPPED: PurchaseStatus
PURCHASE_STATUS_VERIFIED: PurchaseStatus
PURCHASE_STATUS_SETTLED: PurchaseStatus
PURCHASE_STATUS_DISPUTED: PurchaseStatus
PURCHASE_STATUS_REJECTED: PurchaseStatus
PURCHASE_STATUS_EXPIRED: PurchaseStatus
PURCHASE_STATUS_REFUNDED: PurchaseStatus
KIND_STATUS_UNSPECIFIED: KindStatus
KIND_STATUS_PENDING: KindStatus
KIND_STATUS_APPROVED: KindStatus
KIND_STATUS_REJECTED: KindStatus

class Account(_message.Message):
    __slots__ = ("balance", "nonce", "tier", "jurisdiction", "roles", "frozen")
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    FROZEN_FIELD_NUMBER: _ClassVar[int]
    balance: int
    nonce: int
    tier: _tx_pb2.KycTier
    jurisdiction: str
    roles: int
    frozen: bool
    def __init__(self, balance: _Optional[int] = ..., nonce: _Optional[int] = ..., tier: _Optional[_Union[_tx_pb2.KycTier, str]] = ..., jurisdiction: _Optional[str] = ..., roles: _Optional[int] = ..., frozen: _Optional[bool] = ...) -> None: ...

class Supply(_message.Message):
    __slots__ = ("total",)
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    total: int
    def __init__(self, total: _Optional[int] = ...) -> None: ...

class ChainInfo(_message.Message):
    __slots__ = ("chain_id", "initial_height")
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    INITIAL_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    chain_id: str
    initial_height: int
    def __init__(self, chain_id: _Optional[str] = ..., initial_height: _Optional[int] = ...) -> None: ...

class Council(_message.Message):
    __slots__ = ("members", "threshold")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedScalarFieldContainer[bytes]
    threshold: int
    def __init__(self, members: _Optional[_Iterable[bytes]] = ..., threshold: _Optional[int] = ...) -> None: ...

class Proposal(_message.Message):
    __slots__ = ("id", "proposer", "action", "summary", "submit_height", "expiry_height", "yes", "no", "status", "final_height", "result")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROPOSER_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    YES_FIELD_NUMBER: _ClassVar[int]
    NO_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FINAL_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    id: int
    proposer: bytes
    action: _tx_pb2.Action
    summary: str
    submit_height: int
    expiry_height: int
    yes: _containers.RepeatedScalarFieldContainer[bytes]
    no: _containers.RepeatedScalarFieldContainer[bytes]
    status: ProposalStatus
    final_height: int
    result: str
    def __init__(self, id: _Optional[int] = ..., proposer: _Optional[bytes] = ..., action: _Optional[_Union[_tx_pb2.Action, _Mapping]] = ..., summary: _Optional[str] = ..., submit_height: _Optional[int] = ..., expiry_height: _Optional[int] = ..., yes: _Optional[_Iterable[bytes]] = ..., no: _Optional[_Iterable[bytes]] = ..., status: _Optional[_Union[ProposalStatus, str]] = ..., final_height: _Optional[int] = ..., result: _Optional[str] = ...) -> None: ...

class Validator(_message.Message):
    __slots__ = ("pub_key", "power")
    PUB_KEY_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    pub_key: bytes
    power: int
    def __init__(self, pub_key: _Optional[bytes] = ..., power: _Optional[int] = ...) -> None: ...

class ValidatorSet(_message.Message):
    __slots__ = ("validators",)
    VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    validators: _containers.RepeatedCompositeFieldContainer[Validator]
    def __init__(self, validators: _Optional[_Iterable[_Union[Validator, _Mapping]]] = ...) -> None: ...

class Purchase(_message.Message):
    __slots__ = ("id", "buyer", "seller", "commodity", "quantity", "unit_price", "value", "origin_sovereign", "ship_by", "verify_by", "status", "ft_rate_bps", "requirements", "created_height", "shipped_height", "verified_height", "closed_height", "document_hashes", "dispute_reason", "ft_issued", "create_tx", "outcome")
    ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    SELLER_FIELD_NUMBER: _ClassVar[int]
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_SOVEREIGN_FIELD_NUMBER: _ClassVar[int]
    SHIP_BY_FIELD_NUMBER: _ClassVar[int]
    VERIFY_BY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FT_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_HASHES_FIELD_NUMBER: _ClassVar[int]
    DISPUTE_REASON_FIELD_NUMBER: _ClassVar[int]
    FT_ISSUED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TX_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    id: bytes
    buyer: bytes
    seller: bytes
    commodity: str
    quantity: int
    unit_price: int
    value: int
    origin_sovereign: bytes
    ship_by: int
    verify_by: int
    status: PurchaseStatus
    ft_rate_bps: int
    requirements: _containers.RepeatedCompositeFieldContainer[_tx_pb2.Requirement]
    created_height: int
    shipped_height: int
    verified_height: int
    closed_height: int
    document_hashes: _containers.RepeatedScalarFieldContainer[bytes]
    dispute_reason: str
    ft_issued: int
    create_tx: bytes
    outcome: str
    def __init__(self, id: _Optional[bytes] = ..., buyer: _Optional[bytes] = ..., seller: _Optional[bytes] = ..., commodity: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[int] = ..., value: _Optional[int] = ..., origin_sovereign: _Optional[bytes] = ..., ship_by: _Optional[int] = ..., verify_by: _Optional[int] = ..., status: _Optional[_Union[PurchaseStatus, str]] = ..., ft_rate_bps: _Optional[int] = ..., requirements: _Optional[_Iterable[_Union[_tx_pb2.Requirement, _Mapping]]] = ..., created_height: _Optional[int] = ..., shipped_height: _Optional[int] = ..., verified_height: _Optional[int] = ..., closed_height: _Optional[int] = ..., document_hashes: _Optional[_Iterable[bytes]] = ..., dispute_reason: _Optional[str] = ..., ft_issued: _Optional[int] = ..., create_tx: _Optional[bytes] = ..., outcome: _Optional[str] = ...) -> None: ...

class Attestation(_message.Message):
    __slots__ = ("verifier", "verdict", "document_hash", "height")
    VERIFIER_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_HASH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    verifier: bytes
    verdict: _tx_pb2.Verdict
    document_hash: bytes
    height: int
    def __init__(self, verifier: _Optional[bytes] = ..., verdict: _Optional[_Union[_tx_pb2.Verdict, str]] = ..., document_hash: _Optional[bytes] = ..., height: _Optional[int] = ...) -> None: ...

class KindRequest(_message.Message):
    __slots__ = ("kind", "quorum", "status", "approvals", "rejections", "attestations")
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUORUM_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_FIELD_NUMBER: _ClassVar[int]
    ATTESTATIONS_FIELD_NUMBER: _ClassVar[int]
    kind: _tx_pb2.VerificationKind
    quorum: int
    status: KindStatus
    approvals: int
    rejections: int
    attestations: _containers.RepeatedCompositeFieldContainer[Attestation]
    def __init__(self, kind: _Optional[_Union[_tx_pb2.VerificationKind, str]] = ..., quorum: _Optional[int] = ..., status: _Optional[_Union[KindStatus, str]] = ..., approvals: _Optional[int] = ..., rejections: _Optional[int] = ..., attestations: _Optional[_Iterable[_Union[Attestation, _Mapping]]] = ...) -> None: ...

class Verification(_message.Message):
    __slots__ = ("purchase", "requested_height", "requests")
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    purchase: bytes
    requested_height: int
    requests: _containers.RepeatedCompositeFieldContainer[KindRequest]
    def __init__(self, purchase: _Optional[bytes] = ..., requested_height: _Optional[int] = ..., requests: _Optional[_Iterable[_Union[KindRequest, _Mapping]]] = ...) -> None: ...

class Price(_message.Message):
    __slots__ = ("commodity", "price", "round", "height", "suspect_price", "suspect_round", "last_round", "last_submissions", "last_outcome")
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SUSPECT_PRICE_FIELD_NUMBER: _ClassVar[int]
    SUSPECT_ROUND_FIELD_NUMBER: _ClassVar[int]
    LAST_ROUND_FIELD_NUMBER: _ClassVar[int]
    LAST_SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    LAST_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    commodity: str
    price: int
    round: int
    height: int
    suspect_price: int
    suspect_round: int
    last_round: int
    last_submissions: int
    last_outcome: str
    def __init__(self, commodity: _Optional[str] = ..., price: _Optional[int] = ..., round: _Optional[int] = ..., height: _Optional[int] = ..., suspect_price: _Optional[int] = ..., suspect_round: _Optional[int] = ..., last_round: _Optional[int] = ..., last_submissions: _Optional[int] = ..., last_outcome: _Optional[str] = ...) -> None: ...

class PricePoint(_message.Message):
    __slots__ = ("height", "round", "price", "submissions")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    height: int
    round: int
    price: int
    submissions: int
    def __init__(self, height: _Optional[int] = ..., round: _Optional[int] = ..., price: _Optional[int] = ..., submissions: _Optional[int] = ...) -> None: ...

class Sovereign(_message.Message):
    __slots__ = ("jurisdiction", "active", "balance", "issued", "converted", "issuances", "conversions", "registered_height")
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    ISSUED_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_FIELD_NUMBER: _ClassVar[int]
    ISSUANCES_FIELD_NUMBER: _ClassVar[int]
    CONVERSIONS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    jurisdiction: str
    active: bool
    balance: int
    issued: int
    converted: int
    issuances: int
    conversions: int
    registered_height: int
    def __init__(self, jurisdiction: _Optional[str] = ..., active: _Optional[bool] = ..., balance: _Optional[int] = ..., issued: _Optional[int] = ..., converted: _Optional[int] = ..., issuances: _Optional[int] = ..., conversions: _Optional[int] = ..., registered_height: _Optional[int] = ...) -> None: ...

class FtSupply(_message.Message):
    __slots__ = ("issued", "converted")
    ISSUED_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_FIELD_NUMBER: _ClassVar[int]
    issued: int
    converted: int
    def __init__(self, issued: _Optional[int] = ..., converted: _Optional[int] = ...) -> None: ...

class Issuance(_message.Message):
    __slots__ = ("sovereign", "purchase", "commodity", "value", "rate_bps", "amount", "height")
    SOVEREIGN_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    sovereign: bytes
    purchase: bytes
    commodity: str
    value: int
    rate_bps: int
    amount: int
    height: int
    def __init__(self, sovereign: _Optional[bytes] = ..., purchase: _Optional[bytes] = ..., commodity: _Optional[str] = ..., value: _Optional[int] = ..., rate_bps: _Optional[int] = ..., amount: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class Conversion(_message.Message):
    __slots__ = ("sovereign", "amount", "rate_bps", "pt_amount", "height")
    SOVEREIGN_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    PT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    sovereign: bytes
    amount: int
    rate_bps: int
    pt_amount: int
    height: int
    def __init__(self, sovereign: _Optional[bytes] = ..., amount: _Optional[int] = ..., rate_bps: _Optional[int] = ..., pt_amount: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class Operator(_message.Message):
    __slots__ = ("address", "pub_key", "moniker", "commission_bps", "max_change_bps", "tokens", "shares", "jailed", "jailed_until", "tombstoned", "missed", "window_pos", "reward_acc", "reward_carry", "outstanding", "commission", "created_height", "slashed", "commission_height")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PUB_KEY_FIELD_NUMBER: _ClassVar[int]
    MONIKER_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_BPS_FIELD_NUMBER: _ClassVar[int]
    MAX_CHANGE_BPS_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    JAILED_FIELD_NUMBER: _ClassVar[int]
    JAILED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    TOMBSTONED_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    WINDOW_POS_FIELD_NUMBER: _ClassVar[int]
    REWARD_ACC_FIELD_NUMBER: _ClassVar[int]
    REWARD_CARRY_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SLASHED_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    pub_key: bytes
    moniker: str
    commission_bps: int
    max_change_bps: int
    tokens: int
    shares: int
    jailed: bool
    jailed_until: int
    tombstoned: bool
    missed: int
    window_pos: int
    reward_acc: bytes
    reward_carry: int
    outstanding: int
    commission: int
    created_height: int
    slashed: int
    commission_height: int
    def __init__(self, address: _Optional[bytes] = ..., pub_key: _Optional[bytes] = ..., moniker: _Optional[str] = ..., commission_bps: _Optional[int] = ..., max_change_bps: _Optional[int] = ..., tokens: _Optional[int] = ..., shares: _Optional[int] = ..., jailed: _Optional[bool] = ..., jailed_until: _Optional[int] = ..., tombstoned: _Optional[bool] = ..., missed: _Optional[int] = ..., window_pos: _Optional[int] = ..., reward_acc: _Optional[bytes] = ..., reward_carry: _Optional[int] = ..., outstanding: _Optional[int] = ..., commission: _Optional[int] = ..., created_height: _Optional[int] = ..., slashed: _Optional[int] = ..., commission_height: _Optional[int] = ...) -> None: ...

class Delegation(_message.Message):
    __slots__ = ("shares", "reward_acc")
    SHARES_FIELD_NUMBER: _ClassVar[int]
    REWARD_ACC_FIELD_NUMBER: _ClassVar[int]
    shares: int
    reward_acc: bytes
    def __init__(self, shares: _Optional[int] = ..., reward_acc: _Optional[bytes] = ...) -> None: ...

class Unbonding(_message.Message):
    __slots__ = ("delegator", "operator", "creation_height", "completion_height", "initial", "balance")
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    CREATION_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    INITIAL_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    delegator: bytes
    operator: bytes
    creation_height: int
    completion_height: int
    initial: int
    balance: int
    def __init__(self, delegator: _Optional[bytes] = ..., operator: _Optional[bytes] = ..., creation_height: _Optional[int] = ..., completion_height: _Optional[int] = ..., initial: _Optional[int] = ..., balance: _Optional[int] = ...) -> None: ...

class Redelegation(_message.Message):
    __slots__ = ("delegator", "src", "dst", "creation_height", "completion_height", "initial", "shares_dst")
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    SRC_FIELD_NUMBER: _ClassVar[int]
    DST_FIELD_NUMBER: _ClassVar[int]
    CREATION_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    INITIAL_FIELD_NUMBER: _ClassVar[int]
    SHARES_DST_FIELD_NUMBER: _ClassVar[int]
    delegator: bytes
    src: bytes
    dst: bytes
    creation_height: int
    completion_height: int
    initial: int
    shares_dst: int
    def __init__(self, delegator: _Optional[bytes] = ..., src: _Optional[bytes] = ..., dst: _Optional[bytes] = ..., creation_height: _Optional[int] = ..., completion_height: _Optional[int] = ..., initial: _Optional[int] = ..., shares_dst: _Optional[int] = ...) -> None: ...

class Elected(_message.Message):
    __slots__ = ("operator", "tokens", "power")
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    operator: bytes
    tokens: int
    power: int
    def __init__(self, operator: _Optional[bytes] = ..., tokens: _Optional[int] = ..., power: _Optional[int] = ...) -> None: ...

class ElectedSet(_message.Message):
    __slots__ = ("height", "primaries", "secondaries")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    PRIMARIES_FIELD_NUMBER: _ClassVar[int]
    SECONDARIES_FIELD_NUMBER: _ClassVar[int]
    height: int
    primaries: _containers.RepeatedCompositeFieldContainer[Elected]
    secondaries: _containers.RepeatedCompositeFieldContainer[Elected]
    def __init__(self, height: _Optional[int] = ..., primaries: _Optional[_Iterable[_Union[Elected, _Mapping]]] = ..., secondaries: _Optional[_Iterable[_Union[Elected, _Mapping]]] = ...) -> None: ...

class StakePool(_message.Message):
    __slots__ = ("secondary_rewards", "next_id")
    SECONDARY_REWARDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_ID_FIELD_NUMBER: _ClassVar[int]
    secondary_rewards: int
    next_id: int
    def __init__(self, secondary_rewards: _Optional[int] = ..., next_id: _Optional[int] = ...) -> None: ...

class KeyValue(_message.Message):
    __slots__ = ("shard", "key", "value")
    SHARD_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    shard: str
    key: bytes
    value: bytes
    def __init__(self, shard: _Optional[str] = ..., key: _Optional[bytes] = ..., value: _Optional[bytes] = ...) -> None: ...

class KeyValues(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[KeyValue]
    def __init__(self, entries: _Optional[_Iterable[_Union[KeyValue, _Mapping]]] = ...) -> None: ...
