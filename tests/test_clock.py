"""The pure clock (motcua.workdays): calendar facts from the law, and the due-instant rules of docs/domain.md §6."""
from __future__ import annotations

import ast
import pathlib
from datetime import UTC, date, datetime, time, timedelta

import pytest

from motcua.workdays import (
    ANNOUNCEMENTS,
    TZ,
    Calendar,
    in_progress_state,
    outcome_of,
    parse_duration,
)

PACKAGE_ONLY = Calendar.national()
NATIONAL = Calendar.national(
    extra_non_working=[(d, r) for d, working, r, _ in ANNOUNCEMENTS if not working],
    extra_working=[(d, r) for d, working, r, _ in ANNOUNCEMENTS if working],
)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def due_instant(cal: Calendar, received: datetime, minutes: int, cutoff: time | str | None = None) -> datetime:
    """The due instant of a receipt: the clock starts (``start_of_clock``), then runs ``minutes``."""
    return cal.add_working_time(cal.start_of_clock(received, cutoff), minutes)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


# -- which days are worked -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_off", "last_off"),
    [
        (date(2024, 2, 8), date(2024, 2, 14)),  # Tết Giáp Thìn: off 8–14 Feb 2024
        (date(2025, 1, 25), date(2025, 2, 2)),  # Tết Ất Tỵ: off 25 Jan–2 Feb 2025
        (date(2026, 2, 14), date(2026, 2, 22)),  # Tết Bính Ngọ: off 14–22 Feb 2026 (9 days)
    ],
)
def test_tet_is_off_and_the_days_around_it_are_worked(first_off: date, last_off: date) -> None:
    assert [d for d in days(first_off, last_off) if NATIONAL.is_working_day(d)] == []
    assert NATIONAL.is_working_day(first_off - timedelta(1))  # a working weekday each year
    assert NATIONAL.is_working_day(last_off + timedelta(1))


@pytest.mark.parametrize(
    ("worked_saturday", "day_off"),
    [
        (date(2024, 5, 4), date(2024, 4, 29)),  # 30/4–1/5 2024: Mon 29 Apr off, Sat 4 May worked
        (date(2025, 4, 26), date(2025, 5, 2)),  # 30/4–1/5 2025: Fri 2 May off, Sat 26 Apr worked
    ],
)
def test_make_up_saturdays_from_the_package(worked_saturday: date, day_off: date) -> None:
    assert worked_saturday.weekday() == 5
    assert PACKAGE_ONLY.is_working_day(worked_saturday)
    assert not PACKAGE_ONLY.is_working_day(day_off)
    assert PACKAGE_ONLY.is_working_day(worked_saturday + timedelta(7)) is False  # an ordinary Saturday


def test_new_year_2026_swap_is_missing_from_the_package_and_supplied_by_announcements() -> None:
    """Công văn 12729/VPCP-KGVX (25/12/2025): off Fri 2 Jan 2026, worked Sat 10 Jan 2026."""
    assert PACKAGE_ONLY.is_working_day(date(2026, 1, 2))  # the package does not know (holidays 0.109)
    assert not PACKAGE_ONLY.is_working_day(date(2026, 1, 10))
    assert not NATIONAL.is_working_day(date(2026, 1, 1))
    assert not NATIONAL.is_working_day(date(2026, 1, 2))
    assert NATIONAL.is_working_day(date(2026, 1, 10))
    # Received Wed 31 Dec 2025 16:00, 2 working hours: 1h on the 31st, then Mon 5 Jan 09:00.
    assert due_instant(NATIONAL, at(2025, 12, 31, 16), 120) == at(2026, 1, 5, 9)
    assert due_instant(PACKAGE_ONLY, at(2025, 12, 31, 16), 120) == at(2026, 1, 2, 9)


def test_overrides_win_over_package_and_announcements() -> None:
    cal = Calendar.national(
        overrides=[(date(2024, 5, 4), False), (date(2024, 2, 8), True, "thử"), (date(2026, 1, 2), True)],
        extra_non_working=[date(2026, 1, 2)],
    )
    assert not cal.is_working_day(date(2024, 5, 4))
    assert cal.is_working_day(date(2024, 2, 8))
    assert cal.day_status(date(2024, 2, 8)) == (True, "thử")
    assert cal.is_working_day(date(2026, 1, 2))


def test_vietnamese_culture_day_from_2026() -> None:
    assert not PACKAGE_ONLY.is_working_day(date(2026, 11, 24))  # the holidays package knows it
    assert not NATIONAL.is_working_day(date(2026, 11, 24))  # a Tuesday
    assert NATIONAL.is_working_day(date(2025, 11, 24))  # a Monday, before the holiday existed
    assert due_instant(NATIONAL, at(2026, 11, 23, 9), 480) == at(2026, 11, 25, 9)


def test_reasons_for_days_off() -> None:
    assert NATIONAL.day_status(date(2026, 2, 17)) == (False, "Tết Nguyên Đán")
    assert NATIONAL.day_status(date(2026, 2, 14)) == (False, "Thứ Bảy")
    assert NATIONAL.day_status(date(2026, 1, 2))[0] is False
    assert "12729" not in NATIONAL.day_status(date(2026, 1, 2))[1]  # reason, not legal basis
    assert [d for d in days(date(2024, 4, 27), date(2024, 5, 5)) if not NATIONAL.day_status(d)[0]] == [
        date(2024, 4, 27), date(2024, 4, 28), date(2024, 4, 29), date(2024, 4, 30), date(2024, 5, 1),
        date(2024, 5, 5),
    ]


# -- start of the clock ----------------------------------------------------------------------------


def test_cutoff_strictly_after_moves_at_the_minute_does_not() -> None:
    cutoff = time(15, 0)
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 15, 0), cutoff) == at(2026, 3, 4, 15, 0)
    assert NATIONAL.start_of_clock(datetime(2026, 3, 4, 15, 0, 59), cutoff) == at(2026, 3, 4, 15, 0)
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 15, 1), cutoff) == at(2026, 3, 5, 8, 0)
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 15, 1), "15:00") == at(2026, 3, 5, 8, 0)
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 15, 1)) == at(2026, 3, 4, 15, 1)  # no cut-off
    # Friday after the cut-off → Monday's opening; before Tết 2026 → after it.
    assert NATIONAL.start_of_clock(at(2026, 3, 6, 16, 0), cutoff) == at(2026, 3, 9, 8, 0)
    assert NATIONAL.start_of_clock(at(2026, 2, 13, 16, 10), cutoff) == at(2026, 2, 23, 8, 0)


def test_receipts_outside_working_time_start_at_the_next_working_instant() -> None:
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 7, 15)) == at(2026, 3, 4, 8, 0)  # early morning
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 12, 0)) == at(2026, 3, 4, 13, 0)  # lunch
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 12, 45)) == at(2026, 3, 4, 13, 0)
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 17, 0)) == at(2026, 3, 5, 8, 0)  # evening
    assert NATIONAL.start_of_clock(at(2026, 3, 6, 20, 30)) == at(2026, 3, 9, 8, 0)  # Friday evening
    assert NATIONAL.start_of_clock(at(2026, 3, 7, 10, 0)) == at(2026, 3, 9, 8, 0)  # Saturday
    assert NATIONAL.start_of_clock(at(2026, 3, 4, 9, 37)) == at(2026, 3, 4, 9, 37)  # inside a session


# -- due instants ---------------------------------------------------------------------------------


def test_due_exactly_at_session_close_is_the_close() -> None:
    assert NATIONAL.add_working_time(at(2026, 3, 4, 8), 240) == at(2026, 3, 4, 12)
    assert NATIONAL.add_working_time(at(2026, 3, 4, 13), 240) == at(2026, 3, 4, 17)
    assert NATIONAL.add_working_time(at(2026, 3, 4, 8), 480) == at(2026, 3, 4, 17)
    assert NATIONAL.add_working_time(at(2026, 3, 6, 8), 480) == at(2026, 3, 6, 17)  # Friday: not Monday 08:00
    assert NATIONAL.add_working_time(at(2026, 3, 4, 8), 241) == at(2026, 3, 4, 13, 1)


def test_lunch_break_is_not_counted() -> None:
    assert NATIONAL.add_working_time(at(2026, 3, 4, 10), 240) == at(2026, 3, 4, 15)
    assert NATIONAL.working_time_between(at(2026, 3, 4, 11), at(2026, 3, 4, 14)) == 120


def test_interfaces_examples() -> None:
    received = datetime(2026, 2, 13, 16, 10)  # naive = Asia/Ho_Chi_Minh
    start = NATIONAL.start_of_clock(received)
    # Friday 16:10–17:00 (50 min), Tết 14–22 Feb, Mon–Thu 23–26 Feb (4 days), 430 min on Friday 27.
    assert NATIONAL.add_working_time(start, parse_duration("5d")).isoformat() == "2026-02-27T16:10:00+07:00"
    assert NATIONAL.add_working_time(start, parse_duration("4h")).isoformat() == "2026-02-23T11:10:00+07:00"
    assert due_instant(NATIONAL, received, 2400, time(15)).isoformat() == "2026-02-27T17:00:00+07:00"


def test_tet_2024_and_2025_due_dates() -> None:
    assert due_instant(NATIONAL, at(2024, 2, 7, 10), 480) == at(2024, 2, 15, 10)
    assert due_instant(NATIONAL, at(2025, 1, 24, 16), 120) == at(2025, 2, 3, 9)
    # Make-up Saturday 4 May 2024 is counted: Fri 3 May 10:00 + 1 day = Sat 4 May 10:00.
    assert due_instant(NATIONAL, at(2024, 5, 3, 10), 480) == at(2024, 5, 4, 10)


def test_zero_minutes_and_starts_outside_working_time() -> None:
    assert NATIONAL.add_working_time(at(2026, 3, 4, 9, 30), 0) == at(2026, 3, 4, 9, 30)
    assert NATIONAL.add_working_time(at(2026, 3, 7, 9, 30), 0) == at(2026, 3, 9, 8)
    assert NATIONAL.add_working_time(at(2026, 3, 4, 12, 0), 0) == at(2026, 3, 4, 13)
    assert NATIONAL.add_working_time(at(2026, 3, 4, 18, 0), 60) == at(2026, 3, 5, 9)
    with pytest.raises(ValueError):
        NATIONAL.add_working_time(at(2026, 3, 4, 9), -1)


def test_time_zones_and_minute_precision() -> None:
    utc = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi
    due = NATIONAL.add_working_time(utc, 60)
    assert due == at(2026, 3, 4, 10)
    assert due.tzinfo is TZ
    assert due.isoformat().endswith("+07:00")
    assert NATIONAL.add_working_time(datetime(2026, 3, 4, 9, 0, 59, 999), 1) == at(2026, 3, 4, 9, 1)
    assert NATIONAL.working_time_between(at(2026, 3, 4, 10), at(2026, 3, 4, 9)) == 0
    assert NATIONAL.working_time_between(at(2026, 3, 6, 16), at(2026, 3, 9, 9)) == 120


def test_any_number_of_sessions() -> None:
    cal = Calendar("07:00-09:00, 10:00-12:00 ,14:00-18:00", first_year=2026, last_year=2026)
    assert cal.minutes_per_day == 480
    assert cal.start_of_clock(at(2026, 3, 4, 9, 30)) == at(2026, 3, 4, 10)
    assert cal.add_working_time(at(2026, 3, 4, 7), 120) == at(2026, 3, 4, 9)
    assert cal.add_working_time(at(2026, 3, 4, 7), 121) == at(2026, 3, 4, 10, 1)
    assert cal.add_working_time(at(2026, 3, 4, 7), 480) == at(2026, 3, 4, 18)
    assert cal.working_time_between(at(2026, 3, 4, 8), at(2026, 3, 4, 15)) == 60 + 120 + 60
    # Plain calendar, no holidays package: Tết is a working Tuesday here.
    assert cal.is_working_day(date(2026, 2, 17))
    with pytest.raises(ValueError):
        Calendar("08:00-12:00,11:00-17:00")
    with pytest.raises(ValueError):
        Calendar("12:00-08:00")
    with pytest.raises(ValueError):
        Calendar("8h-12h")


def test_explicit_dates_and_range_growth() -> None:
    cal = Calendar(non_working=[date(2026, 3, 4)], working=[date(2026, 3, 7)], first_year=2026, last_year=2026)
    assert not cal.is_working_day(date(2026, 3, 4))
    assert cal.is_working_day(date(2026, 3, 7))
    with pytest.raises(ValueError):
        Calendar(non_working=[date(2026, 3, 4)], working=[date(2026, 3, 4)])
    # A due date beyond the precomputed years extends the range and agrees with a calendar built for it.
    wide = Calendar.national(first_year=2015, last_year=2045)
    received = at(2035, 12, 20, 9)
    assert due_instant(PACKAGE_ONLY, received, 480 * 30) == due_instant(wide, received, 480 * 30)
    narrow = Calendar.national(first_year=2030, last_year=2030)
    assert due_instant(narrow, at(2026, 2, 13, 16, 10), 2400) == at(2026, 2, 27, 16, 10)


# -- durations and outcomes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("5d", 2400), ("4h", 240), ("0.5d", 240), ("2.5d", 1200), ("1D", 480), (" 15d ", 7200), ("0h", 0)],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "5", "d", "-1d", "1.5h", "0.25d", "5 days", "1,5d", "5m", "1e3d"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_outcomes_compare_local_calendar_dates() -> None:
    due = at(2026, 2, 27, 11, 30)
    assert outcome_of(at(2026, 2, 26, 16), due) == "early"
    assert outcome_of(at(2026, 2, 27, 16), due) == "on_time"  # later that day is still on time
    assert outcome_of(at(2026, 2, 28, 8), due) == "late"
    assert outcome_of(datetime(2026, 2, 27, 18, 0, tzinfo=UTC), due) == "late"  # 01:00 on the 28th in Hanoi
    assert outcome_of(datetime(2026, 2, 26, 20, 0, tzinfo=UTC), due) == "on_time"  # 03:00 on the 27th
    assert in_progress_state(due, at(2026, 2, 27, 23, 59)) == "within"
    assert in_progress_state(due, at(2026, 2, 28, 0, 0)) == "overdue"
    assert in_progress_state(due, at(2026, 2, 20)) == "within"


def test_workdays_package_does_not_import_django() -> None:
    root = pathlib.Path(__file__).resolve().parents[1] / "motcua" / "workdays"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path
