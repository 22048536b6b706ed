"""A dossier's history told to its applicant, in plain Vietnamese, with no officials' names."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from motcua.dossiers.lifecycle import EventKind
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


def _format_instant(value: str | None) -> str:
    if not value:
        return ""
    instant = dt.datetime.fromisoformat(value)
    return timezone.localtime(instant).strftime("%H:%M ngày %d/%m/%Y")


def citizen_timeline(dossier: Dossier) -> list[Line]:
    lines = []
    event: DossierEvent
    for event in dossier.events.order_by("seq"):
        template = _TEXTS.get(event.action)
        if template is None:
            continue
        text = template.format(
            note=event.note or "xem phiếu gửi kèm", reason=event.reason or "xem văn bản gửi kèm",
            new_due=_format_instant(event.payload.get("new_due_at")),
        )
        lines.append(Line(at=event.at, text=text))
    return lines


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' → 'Nguyễn V** A*': enough to recognise, not enough to identify."""
    words = name.split()
    if not words:
        return ""
    return " ".join([words[0]] + [w[0] + "*" * (len(w) - 1) for w in words[1:]])
