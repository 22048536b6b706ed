"""The officials' dossier search (/office/tim-kiem/): the criteria of ``motcua.office.dossier_search``,
scoped to what the user sees, one query a page (one row more tells whether another page follows)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.catalog.models import Procedure
from motcua.dossiers.lifecycle import STATUS_LABELS
from motcua.office import dossier_search
from motcua.office.timeleft import time_left
from motcua.office.views_common import Calendars, now

PER_PAGE = 25
FIELDS = ("code", "name", "id_number", "phone", "procedure", "status", "from", "to")


def _page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 10_000)
    except ValueError:
        return 1


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    values = {k: request.GET.get(k, "")[:200] for k in FIELDS}
    error, field, rows, has_next = "", "", [], False
    number = _page_number(request.GET.get("page"))
    try:
        criteria = dossier_search.parse(values)
    except dossier_search.BadCriteria as exc:
        criteria, error, field = None, exc.message, exc.field
    if criteria is not None and not criteria.empty:
        found, has_next = dossier_search.page(dossier_search.search(request.user, criteria), number, PER_PAGE)
        calendars, at = Calendars(), now()
        rows = [(d, time_left(d, at, calendars(d.unit))) for d in found]
    kept = QueryDict(mutable=True)
    kept.update({k: v for k, v in values.items() if v})
    return render(request, "office/search.html", {
        "values": values, "error": error, "error_field": field, "rows": rows,
        "searched": criteria is not None and not criteria.empty, "number": number, "query": kept.urlencode(),
        "has_next": has_next,
        "procedures": Procedure.objects.filter(active=True).order_by("name").only("code", "name"),
        "statuses": [(s.value, label) for s, label in STATUS_LABELS.items()],
    }, status=400 if error else 200)
