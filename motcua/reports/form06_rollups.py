"""Form 06 counts read from the rollups: O(units × (months + 31 days)) rows, never the dossiers.

Valid when the report is taken as of the end of its last day T (the default of ``report``).
With E = T + 1 day and P(x) = the sums of a rollup column over the days before x, for the
dossiers of a group:

- received in the period by channel, resolved early / on time / late and withdrawn are
  P(E) − P(F) of their columns;
- carried over = the dossiers open at the start of F = P(F) of ``open_delta``;
- in progress = carried over + received − resolved − withdrawn, and overdue = P(E) of
  ``overdue_delta`` (see reports.models for why that is exact).

P(x) = the monthly rows of the months before x's month + the daily rows of x's month before x.
Reports by child unit, by level and totals read the (unit, level) tables; by agency, field and
procedure the (unit, agency, procedure, level) ones. Returns the shape of
``form06._count_rows`` so that the two are interchangeable.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, Sum

from motcua.reports.models import DailyCounter, MonthlyCounter, UnitDailyCounter, UnitMonthlyCounter

_FLOWS = ("received_direct", "received_online", "received_postal", "resolved_early", "resolved_on_time",
          "resolved_late", "withdrawn")
_F = ("open_delta", *_FLOWS)  # needed at F
_E = ("overdue_delta", *_FLOWS)  # needed at E
_COARSE = ("unit_id", "level")


def count_rows(scope: Iterable[int], date_from: dt.date, date_to: dt.date, group: str) -> dict[object, dict[str, int]]:
    units = list(scope)
    if group == "agency_id":  # the rollups keep "no agency" as 0 so that their keys stay unique
        raw = count_rows(units, date_from, date_to, "agency_key")
        return {(k or None): v for k, v in raw.items()}
    daily, monthly = (UnitDailyCounter, UnitMonthlyCounter) if group in _COARSE else (DailyCounter, MonthlyCounter)
    end = date_to + dt.timedelta(days=1)
    month_f, month_e = date_from.replace(day=1), end.replace(day=1)
    at_f: dict[object, dict[str, int]] = {}
    at_e: dict[object, dict[str, int]] = {}
    before_f = Q(month__lt=month_f)
    months = (
        monthly.objects.filter(unit_id__in=units, month__lt=month_e).values(group).order_by()
        .annotate(**{f"f_{c}": Sum(c, filter=before_f) for c in _F}, **{f"e_{c}": Sum(c) for c in _E})
    )
    # the days of F's month before F (for P(F)) and of E's month before E (for P(E)): one range each, so that
    # each is an index range scan on (day, unit)
    days = [
        daily.objects.filter(unit_id__in=units, day__gte=first, day__lt=last).values(group).order_by()
        .annotate(**{f"{prefix}_{c}": Sum(c) for c in columns})
        for first, last, prefix, columns in ((month_f, date_from, "f", _F), (month_e, end, "e", _E)) if first < last
    ]
    for rows in (months, *days):
        for row in rows:
            f, e = at_f.setdefault(row[group], dict.fromkeys(_F, 0)), at_e.setdefault(row[group], dict.fromkeys(_E, 0))
            for c in _F:
                f[c] += row.get(f"f_{c}") or 0
            for c in _E:
                e[c] += row.get(f"e_{c}") or 0
    result: dict[object, dict[str, int]] = {}
    for key, f in at_f.items():
        e = at_e[key]
        p = {c: e[c] - f[c] for c in _FLOWS}
        carried = f["open_delta"]
        received = p["received_direct"] + p["received_online"] + p["received_postal"]
        resolved = p["resolved_early"] + p["resolved_on_time"] + p["resolved_late"]
        counts = {
            "received_total": carried + received, "received_online": p["received_online"],
            "received_postal": p["received_postal"], "carried_over": carried, "resolved_total": resolved,
            "resolved_early": p["resolved_early"], "resolved_late": p["resolved_late"],
            "in_progress_total": carried + received - resolved - p["withdrawn"],
            "in_progress_overdue": e["overdue_delta"], "withdrawn": p["withdrawn"],
        }
        if any(counts.values()):
            result[key] = counts
    return result
