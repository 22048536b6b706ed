"""Early warning: open dossiers about to be late, and apologies that must go out today.

``at_risk(scope, within_minutes=480, now=None)`` — open dossiers (clock running) that are
  *overdue* (past the due instant), *due soon* (at most ``within_minutes`` working minutes left, in
  the dossier's unit calendar) or *predicted late*: the working time left is less than what the
  dossier's remaining steps took in the procedure's history — the 90th percentile, over the
  procedure's dossiers finished in the last ``HISTORY_DAYS``, of the time from the start of the
  dossier's current step to the end (pauses excluded), less the time already spent in the current
  step, and never less than the 90th percentile of the steps after it. A prediction needs at least
  ``MIN_HISTORY`` finished dossiers of the procedure that went through the current step.

``scope``: a user (what ``motcua.units.scoping`` lets them see), an ``Agency`` (its dossiers and those
  with a route step at it), an ``AdministrativeUnit`` or a unit code (the unit's tree), or None (all).

``apology_reminders(now)`` — open dossiers with no apology yet whose working time left is in
  ``[lead, lead + 1 working day)``, ``lead`` = ``settings.MOTCUA_APOLOGY_LEAD_MINUTES``: the last day on
  which ``policy.apology_open`` still allows the apology (form 04).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.dossiers import policy
from motcua.dossiers.lifecycle import OPEN_STATES, PAUSED_STATES
from motcua.dossiers.models import Dossier, DossierStep
from motcua.quality.compute import QualityError
from motcua.quality.timing import pause_intervals, percentile, step_minutes
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.scoping import descendant_unit_ids, resolve_code, visible_dossiers
from motcua.workdays import MINUTES_PER_WORKING_DAY, TZ

HISTORY_DAYS = 365
MIN_HISTORY = 5
REASONS = {
    "overdue": _("Đã quá hạn"),
    "due_soon": _("Sắp đến hạn"),
    "predicted_late": _("Dự báo trễ hạn (theo thời gian xử lý thực tế của thủ tục)"),
    "apology_last_day": _("Hôm nay là ngày cuối được gửi phiếu xin lỗi, hẹn lại ngày trả"),
}
RUNNING = [s.value for s in OPEN_STATES - PAUSED_STATES]


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or timezone.now()
    return now.replace(tzinfo=TZ) if timezone.is_naive(now) else now


def scoped_dossiers(scope: Any) -> QuerySet[Dossier]:
    qs = Dossier.objects.all()
    if scope is None:
        return qs
    if isinstance(scope, Agency):
        return qs.filter(pk__in=Dossier.objects.filter(Q(agency=scope) | Q(steps__agency=scope)).values("pk"))
    if isinstance(scope, str):
        unit = resolve_code(scope)
        if unit is None:
            raise QualityError(f"Không có đơn vị hành chính mã {scope}.")
        scope = unit
    if isinstance(scope, AdministrativeUnit):
        return qs.filter(unit_id__in=descendant_unit_ids(scope))
    if hasattr(scope, "is_authenticated"):
        return visible_dossiers(scope, qs)
    raise QualityError(f"Phạm vi không hợp lệ: {scope!r}.")


# --- history ----------------------------------------------------------------------------------------

def step_history(procedure_ids: set[int], now: dt.datetime) -> dict[int, dict[int, list[int]]]:
    """procedure id → step order → working minutes from the start of that step to the end of the
    dossier (pauses excluded), one value per dossier finished in the last HISTORY_DAYS."""
    finished = Dossier.objects.filter(procedure_id__in=procedure_ids, finished_at__isnull=False,
                                      finished_at__gte=now - dt.timedelta(days=HISTORY_DAYS), finished_at__lte=now)
    dossiers = {d.pk: d for d in finished.select_related("unit").only("pk", "procedure_id", "unit")}
    pauses = pause_intervals(list(dossiers), now)
    per_dossier: dict[int, dict[int, int]] = defaultdict(dict)
    steps = DossierStep.objects.filter(dossier_id__in=list(dossiers), started_at__isnull=False,
                                       finished_at__isnull=False).values_list("dossier_id", "order", "started_at",
                                                                               "finished_at")
    for dossier_id, order, started, ended in steps:
        cal = calendar_for_unit(dossiers[dossier_id].unit)
        per_dossier[dossier_id][order] = step_minutes(cal, started, ended, pauses.get(dossier_id, []))
    history: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for dossier_id, by_order in per_dossier.items():
        suffix = 0
        for order in sorted(by_order, reverse=True):
            suffix += by_order[order]
            history[dossiers[dossier_id].procedure_id][order].append(suffix)
    return history


def _expected_remaining(history: dict[int, list[int]], current: int, elapsed: int) -> float | None:
    here = history.get(current, [])
    if len(here) < MIN_HISTORY:
        return None
    after = history.get(current + 1, [])
    later = percentile(after, 0.9) if len(after) >= MIN_HISTORY else 0.0
    return max(percentile(here, 0.9) - elapsed, later or 0.0)  # type: ignore[operator]


# --- at risk ----------------------------------------------------------------------------------------

def at_risk(scope: Any, within_minutes: int = MINUTES_PER_WORKING_DAY, now: dt.datetime | None = None) -> list[dict]:
    """Open dossiers at risk in ``scope`` (see the module doc), most urgent first, as plain rows."""
    now = _now(now)
    open_qs = (scoped_dossiers(scope).filter(status__in=RUNNING, due_at__isnull=False)
               .select_related("procedure", "unit", "agency"))
    dossiers = list(open_qs)
    if not dossiers:
        return []
    history = step_history({d.procedure_id for d in dossiers}, now)
    current = {(s.dossier_id, s.order): s for s in DossierStep.objects.filter(
        dossier_id__in=[d.pk for d in dossiers], started_at__isnull=False, finished_at__isnull=True)}
    pauses = pause_intervals([d.pk for d in dossiers], now)
    rows = []
    for d in dossiers:
        cal = calendar_for_unit(d.unit)
        left = cal.working_time_between(now, d.due_at) if d.due_at > now else 0
        reasons = []
        if d.due_at <= now:
            reasons.append("overdue")
        elif left <= within_minutes:
            reasons.append("due_soon")
        expected = None
        step = current.get((d.pk, d.current_step))
        if step is not None and d.due_at > now:
            elapsed = step_minutes(cal, step.started_at, now, pauses.get(d.pk, []))
            expected = _expected_remaining(history.get(d.procedure_id, {}), d.current_step, elapsed)
            if expected is not None and left < expected:
                reasons.append("predicted_late")
        if reasons:
            rows.append(_row(d, now, left, reasons, expected, step))
    rows.sort(key=lambda r: (r["remaining_minutes"], r["due_at"], r["code"]))
    return rows


def _row(d: Dossier, now: dt.datetime, left: int, reasons: list[str], expected: float | None,
         step: DossierStep | None) -> dict:
    return {
        "dossier_id": d.pk, "code": d.code, "status": d.status,
        "procedure_code": d.procedure.code, "procedure_name": d.procedure.name,
        "unit_code": d.unit.code, "agency_code": d.agency.code if d.agency else "",
        "step": d.current_step, "step_name": step.name if step else "",
        "step_agency_id": step.agency_id if step else None,
        "due_at": d.due_at.astimezone(TZ), "remaining_minutes": left,
        "expected_minutes": None if expected is None else round(expected),
        "reasons": reasons, "reason_labels": [str(REASONS[r]) for r in reasons],
        "has_apology": d.extended_due_at is not None,
        "can_apologize": policy.can_apologize(d, now),
        "apology_last_day": _last_apology_day(d, now, left),
    }


def _last_apology_day(d: Dossier, now: dt.datetime, left: int) -> bool:
    lead = settings.MOTCUA_APOLOGY_LEAD_MINUTES
    return lead <= left < lead + MINUTES_PER_WORKING_DAY and policy.can_apologize(d, now)


def apology_reminders(now: dt.datetime | None = None, scope: Any = None) -> list[dict]:
    """Open dossiers with no apology yet on the last day the apology is still allowed."""
    now = _now(now)
    lead = settings.MOTCUA_APOLOGY_LEAD_MINUTES
    qs = (scoped_dossiers(scope).filter(status__in=RUNNING, extended_due_at__isnull=True, due_at__gt=now)
          .select_related("procedure", "unit", "agency"))
    rows = []
    for d in qs:
        left = calendar_for_unit(d.unit).working_time_between(now, d.due_at)
        if lead <= left < lead + MINUTES_PER_WORKING_DAY and _last_apology_day(d, now, left):
            rows.append(_row(d, now, left, ["apology_last_day"], None, None))
    rows.sort(key=lambda r: (r["remaining_minutes"], r["code"]))
    return rows
