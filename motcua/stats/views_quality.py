"""Rankings, the Decision 766 index, where the time goes, early warning (motcua.quality)."""
from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.dossiers.models import Dossier
from motcua.quality.compute import QualityError, compute_index, dossiers_costing_points
from motcua.quality.rankings import METRICS, as_of_text, rank_units
from motcua.quality.timing import step_timing
from motcua.quality.warnings import apology_reminders, at_risk
from motcua.stats.params import Selection, now, period_form_context, read_selection
from motcua.stats.scope import require_reporter, unit_choices
from motcua.units.scoping import user_roles
from motcua.workdays import MINUTES_PER_WORKING_DAY, TZ

METRIC_LABELS = {
    "on_time_rate": gettext_lazy("Tỷ lệ đúng hạn (mẫu 06)"),
    "index": gettext_lazy("Điểm chỉ số 766"),
    "index_score": gettext_lazy("Chỉ số 766 trên 100 điểm tính được"),
}
_CODE = re.compile(r"^[\w.\-]{1,30}$")


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int, sel: Selection) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        sel.errors.append(_("“%(n)s” phải là số từ %(a)s đến %(b)s.") % {"n": name, "a": low, "b": high})
        sel.status = 400
        return default
    return int(raw)


def _base_context(request: HttpRequest, sel: Selection, nav: str) -> dict:
    return {**period_form_context(sel), "sel": sel, "errors": sel.errors, "nav": nav,
            "units": unit_choices(request.user, sel.unit, sel.period.date_from, sel.period.date_to)}


def _ready(sel: Selection) -> bool:
    return not sel.errors and sel.unit is not None


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    require_reporter(request.user)
    sel = read_selection(request, by_default=None)
    metric = request.GET.get("metric", "on_time_rate")
    if metric not in METRICS:
        sel.errors.append(_("Tiêu chí xếp hạng phải là một trong: %s.") % ", ".join(METRICS))
        sel.status, metric = 400, "on_time_rate"
    minimum = _int_param(request, "min", 30, 0, 1_000_000, sel)
    rows = None
    if _ready(sel):
        try:
            rows = rank_units(sel.unit.code, sel.period.date_from, sel.period.date_to, metric=metric,
                              min_dossiers=minimum, as_of=sel.as_of)
        except QualityError as exc:
            sel.errors.append(str(exc))
            sel.status = 400
    as_of = as_of_text(sel.period.date_to, sel.as_of) if metric == "on_time_rate" else None
    context = {**_base_context(request, sel, "rankings"), "rows": rows, "metric": metric, "minimum": minimum,
               "as_of": as_of,
               "metric_labels": METRIC_LABELS, "extra_template": "stats/_rank_fields.html"}
    return render(request, "stats/rankings.html", context, status=sel.status)


@login_required
def index766(request: HttpRequest) -> HttpResponse:
    require_reporter(request.user)
    sel = read_selection(request, by_default=None)
    result = None
    if _ready(sel):
        try:
            result = compute_index(sel.unit.code, sel.period.date_from, sel.period.date_to)
        except QualityError as exc:
            sel.errors.append(str(exc))
            sel.status = 400
    context = {**_base_context(request, sel, "index"), "result": result, "drill_query": sel.query()}
    return render(request, "stats/index766.html", context, status=sel.status)


@login_required
def index766_dossiers(request: HttpRequest) -> HttpResponse:
    require_reporter(request.user)
    sel = read_selection(request, by_default=None)
    code = request.GET.get("indicator", "")
    page = None
    if not _CODE.match(code):
        sel.errors.append(_("Mã chỉ tiêu không hợp lệ."))
        sel.status = 400
    if _ready(sel):
        try:
            qs = dossiers_costing_points(sel.unit.code, sel.period.date_from, sel.period.date_to, code)
            page = Paginator(qs, 50).get_page(request.GET.get("page"))
        except QualityError as exc:
            sel.errors.append(str(exc))
            sel.status = 400
    query = request.GET.copy()
    query.pop("page", None)
    context = {**_base_context(request, sel, "index"), "page": page, "indicator": code,
               "page_query": query.urlencode(), "back_query": sel.query()}
    return render(request, "stats/index766_dossiers.html", context, status=sel.status)


def _procedures_in(sel: Selection) -> list[tuple[str, str, int]]:
    """Procedures with dossiers received in the unit's tree during the period, busiest first."""
    from motcua.stats.drill import bounds
    from motcua.units.scoping import units_below

    start, end, _as_of = bounds(sel.period.date_from, sel.period.date_to, None)
    scope = units_below(sel.unit.code, sel.period.date_to) if sel.unit else {}
    rows = (Dossier.objects.filter(unit_id__in=list(scope), received_at__gte=start, received_at__lt=end)
            .values("procedure__code", "procedure__name").annotate(n=Count("pk")).order_by("-n")[:100])
    return [(r["procedure__code"], r["procedure__name"], r["n"]) for r in rows]


@login_required
def timing(request: HttpRequest) -> HttpResponse:
    require_reporter(request.user)
    sel = read_selection(request, by_default=None)
    procedures = _procedures_in(sel) if _ready(sel) else []
    code = request.GET.get("procedure", "").strip() or (procedures[0][0] if procedures else "")
    result, chart = None, None
    if code and not _CODE.match(code):
        sel.errors.append(_("Mã thủ tục không hợp lệ."))
        sel.status = 400
    elif code and _ready(sel):
        try:
            result = step_timing(code, sel.period.date_from, sel.period.date_to, unit_code=sel.unit.code)
        except QualityError as exc:
            sel.errors.append(str(exc))
            sel.status = 404
    if result:
        chart = {
            "labels": [f"{s['order']}. {s['name']}" for s in result["steps"]],
            "median_hours": [None if s["median_minutes"] is None else round(s["median_minutes"] / 60, 2)
                             for s in result["steps"]],
            "p90_hours": [None if s["p90_minutes"] is None else round(s["p90_minutes"] / 60, 2)
                          for s in result["steps"]],
            "share_hours": [round(max(s["share_minutes"]) / 60, 2) if s["share_minutes"] else None
                            for s in result["steps"]],
            "late_share": [round(s["late_share"] * 100, 1) for s in result["steps"]],
        }
    context = {**_base_context(request, sel, "timing"), "result": result, "procedures": procedures,
               "procedure_code": code, "chart": chart,
               "extra_template": "stats/_procedure_field.html"}
    return render(request, "stats/timing.html", context, status=sel.status)


@login_required
def warnings(request: HttpRequest) -> HttpResponse:
    if not user_roles(request.user):
        raise PermissionDenied(_("Tài khoản chưa được phân quyền."))
    sel = Selection(period=read_selection(request, need_unit=False).period)
    hours = _int_param(request, "hours", MINUTES_PER_WORKING_DAY // 60, 1, 24 * 20, sel)
    at = now()
    rows, reminders = [], []
    if not sel.errors:
        rows = at_risk(request.user, within_minutes=hours * 60, now=at)
        reminders = apology_reminders(at, scope=request.user)
    context = {"sel": sel, "errors": sel.errors, "nav": "warnings", "rows": rows, "reminders": reminders,
               "hours": hours, "now": at.astimezone(TZ)}
    return render(request, "stats/warnings.html", context, status=sel.status)
