"""The register's figures for ``oversight_figures``: recommendations made in the period to the units
given, how many are done, and how many are overdue at the end of the period (or now, if earlier)."""
from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from motcua.followup.lifecycle import Status
from motcua.followup.models import Recommendation
from motcua.workdays import TZ


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end + 1 day 00:00) in Vietnam's time."""
    return (dt.datetime.combine(start, dt.time.min, tzinfo=TZ),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ))


def figures(unit_ids: set[int] | None, start: dt.date, end: dt.date) -> dict[str, object]:
    since, until = period_bounds(start, end)
    qs = Recommendation.objects.filter(created_at__gte=since, created_at__lt=until)
    if unit_ids is not None:
        qs = qs.filter(addressee_unit_id__in=unit_ids)
    at = min(until, timezone.now())
    return {
        "recommendations_total": qs.count(),
        "recommendations_done": qs.filter(status=Status.DONE).count(),
        "recommendations_overdue": qs.overdue_at(at).count(),
        "recommendations_done_on_time": qs.filter(status=Status.DONE, closed_at__lte=F("deadline")).count(),
    }
