"""Form 06 downloads: xlsx and PDF (A4 landscape) in the official layout "Biểu số II.06a/VPCP/KSTT" (13 columns;
the xlsx has the extra columns on a second sheet), csv and json with every count.

The csv is ``motcua.reports.exports.to_csv`` (the ``report`` command's), with a byte-order mark so
Excel reads the Vietnamese. The xlsx is the ``report`` command's too (``reports.exports.to_xlsx``).
"""
from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

from motcua.documents.render import render_template_pdf
from motcua.reports.exports import (
    _GROUPS,
    COLUMNS,  # noqa: F401 (the screens read it here)
    FORM_NAME,
    OFFICIAL_COLUMNS,
    OFFICIAL_GROUPS,
    _vn_date,
    official_row,
    to_csv,
    to_xlsx,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header_groups() -> list[dict]:
    """For templates: the group headers and their columns."""
    return [{"title": _(group), "columns": [{"key": k, "title": _(t)} for k, t in cols]} for group, cols in _GROUPS]


def official_header() -> list[dict]:
    """For the PDF: the official form's three header rows (group, sub-group, column)."""
    return [{"title": _(group), "width": sum(len(cols) for _m, cols in mids),
             "mids": [{"title": _(m) if m else "", "columns": [{"key": k, "title": _(t)} for k, t in cols]}
                      for m, cols in mids]} for group, mids in OFFICIAL_GROUPS]


def filename(report: dict, ext: str) -> str:
    return f"mau06_{report['unit']['code']}_{report['from']}_{report['to']}.{ext}"


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_response(report: dict) -> HttpResponse:
    body = "\ufeff" + to_csv(report)
    return _attachment(HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8"),
                       filename(report, "csv"))


def json_response(report: dict) -> HttpResponse:
    body = json.dumps(report, ensure_ascii=False, indent=1)
    return _attachment(HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8"),
                       filename(report, "json"))


def xlsx_response(report: dict, period_label: str = "") -> HttpResponse:
    return _attachment(HttpResponse(to_xlsx(report, period_label), content_type=XLSX_TYPE),
                       filename(report, "xlsx"))


def pdf_response(report: dict, period_label: str = "") -> HttpResponse:
    pdf = render_template_pdf("stats/form06_pdf.html", {
        "report": report, "official": official_header(), "columns": OFFICIAL_COLUMNS, "period_label": period_label,
        "rows": [official_row(r) for r in report["rows"]], "totals": official_row(report["totals"]),
        "numbers": range(1, len(OFFICIAL_COLUMNS) + 3),
        "form_name": FORM_NAME, "from_vn": _vn_date(report["from"]), "to_vn": _vn_date(report["to"]),
    })
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), filename(report, "pdf"))
