"""The national layer of the calendar: what the ``holidays`` package knows about Vietnam.

``holidays`` (language ``vi``) lists public holidays, Tết, the days given in lieu
("nghỉ bù") and the working days swapped off ("Ngày nghỉ (thay cho ngày dd/mm/yyyy)").
The Saturday that is worked in exchange for a swapped day is not a holiday entry: the
package records it in ``HolidayBase.weekend_workdays`` (a set of dates), and its
``is_working_day`` reads that set. We read the same set.

Pure Python; no Django.
"""
from __future__ import annotations

from functools import lru_cache

import holidays

from .announcements import Mark

MAKE_UP_REASON = "Ngày làm bù (theo lịch hoán đổi ngày làm việc)"


@lru_cache(maxsize=16)
def national_marks(first_year: int, last_year: int) -> tuple[Mark, ...]:
    """Every date the package marks for VN in [first_year, last_year]: holidays off, make-up days on."""
    known = holidays.country_holidays("VN", years=range(first_year, last_year + 1), language="vi")
    marks: list[Mark] = [
        (day, False, name) for day, name in sorted(known.items()) if first_year <= day.year <= last_year
    ]
    marks.extend(
        (day, True, MAKE_UP_REASON)
        for day in sorted(known.weekend_workdays)
        if first_year <= day.year <= last_year
    )
    return tuple(marks)
