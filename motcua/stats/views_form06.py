"""Report form 06 on screen, its downloads, and the dossiers behind each cell."""
from __future__ import annotations

import datetime as dt
import re
from html import escape  # the standard library's: Django's (lazy-aware) is slower per call
from urllib.parse import quote_plus, urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from motcua.reports.form06 import COUNT_KEYS, ReportError, compute_form06
from motcua.stats import exports
from motcua.stats.drill import TOTAL_ROW, dossiers_behind
from motcua.stats.params import BY_LABELS, Selection, period_form_context, read_selection
from motcua.stats.scope import require_reporter, unit_choices
from motcua.stats.templatetags.stats_tags import percent
from motcua.workdays import TZ

FORMATS = ("xlsx", "csv", "json", "pdf")
PAGE_SIZE = 50
MUTED = "text-muted text-decoration-none"
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([+-]\d{2}:\d{2}|Z)?$")


def compute(sel: Selection) -> dict | None:
    """Form 06 for the selection, or None with the message added to ``sel.errors``."""
    if sel.errors or sel.unit is None:
        return None
    try:
        extra = {"units": sel.units} if sel.units != "as_was" else {}
        return compute_form06(sel.unit.code, sel.period.date_from, sel.period.date_to, as_of=sel.as_of, by=sel.by,
                              **extra)
    except ReportError as exc:
        sel.errors.append(str(exc))
        sel.status = 400
        return None


def _table(report: dict, sel: Selection, show_empty: bool = True) -> list[dict]:
    """Rows for the template: every count cell with the link to its dossiers; without ``show_empty``,
    the rows with no dossier at all are left out (the total keeps them).

    A province by commune is some 2,000 cells: the drill-down query is encoded once and each row's
    cells are written as one piece of HTML here (``cells_html``), not a template loop per cell —
    that loop and an urlencode per cell made the screen three times slower than the JSON of the same
    figures (docs/benchmarks.md, "Form 06 on screen")."""
    base = {"unit": report["unit"]["code"], "period": "custom", "from": report["from"], "to": report["to"],
            "as_of": report["as_of"], "by": sel.by or "none", **({"units": sel.units} if sel.units != "as_was" else {})}
    prefix = f"{reverse('stats:form06_dossiers')}?{urlencode(base)}&row="
    columns = [(c, escape(f"&column={quote_plus(c)}")) for c in exports.COLUMNS[:-1]]
    numbers: dict[int, str] = {}  # intcomma once per distinct value
    out = []
    for row, is_total in [(r, False) for r in report["rows"]] + [(report["totals"], True)]:
        if not is_total and not show_empty and not any(row[c] for c, _q in columns):
            continue
        key = TOTAL_ROW if is_total else row["key"]
        row_url = escape(prefix + quote_plus(str(key)))
        parts = []
        for column, query in columns:
            value = row[column]
            if value:
                text = numbers.get(value) or numbers.setdefault(value, escape(intcomma(value)))
                parts.append(f'<td data-col="{column}"><a href="{row_url}{query}">{text}</a></td>')
            else:
                parts.append(f'<td data-col="{column}"><a class="{MUTED}" href="{row_url}{query}">0</a></td>')
        child_url = None
        if sel.by == "child" and not is_total and row["key"] != report["unit"]["code"]:
            child_url = f"?{sel.query(unit=row['key'])}"
        label = _("Tổng cộng") if is_total else row["label"]
        out.append({"key": key, "label": label, "total": is_total, "rate": row["on_time_rate"],
                    "child_url": child_url, "cells_html": "".join(parts)})
    for number, row in enumerate(out, start=1):
        row["html"] = _row_html(row, number)
    return out


def _row_html(row: dict, number: int) -> str:
    """One row of the table (see ``_table``)."""
    label = escape(row["label"])
    if row["child_url"]:
        label = f'<a href="{escape(row["child_url"])}">{label}</a>'
    head = ' class="fw-bold table-light"' if row["total"] else ""
    return mark_safe(  # noqa: S308 - every value is escaped here or in _table
        f'<tr{head} data-row="{escape(row["key"])}"><td class="text-center">{"" if row["total"] else number}</td>'
        f'<td class="text-start">{label}</td>{row["cells_html"]}'
        f'<td data-col="on_time_rate">{escape(percent(row["rate"], 2))}</td></tr>\n')


@login_required
def form06_page(request: HttpRequest) -> HttpResponse:
    require_reporter(request.user)
    sel = read_selection(request)
    report = compute(sel)
    show_empty = request.GET.get("empty") == "1"
    rows = _table(report, sel, show_empty) if report else []
    hidden = len(report["rows"]) + 1 - len(rows) if report else 0
    context = {
        **period_form_context(sel), "sel": sel, "report": report, "errors": sel.errors,
        "units": unit_choices(request.user, sel.unit, sel.period.date_from, sel.period.date_to),
        "groups": exports.header_groups(), "rows": rows, "hidden_empty": hidden, "show_empty": show_empty,
        "empty_query": sel.query() + ("" if show_empty else "&empty=1"),
        "formats": FORMATS, "export_query": sel.query(), "by_current": sel.by or "none",
    }
    return render(request, "stats/form06.html", context, status=sel.status)


@login_required
def form06_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_reporter(request.user)
    if fmt not in FORMATS:
        raise Http404("no such format")
    sel = read_selection(request)
    report = compute(sel)
    if report is None:
        return HttpResponse(" ".join(sel.errors), status=sel.status, content_type="text/plain; charset=utf-8")
    label = _("Kỳ báo cáo: %s") % sel.period.label
    if fmt == "xlsx":
        return exports.xlsx_response(report, label)
    if fmt == "csv":
        return exports.csv_response(report)
    if fmt == "json":
        return exports.json_response(report)
    return exports.pdf_response(report, label)


def parse_as_of(value: str) -> dt.datetime | None:
    """An ISO instant from a drill-down link (without an offset: local time); '' → None."""
    value = value.strip().replace(" ", "+")  # a '+' in a hand-typed query string arrives as a space
    if not value:
        return None
    if not _INSTANT.match(value):
        raise ValueError(value)
    instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return instant.replace(tzinfo=TZ) if instant.tzinfo is None else instant


@login_required
def form06_dossiers(request: HttpRequest) -> HttpResponse:
    require_reporter(request.user)
    sel = read_selection(request)
    column = request.GET.get("column", "")
    row_key = request.GET.get("row", TOTAL_ROW)[:60]
    page = None
    if column not in COUNT_KEYS:
        sel.errors.append(_("Không có cột “%s” trong mẫu 06.") % column[:40])
        sel.status = 400
    try:
        as_of = parse_as_of(request.GET.get("as_of", ""))
    except ValueError:
        sel.errors.append(_("Thời điểm lấy số liệu không hợp lệ (dạng 2026-03-31T23:59:59+07:00)."))
        sel.status, as_of = 400, None
    if not sel.errors and sel.unit is not None:
        try:
            qs = dossiers_behind(sel.unit.code, sel.period.date_from, sel.period.date_to, as_of or sel.as_of,
                                 sel.by, row_key, column, units=sel.units)
            page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        except ReportError as exc:
            sel.errors.append(str(exc))
            sel.status = 400
    titles = {k: f"{g['title']} — {c['title']}" for g in exports.header_groups() for c in g["columns"]
              for k in [c["key"]]}
    titles["withdrawn"] = _("Rút hồ sơ")
    context = {
        "sel": sel, "errors": sel.errors, "page": page, "column_title": titles.get(column, column[:40]),
        "row_key": row_key, "by_label": BY_LABELS.get(sel.by or "", ""),
        "back_query": sel.query(), "page_query": request.GET.copy(),
    }
    if page is not None:
        query = request.GET.copy()
        query.pop("page", None)
        context["page_query"] = query.urlencode()
    return render(request, "stats/form06_dossiers.html", context, status=sel.status)
