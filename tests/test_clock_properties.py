"""Properties of the clock (hypothesis), on the national calendar and on random small calendars
checked against a minute-by-minute count."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.workdays import TZ, Calendar

NATIONAL = Calendar.national()
ORIGIN = datetime(2023, 6, 1, tzinfo=TZ)
SPAN = 4 * 365 * 1440  # minutes: June 2023 .. mid 2027, over Tết 2024–2027

instants = st.integers(0, SPAN).map(lambda m: ORIGIN + timedelta(minutes=m))
amounts = st.integers(0, 480 * 60)


def in_working_time_or_at_a_close(cal: Calendar, value: datetime) -> bool:
    if not cal.is_working_day(value.date()):
        return False
    minute = value.hour * 60 + value.minute
    return any(start <= minute <= end for start, end in cal.sessions)


@settings(max_examples=300, deadline=None)
@given(instants, amounts, amounts)
def test_monotonic_in_minutes(start: datetime, m1: int, m2: int) -> None:
    low, high = sorted((m1, m2))
    assert NATIONAL.add_working_time(start, low) <= NATIONAL.add_working_time(start, high)
    if low < high:
        assert NATIONAL.add_working_time(start, low) < NATIONAL.add_working_time(start, high)


@settings(max_examples=300, deadline=None)
@given(instants, instants, amounts)
def test_monotonic_in_start(s1: datetime, s2: datetime, minutes: int) -> None:
    early, late = sorted((s1, s2))
    assert NATIONAL.add_working_time(early, minutes) <= NATIONAL.add_working_time(late, minutes)


@settings(max_examples=300, deadline=None)
@given(instants, amounts)
def test_add_then_measure_round_trip(received: datetime, minutes: int) -> None:
    start = NATIONAL.start_of_clock(received)  # a working instant
    due = NATIONAL.add_working_time(start, minutes)
    assert NATIONAL.working_time_between(start, due) == minutes
    if minutes:
        # The earliest such instant: one minute earlier, the time has not yet elapsed.
        assert NATIONAL.working_time_between(start, due - timedelta(minutes=1)) == minutes - 1


@settings(max_examples=300, deadline=None)
@given(instants, amounts)
def test_result_is_working_time_or_a_session_close(start: datetime, minutes: int) -> None:
    due = NATIONAL.add_working_time(start, minutes)
    assert due >= start.replace(second=0, microsecond=0)
    assert due.tzinfo is TZ
    assert in_working_time_or_at_a_close(NATIONAL, due)
    if minutes == 0:  # zero minutes: a working instant itself, never a close
        assert NATIONAL.start_of_clock(due) == due


@settings(max_examples=300, deadline=None)
@given(instants, instants, instants)
def test_working_time_between_is_additive(x: datetime, y: datetime, z: datetime) -> None:
    a, b, c = sorted((x, y, z))
    between = NATIONAL.working_time_between
    assert between(a, c) == between(a, b) + between(b, c)
    assert between(c, a) == 0


# -- random calendars against a brute-force count -------------------------------------------------


@st.composite
def small_calendars(draw: st.DrawFn) -> Calendar:
    cuts = sorted(draw(st.sets(st.integers(0, 1440), min_size=2, max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    pairs = zip(cuts[::2], cuts[1::2], strict=True)
    sessions = ",".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in pairs)
    offsets = st.integers(0, 40)
    off = {date(2026, 3, 2) + timedelta(n) for n in draw(st.sets(offsets, max_size=8))}
    on = {date(2026, 3, 2) + timedelta(n) for n in draw(st.sets(offsets, max_size=4))} - off
    return Calendar(sessions, non_working=off, working=on, first_year=2026, last_year=2026)


def brute_between(cal: Calendar, a: datetime, b: datetime) -> int:
    count, t = 0, a
    while t < b:
        minute = t.hour * 60 + t.minute
        if cal.is_working_day(t.date()) and any(s <= minute < e for s, e in cal.sessions):
            count += 1
        t += timedelta(minutes=1)
    return count


@settings(max_examples=60, deadline=None)
@given(small_calendars(), st.integers(0, 20 * 1440), st.integers(0, 3 * 1440))
def test_against_minute_by_minute_count(cal: Calendar, offset: int, length: int) -> None:
    a = datetime(2026, 3, 2, tzinfo=TZ) + timedelta(minutes=offset)
    b = a + timedelta(minutes=length)
    counted = brute_between(cal, a, b)
    assert cal.working_time_between(a, b) == counted
    if counted:
        due = cal.add_working_time(a, counted)
        assert due <= b
        assert brute_between(cal, a, due) == counted
        assert brute_between(cal, a, due - timedelta(minutes=1)) == counted - 1

