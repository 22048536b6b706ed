"""Form 06 counts read from the rollups: O(units × procedures × days), never the dossiers.

Valid when the report is taken as of the end of its last day (the default of ``report``):
then, for the dossiers of a group,

- received in the period by channel, resolved early / on time / late and withdrawn are sums of
  DailyCounter over the period's days;
- carried over = the dossiers open at the start of the period = the OpenLedger up to the day
  before it;
- in progress = carried over + received − resolved − withdrawn, and overdue = the OpenLedger
  up to the last day, in buckets due before that day.

It returns the same shape as ``form06._count_rows`` so the two are interchangeable.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Sum

from motcua.reports.models import DailyCounter, OpenLedger

_COLUMNS = ("received_direct", "received_online", "received_postal", "resolved_early", "resolved_on_time",
            "resolved_late", "withdrawn")


def count_rows(scope: Iterable[int], date_from: dt.date, date_to: dt.date, group: str) -> dict[object, dict[str, int]]:
    units = list(scope)
    if group == "agency_id":  # the rollups keep "no agency" as 0 so that their keys stay unique
        raw = count_rows(units, date_from, date_to, "agency_key")
        return {(k or None): v for k, v in raw.items()}
    flows = (
        DailyCounter.objects.filter(unit_id__in=units, day__gte=date_from, day__lte=date_to)
        .values(group).order_by().annotate(**{c: Sum(c) for c in _COLUMNS})
    )
    carried = (
        OpenLedger.objects.filter(unit_id__in=units, day__lt=date_from)
        .values(group).order_by().annotate(n=Sum("delta"))
    )
    overdue = (
        OpenLedger.objects.filter(unit_id__in=units, day__lte=date_to, due_day__lt=date_to)
        .values(group).order_by().annotate(n=Sum("delta"))
    )
    parts: dict[object, dict[str, int]] = defaultdict(lambda: dict.fromkeys((*_COLUMNS, "carried", "overdue"), 0))
    for row in flows:
        parts[row[group]].update({c: row[c] or 0 for c in _COLUMNS})
    for row in carried:
        parts[row[group]]["carried"] = row["n"] or 0
    for row in overdue:
        parts[row[group]]["overdue"] = row["n"] or 0
    result: dict[object, dict[str, int]] = {}
    for key, p in parts.items():
        received = p["received_direct"] + p["received_online"] + p["received_postal"]
        resolved = p["resolved_early"] + p["resolved_on_time"] + p["resolved_late"]
        in_progress = p["carried"] + received - resolved - p["withdrawn"]
        counts = {
            "received_total": p["carried"] + received, "received_online": p["received_online"],
            "received_postal": p["received_postal"], "carried_over": p["carried"], "resolved_total": resolved,
            "resolved_early": p["resolved_early"], "resolved_late": p["resolved_late"],
            "in_progress_total": in_progress, "in_progress_overdue": p["overdue"], "withdrawn": p["withdrawn"],
        }
        if any(counts.values()):
            result[key] = counts
    return result
