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
PROPOSAL_STATUS_UNSPECIFIED: ProposalStatus
PROPOSAL_STATUS_PENDING: ProposalStatus
PROPOSAL_STATUS_PASSED: ProposalStatus
PROPOSAL_STATUS_REJECTED: ProposalStatus
PROPOSAL_STATUS_EXPIRED: ProposalStatus
PROPOSAL_STATUS_FAILED: ProposalStatus

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
