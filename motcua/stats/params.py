"""Reading the query string of the statistics screens: unit, period, row split; errors as messages."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.reports.form06 import BY_CHOICES
from motcua.stats.drill import supports_today_units
from motcua.stats.periods import (
    KIND_LABELS,
    KINDS,
    PeriodError,
    ReportPeriod,
    containing,
    parse_period,
    report_convention,
)
from motcua.stats.scope import UnitNotFound, allowed_unit, root_units
from motcua.units.models import AdministrativeUnit
from motcua.workdays import TZ

_BY_NAMES = {
    "child": gettext_lazy("Đơn vị trực thuộc"), "level": gettext_lazy("Cấp"), "agency": gettext_lazy("Cơ quan"),
    "field": gettext_lazy("Lĩnh vực"), "procedure": gettext_lazy("Thủ tục"),
}
# The row splits report form 06 offers, labelled (a new one without a label shows its key).
BY_LABELS = {key: _BY_NAMES.get(key, key) for key in BY_CHOICES}
UNITS_LABELS = {
    "as_was": gettext_lazy("Đơn vị như khi tiếp nhận hồ sơ"),
    "today": gettext_lazy("Quy về đơn vị hành chính hiện nay"),
}


@dataclass
class Selection:
    period: ReportPeriod
    unit: AdministrativeUnit | None = None
    by: str | None = None
    as_of: dt.datetime | None = None
    units: str = "as_was"
    errors: list[str] = field(default_factory=list)
    status: int = 200

    def query(self, **extra: str | None) -> str:
        """The query string of this selection (with ``extra`` added or, when None, removed)."""
        params: dict[str, str] = dict(self.period.query())
        if self.unit is not None:
            params["unit"] = self.unit.code
        if self.by:
            params["by"] = self.by
        if self.units != "as_was":
            params["units"] = self.units
        for key, value in extra.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return urlencode(params)


def now() -> dt.datetime:
    return timezone.now()


def as_of_for(period: ReportPeriod, at: dt.datetime) -> dt.datetime | None:
    """None (the end of the last day, form 06's default) for a finished period; ``at`` for one still
    running. A period that has not begun yet is an error."""
    start = dt.datetime.combine(period.date_from, dt.time.min, tzinfo=TZ)
    end = dt.datetime.combine(period.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    if at < start:
        raise PeriodError(_("Kỳ báo cáo chưa bắt đầu (bắt đầu ngày %s).") % period.date_from.strftime("%d/%m/%Y"))
    return None if at >= end else at


def period_or_default(params: QueryDict, today: dt.date, errors: list[str], kind: str = "quarter") -> ReportPeriod:
    try:
        return parse_period(params, today, default_kind=kind)
    except PeriodError as exc:
        errors.append(str(exc))
        return containing(today, kind, report_convention())


def read_selection(request: Any, *, by_default: str | None = "child", need_unit: bool = True,
                   kind: str = "quarter") -> Selection:
    """Period, unit (checked against the user's scope) and row split from ``request.GET``.
    Never raises for bad input: the errors are collected and ``status`` says 400 or 404."""
    params = request.GET
    at = now()
    today = at.astimezone(TZ).date()
    errors: list[str] = []
    period = period_or_default(params, today, errors, kind)
    sel = Selection(period=period, errors=errors, status=400 if errors else 200)
    if not errors:
        try:
            sel.as_of = as_of_for(period, at)
        except PeriodError as exc:
            sel.errors.append(str(exc))
            sel.status = 400
    raw_by = params.get("by", by_default or "")
    if raw_by in ("", "none"):
        sel.by = None
    elif raw_by in BY_CHOICES:
        sel.by = raw_by
    else:
        sel.by = by_default
        sel.errors.append(_("Cách chia dòng phải là một trong: %s.") % ", ".join(BY_CHOICES))
        sel.status = 400
    units = params.get("units", "as_was") or "as_was"
    if units == "today" and supports_today_units():
        sel.units = units
    elif units != "as_was":
        sel.errors.append(_("Cách lấy đơn vị phải là một trong: %s.") % ", ".join(UNITS_LABELS))
        sel.status = 400
    if not need_unit:
        return sel
    code = params.get("unit", "")
    if not code:
        roots = root_units(request.user, period.date_to)
        sel.unit = roots[0] if roots else None
        if sel.unit is None:
            sel.errors.append(_("Không có đơn vị nào trong phạm vi bạn được xem."))
            sel.status = 404
        return sel
    try:
        sel.unit = allowed_unit(request.user, code, period.date_to if sel.units == "as_was" else today)
    except UnitNotFound as exc:
        sel.errors.append(str(exc))
        sel.status = 404
    return sel


def period_form_context(sel: Selection) -> dict:
    """What the period picker needs."""
    p = sel.period
    years = list(range(max(p.year or p.date_to.year, now().year) + 1 - 8, max(p.year or 0, now().year) + 1))[::-1]
    return {
        "kinds": [(k, KIND_LABELS[k]) for k in KINDS], "years": years, "months": list(range(1, 13)),
        "period": p, "by_labels": BY_LABELS, "convention": p.convention or report_convention(),
        "units_labels": UNITS_LABELS if supports_today_units() else {}, "units_current": sel.units,
    }
