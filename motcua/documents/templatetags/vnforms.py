"""Date and time as Vietnamese administrative documents write them (Decree 30/2020/NĐ-CP).

Days below 10 and the months January and February take a leading zero: "ngày 05 tháng 02 năm 2024",
"ngày 15 tháng 3 năm 2024". Instants are shown in Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import datetime as dt

from django import template

from motcua.workdays import to_local

register = template.Library()

OUTCOME_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
PROGRESS_LABELS = {"within": "Đang giải quyết trong hạn", "overdue": "Đang giải quyết quá hạn"}


def _day(value: dt.date | dt.datetime) -> dt.date:
    return to_local(value).date() if isinstance(value, dt.datetime) else value


def long_date(value: dt.date | dt.datetime | None) -> str:
    """'ngày 05 tháng 02 năm 2024'; dotted blanks when there is no date."""
    if value is None:
        return "ngày ..... tháng ..... năm ........"
    d = _day(value)
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def long_datetime(value: dt.datetime | None) -> str:
    """'08 giờ 30 phút, ngày 05 tháng 02 năm 2024'."""
    if value is None:
        return "..... giờ ..... phút, " + long_date(None)
    local = to_local(value)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {long_date(local)}"


def short_datetime(value: dt.datetime | None) -> str:
    """'08:30 05/02/2024' for tables."""
    return to_local(value).strftime("%H:%M %d/%m/%Y") if value is not None else ""


def short_date(value: dt.date | dt.datetime | None) -> str:
    return _day(value).strftime("%d/%m/%Y") if value is not None else ""


register.filter("vn_date", long_date)
register.filter("vn_datetime", long_datetime)
register.filter("vn_short", short_datetime)
register.filter("vn_day", short_date)


@register.filter
def outcome_label(value: str) -> str:
    return OUTCOME_LABELS.get(value) or PROGRESS_LABELS.get(value) or value
