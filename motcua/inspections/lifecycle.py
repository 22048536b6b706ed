"""An inspection's lifecycle as one table on the shared mechanism: planned → in progress → concluded
(or cancelled with a reason). Only inspectors (and the system) move it."""
from __future__ import annotations

from enum import StrEnum

from motcua.roles import Role
from motcua.statemachine import Transition


class Status(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"


class Action(StrEnum):
    START = "start"
    CONCLUDE = "conclude"
    CANCEL = "cancel"


class EventKind(StrEnum):
    PLAN = "plan"
    START = Action.START.value
    CONCLUDE = Action.CONCLUDE.value
    CANCEL = Action.CANCEL.value
    FINDING = "finding"
    EVIDENCE = "evidence"


STATUS_LABELS = {Status.PLANNED: "Đã lên kế hoạch", Status.IN_PROGRESS: "Đang kiểm tra",
                 Status.CONCLUDED: "Đã kết luận", Status.CANCELLED: "Đã hủy"}
ACTION_LABELS = {Action.START: "Bắt đầu làm việc", Action.CONCLUDE: "Kết luận kiểm tra",
                 Action.CANCEL: "Hủy cuộc kiểm tra"}
EVENT_LABELS = {
    EventKind.PLAN: "Lập cuộc kiểm tra",
    **{EventKind(a.value): label for a, label in ACTION_LABELS.items()},
    EventKind.FINDING: "Ghi nhận phát hiện",
    EventKind.EVIDENCE: "Đính kèm bằng chứng từ hệ thống",
}
INPUT_LABELS = {"note": "Ghi chú", "conclusion": "Kết luận", "reason": "Lý do"}

INSPECTORS = frozenset({Role.INSPECTOR, Role.SYSTEM})

TABLE: dict[Status, dict[Action, Transition]] = {
    Status.PLANNED: {
        Action.START: Transition(Status.IN_PROGRESS, INSPECTORS, (), ("note",)),
        Action.CANCEL: Transition(Status.CANCELLED, INSPECTORS, ("reason",), ()),
    },
    Status.IN_PROGRESS: {
        Action.CONCLUDE: Transition(Status.CONCLUDED, INSPECTORS, ("conclusion",), ("note",)),
        Action.CANCEL: Transition(Status.CANCELLED, INSPECTORS, ("reason",), ()),
    },
    Status.CONCLUDED: {},
    Status.CANCELLED: {},
}
