"""A PAR assessment's lifecycle as one table on the shared mechanism: the unit's PAR focal officer
submits the self-assessment; the appraisers appraise (scores and notes are entered before) and
publish; an appraiser may send it back with a reason."""
from __future__ import annotations

from enum import StrEnum

from motcua.roles import Role
from motcua.statemachine import Transition


class Status(StrEnum):
    DRAFT = "draft"
    SELF_ASSESSED = "self_assessed"
    APPRAISED = "appraised"
    PUBLISHED = "published"


class Action(StrEnum):
    SUBMIT = "submit"
    RETURN = "return"
    APPRAISE = "appraise"
    PUBLISH = "publish"


STATUS_LABELS = {Status.DRAFT: "Đang tự đánh giá", Status.SELF_ASSESSED: "Đã gửi tự đánh giá",
                 Status.APPRAISED: "Đã thẩm định", Status.PUBLISHED: "Đã công bố"}
ACTION_LABELS = {Action.SUBMIT: "Gửi kết quả tự đánh giá", Action.RETURN: "Trả lại để bổ sung",
                 Action.APPRAISE: "Hoàn thành thẩm định", Action.PUBLISH: "Công bố kết quả"}
EVENT_LABELS = {"create": "Lập bản đánh giá", "compute": "Tính các tiêu chí từ dữ liệu hệ thống",
                "score": "Chấm điểm", **ACTION_LABELS}
INPUT_LABELS = {"note": "Ghi chú", "reason": "Lý do"}

OFFICERS = frozenset({Role.PAR_OFFICER, Role.LEADER, Role.SYSTEM})
APPRAISERS = frozenset({Role.APPRAISER, Role.SYSTEM})

TABLE: dict[Status, dict[Action, Transition]] = {
    Status.DRAFT: {Action.SUBMIT: Transition(Status.SELF_ASSESSED, OFFICERS, (), ("note",))},
    Status.SELF_ASSESSED: {
        Action.APPRAISE: Transition(Status.APPRAISED, APPRAISERS, (), ("note",)),
        Action.RETURN: Transition(Status.DRAFT, APPRAISERS, ("reason",), ()),
    },
    Status.APPRAISED: {Action.PUBLISH: Transition(Status.PUBLISHED, APPRAISERS, (), ("note",))},
    Status.PUBLISHED: {},
}
