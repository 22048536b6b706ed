"""Which transitions tell the applicant what, written to the outbox with the transition."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from django.utils import timezone

from motcua.dossiers.lifecycle import EventKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notifications.models import Notification

_state = threading.local()

# event action → (kind, subject, body template)
MESSAGES: dict[EventKind, tuple[str, str, str]] = {
    EventKind.RECEIVE: ("receipt", "Đã tiếp nhận hồ sơ {code}",
                "Hồ sơ {code} ({procedure}) đã được tiếp nhận lúc {at}. Hẹn trả kết quả: {due}."),
    EventKind.ACCEPT: ("receipt", "Đã tiếp nhận hồ sơ {code}",
               "Hồ sơ nộp trực tuyến {code} ({procedure}) đã được tiếp nhận lúc {at}. Hẹn trả kết quả: {due}."),
    EventKind.REQUEST_COMPLETION: ("completion_request", "Hồ sơ {code} cần bổ sung, hoàn thiện",
                           "Hồ sơ {code} cần bổ sung, hoàn thiện: {note}"),
    EventKind.REQUEST_SUPPLEMENT: ("completion_request", "Hồ sơ {code} cần bổ sung",
                           "Cơ quan giải quyết đề nghị bổ sung hồ sơ {code}: {note}"),
    EventKind.APOLOGIZE: ("apology", "Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}",
                  "Cơ quan giải quyết xin lỗi vì hồ sơ {code} chậm trễ ({reason}). Hẹn trả kết quả mới: {new_due}."),
    EventKind.RESOLVE: ("result_ready", "Hồ sơ {code} đã có kết quả",
                "Hồ sơ {code} ({procedure}) đã có kết quả. Mời ông/bà đến nhận hoặc xem trên cổng dịch vụ công."),
}


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """No messages for what happens inside (demo data, legacy import)."""
    previous = getattr(_state, "off", False)
    _state.off = True
    try:
        yield
    finally:
        _state.off = previous


def _fmt(instant: object) -> str:
    return timezone.localtime(instant).strftime("%H:%M ngày %d/%m/%Y") if instant else ""  # type: ignore[arg-type]


def on_event(dossier: Dossier, event: DossierEvent) -> None:
    """Called by the services inside the transition's transaction: the rows and their tasks are
    committed with the transition."""
    spec = MESSAGES.get(event.action)
    if spec is None or getattr(_state, "off", False):
        return
    kind, subject, body = spec
    values = {
        "code": dossier.code, "procedure": dossier.procedure.name, "at": _fmt(event.at), "due": _fmt(dossier.due_at),
        "note": event.note, "reason": event.reason, "new_due": _fmt(dossier.extended_due_at),
    }
    targets = [
        (Notification.Channel.EMAIL, dossier.applicant_email),
        (Notification.Channel.SMS, dossier.applicant_phone),
    ]
    from motcua.notifications.tasks import insert_and_queue

    notes = [
        Notification(dossier=dossier, event_seq=event.seq, kind=kind, channel=channel, recipient=recipient,
                     subject=subject.format(**values), body=body.format(**values))
        for channel, recipient in targets if recipient
    ]
    if notes:
        insert_and_queue(notes, using=dossier._state.db or "default")  # one INSERT and one task
