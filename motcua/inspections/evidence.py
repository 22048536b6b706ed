"""Evidence for an inspection of a one-stop section, taken in one click from motcua's own data for the
inspected unit (and the units under it) over the period inspected, and frozen with the instant:

- report 06 (the official periodic report): its totals, and the xlsx as it was;
- the late dossiers without an apology (form 04): finished after their due date, or still open
  and overdue at the end of the period, with no ``apologize`` event — their codes;
- the logbook of the unit's one-stop section(s): the number of entries, and the xlsx;
- the 766 index: its score and points.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from motcua.dossiers.lifecycle import OPEN_STATES, EventKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.inspections.lifecycle import EventKind as InspectionEventKind
from motcua.inspections.models import Evidence, Inspection
from motcua.inspections.services import acting_roles, append_event
from motcua.statemachine import Forbidden, InvalidInput
from motcua.units import scoping
from motcua.units.models import Agency
from motcua.workdays import TZ

LISTED = 500  # codes kept in the frozen list (the count is always exact)


def _bounds(inspection: Inspection) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(inspection.period_from, dt.time.min, tzinfo=TZ),
            dt.datetime.combine(inspection.period_to + dt.timedelta(days=1), dt.time.min, tzinfo=TZ))


def late_without_apology(inspection: Inspection) -> dict[str, Any]:
    start, end = _bounds(inspection)
    units = scoping.descendant_unit_ids(inspection.unit)
    apologized = DossierEvent.objects.filter(dossier=OuterRef("pk"), action=EventKind.APOLOGIZE)
    qs = Dossier.objects.filter(unit_id__in=units, received_at__gte=start, received_at__lt=end, imported=False)
    qs = qs.annotate(due_day=TruncDate("due_at", tzinfo=TZ), done_day=TruncDate("finished_at", tzinfo=TZ))
    late_finished = Q(finished_at__isnull=False, finished_at__lt=end, done_day__gt=F("due_day"))
    # Overdue at the end of the period: due before its last day, not finished by then, not waiting for the
    # citizen since before its due instant.
    not_paused = Q(paused_at__isnull=True) | Q(paused_at__gt=F("due_at"))
    still_open = (Q(withdrawn_at__isnull=True, due_day__lt=inspection.period_to) & not_paused
                  & (Q(finished_at__isnull=True, status__in=list(OPEN_STATES)) | Q(finished_at__gte=end)))
    late = qs.filter(late_finished | still_open).filter(~Exists(apologized)).order_by("received_at")
    codes = list(late.values_list("code", flat=True)[:LISTED])
    return {"count": late.count(), "codes": codes}


def _report06(inspection: Inspection) -> tuple[dict[str, Any], bytes]:
    from motcua.reports.exports import to_xlsx
    from motcua.reports.form06 import compute_form06

    report = compute_form06(inspection.unit.code, inspection.period_from, inspection.period_to)
    label = f"{inspection.period_from:%d/%m/%Y} – {inspection.period_to:%d/%m/%Y}"
    return {"totals": report["totals"], "as_of": report["as_of"]}, to_xlsx(report, label)


def _logbook(inspection: Inspection) -> tuple[dict[str, Any], bytes | None]:
    from motcua.documents.logbook import logbook_xlsx

    owner = inspection.agency or Agency.objects.filter(unit=inspection.unit, has_one_stop=True).order_by("code").first()
    start, end = _bounds(inspection)
    units = scoping.descendant_unit_ids(inspection.unit)
    entries = Dossier.objects.filter(unit_id__in=units, received_at__gte=start, received_at__lt=end).count()
    if owner is None:
        return {"entries": entries, "one_stop": None}, None
    return ({"entries": entries, "one_stop": owner.name},
            logbook_xlsx(owner, inspection.period_from, inspection.period_to))


def _index766(inspection: Inspection) -> dict[str, Any]:
    from motcua.quality.compute import QualityError, compute_index

    try:
        index = compute_index(inspection.unit.code, inspection.period_from, inspection.period_to)
    except QualityError as exc:
        return {"error": str(exc)}
    return {"score": index["score"], "points": index["points"], "computed_max": index["computed_max"],
            "max_points": index["max_points"], "indicator_set": index["indicator_set"]["code"],
            "groups": [{"code": g["code"], "name": g["name"], "points": g["points"], "max_points": g["max_points"]}
                       for g in index["groups"]]}


@transaction.atomic
def attach_all(inspection: Inspection, actor: Any = None, at: dt.datetime | None = None) -> list[Evidence]:
    """The four pieces of evidence for the inspection's unit and period, computed now and frozen."""
    at = at or timezone.now()
    if actor is not None and not acting_roles(actor, inspection):
        raise Forbidden("Chỉ thanh tra của cuộc kiểm tra được đính kèm bằng chứng.")
    if inspection.status == "cancelled":
        raise InvalidInput("Cuộc kiểm tra đã hủy.", field="inspection")
    made = []
    summary, data = _report06(inspection)
    made.append(_save(inspection, Evidence.Kind.REPORT06, summary, at, data, "bao-cao-06"))
    made.append(_save(inspection, Evidence.Kind.LATE_WITHOUT_APOLOGY, late_without_apology(inspection), at))
    summary, book = _logbook(inspection)
    made.append(_save(inspection, Evidence.Kind.LOGBOOK, summary, at, book, "so-theo-doi"))
    made.append(_save(inspection, Evidence.Kind.INDEX766, _index766(inspection), at))
    append_event(inspection, InspectionEventKind.EVIDENCE, actor, at,
                 payload={e.kind: {k: v for k, v in e.summary.items() if k != "codes"} for e in made})
    return made


def _save(inspection: Inspection, kind: str, summary: dict[str, Any], at: dt.datetime, data: bytes | None = None,
          stem: str = "") -> Evidence:
    evidence = Evidence(inspection=inspection, kind=kind, summary=summary, computed_at=at)
    if data:
        evidence.file.save(f"{stem}-{inspection.code}-{at.astimezone(TZ):%Y%m%d%H%M}.xlsx", ContentFile(data),
                           save=False)
    evidence.save()
    return evidence
