"""The dossier lifecycle as one table (docs/domain.md §5), and the vocabulary of its history.

``TABLE[status][action] = Transition(next_status, roles, required inputs, optional inputs)``.
The conditions beyond the status (an apology still in time, a regime that has the stop notice, a
next step to hand over to...) are in ``motcua.dossiers.policy``, which makes this table the
dossiers' ``Lifecycle``: its decision function is what the screens offer, what the API lists
and what the services (the only writer) accept.
"""
from __future__ import annotations

from enum import StrEnum

from motcua.roles import Role
from motcua.statemachine import Transition


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
    STOP = "stop"  # stopped at the applicant's request, notice of stopping (regimes that have it, form 05)
    RETURN = "return"  # the result reaches the applicant
    WITHDRAW = "withdraw"  # by the applicant
    RECOMPUTE_DUE = "recompute_due"  # the calendar changed: the due instants replayed on the new one (system only)
    ASSIGN = "assign"  # the head names the officer who handles the current step; the status stays


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
    Status.STOPPED: "Dừng giải quyết theo đề nghị của người nộp",
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
    Action.STOP: "Dừng giải quyết theo đề nghị của người nộp (mẫu 05)",
    Action.RETURN: "Trả kết quả",
    Action.WITHDRAW: "Rút hồ sơ theo đề nghị của công dân",
    Action.RECOMPUTE_DUE: "Tính lại thời hạn do lịch làm việc thay đổi",
    Action.ASSIGN: "Giao cho cán bộ xử lý",
}

class EventKind(StrEnum):
    """Every kind of line in a dossier's history: the two ways a dossier starts, then one per action."""

    SUBMIT = "submit"  # submitted online, awaiting intake
    RECEIVE = "receive"  # received at the counter (or imported)
    REQUEST_COMPLETION = Action.REQUEST_COMPLETION.value
    ACCEPT = Action.ACCEPT.value
    REJECT_INTAKE = Action.REJECT_INTAKE.value
    HAND_OVER = Action.HAND_OVER.value
    REQUEST_SUPPLEMENT = Action.REQUEST_SUPPLEMENT.value
    SUPPLY = Action.SUPPLY.value
    REQUEST_PAYMENT = Action.REQUEST_PAYMENT.value
    PAY = Action.PAY.value
    APOLOGIZE = Action.APOLOGIZE.value
    RESOLVE = Action.RESOLVE.value
    REFUSE = Action.REFUSE.value
    STOP = Action.STOP.value
    RETURN = Action.RETURN.value
    WITHDRAW = Action.WITHDRAW.value
    RECOMPUTE_DUE = Action.RECOMPUTE_DUE.value
    ASSIGN = Action.ASSIGN.value


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.SUBMIT: "Nộp hồ sơ trực tuyến",
    EventKind.RECEIVE: "Tiếp nhận hồ sơ tại quầy",
    **{EventKind(a.value): label for a, label in ACTION_LABELS.items()},
}

# The roles, from the project's one vocabulary (motcua.roles).
COUNTER, SPECIALIST, HEAD, LEADER = Role.COUNTER, Role.SPECIALIST, Role.HEAD, Role.LEADER
APPLICANT, SYSTEM = Role.APPLICANT, Role.SYSTEM

# The inputs an action may take, with their labels (the screens' fields, the API's body).
INPUT_LABELS = {"note": "Ghi chú", "reason": "Lý do / căn cứ", "new_due_at": "Ngày hẹn trả mới",
                "agency": "Cơ quan nhận bước tiếp theo", "assignee": "Cán bộ được giao"}


def _t(to: Status, *roles: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ("note",)) -> Transition:
    """A move; the system (integrations, import, demo) may take every move; a note is always welcome."""
    return Transition(to, frozenset(roles) | {SYSTEM}, required, tuple(i for i in optional if i not in required))


_WITHDRAW = _t(Status.WITHDRAWN, COUNTER, APPLICANT, optional=("reason", "note"))
# The applicant asks; the one-stop section checks that no decision exists yet and records it.
_STOP = _t(Status.STOPPED, COUNTER, APPLICANT, optional=("reason", "note"))
_APOLOGIZE_ROLES = (HEAD, LEADER)
_APOLOGY_INPUTS = {"required": ("new_due_at", "reason"), "optional": ()}
_REASON = {"required": ("reason",), "optional": ()}
# Naming the officer of the current step: the head or leader of the step's agency; the status stays.
# The named user must hold an acting role at that agency (services); a hand-over may name one too.
_ASSIGN = {status: _t(status, HEAD, LEADER, required=("assignee",)) for status in (
    Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT)}
_HAND_OVER_INPUTS = ("agency", "assignee", "note")
# Only the system recomputes, with the calendar change's reason and basis; the status stays.
_RECOMPUTE = {status: Transition(status, frozenset({SYSTEM}), ("reason",), ()) for status in (
    Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT)}

TABLE: dict[Status, dict[Action, Transition]] = {
    Status.SUBMITTED: {
        Action.REQUEST_COMPLETION: _t(Status.SUBMITTED, COUNTER, required=("note",)),
        Action.ACCEPT: _t(Status.RECEIVED, COUNTER),
        Action.REJECT_INTAKE: _t(Status.REJECTED_INTAKE, COUNTER, **_REASON),
        Action.WITHDRAW: _WITHDRAW,
    },
    Status.RECEIVED: {
        Action.HAND_OVER: _t(Status.IN_PROCESSING, COUNTER, SPECIALIST, HEAD, optional=_HAND_OVER_INPUTS),
        Action.APOLOGIZE: _t(Status.RECEIVED, *_APOLOGIZE_ROLES, **_APOLOGY_INPUTS),
        Action.WITHDRAW: _WITHDRAW,
        Action.STOP: _STOP,
        Action.RECOMPUTE_DUE: _RECOMPUTE[Status.RECEIVED],
        Action.ASSIGN: _ASSIGN[Status.RECEIVED],
    },
    Status.IN_PROCESSING: {
        Action.HAND_OVER: _t(Status.IN_PROCESSING, COUNTER, SPECIALIST, HEAD, LEADER, optional=_HAND_OVER_INPUTS),
        Action.REQUEST_SUPPLEMENT: _t(Status.AWAITING_SUPPLEMENT, SPECIALIST, HEAD, required=("note",)),
        Action.REQUEST_PAYMENT: _t(Status.AWAITING_PAYMENT, SPECIALIST, HEAD, required=("note",)),
        Action.APOLOGIZE: _t(Status.IN_PROCESSING, *_APOLOGIZE_ROLES, **_APOLOGY_INPUTS),
        Action.RESOLVE: _t(Status.RESULT_READY, HEAD, LEADER),
        Action.REFUSE: _t(Status.REFUSED, HEAD, LEADER, **_REASON),
        Action.WITHDRAW: _WITHDRAW,
        Action.STOP: _STOP,
        Action.RECOMPUTE_DUE: _RECOMPUTE[Status.IN_PROCESSING],
        Action.ASSIGN: _ASSIGN[Status.IN_PROCESSING],
    },
    Status.AWAITING_SUPPLEMENT: {
        Action.SUPPLY: _t(Status.IN_PROCESSING, COUNTER, SPECIALIST, APPLICANT),
        Action.APOLOGIZE: _t(Status.AWAITING_SUPPLEMENT, *_APOLOGIZE_ROLES, **_APOLOGY_INPUTS),
        Action.WITHDRAW: _WITHDRAW,
        Action.STOP: _STOP,
        Action.RECOMPUTE_DUE: _RECOMPUTE[Status.AWAITING_SUPPLEMENT],
        Action.ASSIGN: _ASSIGN[Status.AWAITING_SUPPLEMENT],
    },
    Status.AWAITING_PAYMENT: {
        Action.PAY: _t(Status.IN_PROCESSING, COUNTER, SPECIALIST, APPLICANT),
        Action.APOLOGIZE: _t(Status.AWAITING_PAYMENT, *_APOLOGIZE_ROLES, **_APOLOGY_INPUTS),
        Action.WITHDRAW: _WITHDRAW,
        Action.STOP: _STOP,
        Action.RECOMPUTE_DUE: _RECOMPUTE[Status.AWAITING_PAYMENT],
        Action.ASSIGN: _ASSIGN[Status.AWAITING_PAYMENT],
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
FINISHING_ACTIONS = {Action.RESOLVE: "approved", Action.REFUSE: "refused"}
# Actions by which the applicant ends a dossier before its result (counted apart, as withdrawn).
CLOSING_ON_REQUEST = {Action.WITHDRAW: "withdrawn", Action.STOP: "stopped"}
# Actions whose event carries the due instant before and after (payload old_due_at, new_due_at).
RESUMING_ACTIONS = frozenset({Action.SUPPLY, Action.PAY})
PAUSING_ACTIONS = frozenset({Action.REQUEST_SUPPLEMENT, Action.REQUEST_PAYMENT})
