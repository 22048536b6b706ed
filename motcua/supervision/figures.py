"""Figures of council supervision for ``oversight_figures``: delegations whose decision falls in the
period and that supervise the units given, their working sessions and their reports."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q

from motcua.supervision.models import Delegation, Report, Session


def figures(unit_ids: set[int] | None, start: dt.date, end: dt.date) -> dict[str, object]:
    delegations = Delegation.objects.filter(decision_date__gte=start, decision_date__lte=end)
    if unit_ids is not None:
        delegations = delegations.filter(Q(units__in=unit_ids) | Q(agencies__unit_id__in=unit_ids)
                                         | Q(council_unit_id__in=unit_ids)).distinct()
    ids = list(delegations.values_list("pk", flat=True))
    return {
        "delegations": len(ids),
        "supervision_sessions": Session.objects.filter(delegation_id__in=ids).count(),
        "supervision_reports": Report.objects.filter(delegation_id__in=ids).count(),
    }
