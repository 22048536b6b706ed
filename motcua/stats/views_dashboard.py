"""The leader's dashboard: on-time trend by month, channel mix, online share, ranking of the units."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.quality.compute import QualityError
from motcua.quality.rankings import rank_units
from motcua.reports.form06 import ReportError, compute_form06
from motcua.stats.params import Selection, as_of_for, now, period_form_context, read_selection
from motcua.stats.periods import PeriodError, month_of, months_between, period_for
from motcua.stats.scope import require_reporter, unit_choices
from motcua.workdays import TZ

TREND_MONTHS = 12


def monthly_trend(unit_code: str, last_day, convention: str) -> list[dict]:  # noqa: ANN001 - a date
    """On-time rate (None: nothing to handle) and dossiers of each of the TREND_MONTHS reporting months up to
    the one containing ``last_day``."""
    at = now()
    year, month = month_of(min(last_day, at.astimezone(TZ).date()), convention)
    first_year, first_month = (year, month - TREND_MONTHS + 1) if month >= TREND_MONTHS else (year - 1, month + 1)
    start = period_for("month", first_year, first_month, convention).date_from
    out = []
    for m in months_between(start, period_for("month", year, month, convention).date_to, convention):
        try:
            report = compute_form06(unit_code, m.date_from, m.date_to, as_of=as_of_for(m, at))
        except (ReportError, PeriodError):
            continue
        t = report["totals"]
        handled = t["received_total"] - t["withdrawn"]
        # a month with nothing to handle is a gap in the line, not 100%
        out.append({"label": f"{m.number:02d}/{m.year}", "rate": round(t["on_time_rate"] * 100, 2) if handled else None,
                    "handled": handled,
                    "late": t["resolved_late"] + t["in_progress_overdue"]})
    return out


def channel_mix(totals: dict) -> dict:
    received = totals["received_total"] - totals["carried_over"]
    return {
        "labels": [_("Trực tuyến"), _("Trực tiếp"), _("Bưu chính công ích")],
        "values": [totals["received_online"], totals["received_direct"], totals["received_postal"]],
        "received": received,
        "online_share": totals["received_online"] / received if received else None,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_reporter(request.user)
    sel: Selection = read_selection(request, by_default=None, kind="quarter")
    context = {**period_form_context(sel), "sel": sel, "errors": sel.errors, "nav": "dashboard",
               "units": unit_choices(request.user, sel.unit, sel.period.date_from, sel.period.date_to),
               "only_kinds": ("quarter", "year")}
    if not sel.errors and sel.unit is not None:
        try:
            report = compute_form06(sel.unit.code, sel.period.date_from, sel.period.date_to, as_of=sel.as_of)
            ranking = rank_units(sel.unit.code, sel.period.date_from, sel.period.date_to, metric="on_time_rate",
                                 as_of=sel.as_of)
        except (ReportError, QualityError) as exc:
            sel.errors.append(str(exc))
            sel.status = 400
        else:
            mix = channel_mix(report["totals"])
            trend = monthly_trend(sel.unit.code, sel.period.date_to, sel.period.convention)
            context.update(report=report, totals=report["totals"], mix=mix, ranking=ranking,
                           handled=report["totals"]["received_total"] - report["totals"]["withdrawn"],
                           chart={"trend": trend, "mix": {"labels": mix["labels"], "values": mix["values"]}},
                           xlsx_query=sel.query(by="child"))
    return render(request, "stats/dashboard.html", context, status=sel.status)
