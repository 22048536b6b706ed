"""A dossier's history told to its applicant, in plain Vietnamese, with no officials' names."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from motcua.documents.templatetags.vndates import human_datetime
from motcua.dossiers.lifecycle import EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent

_TEXTS: dict[EventKind, str] = {
    EventKind.SUBMIT: "Hồ sơ đã được nộp trực tuyến, đang chờ Bộ phận Một cửa tiếp nhận.",
    EventKind.RECEIVE: "Bộ phận Một cửa đã tiếp nhận hồ sơ.",
    EventKind.ACCEPT: "Hồ sơ nộp trực tuyến đã được tiếp nhận.",
    EventKind.REQUEST_COMPLETION: "Hồ sơ cần bổ sung, hoàn thiện trước khi được tiếp nhận: {note}",
    EventKind.REJECT_INTAKE: "Hồ sơ không được tiếp nhận. Lý do: {reason}",
    EventKind.HAND_OVER: "Hồ sơ được chuyển sang bước tiếp theo để giải quyết.",
    EventKind.REQUEST_SUPPLEMENT: (
        "Cơ quan giải quyết đề nghị bổ sung hồ sơ: {note}. Thời hạn tạm dừng cho đến khi nhận đủ."
    ),
    EventKind.SUPPLY: "Đã nhận hồ sơ bổ sung; hồ sơ tiếp tục được giải quyết.",
    EventKind.REQUEST_PAYMENT: "Đề nghị thực hiện nghĩa vụ tài chính (phí, lệ phí, thuế).",
    EventKind.PAY: "Đã thực hiện nghĩa vụ tài chính; hồ sơ tiếp tục được giải quyết.",
    EventKind.APOLOGIZE: "Cơ quan giải quyết xin lỗi vì chậm trễ và hẹn trả kết quả vào {new_due}. Lý do: {reason}",
    EventKind.RESOLVE: "Đã có kết quả giải quyết. Mời ông/bà nhận kết quả.",
    EventKind.REFUSE: "Hồ sơ bị từ chối giải quyết. Lý do: {reason}",
    EventKind.STOP: "Hồ sơ đã dừng giải quyết theo đề nghị của ông/bà (thông báo mẫu 05).",
    EventKind.RETURN: "Đã trả kết quả cho ông/bà.",
    EventKind.WITHDRAW: "Hồ sơ đã được rút theo đề nghị của người nộp.",
}


@dataclass(frozen=True)
class Line:
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class Pause:
    """The clock stands still: since when, why (the request's note) and what the citizen must do."""

    since: dt.datetime
    reason: str
    what: str


@dataclass(frozen=True)
class Extension:
    """An apology (form 04) gave a new date: the due date it extends, the new one, and why."""

    original_due: dt.datetime | None
    new_due: dt.datetime
    reason: str


_PAUSES = {
    Status.AWAITING_SUPPLEMENT: (EventKind.REQUEST_SUPPLEMENT, _lazy(
        "Ông/bà cần bổ sung hồ sơ theo đề nghị của cơ quan giải quyết. Thời hạn giải quyết được tính tiếp "
        "khi cơ quan nhận đủ hồ sơ bổ sung.")),
    Status.AWAITING_PAYMENT: (EventKind.REQUEST_PAYMENT, _lazy(
        "Ông/bà cần thực hiện nghĩa vụ tài chính (phí, lệ phí, thuế). Thời hạn giải quyết được tính tiếp "
        "khi ông/bà đã thực hiện.")),
}


def _latest(dossier: Dossier, action: EventKind) -> DossierEvent | None:
    return dossier.events.filter(action=action).order_by("-seq").first()


def clock_pause(dossier: Dossier) -> Pause | None:
    """While the clock is paused (awaiting a supplement or a payment): since when and why."""
    if dossier.paused_at is None or dossier.status not in _PAUSES:
        return None
    action, what = _PAUSES[Status(dossier.status)]
    event = _latest(dossier, action)
    reason = (event.note or event.reason) if event is not None else ""
    return Pause(since=dossier.paused_at, reason=reason or _("xem phiếu đề nghị gửi kèm"), what=str(what))


def extension(dossier: Dossier) -> Extension | None:
    """The new date of an apology, as an extension of the due date it moved."""
    if dossier.extended_due_at is None:
        return None
    event = _latest(dossier, EventKind.APOLOGIZE)
    original = dossier.due_at
    if event is not None and event.payload.get("original_due_at"):
        original = dt.datetime.fromisoformat(event.payload["original_due_at"])
    reason = event.reason if event is not None else ""
    return Extension(original_due=original, new_due=dossier.extended_due_at, reason=reason)


def citizen_timeline(dossier: Dossier) -> list[Line]:
    lines = []
    event: DossierEvent
    for event in dossier.events.order_by("seq"):
        template = _TEXTS.get(event.action)
        if template is None:
            continue
        text = template.format(
            note=event.note or "xem phiếu gửi kèm", reason=event.reason or "xem văn bản gửi kèm",
            new_due=human_datetime(event.payload.get("new_due_at")),
        )
        lines.append(Line(at=event.at, text=text))
    return lines


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' → 'Nguyễn V** A*': enough to recognise, not enough to identify."""
    words = name.split()
    if not words:
        return ""
    return " ".join([words[0]] + [w[0] + "*" * (len(w) - 1) for w in words[1:]])
