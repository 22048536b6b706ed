"""Readable dates for screens, workbooks and PDFs: "15 giờ 30, ngày 05/12/2026" and "05/12/2026".

``{% load vndates %}`` then ``{{ value|human_datetime }}`` / ``{{ value|human_date }}``. A value may be a
datetime (shown in Asia/Ho_Chi_Minh), a date, or an ISO string kept in an event's payload or a
report's ``as_of`` (the API keeps those ISO: machines read them). Anything else is shown as it is.
"""
from __future__ import annotations

import datetime as dt

from django import template

from motcua.workdays import to_local

register = template.Library()

# Excel's number formats for real date cells in the xlsx exports.
XLSX_DATETIME = "dd/mm/yyyy hh:mm"
XLSX_DATE = "dd/mm/yyyy"


def _parse(value: object) -> dt.date | dt.datetime | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip().replace("Z", "+00:00")
        try:
            return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def human_datetime(value: object) -> str:
    """'15 giờ 30, ngày 05/12/2026'; a bare date as '05/12/2026'; '' for none."""
    parsed = _parse(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(parsed, dt.datetime):
        return f"{parsed:%d/%m/%Y}"
    local = to_local(parsed) if parsed.tzinfo is not None else parsed
    return f"{local:%H} giờ {local:%M}, ngày {local:%d/%m/%Y}"


def human_date(value: object) -> str:
    """'05/12/2026' (an instant: its local day); '' for none."""
    parsed = _parse(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
        parsed = to_local(parsed)
    return f"{parsed:%d/%m/%Y}"


def xlsx_naive(value: dt.datetime) -> dt.datetime:
    """An instant as the local wall time Excel stores (Excel has no time zones)."""
    return to_local(value).replace(tzinfo=None) if value.tzinfo is not None else value


register.filter("human_datetime", human_datetime)
register.filter("human_date", human_date)
