"""A PAR plan task's lifecycle as one table on the shared mechanism. Overdue is computed, not a status."""
from __future__ import annotations

from enum import StrEnum

from motcua.roles import Role
from motcua.statemachine import Transition


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Action(StrEnum):
    START = "start"
    COMPLETE = "complete"
    REOPEN = "reopen"
    CANCEL = "cancel"


STATUS_LABELS = {Status.NOT_STARTED: "Chưa triển khai", Status.IN_PROGRESS: "Đang thực hiện",
                 Status.DONE: "Đã hoàn thành", Status.CANCELLED: "Không thực hiện (đã điều chỉnh)"}
ACTION_LABELS = {Action.START: "Bắt đầu thực hiện", Action.COMPLETE: "Báo cáo hoàn thành",
                 Action.REOPEN: "Mở lại (chưa hoàn thành)", Action.CANCEL: "Điều chỉnh, không thực hiện"}
EVENT_LABELS = {"create": "Giao nhiệm vụ", **ACTION_LABELS}
INPUT_LABELS = {"note": "Ghi chú", "evidence": "Sản phẩm, minh chứng", "reason": "Lý do"}

# Who acts on a task: the PAR focal officer, a head or the leader (of the owner agency, or of the plan's unit or a
# unit above it), and the administrator; only a leader (or the administrator) cancels or reopens.
OWNERS = frozenset({Role.PAR_OFFICER, Role.HEAD, Role.LEADER, Role.ADMIN, Role.SYSTEM})
LEADERS = frozenset({Role.LEADER, Role.ADMIN, Role.SYSTEM})

TABLE: dict[Status, dict[Action, Transition]] = {
    Status.NOT_STARTED: {
        Action.START: Transition(Status.IN_PROGRESS, OWNERS, (), ("note",)),
        Action.COMPLETE: Transition(Status.DONE, OWNERS, ("evidence",), ("note",)),
        Action.CANCEL: Transition(Status.CANCELLED, LEADERS, ("reason",), ()),
    },
    Status.IN_PROGRESS: {
        Action.COMPLETE: Transition(Status.DONE, OWNERS, ("evidence",), ("note",)),
        Action.CANCEL: Transition(Status.CANCELLED, LEADERS, ("reason",), ()),
    },
    Status.DONE: {Action.REOPEN: Transition(Status.IN_PROGRESS, LEADERS, ("reason",), ())},
    Status.CANCELLED: {},
}
