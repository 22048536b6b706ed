"""The public figures: on-time rates per unit and per procedure, with no personal data.

Only counts leave this module — never a dossier, its code or its applicant. The rows are those of
report form 06 (``by="child"`` and ``by="procedure"``) reduced to the columns a citizen needs. Results
are cached for ``MOTCUA_PUBLIC_CACHE_SECONDS`` (default 300): the page is open to everyone.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.reports.form06 import compute_form06
from motcua.stats.periods import ReportPeriod
from motcua.units.models import AdministrativeUnit, Level
from motcua.workdays import TZ

PUBLIC_COLUMNS = ("code", "name", "to_handle", "resolved", "resolved_in_time", "resolved_late", "in_progress",
                  "in_progress_overdue", "on_time_rate")
STEP = dt.timedelta(minutes=5)


def _human(as_of: str) -> str:
    """'2026-03-31T23:59:59+07:00' → '23 giờ 59, ngày 31/03/2026' (never an ISO instant on a screen)."""
    try:
        local = dt.datetime.fromisoformat(as_of).astimezone(TZ)
    except (TypeError, ValueError):
        return as_of
    return f"{local.hour:02d} giờ {local.minute:02d}, ngày {local:%d/%m/%Y}"


def method_text(period: ReportPeriod, as_of: str) -> list[str]:
    return [
        _("Nguồn: hồ sơ thủ tục hành chính tiếp nhận trên hệ thống một cửa điện tử; số liệu tính theo "
          "biểu mẫu số 06 của Thông tư số 01/2020/TT-VPCP."),
        _("Kỳ: %(p)s; số liệu tính đến %(a)s (giờ Việt Nam).") % {"p": period.label, "a": _human(as_of)},
        _("Hồ sơ phải giải quyết = hồ sơ tiếp nhận trong kỳ + hồ sơ kỳ trước chuyển sang còn đang giải quyết, "
          "trừ hồ sơ công dân rút."),
        _("Đúng hạn: hồ sơ hoàn thành không muộn hơn ngày hẹn trả ghi trên phiếu tiếp nhận (so theo ngày); "
          "phiếu xin lỗi hẹn lại không làm hồ sơ trễ hạn thành đúng hạn. Thời gian chờ công dân bổ sung "
          "hồ sơ không tính."),
        _("Tỷ lệ đúng hạn = 1 − (đã giải quyết quá hạn + đang giải quyết quá hạn) / hồ sơ phải giải quyết."),
        _("Không công bố thông tin cá nhân: không có tên, số giấy tờ, số điện thoại hay mã hồ sơ."),
    ]


def public_row(code: str, name: str, counts: dict) -> dict:
    return {
        "code": code, "name": name,
        "to_handle": counts["received_total"] - counts["withdrawn"],
        "resolved": counts["resolved_total"],
        "resolved_in_time": counts["resolved_early"] + counts["resolved_on_time"],
        "resolved_late": counts["resolved_late"],
        "in_progress": counts["in_progress_total"],
        "in_progress_overdue": counts["in_progress_overdue"],
        "on_time_rate": None if counts["on_time_rate"] is None else round(counts["on_time_rate"], 4),
    }


def rounded_now(at: dt.datetime) -> dt.datetime:
    """``at`` rounded down to STEP, so that a running period's figures can be cached."""
    seconds = int(at.timestamp()) // int(STEP.total_seconds()) * int(STEP.total_seconds())
    return dt.datetime.fromtimestamp(seconds, tz=TZ)


def default_unit(today: dt.date) -> AdministrativeUnit | None:
    """``MOTCUA_PUBLIC_UNIT`` if set; else the province of the latest dossier; else the first province."""
    from motcua.units.scoping import resolve_code

    code = getattr(settings, "MOTCUA_PUBLIC_UNIT", "")
    if code:
        return resolve_code(code, today)
    latest = Dossier.objects.filter(received_at__isnull=False).select_related("unit").order_by("-received_at").first()
    unit = latest.unit.ancestors()[-1] if latest else None  # the outermost: the province
    if unit is not None:
        return resolve_code(unit.code, today) or unit
    return AdministrativeUnit.objects.filter(level=Level.PROVINCE).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)).order_by("code").first()


def public_figures(unit_code: str, period: ReportPeriod, as_of: dt.datetime | None) -> dict:
    """Totals, rows per child unit and per procedure (see PUBLIC_COLUMNS); cached."""
    key = f"stats:public:{unit_code}:{period.date_from}:{period.date_to}:{as_of.isoformat() if as_of else ''}"
    found = cache.get(key)
    if found is not None:
        return found
    by_unit = compute_form06(unit_code, period.date_from, period.date_to, as_of=as_of, by="child")
    by_proc = compute_form06(unit_code, period.date_from, period.date_to, as_of=as_of, by="procedure")
    unit = by_unit["unit"]
    data = {
        "unit": {"code": unit["code"], "name": unit["name"]},
        "period": {"label": period.label, "from": by_unit["from"], "to": by_unit["to"],
                   "convention": period.convention},
        "as_of": by_unit["as_of"],
        "method": method_text(period, by_unit["as_of"]),
        "columns": list(PUBLIC_COLUMNS),
        "totals": public_row(unit["code"], unit["name"], by_unit["totals"]),
        # the unit's own row (dossiers handled at its level) only when it has any
        "units": [public_row(r["key"], r["label"], r) for r in by_unit["rows"]
                  if r["key"] != unit["code"] or r["received_total"]],
        "procedures": [public_row(r["key"], r["label"], r) for r in by_proc["rows"]],
    }
    cache.set(key, data, getattr(settings, "MOTCUA_PUBLIC_CACHE_SECONDS", 300))
    return data
