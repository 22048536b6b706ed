"""Evidence for an inspection of a one-stop section, taken in one click from motcua's own data for the
inspected unit (and the units under it) over the period inspected, and frozen with the instant:

- report 06 (the official periodic report): its totals, and the xlsx as it was;
- the late dossiers without an apology (form 04): finished after their due date, or still open
  and overdue at the end of the period, with no ``apologize`` event — their codes;
- the logbook of the unit's one-stop section(s): the number of entries, and the xlsx;
- the 766 index: its score and points.

Each is an ``EvidenceLink`` with the parameters it was computed with (unit code, agency code, from,
to) and the address of the live document (report 06 and the 766 index on the statistics screens,
the logbook of the one-stop section, the live list of late dossiers without an apology on the
inspection's own page), which shows today's figures for the same parameters.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from motcua.dossiers.lifecycle import OPEN_STATES, EventKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.inspections.lifecycle import EventKind as InspectionEventKind
from motcua.inspections.models import EvidenceLink, Inspection
from motcua.inspections.services import OPEN, acting_roles, append_event
from motcua.statemachine import Forbidden, NotAllowed
from motcua.units import scoping
from motcua.units.models import Agency
from motcua.workdays import TZ

LISTED = 500  # codes kept in the frozen list (the count is always exact)


def _bounds(inspection: Inspection) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(inspection.period_from, dt.time.min, tzinfo=TZ),
            dt.datetime.combine(inspection.period_to + dt.timedelta(days=1), dt.time.min, tzinfo=TZ))


def late_without_apology_qs(inspection: Inspection) -> QuerySet[Dossier]:
    """Dossiers of the inspected unit (and the units under it) received in the period that finished
    late, or were still open and overdue at its end, with no ``apologize`` event — oldest first."""
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
    return qs.filter(late_finished | still_open).filter(~Exists(apologized)).order_by("received_at", "code")


def late_without_apology(inspection: Inspection) -> dict[str, Any]:
    late = late_without_apology_qs(inspection)
    codes = list(late.values_list("code", flat=True)[:LISTED])
    return {"count": late.count(), "codes": codes}


def _report06(inspection: Inspection) -> tuple[dict[str, Any], bytes]:
    from motcua.reports.exports import to_xlsx
    from motcua.reports.form06 import compute_form06

    report = compute_form06(inspection.unit.code, inspection.period_from, inspection.period_to)
    label = f"{inspection.period_from:%d/%m/%Y} – {inspection.period_to:%d/%m/%Y}"
    return {"totals": report["totals"], "as_of": report["as_of"]}, to_xlsx(report, label)


def _logbook(inspection: Inspection, at: dt.datetime) -> tuple[dict[str, Any], bytes | None]:
    """The one-stop section's logbook for the period: its number of entries (the rows of the xlsx kept)."""
    from motcua.documents.logbook import logbook_rows, logbook_xlsx

    owner = _one_stop(inspection)
    if owner is None:
        start, end = _bounds(inspection)
        units = scoping.descendant_unit_ids(inspection.unit)
        entries = Dossier.objects.filter(unit_id__in=units, received_at__gte=start, received_at__lt=end).count()
        return {"entries": entries, "one_stop": None}, None
    rows = logbook_rows(owner, inspection.period_from, inspection.period_to, at=at)
    return ({"entries": len(rows), "one_stop": owner.name, "one_stop_code": owner.code,
             "numbers": [rows[0].number, rows[-1].number] if rows else []},
            logbook_xlsx(owner, inspection.period_from, inspection.period_to, at=at))


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


def parameters(inspection: Inspection) -> dict[str, Any]:
    return {"unit": inspection.unit.code, "agency": inspection.agency.code if inspection.agency_id else None,
            "from": inspection.period_from.isoformat(), "to": inspection.period_to.isoformat()}


def live_urls(inspection: Inspection, one_stop: Agency | None) -> dict[str, str]:
    """The live documents for the inspection's parameters (today's figures)."""
    period = {"unit": inspection.unit.code, "period": "custom", "from": inspection.period_from.isoformat(),
              "to": inspection.period_to.isoformat()}
    urls = {EvidenceLink.Kind.REPORT06: f"{reverse('stats:form06')}?{urlencode({**period, 'by': 'none'})}",
            EvidenceLink.Kind.LATE_WITHOUT_APOLOGY: reverse("inspections:late", args=[inspection.code]),
            EvidenceLink.Kind.QUALITY_INDEX: f"{reverse('stats:index766')}?{urlencode(period)}",
            EvidenceLink.Kind.LOGBOOK: ""}
    if one_stop is not None:
        urls[EvidenceLink.Kind.LOGBOOK] = f"{reverse('office:logbook')}?" + urlencode(
            {"agency": one_stop.pk, "from": period["from"], "to": period["to"]})
    return urls


def _one_stop(inspection: Inspection) -> Agency | None:
    return inspection.agency or Agency.objects.filter(unit=inspection.unit, has_one_stop=True).order_by("code").first()


@transaction.atomic
def attach_all(inspection: Inspection, actor: Any = None, at: dt.datetime | None = None) -> list[EvidenceLink]:
    """The four pieces of evidence for the inspection's unit and period, computed now and frozen."""
    at = at or timezone.now()
    if actor is not None and not acting_roles(actor, inspection):
        raise Forbidden("Chỉ thanh tra của cuộc kiểm tra được đính kèm bằng chứng.")
    if inspection.status not in OPEN:
        raise NotAllowed(f"Cuộc kiểm tra {inspection.get_status_display().lower()}: không đính kèm thêm bằng chứng.")
    urls = live_urls(inspection, _one_stop(inspection))
    made = []

    def save(kind: str, summary: dict[str, Any], data: bytes | None = None, stem: str = "") -> None:
        made.append(_save(inspection, kind, summary, at, urls[kind], data, stem))

    summary, data = _report06(inspection)
    save(EvidenceLink.Kind.REPORT06, summary, data, "bao-cao-06")
    save(EvidenceLink.Kind.LATE_WITHOUT_APOLOGY, late_without_apology(inspection))
    summary, book = _logbook(inspection, at)
    save(EvidenceLink.Kind.LOGBOOK, summary, book, "so-theo-doi")
    save(EvidenceLink.Kind.QUALITY_INDEX, _index766(inspection))
    append_event(inspection, InspectionEventKind.EVIDENCE, actor, at,
                 payload={e.kind: {k: v for k, v in e.summary.items() if k != "codes"} for e in made})
    return made


def _save(inspection: Inspection, kind: str, summary: dict[str, Any], at: dt.datetime, url: str,
          data: bytes | None = None, stem: str = "") -> EvidenceLink:
    link = EvidenceLink(inspection=inspection, kind=kind, parameters=parameters(inspection), summary=summary,
                        url=url, computed_at=at)
    if data:
        link.file.save(f"{stem}-{inspection.code}-{at.astimezone(TZ):%Y%m%d%H%M}.xlsx", ContentFile(data), save=False)
    link.save()
    return link
