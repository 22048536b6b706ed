"""A recommendation's lifecycle as one table, on the shared mechanism (``motcua.statemachine``).

The addressee (the unit's leader, a head of one of its offices, its PAR focal officer) answers,
as often as needed, with documents; the body that made the recommendation (an inspector, a
council delegate or staff member, a PAR appraiser) closes it as done, drops it with a reason,
extends its deadline with a reason, or reopens it. Overdue is not a status: it is computed.
"""
from __future__ import annotations

from enum import StrEnum

from motcua.roles import Role
from motcua.statemachine import Transition


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Action(StrEnum):
    RESPOND = "respond"  # the addressee reports what it did, with documents
    CLOSE = "close"  # the issuer finds it done
    DROP = "drop"  # the issuer stops following it, with a reason
    EXTEND = "extend"  # the issuer gives a new deadline, with a reason
    REOPEN = "reopen"  # the issuer finds it was not done after all


class EventKind(StrEnum):
    RECOMMEND = "recommend"
    RESPOND = Action.RESPOND.value
    CLOSE = Action.CLOSE.value
    DROP = Action.DROP.value
    EXTEND = Action.EXTEND.value
    REOPEN = Action.REOPEN.value
    REMIND = "remind"  # a reminder was sent (before or on the deadline)


STATUS_LABELS = {
    Status.OPEN: "Chưa thực hiện",
    Status.IN_PROGRESS: "Đang thực hiện",
    Status.DONE: "Đã hoàn thành",
    Status.DROPPED: "Không tiếp tục theo dõi",
}
ACTION_LABELS = {
    Action.RESPOND: "Báo cáo kết quả thực hiện",
    Action.CLOSE: "Xác nhận đã hoàn thành",
    Action.DROP: "Không tiếp tục theo dõi",
    Action.EXTEND: "Gia hạn thực hiện",
    Action.REOPEN: "Mở lại (chưa hoàn thành)",
}
EVENT_LABELS = {
    EventKind.RECOMMEND: "Ban hành kiến nghị",
    **{EventKind(a.value): label for a, label in ACTION_LABELS.items()},
    EventKind.REMIND: "Nhắc hạn",
}
INPUT_LABELS = {"note": "Nội dung", "reason": "Lý do", "new_deadline": "Thời hạn mới"}

ADDRESSEE_ROLES = frozenset({Role.LEADER, Role.HEAD, Role.PAR_OFFICER})
ISSUER_ROLES = frozenset({Role.INSPECTOR, Role.COUNCIL, Role.APPRAISER})
SYSTEM = Role.SYSTEM


def _t(to: Status, roles: frozenset[str], required: tuple[str, ...] = ()) -> Transition:
    return Transition(to, roles | {SYSTEM}, required, ())


_RESPOND = _t(Status.IN_PROGRESS, ADDRESSEE_ROLES, ("note",))
_CLOSE = _t(Status.DONE, ISSUER_ROLES, ("note",))
_DROP = _t(Status.DROPPED, ISSUER_ROLES, ("reason",))

TABLE: dict[Status, dict[Action, Transition]] = {
    Status.OPEN: {
        Action.RESPOND: _RESPOND,
        Action.CLOSE: _CLOSE,
        Action.EXTEND: _t(Status.OPEN, ISSUER_ROLES, ("new_deadline", "reason")),
        Action.DROP: _DROP,
    },
    Status.IN_PROGRESS: {
        Action.RESPOND: _RESPOND,
        Action.CLOSE: _CLOSE,
        Action.EXTEND: _t(Status.IN_PROGRESS, ISSUER_ROLES, ("new_deadline", "reason")),
        Action.DROP: _DROP,
    },
    Status.DONE: {
        Action.REOPEN: _t(Status.IN_PROGRESS, ISSUER_ROLES, ("reason",)),
    },
    Status.DROPPED: {},
}
