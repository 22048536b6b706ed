"""The inbox: the officer's work queues as tabs (``motcua.office.queues``), each with its count, the
rows with the dossier's and the current step's due instant and working time left.

The tab opened by default is the first of ``queues.TABS`` with work in it for the user (so a counter
officer lands on the online dossiers awaiting intake when there are any), else the first.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.dossiers.models import Dossier
from motcua.office import queue_rows, queues
from motcua.office.views_common import Calendars, now

PER_PAGE = 25


class CountedPaginator(Paginator):
    """A paginator told its count (the tab's badge already counted it: one COUNT, not two)."""

    def __init__(self, object_list: object, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # the cached_property's slot


def _chosen(asked: str | None, tabs: list[queues.Tab], counts: dict[str, int]) -> str:
    keys = [t.key for t in tabs]
    if asked in keys:
        return asked  # type: ignore[return-value]
    return next((t.key for t in tabs if t.work and counts.get(t.key)), keys[0] if keys else "")


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    at = now()
    tabs = queues.tabs_for(request.user)
    counts = queues.counts(request.user, tabs, at)
    key = _chosen(request.GET.get("tab"), tabs, counts)
    qs = queues.queue(request.user, key, at) if key else Dossier.objects.none()
    page = CountedPaginator(qs, PER_PAGE, counts.get(key, 0)).get_page(request.GET.get("page"))
    rows = queue_rows.build(list(page.object_list), at, Calendars())
    return render(request, "office/inbox.html", {
        "tabs": [(t, counts[t.key]) for t in tabs], "tab": key, "page": page, "rows": rows, "now": at,
    })
