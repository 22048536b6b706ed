"""Reporting periods under both conventions (calendar months; the 15th-to-14th of Decree 09/2019)."""
from __future__ import annotations

import datetime as dt

import pytest

from motcua.stats.periods import (
    CALENDAR,
    CUTOFF15,
    PeriodError,
    containing,
    custom_period,
    months_between,
    parse_period,
    period_for,
    report_convention,
)

D = dt.date


@pytest.mark.parametrize(("kind", "n", "expected"), [
    ("month", 2, (D(2026, 2, 1), D(2026, 2, 28))),
    ("month", 12, (D(2026, 12, 1), D(2026, 12, 31))),
    ("quarter", 1, (D(2026, 1, 1), D(2026, 3, 31))),
    ("quarter", 4, (D(2026, 10, 1), D(2026, 12, 31))),
    ("half", 1, (D(2026, 1, 1), D(2026, 6, 30))),
    ("half", 2, (D(2026, 7, 1), D(2026, 12, 31))),
    ("nine", None, (D(2026, 1, 1), D(2026, 9, 30))),
    ("year", None, (D(2026, 1, 1), D(2026, 12, 31))),
])
def test_calendar_periods(kind: str, n: int | None, expected: tuple[dt.date, dt.date]) -> None:
    p = period_for(kind, 2026, n, CALENDAR)
    assert (p.date_from, p.date_to) == expected


@pytest.mark.parametrize(("kind", "n", "expected"), [
    # Decree 09/2019: Q1 2026 = 15/12/2025 .. 14/03/2026 (the brief's example).
    ("quarter", 1, (D(2025, 12, 15), D(2026, 3, 14))),
    ("quarter", 2, (D(2026, 3, 15), D(2026, 6, 14))),
    ("month", 1, (D(2025, 12, 15), D(2026, 1, 14))),
    ("month", 3, (D(2026, 2, 15), D(2026, 3, 14))),
    ("half", 1, (D(2025, 12, 15), D(2026, 6, 14))),
    ("half", 2, (D(2026, 6, 15), D(2026, 12, 14))),
    ("nine", None, (D(2025, 12, 15), D(2026, 9, 14))),
    ("year", None, (D(2025, 12, 15), D(2026, 12, 14))),
])
def test_cutoff15_periods(kind: str, n: int | None, expected: tuple[dt.date, dt.date]) -> None:
    p = period_for(kind, 2026, n, CUTOFF15)
    assert (p.date_from, p.date_to) == expected


def test_leap_february_calendar() -> None:
    assert period_for("month", 2028, 2, CALENDAR).date_to == D(2028, 2, 29)


@pytest.mark.parametrize("convention", [CALENDAR, CUTOFF15])
def test_months_tile_the_year_without_gaps_or_overlaps(convention: str) -> None:
    months = [period_for("month", 2026, m, convention) for m in range(1, 13)]
    year = period_for("year", 2026, None, convention)
    assert months[0].date_from == year.date_from and months[-1].date_to == year.date_to
    for a, b in zip(months, months[1:], strict=False):
        assert b.date_from == a.date_to + dt.timedelta(days=1)
    quarters = [period_for("quarter", 2026, q, convention) for q in range(1, 5)]
    assert [q.date_to for q in quarters] == [months[i].date_to for i in (2, 5, 8, 11)]


@pytest.mark.parametrize(("day", "convention", "expected"), [
    (D(2026, 3, 14), CUTOFF15, (2026, 1)),
    (D(2026, 3, 15), CUTOFF15, (2026, 2)),
    (D(2025, 12, 20), CUTOFF15, (2026, 1)),
    (D(2025, 12, 20), CALENDAR, (2025, 4)),
    (D(2026, 3, 31), CALENDAR, (2026, 1)),
])
def test_quarter_containing_a_day(day: dt.date, convention: str, expected: tuple[int, int]) -> None:
    p = containing(day, "quarter", convention)
    assert (p.year, p.number) == expected
    assert p.date_from <= day <= p.date_to


def test_months_between_follows_the_convention() -> None:
    labels = [(m.year, m.number) for m in months_between(D(2025, 12, 20), D(2026, 2, 10), CUTOFF15)]
    assert labels == [(2026, 1), (2026, 2)]
    labels = [(m.year, m.number) for m in months_between(D(2025, 12, 20), D(2026, 2, 10), CALENDAR)]
    assert labels == [(2025, 12), (2026, 1), (2026, 2)]


def test_parse_period_from_query_parameters() -> None:
    today = D(2026, 11, 23)
    assert parse_period({"period": "quarter", "year": "2026", "n": "1"}, today, convention=CUTOFF15).date_from == \
        D(2025, 12, 15)
    p = parse_period({"from": "2026-01-10", "to": "2026-02-20"}, today, convention=CALENDAR)
    assert (p.kind, p.date_from, p.date_to) == ("custom", D(2026, 1, 10), D(2026, 2, 20))
    p = parse_period({"period": "quarter", "year": "2026", "n": "1", "from": "2026-01-10", "to": "2026-02-20"}, today,
                     convention=CALENDAR)
    assert (p.kind, p.date_from, p.date_to) == ("custom", D(2026, 1, 10), D(2026, 2, 20))
    p = parse_period({}, today, convention=CALENDAR)
    assert (p.kind, p.year, p.number) == ("quarter", 2026, 4)
    # the query string rebuilds the same period
    q = period_for("half", 2025, 2, CALENDAR)
    assert parse_period(q.query(), today, convention=CALENDAR) == q


@pytest.mark.parametrize("params", [
    {"from": "2026-13-45", "to": "2026-01-01"},
    {"from": "2026-02-30", "to": "2026-03-01"},
    {"from": "2026-03-01", "to": "2026-02-01"},
    {"from": "2026-01-01"},
    {"period": "fortnight", "year": "2026"},
    {"period": "quarter", "year": "2026", "n": "5"},
    {"period": "month", "year": "2026", "n": "0"},
    {"period": "quarter", "year": "abc"},
    {"period": "year", "year": "1850"},
    {"from": "2000-01-01", "to": "2026-01-01"},
])
def test_bad_periods_are_clear_errors(params: dict[str, str]) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(params, D(2026, 11, 23), convention=CALENDAR)
    assert str(info.value)


def test_custom_period_label_is_vietnamese() -> None:
    assert custom_period(D(2026, 1, 1), D(2026, 1, 31)).label == "từ 01/01/2026 đến 31/01/2026"
    assert period_for("quarter", 2026, 1, CUTOFF15).label == "Quý I năm 2026 (từ 15/12/2025 đến 14/03/2026)"


def test_the_convention_is_a_setting(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_REPORT_CONVENTION = CUTOFF15
    assert report_convention() == CUTOFF15
    assert period_for("quarter", 2026, 1).date_from == D(2025, 12, 15)
    settings.MOTCUA_REPORT_CONVENTION = "lunar"
    with pytest.raises(PeriodError):
        report_convention()
