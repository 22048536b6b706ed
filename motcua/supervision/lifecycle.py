"""A supervision delegation's lifecycle as one table on the shared mechanism: planned → working →
reported (its report to the committee) → concluded; the council (members and staff) moves it."""
from __future__ import annotations

from enum import StrEnum

from motcua.roles import Role
from motcua.statemachine import Transition


class Status(StrEnum):
    PLANNED = "planned"
    WORKING = "working"
    REPORTED = "reported"
    CONCLUDED = "concluded"


class Action(StrEnum):
    START = "start"
    REPORT = "report"
    CONCLUDE = "conclude"


STATUS_LABELS = {Status.PLANNED: "Đã thành lập đoàn", Status.WORKING: "Đang giám sát",
                 Status.REPORTED: "Đã báo cáo kết quả", Status.CONCLUDED: "Đã có kết luận"}
ACTION_LABELS = {Action.START: "Bắt đầu làm việc", Action.REPORT: "Báo cáo kết quả giám sát với Ban",
                 Action.CONCLUDE: "Kết luận giám sát"}
EVENT_LABELS = {"create": "Thành lập đoàn giám sát", **ACTION_LABELS, "plan_sent": "Gửi nội dung, kế hoạch, đề cương",
                "session": "Thêm buổi làm việc", "programme_sent": "Gửi chương trình, thành phần đoàn",
                "publish": "Công khai"}
INPUT_LABELS = {"note": "Ghi chú", "findings": "Kết quả giám sát", "conclusion": "Kết luận"}

COUNCIL = frozenset({Role.COUNCIL, Role.SYSTEM})

TABLE: dict[Status, dict[Action, Transition]] = {
    Status.PLANNED: {Action.START: Transition(Status.WORKING, COUNCIL, (), ("note",))},
    Status.WORKING: {Action.REPORT: Transition(Status.REPORTED, COUNCIL, ("findings",), ("note",))},
    Status.REPORTED: {Action.CONCLUDE: Transition(Status.CONCLUDED, COUNCIL, ("conclusion",), ("note",))},
    Status.CONCLUDED: {},
}
