"""The dossier lifecycle as one table (domain.md §5).

``TABLE[status][action] = Transition(next_status, roles)``. The services (the only writer),
the officials' screens (which buttons to show) and the API (which operations exist) all read
this table; nothing else decides what may happen to a dossier.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"  # online, awaiting intake
    REJECTED_INTAKE = "rejected_intake"  # refused at intake: never counted as received
    RECEIVED = "received"
    IN_PROCESSING = "in_processing"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    AWAITING_PAYMENT = "awaiting_payment"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REFUSED = "refused"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    REQUEST_COMPLETION = "request_completion"  # at intake, once, listing everything (form 02)
    ACCEPT = "accept"  # intake of an online dossier
    REJECT_INTAKE = "reject_intake"  # form 03
    HAND_OVER = "hand_over"  # to the next step / agency (control slip)
    REQUEST_SUPPLEMENT = "request_supplement"  # during processing; the clock stops
    SUPPLY = "supply"  # the documents arrive; the clock resumes or restarts
    REQUEST_PAYMENT = "request_payment"  # financial obligations; the clock stops
    PAY = "pay"
    APOLOGIZE = "apologize"  # apology and new date (form 04), once, before the due instant
    RESOLVE = "resolve"  # result ready
    REFUSE = "refuse"  # refusal with reasons, a result of its own
    STOP = "stop"  # notice of stopping processing (regimes that allow it)
    RETURN = "return"  # the result reaches the applicant
    WITHDRAW = "withdraw"  # by the applicant


STATUS_LABELS: dict[Status, str] = {
    Status.SUBMITTED: "Đã nộp trực tuyến, chờ tiếp nhận",
    Status.REJECTED_INTAKE: "Từ chối tiếp nhận",
    Status.RECEIVED: "Đã tiếp nhận",
    Status.IN_PROCESSING: "Đang giải quyết",
    Status.AWAITING_SUPPLEMENT: "Chờ bổ sung hồ sơ",
    Status.AWAITING_PAYMENT: "Chờ thực hiện nghĩa vụ tài chính",
    Status.RESULT_READY: "Đã có kết quả",
    Status.RETURNED: "Đã trả kết quả",
    Status.REFUSED: "Từ chối giải quyết",
    Status.STOPPED: "Dừng xử lý",
    Status.WITHDRAWN: "Công dân rút hồ sơ",
}

ACTION_LABELS: dict[Action, str] = {
    Action.REQUEST_COMPLETION: "Yêu cầu bổ sung, hoàn thiện (mẫu 02)",
    Action.ACCEPT: "Tiếp nhận hồ sơ",
    Action.REJECT_INTAKE: "Từ chối tiếp nhận (mẫu 03)",
    Action.HAND_OVER: "Chuyển bước tiếp theo",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    Action.SUPPLY: "Đã nhận hồ sơ bổ sung",
    Action.REQUEST_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Action.PAY: "Đã thực hiện nghĩa vụ tài chính",
    Action.APOLOGIZE: "Xin lỗi và hẹn lại ngày trả (mẫu 04)",
    Action.RESOLVE: "Có kết quả giải quyết",
    Action.REFUSE: "Từ chối giải quyết",
    Action.STOP: "Dừng xử lý hồ sơ",
    Action.RETURN: "Trả kết quả",
    Action.WITHDRAW: "Rút hồ sơ theo đề nghị của công dân",
}

COUNTER = "counter"
SPECIALIST = "specialist"
HEAD = "head"
LEADER = "leader"
APPLICANT = "applicant"  # the citizen, through the portal
SYSTEM = "system"  # integrations with a token, and the legacy import

ROLE_LABELS: dict[str, str] = {
    COUNTER: "Cán bộ một cửa", SPECIALIST: "Chuyên viên", HEAD: "Lãnh đạo phòng", LEADER: "Lãnh đạo cơ quan",
    APPLICANT: "Người nộp hồ sơ", SYSTEM: "Hệ thống",
}


@dataclass(frozen=True)
class Transition:
    to: Status
    roles: frozenset[str]


def _t(to: Status, *roles: str) -> Transition:
    return Transition(to, frozenset(roles) | {SYSTEM})


_WITHDRAW = _t(Status.WITHDRAWN, COUNTER, APPLICANT)
_APOLOGIZE_ROLES = (HEAD, LEADER)

TABLE: dict[Status, dict[Action, Transition]] = {
    Status.SUBMITTED: {
        Action.REQUEST_COMPLETION: _t(Status.SUBMITTED, COUNTER),
        Action.ACCEPT: _t(Status.RECEIVED, COUNTER),
        Action.REJECT_INTAKE: _t(Status.REJECTED_INTAKE, COUNTER),
        Action.WITHDRAW: _WITHDRAW,
    },
    Status.RECEIVED: {
        Action.HAND_OVER: _t(Status.IN_PROCESSING, COUNTER, SPECIALIST, HEAD),
        Action.APOLOGIZE: _t(Status.RECEIVED, *_APOLOGIZE_ROLES),
        Action.WITHDRAW: _WITHDRAW,
    },
    Status.IN_PROCESSING: {
        Action.HAND_OVER: _t(Status.IN_PROCESSING, COUNTER, SPECIALIST, HEAD, LEADER),
        Action.REQUEST_SUPPLEMENT: _t(Status.AWAITING_SUPPLEMENT, SPECIALIST, HEAD),
        Action.REQUEST_PAYMENT: _t(Status.AWAITING_PAYMENT, SPECIALIST, HEAD),
        Action.APOLOGIZE: _t(Status.IN_PROCESSING, *_APOLOGIZE_ROLES),
        Action.RESOLVE: _t(Status.RESULT_READY, HEAD, LEADER),
        Action.REFUSE: _t(Status.REFUSED, HEAD, LEADER),
        Action.STOP: _t(Status.STOPPED, HEAD, LEADER),
        Action.WITHDRAW: _WITHDRAW,
    },
    Status.AWAITING_SUPPLEMENT: {
        Action.SUPPLY: _t(Status.IN_PROCESSING, COUNTER, SPECIALIST, APPLICANT),
        Action.APOLOGIZE: _t(Status.AWAITING_SUPPLEMENT, *_APOLOGIZE_ROLES),
        Action.WITHDRAW: _WITHDRAW,
    },
    Status.AWAITING_PAYMENT: {
        Action.PAY: _t(Status.IN_PROCESSING, COUNTER, SPECIALIST, APPLICANT),
        Action.APOLOGIZE: _t(Status.AWAITING_PAYMENT, *_APOLOGIZE_ROLES),
        Action.WITHDRAW: _WITHDRAW,
    },
    Status.RESULT_READY: {
        Action.RETURN: _t(Status.RETURNED, COUNTER),
    },
    Status.REFUSED: {
        Action.RETURN: _t(Status.RETURNED, COUNTER),
    },
    Status.STOPPED: {},
    Status.RETURNED: {},
    Status.REJECTED_INTAKE: {},
    Status.WITHDRAWN: {},
}

# States in which the dossier has been received and the agency has not yet finished.
OPEN_STATES = frozenset(
    {Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT}
)
# States in which the clock is stopped, waiting for the citizen.
PAUSED_STATES = frozenset({Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT})
# Actions that finish the agency's work (the outcome is decided by the date of these).
FINISHING_ACTIONS = {Action.RESOLVE: "approved", Action.REFUSE: "refused", Action.STOP: "stopped"}


def allowed_actions(status: str, roles: set[str] | frozenset[str] | None = None) -> list[Action]:
    """Actions possible from ``status``; with ``roles``, only those one of the roles may take."""
    row = TABLE[Status(status)]
    return [a for a, t in row.items() if roles is None or t.roles & set(roles)]


def transition(status: str, action: str) -> Transition | None:
    return TABLE[Status(status)].get(Action(action))
