"""The inbox: dossiers waiting for this official, sorted by due instant, with working time left.

A dossier is in the inbox of a StaffRole when
  - its current step is that role's at that agency (the step's agency, or the dossier's when the
    step names none), and the dossier is open (received, processing, awaiting the citizen); or
  - the role is the counter's, at the dossier's agency, and the dossier waits for the counter:
    submitted online (intake), received (first hand-over), result ready or refused (return).
A unit-scoped role (no agency) matches dossiers of its unit the same way.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.dossiers import lifecycle
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier
from motcua.office.timeleft import time_left
from motcua.office.views_common import Calendars, now
from motcua.roles import ACTING_STAFF_ROLES
from motcua.units.scoping import staff_roles

PER_PAGE = 25
COUNTER_WAITING = [Status.SUBMITTED, Status.RECEIVED, Status.RESULT_READY, Status.REFUSED]


def inbox_queryset(user: object):  # noqa: ANN201 - a QuerySet of Dossier
    condition = Q()
    matched = False
    for sr in staff_roles(user):
        if sr.role not in ACTING_STAFF_ROLES:
            continue
        matched = True
        if sr.agency_id is not None:
            place = Q(steps__agency_id=sr.agency_id) | Q(steps__agency__isnull=True, agency_id=sr.agency_id)
            here = Q(agency_id=sr.agency_id)
        else:
            place = Q(unit_id=sr.unit_id)
            here = Q(unit_id=sr.unit_id)
        condition |= (
            Q(steps__order=F("current_step"), steps__role=sr.role, status__in=list(lifecycle.OPEN_STATES)) & place
        )
        if sr.role == lifecycle.COUNTER:
            condition |= here & Q(status__in=COUNTER_WAITING)
    if not matched:
        return Dossier.objects.none()
    ids = Dossier.objects.filter(condition).values("pk")
    return (
        Dossier.objects.filter(pk__in=ids).select_related("procedure", "unit", "agency")
        .order_by(F("due_at").asc(nulls_last=True), "submitted_at", "code")
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_queryset(request.user), PER_PAGE).get_page(request.GET.get("page"))
    calendars = Calendars()
    at = now()
    rows = [(d, time_left(d, at, calendars(d.unit))) for d in page.object_list]
    return render(request, "office/inbox.html", {"page": page, "rows": rows, "now": at})
