"""The public dashboard (no login) and its open data downloads."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.reports.form06 import ReportError
from motcua.stats.params import as_of_for, now, period_or_default
from motcua.stats.periods import KIND_LABELS, KINDS, PeriodError
from motcua.stats.public import PUBLIC_COLUMNS, default_unit, public_figures, rounded_now
from motcua.stats.scope import MAX_CODE
from motcua.units.models import AdministrativeUnit, Level
from motcua.units.scoping import resolve_code
from motcua.workdays import TZ

CSV_HEADER = {
    "code": "ma", "name": "ten", "to_handle": "phai_giai_quyet", "resolved": "da_giai_quyet",
    "resolved_in_time": "da_giai_quyet_dung_han", "resolved_late": "da_giai_quyet_qua_han",
    "in_progress": "dang_giai_quyet", "in_progress_overdue": "dang_giai_quyet_qua_han",
    "on_time_rate": "ty_le_dung_han",
}


def _figures(request: HttpRequest) -> tuple[dict | None, dict]:
    """(figures or None, context with errors and the choices)."""
    at = now()
    today = at.astimezone(TZ).date()
    errors: list[str] = []
    period = period_or_default(request.GET, today, errors)
    status = 400 if errors else 200
    code = request.GET.get("unit", "").strip()
    unit = None
    if code:
        if "\x00" not in code and len(code) <= MAX_CODE:
            unit = resolve_code(code, period.date_to)
        if unit is None:
            errors.append(_("Không có đơn vị hành chính mã “%s”.") % code[:20])
            status = 404
    else:
        unit = default_unit(today)
    data = None
    if not errors and unit is not None:
        try:
            as_of = as_of_for(period, rounded_now(at))
            data = public_figures(unit.code, period, as_of)
        except (PeriodError, ReportError) as exc:
            errors.append(str(exc))
            status = 400
    provinces = AdministrativeUnit.objects.filter(level=Level.PROVINCE, valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)).order_by("code")
    context = {"errors": errors, "status": status, "period": period, "unit": unit, "provinces": provinces,
               "kinds": [(k, KIND_LABELS[k]) for k in KINDS if k != "custom"],
               "years": list(range(today.year, today.year - 8, -1)), "convention": period.convention}
    if data is not None:
        query = {**period.query(), "unit": data["unit"]["code"]}
        context["data_query"] = urlencode(query)
    return data, context


def dashboard(request: HttpRequest) -> HttpResponse:
    data, context = _figures(request)
    return render(request, "stats/public.html", {**context, "data": data}, status=context["status"])


def open_data(request: HttpRequest, fmt: str) -> HttpResponse:
    data, context = _figures(request)
    if data is None:
        return HttpResponse(" ".join(context["errors"]) or _("Không có dữ liệu."), status=context["status"] if
                            context["status"] != 200 else 404, content_type="text/plain; charset=utf-8")
    name = f"thong-ke-{data['unit']['code']}-{data['period']['from']}-{data['period']['to']}"
    if fmt == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
                                content_type="application/json; charset=utf-8")
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["nhom", *(CSV_HEADER[c] for c in PUBLIC_COLUMNS)])
        writer.writerow(["tong", *(data["totals"][c] for c in PUBLIC_COLUMNS)])
        for group, rows in (("don_vi", data["units"]), ("thu_tuc", data["procedures"])):
            for row in rows:
                writer.writerow([group, *(row[c] for c in PUBLIC_COLUMNS)])
        response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
