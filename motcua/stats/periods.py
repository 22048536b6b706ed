"""Reporting periods: month, quarter, 6 months, 9 months, year, or any range of days.

Two conventions (``settings.MOTCUA_REPORT_CONVENTION``):

- ``calendar`` — calendar months: Q1 2026 = 2026-01-01 .. 2026-03-31;
- ``cutoff15`` — Decree 09/2019/NĐ-CP (reporting regime of state administrative agencies): the
  figures of a month run from the 15th of the previous month to the 14th of the month, so
  Q1 2026 = 2025-12-15 .. 2026-03-14 and the year 2026 = 2025-12-15 .. 2026-12-14.

"6 months" is the first half (n=1) or the second half (n=2); "9 months" is the first nine months.
Pure functions: nothing here reads the database.
"""
from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CALENDAR, CUTOFF15 = "calendar", "cutoff15"
CONVENTIONS = (CALENDAR, CUTOFF15)
KINDS = ("month", "quarter", "half", "nine", "year", "custom")
KIND_LABELS = {
    "month": gettext_lazy("Tháng"), "quarter": gettext_lazy("Quý"), "half": gettext_lazy("6 tháng"),
    "nine": gettext_lazy("9 tháng"), "year": gettext_lazy("Năm"), "custom": gettext_lazy("Tùy chọn"),
}
# How many numbered periods a kind has in a year (None: the kind has no number).
NUMBERS = {"month": 12, "quarter": 4, "half": 2, "nine": None, "year": None}
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_DAYS = 366 * 5
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^\d{1,4}$")


class PeriodError(ValueError):
    """A period that cannot be built from the input; the message is for the user."""


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    date_from: dt.date
    date_to: dt.date
    year: int | None = None
    number: int | None = None
    convention: str = CALENDAR

    @property
    def label(self) -> str:
        y, n = self.year, self.number
        if self.kind == "month":
            text = _("Tháng %(n)s/%(y)s") % {"n": n, "y": y}
        elif self.kind == "quarter":
            text = _("Quý %(q)s năm %(y)s") % {"q": ROMAN[n or 1], "y": y}
        elif self.kind == "half":
            text = (_("6 tháng đầu năm %s") if n == 1 else _("6 tháng cuối năm %s")) % y
        elif self.kind == "nine":
            text = _("9 tháng năm %s") % y
        elif self.kind == "year":
            text = _("Năm %s") % y
        else:
            return self.range_label
        return f"{text} ({self.range_label})"

    @property
    def range_label(self) -> str:
        return _("từ %(f)s đến %(t)s") % {"f": self.date_from.strftime("%d/%m/%Y"),
                                          "t": self.date_to.strftime("%d/%m/%Y")}

    def query(self) -> dict[str, str]:
        """The query parameters that rebuild this period (``parse_period``)."""
        if self.kind == "custom":
            return {"period": "custom", "from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        out = {"period": self.kind, "year": str(self.year)}
        if self.number is not None:
            out["n"] = str(self.number)
        return out


def report_convention() -> str:
    value = getattr(settings, "MOTCUA_REPORT_CONVENTION", CALENDAR) or CALENDAR
    if value not in CONVENTIONS:
        raise PeriodError(_("MOTCUA_REPORT_CONVENTION phải là một trong: %s.") % ", ".join(CONVENTIONS))
    return value


def month_span(kind: str, number: int | None) -> tuple[int, int]:
    """First and last month (1–12) of a period kind in its year."""
    if kind == "month":
        return number, number  # type: ignore[return-value]
    if kind == "quarter":
        return 3 * number - 2, 3 * number  # type: ignore[operator]
    if kind == "half":
        return (1, 6) if number == 1 else (7, 12)
    if kind == "nine":
        return 1, 9
    if kind == "year":
        return 1, 12
    raise PeriodError(_("Loại kỳ báo cáo không hợp lệ: %s.") % kind)


def months_bounds(year: int, first: int, last: int, convention: str = CALENDAR) -> tuple[dt.date, dt.date]:
    """The days covered by months ``first``..``last`` of ``year`` under ``convention``."""
    if convention == CUTOFF15:
        start = dt.date(year - 1, 12, 15) if first == 1 else dt.date(year, first - 1, 15)
        return start, dt.date(year, last, 14)
    if convention != CALENDAR:
        raise PeriodError(_("Quy ước kỳ báo cáo không hợp lệ: %s.") % convention)
    return dt.date(year, first, 1), dt.date(year, last, pycalendar.monthrange(year, last)[1])


def period_for(kind: str, year: int, number: int | None = None, convention: str | None = None) -> ReportPeriod:
    """The period ``kind`` number ``number`` of ``year`` (e.g. ``("quarter", 2026, 1)``)."""
    convention = convention or report_convention()
    if kind not in NUMBERS:
        raise PeriodError(_("Loại kỳ báo cáo phải là một trong: %s.") % ", ".join(KINDS))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(_("Năm phải từ %(a)s đến %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR})
    top = NUMBERS[kind]
    if top is None:
        number = None
    elif number is None or not 1 <= number <= top:
        raise PeriodError(_("%(k)s: số thứ tự phải từ 1 đến %(n)s.") % {"k": KIND_LABELS[kind], "n": top})
    first, last = month_span(kind, number)
    date_from, date_to = months_bounds(year, first, last, convention)
    return ReportPeriod(kind, date_from, date_to, year, number, convention)


def custom_period(date_from: dt.date, date_to: dt.date) -> ReportPeriod:
    if date_from > date_to:
        raise PeriodError(_("Từ ngày (%(f)s) phải không sau đến ngày (%(t)s).") % {
            "f": date_from.strftime("%d/%m/%Y"), "t": date_to.strftime("%d/%m/%Y")})
    if (date_to - date_from).days > MAX_DAYS:
        raise PeriodError(_("Kỳ báo cáo dài tối đa 5 năm."))
    if date_from.year < MIN_YEAR or date_to.year > MAX_YEAR:
        raise PeriodError(_("Năm phải từ %(a)s đến %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR})
    return ReportPeriod("custom", date_from, date_to)


def month_of(day: dt.date, convention: str | None = None) -> tuple[int, int]:
    """(year, month) of the reporting month that contains ``day``."""
    convention = convention or report_convention()
    year, month = day.year, day.month
    if convention == CUTOFF15 and day.day >= 15:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return year, month


def containing(day: dt.date, kind: str = "quarter", convention: str | None = None) -> ReportPeriod:
    """The period of ``kind`` (not custom) that contains ``day``."""
    convention = convention or report_convention()
    year, month = month_of(day, convention)
    number = {"month": month, "quarter": (month - 1) // 3 + 1, "half": 1 if month <= 6 else 2}.get(kind)
    if kind == "nine" and month > 9:
        raise PeriodError(_("Ngày %s không thuộc kỳ 9 tháng nào.") % day.isoformat())
    return period_for(kind, year, number, convention)


def months_between(date_from: dt.date, date_to: dt.date, convention: str | None = None) -> list[ReportPeriod]:
    """The reporting months from the one containing ``date_from`` to the one containing ``date_to``."""
    convention = convention or report_convention()
    year, month = month_of(date_from, convention)
    last = month_of(date_to, convention)
    out = []
    while (year, month) <= last:
        out.append(period_for("month", year, month, convention))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def parse_date(value: str, name: str) -> dt.date:
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PeriodError(_("%(n)s: ngày không hợp lệ “%(v)s” (dạng YYYY-MM-DD).") % {
            "n": name, "v": value[:40]}) from None


def _parse_int(value: str, name: str) -> int:
    if not _INT.match(value):
        raise PeriodError(_("%(n)s: không phải số hợp lệ “%(v)s”.") % {"n": name, "v": value[:40]})
    return int(value)


def parse_period(params: Mapping[str, str], today: dt.date, default_kind: str = "quarter",
                 convention: str | None = None) -> ReportPeriod:
    """The period named by query parameters: ``period`` (a kind), ``year``, ``n`` (month, quarter
    or half number), or ``from``/``to`` for a custom range (both given: custom whatever ``period`` says).
    Without any, the ``default_kind`` period containing ``today``."""
    convention = convention or report_convention()
    kind = (params.get("period") or "").strip()
    raw_from, raw_to = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if raw_from and raw_to and kind != "custom":
        kind = "custom"  # dates typed into the picker win over the period kind left selected
    if not kind:
        if raw_from or raw_to:
            kind = "custom"
        elif params.get("year"):
            kind = default_kind
        else:
            return containing(today, default_kind, convention)
    if kind not in KINDS:
        raise PeriodError(_("Loại kỳ báo cáo phải là một trong: %s.") % ", ".join(KINDS))
    if kind == "custom":
        if not raw_from or not raw_to:
            raise PeriodError(_("Kỳ tùy chọn cần cả “từ ngày” và “đến ngày”."))
        return custom_period(parse_date(raw_from, _("Từ ngày")), parse_date(raw_to, _("Đến ngày")))
    year = _parse_int((params.get("year") or str(month_of(today, convention)[0])).strip(), _("Năm"))
    number = None
    if NUMBERS[kind] is not None:
        raw_n = (params.get("n") or "").strip()
        if raw_n:
            number = _parse_int(raw_n, _("Số thứ tự kỳ"))
        elif year == month_of(today, convention)[0]:
            number = containing(today, kind, convention).number
        else:
            number = 1
    return period_for(kind, year, number, convention)
