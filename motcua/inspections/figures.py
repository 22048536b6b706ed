"""Figures of inspections, as the reports quote them ("210 cuộc", "20/20 phòng", "28/81 trường = 35 %").

- *inspections done*: concluded inspections whose work ended in the period, of the units given (or
  of plans issued by them);
- *coverage*: the distinct targets (an agency, a unit or a named school, within its population) of
  the plans issued by the units given for the years of the period, and how many of them had a
  concluded inspection in the period — per population and in all; a target listed in several
  yearly plans counts once;
- *re-inspections planned*: re-inspections not yet started, planned to start in the period.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet

from motcua.inspections.lifecycle import Status
from motcua.inspections.models import Inspection, PlanTarget


def _entity(target: PlanTarget) -> tuple[str, str]:
    if target.agency_id:
        key = f"agency:{target.agency_id}"
    elif target.unit_id:
        key = f"unit:{target.unit_id}"
    else:
        key = f"name:{target.name.casefold()}"
    return target.population, key


def done(unit_ids: set[int] | None, start: dt.date, end: dt.date):  # noqa: ANN201 - a queryset
    qs = Inspection.objects.filter(status=Status.CONCLUDED, ends_on__gte=start, ends_on__lte=end)
    if unit_ids is not None:
        qs = qs.filter(Q(unit_id__in=unit_ids) | Q(plan__unit_id__in=unit_ids))
    return qs


def coverage(unit_ids: set[int] | None, start: dt.date, end: dt.date) -> list[dict[str, object]]:
    targets = PlanTarget.objects.filter(plan__year__gte=start.year, plan__year__lte=end.year)
    if unit_ids is not None:
        targets = targets.filter(plan__unit_id__in=unit_ids)
    return coverage_of(targets, done(None, start, end))


def coverage_of(targets: QuerySet[PlanTarget], inspections: QuerySet[Inspection]) -> list[dict[str, object]]:
    """Per population: distinct targets planned, and those with one of ``inspections`` (concluded)."""
    inspected_targets = set(inspections.filter(target__in=targets).values_list("target_id", flat=True))
    planned: dict[str, set[str]] = defaultdict(set)
    inspected: dict[str, set[str]] = defaultdict(set)
    for target in targets.select_related("agency", "unit"):
        population, key = _entity(target)
        planned[population].add(key)
        if target.pk in inspected_targets:
            inspected[population].add(key)
    return [{"population": p, "planned": len(keys), "inspected": len(inspected[p]),
             "percent": round(100 * len(inspected[p]) / len(keys)) if keys else None}
            for p, keys in sorted(planned.items())]


def figures(unit_ids: set[int] | None, start: dt.date, end: dt.date) -> dict[str, object]:
    rows = coverage(unit_ids, start, end)
    planned = sum(r["planned"] for r in rows)  # type: ignore[misc]
    inspected = sum(r["inspected"] for r in rows)  # type: ignore[misc]
    reinspections = Inspection.objects.filter(kind=Inspection.Kind.REINSPECTION, status=Status.PLANNED,
                                              starts_on__gte=start, starts_on__lte=end)
    if unit_ids is not None:
        reinspections = reinspections.filter(Q(unit_id__in=unit_ids) | Q(plan__unit_id__in=unit_ids))
    return {
        "inspections_done": done(unit_ids, start, end).count(),
        "targets_planned": planned,
        "targets_inspected": inspected,
        "coverage": round(inspected / planned, 2) if planned else None,
        "coverage_by_population": rows,
        "reinspections_planned": reinspections.count(),
    }
