"""The sub-criteria the system computes from its own dossier data, for a unit (and the units under
it) over the assessed year, with the 766 index's facts (``motcua.quality``):

- ``on_time_rate``: dossiers handled on time / dossiers to handle (the 766 count);
- ``online_share``: dossiers received online / dossiers received;
- ``apologies_sent``: late dossiers with an apology (form 04) / late dossiers;
- ``satisfaction``: rating points / the maximum of the ratings, once the sample reaches
  ``MOTCUA_QUALITY_MIN_SAMPLE`` ratings.

A metric without data is None: the sub-criterion is then not applicable (it leaves the maximum).
Points: ``max_points`` at or above the sub-criterion's ``full_at`` (a share 0–1), proportionally
below; without ``full_at``, ``max_points × value``.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from motcua.dossiers.lifecycle import EventKind
from motcua.dossiers.models import DossierEvent
from motcua.parindex.models import SubCriterion
from motcua.units.models import AdministrativeUnit
from motcua.workdays import TZ


def _ratio(part: float | None, whole: float | None) -> float | None:
    return None if not whole or part is None else part / whole


def values(unit: AdministrativeUnit, start: dt.date, end: dt.date) -> dict[str, float | None]:
    from motcua.quality.compute import derive, min_sample, raw_facts
    from motcua.quality.indicators import Period
    from motcua.units.scoping import units_below

    scope = units_below(unit.code, end)
    facts = derive(raw_facts(scope, Period(start, end))[None])
    since = dt.datetime.combine(start, dt.time.min, tzinfo=TZ)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    apologies = DossierEvent.objects.filter(action=EventKind.APOLOGIZE, dossier__unit_id__in=list(scope),
                                            at__gte=since, at__lt=until).count()
    rated = facts.get("rated") or 0
    return {
        "on_time_rate": _ratio(facts.get("on_time_766"), facts.get("handled")),
        "online_share": _ratio(facts.get("received_online"), facts.get("received")),
        "apologies_sent": None if not facts.get("late_766") else min(1.0, apologies / facts["late_766"]),
        "satisfaction": _ratio(facts.get("rating_points"), facts.get("rating_max")) if rated >= min_sample() else None,
    }


def points(value: float, sub: SubCriterion) -> Decimal:
    full = float(sub.full_at) if sub.full_at is not None else 1.0
    share = 1.0 if value >= full else (value / full if full else 0.0)
    return (sub.max_points * Decimal(str(share))).quantize(Decimal("0.01"), ROUND_HALF_UP)
