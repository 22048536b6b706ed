"""The only code that changes a recommendation: ``recommend`` makes one, ``perform`` applies an
action of the table (``lifecycle.TABLE``) through the shared lifecycle writer — one transaction
that locks the row, refuses a stale version, asks the decision function with the caller's acting
roles (``policy.acting_roles``), checks the inputs, runs the handler, bumps the version and
appends a typed event. Documents given with an action are stored in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from motcua.followup import policy
from motcua.followup.codes import next_code
from motcua.followup.lifecycle import INPUT_LABELS, Action, EventKind
from motcua.followup.models import (
    SOURCE_KINDS,
    Recommendation,
    RecommendationEvent,
    ResponseDocument,
    SourceKind,
)
from motcua.people import person_name
from motcua.portal import uploads
from motcua.roles import role_label
from motcua.statemachine import Conflict, Forbidden, InvalidInput, LifecycleError, NotAllowed
from motcua.statemachine.writer import Change, Writer
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import MINUTES_PER_WORKING_DAY, TZ

__all__ = ["Conflict", "Forbidden", "InvalidInput", "LifecycleError", "NotAllowed", "deadline_after", "perform",
           "recommend"]


def deadline_after(start: dt.datetime, days: int, unit: AdministrativeUnit | None, working: bool = True) -> dt.datetime:
    """The deadline ``days`` after ``start``: in working days on the unit's legal clock (the instant
    the working time is used up), or in calendar days (the end of that day, Vietnam's time)."""
    if days < 0:
        raise InvalidInput("Số ngày của thời hạn không được âm.", field="days")
    if working:
        calendar = calendar_for_unit(unit)
        return calendar.add_working_time(calendar.start_of_clock(start), days * MINUTES_PER_WORKING_DAY)
    day = start.astimezone(TZ).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TZ)


def resolve_source(text: str) -> models.Model | None:
    """``app_label.model:pk`` (e.g. ``inspections.finding:12``) → that object; None for an empty text."""
    if not text:
        return None
    try:
        label, pk = text.split(":", 1)
        app_label, model = label.split(".", 1)
        return ContentType.objects.get_by_natural_key(app_label, model).get_object_for_this_type(pk=int(pk))
    except (ValueError, ObjectDoesNotExist):
        raise InvalidInput(f"Nguồn kiến nghị không tồn tại: {text}.", field="source") from None


def _actor_label(actor: Any, role: str) -> str:
    return f"{person_name(actor)} ({role_label(role)})" if actor is not None else role_label(role)


@transaction.atomic
def recommend(
    *, source: models.Model | None, addressee_unit: AdministrativeUnit, text: str, deadline: dt.datetime,
    title: str = "", addressee_agency: Agency | None = None, actor: Any = None, at: dt.datetime | None = None,
    issuer_unit: AdministrativeUnit | None = None, issuer_name: str = "", deadline_basis: str = "",
    source_label: str = "", published: bool = False,
) -> Recommendation:
    """Record a recommendation made by an oversight body (``source``: a finding, a report…)."""
    at = at or timezone.now()
    text, title = (text or "").strip(), (title or "").strip()
    if not text:
        raise InvalidInput("Cần nhập nội dung kiến nghị.", field="text")
    if deadline is None or timezone.is_naive(deadline):
        raise InvalidInput("Thời hạn thực hiện phải là một thời điểm có múi giờ.", field="deadline")
    if deadline <= at:
        raise InvalidInput("Thời hạn thực hiện phải sau thời điểm ban hành kiến nghị.", field="deadline")
    if addressee_agency is not None and addressee_agency.unit_id != addressee_unit.pk:
        raise InvalidInput(f"Cơ quan {addressee_agency.code} không thuộc đơn vị được kiến nghị.",
                           field="addressee_agency")
    kind = SourceKind.OTHER
    source_type = None
    if source is not None:
        source_type = ContentType.objects.get_for_model(source)
        kind = SOURCE_KINDS.get(source_type.app_label, SourceKind.OTHER)
    rec = Recommendation.objects.create(
        code=next_code(f"KN-{at.astimezone(TZ).year}", 5), source_type=source_type,
        source_id=source.pk if source else None,
        source_kind=kind, source_label=(source_label or (str(source) if source is not None else ""))[:500],
        title=(title or text.splitlines()[0])[:300], text=text, issuer_unit=issuer_unit, issuer_name=issuer_name,
        addressee_unit=addressee_unit, addressee_agency=addressee_agency, deadline=deadline,
        deadline_basis=deadline_basis, published=published, created_by=actor if getattr(actor, "pk", None) else None,
        created_at=at, version=1, last_event_at=at,
    )
    RecommendationEvent.objects.create(
        recommendation=rec, seq=1, action=EventKind.RECOMMEND, at=at, actor=rec.created_by,
        actor_label=person_name(actor) if actor is not None else issuer_name, to_status=rec.status,
        note=text, payload={"deadline": deadline.isoformat()},
    )
    return rec


# --- handlers ----------------------------------------------------------------------------------------

def _store(rec: Recommendation, seq: int, upload: UploadedFile) -> ResponseDocument:
    try:
        content_type, ext = uploads.check(upload)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="documents") from None
    data = b"".join(upload.chunks())
    doc = ResponseDocument(recommendation=rec, event_seq=seq, original_name=(upload.name or "")[:255],
                           content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    doc.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(data), save=False)
    doc.save()
    return doc


def _h_documents(rec: Recommendation, c: Change) -> None:
    files: Sequence[UploadedFile] = c.get("documents") or ()
    stored = [_store(rec, rec.version + 1, f) for f in files]
    if stored:
        c.payload["documents"] = [{"name": d.original_name, "sha256": d.sha256} for d in stored]


def _h_close(rec: Recommendation, c: Change) -> None:
    _h_documents(rec, c)
    rec.closed_at = c.at


def _h_drop(rec: Recommendation, c: Change) -> None:
    rec.closed_at = c.at


def _h_reopen(rec: Recommendation, c: Change) -> None:
    rec.closed_at = None


def _h_extend(rec: Recommendation, c: Change) -> None:
    new = c.get("new_deadline")
    if not isinstance(new, dt.datetime) or timezone.is_naive(new):
        raise InvalidInput("Thời hạn mới phải là một thời điểm có múi giờ.", field="new_deadline")
    if new <= rec.deadline:
        raise InvalidInput("Thời hạn mới phải sau thời hạn hiện tại.", field="new_deadline")
    c.payload.update(old_deadline=rec.deadline.isoformat(), new_deadline=new.isoformat())
    rec.deadline = new


class RecommendationWriter(Writer):
    model = Recommendation
    event_model = RecommendationEvent
    subject_field = "recommendation"
    lifecycle = policy.RECOMMENDATIONS
    related = ("addressee_unit",)
    input_labels = INPUT_LABELS
    free_inputs = ("note", "documents")
    conflict_message = "Kiến nghị vừa được người khác cập nhật; hãy tải lại rồi thao tác."
    state_fields = ("deadline", "closed_at")
    handlers: ClassVar = {
        Action.RESPOND: _h_documents, Action.CLOSE: _h_close, Action.DROP: _h_drop,
        Action.EXTEND: _h_extend, Action.REOPEN: _h_reopen,
    }

    def event_fields(self, rec: Recommendation, change: Change) -> dict[str, Any]:
        return {"actor_label": _actor_label(change.actor, change.role), "note": change.get("note", ""),
                "reason": change.get("reason", "")}


_WRITER = RecommendationWriter()


def perform(
    rec: Recommendation | int, action: str, *, actor: Any = None, role: str | None = None,
    token_role: str | None = None, at: dt.datetime | None = None, expected_version: int | None = None,
    note: str = "", reason: str = "", new_deadline: dt.datetime | None = None, documents: Sequence[UploadedFile] = (),
) -> Recommendation:
    """Apply ``action``; raise a LifecycleError and change nothing if it is refused. ``role`` is for
    trusted code only (the demo, integrations' jobs); users act with their acting roles, an API token
    with its own role where its user holds it on the recommendation."""
    roles: Any = [role] if role is not None else (lambda r: policy.acting_roles(actor, r, token_role=token_role))
    inputs = {"note": note, "reason": reason, "new_deadline": new_deadline, "documents": list(documents) or None}
    return _WRITER.perform(rec, action, roles=roles, actor=actor, at=at, expected_version=expected_version,
                           inputs={k: v for k, v in inputs.items() if v not in (None, "")})

