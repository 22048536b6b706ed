"""Where the time goes: working time spent at each route step, per agency, and which step made
late dossiers late.

    step_timing("1.001193", date(2026, 1, 1), date(2026, 3, 31), unit_code=None) -> dict

- **Dossiers**: of the procedure, received in ``[date_from, date_to]`` (local days), in the unit's
  tree when ``unit_code`` is given (``motcua.units.scoping.units_below``).
- **Time of a step**: working time of the dossier's unit (``calendar_for_unit``) from the step's
  ``started_at`` to its ``finished_at``, less the working time the clock was stopped inside the step
  (waiting for a supplement or a payment, from the events) — the same time the due date leaves out.
  Only finished steps enter the count, median and 90th percentile.
- **Late**: finished after the due date, or still open and overdue at the end of the period (form 06's
  rules). A late dossier's delay is put on its *first* step whose time exceeded its share
  (``share_minutes``); a step still open at the end of the period is measured up to then. A late
  dossier whose steps all kept to their shares is ``unattributed``. Each late dossier is counted once,
  also when its route crosses several agencies.

The result is plain data (lists and numbers) for a chart.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from statistics import median

from motcua.catalog.models import Procedure
from motcua.dossiers.lifecycle import EventKind
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.quality.compute import QualityError
from motcua.quality.indicators import Period
from motcua.units.calendars import calendar_for_unit
from motcua.units.scoping import units_below
from motcua.workdays import Calendar
from motcua.workdays.outcomes import in_progress_state, outcome_of

PAUSES = {EventKind.REQUEST_SUPPLEMENT: EventKind.SUPPLY, EventKind.REQUEST_PAYMENT: EventKind.PAY}


def percentile(values: list[int] | list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (the 'inclusive' method); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def pause_intervals(dossier_ids: list[int], until: dt.datetime) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Intervals during which each dossier's clock was stopped (a pause still running ends at ``until``)."""
    out: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    opened: dict[int, tuple[str, dt.datetime]] = {}
    events = (DossierEvent.objects.filter(dossier_id__in=dossier_ids, action__in=[*PAUSES, *PAUSES.values()])
              .order_by("dossier_id", "seq").values_list("dossier_id", "action", "at"))
    for dossier_id, action, at in events:
        if action in PAUSES:
            opened[dossier_id] = (PAUSES[action], at)
        elif dossier_id in opened and opened[dossier_id][0] == action:
            out[dossier_id].append((opened.pop(dossier_id)[1], at))
    for dossier_id, (_closing, at) in opened.items():
        if at < until:
            out[dossier_id].append((at, until))
    return out


def step_minutes(cal: Calendar, start: dt.datetime, end: dt.datetime,
                 pauses: list[tuple[dt.datetime, dt.datetime]]) -> int:
    """Working time from ``start`` to ``end`` less the working time of the pauses inside it."""
    if end <= start:
        return 0
    spent = cal.working_time_between(start, end)
    for p_start, p_end in pauses:
        a, b = max(start, p_start), min(end, p_end)
        if a < b:
            spent -= cal.working_time_between(a, b)
    return max(spent, 0)


def _is_late(d: Dossier, as_of: dt.datetime) -> bool:
    if d.due_at is None:
        return False
    if d.finished_at is not None and d.finished_at <= as_of:
        return outcome_of(d.finished_at, d.due_at) == "late"
    if d.paused_at is not None and d.paused_at <= as_of and d.paused_at <= d.due_at:
        return False
    return in_progress_state(d.due_at, as_of) == "overdue"


def _stats(values: list[int]) -> dict:
    return {"count": len(values), "median_minutes": float(median(values)) if values else None,
            "p90_minutes": percentile(values, 0.9)}


def step_timing(procedure_code: str, date_from: dt.date, date_to: dt.date, unit_code: str | None = None) -> dict:
    procedure = Procedure.objects.filter(code=procedure_code).first()
    if procedure is None:
        raise QualityError(f"Không có thủ tục mã {procedure_code}.")
    if date_from > date_to:
        raise QualityError(f"Từ ngày ({date_from}) phải không sau đến ngày ({date_to}).")
    p = Period(date_from, date_to)
    dossiers = Dossier.objects.filter(procedure=procedure, received_at__gte=p.start, received_at__lt=p.end)
    if unit_code:
        scope = units_below(unit_code, date_to)
        if not scope:
            raise QualityError(f"Không có đơn vị hành chính mã {unit_code}.")
        dossiers = dossiers.filter(unit_id__in=list(scope))
    dossiers = dossiers.exclude(withdrawn_at__lte=p.as_of).select_related("unit")
    by_id = {d.pk: d for d in dossiers}
    as_of = p.as_of
    pauses = pause_intervals(list(by_id), as_of)
    steps = (DossierStep.objects.filter(dossier_id__in=list(by_id), started_at__isnull=False, started_at__lte=as_of)
             .select_related("agency").order_by("dossier_id", "order"))

    spent: dict[tuple[int, str], dict[int | None, list[int]]] = defaultdict(lambda: defaultdict(list))
    shares: dict[tuple[int, str], set[int]] = defaultdict(set)
    agencies: dict[int | None, tuple[str, str]] = {None: ("", "")}
    over_share: dict[tuple[int, str], int] = defaultdict(int)
    first_overrun: dict[int, tuple[tuple[int, str], int | None]] = {}
    for step in steps:
        d = by_id[step.dossier_id]
        key = (step.order, step.name)
        shares[key].add(step.share_minutes)
        if step.agency_id is not None:
            agencies[step.agency_id] = (step.agency.code, step.agency.name)
        finished = step.finished_at is not None and step.finished_at <= as_of
        minutes = step_minutes(calendar_for_unit(d.unit), step.started_at,
                               step.finished_at if finished else as_of, pauses.get(d.pk, []))
        if finished:
            spent[key][step.agency_id].append(minutes)
        if minutes > step.share_minutes:
            over_share[key] += int(finished)
            first_overrun.setdefault(d.pk, (key, step.agency_id))

    late_ids = [pk for pk, d in by_id.items() if _is_late(d, as_of)]
    caused: dict[tuple[int, str], dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    unattributed = 0
    for pk in late_ids:
        if pk in first_overrun:
            key, agency_id = first_overrun[pk]
            caused[key][agency_id] += 1
        else:
            unattributed += 1
    n_late = len(late_ids)

    rows = []
    for key in sorted(set(spent) | set(caused) | set(shares)):
        per_agency = []
        for agency_id in sorted(set(spent[key]) | set(caused[key]), key=lambda a: agencies[a]):
            late_here = caused[key][agency_id]
            per_agency.append({"agency_code": agencies[agency_id][0], "agency_name": agencies[agency_id][1],
                               **_stats(spent[key][agency_id]), "late_caused": late_here,
                               "late_share": late_here / n_late if n_late else 0.0})
        all_minutes = [m for values in spent[key].values() for m in values]
        late_here = sum(caused[key].values())
        rows.append({"order": key[0], "name": key[1], "share_minutes": sorted(shares[key]), **_stats(all_minutes),
                     "over_share": over_share[key], "late_caused": late_here,
                     "late_share": late_here / n_late if n_late else 0.0, "agencies": per_agency})
    return {
        "procedure": {"code": procedure.code, "name": procedure.name},
        "unit": unit_code, "from": date_from.isoformat(), "to": date_to.isoformat(),
        "dossiers": len(by_id), "late": n_late, "unattributed_late": unattributed,
        "unattributed_share": unattributed / n_late if n_late else 0.0,
        "steps": rows,
    }
