"""The working calendar: which days are worked, which minutes of them, and arithmetic on that.

A ``Calendar`` is built once from dates and sessions and then answers every clock question
with integer arithmetic and ``bisect`` on a sorted array of working days — no database, no
Django (docs/architecture.md, "The clock").

Time model. An instant is an integer *minute* (``date.toordinal() * 1440 + minute of day``) in
Asia/Ho_Chi_Minh wall time; seconds are truncated. The *position* of an instant is the number
of working minutes from the start of the precomputed range up to it, so

- ``working_time_between(a, b) = position(b) - position(a)`` (additive by construction), and
- ``add_working_time(s, m)`` is the earliest instant whose position is ``position(s) + m``: a
  count ending exactly at a session's close is due at the close (12:00, 17:00), never at the
  next opening.

Days: Saturdays and Sundays are off unless marked working; every other day is worked unless
marked off. Marks come in layers, later ones winning: a *base* source (for ``national()``: the
``holidays`` package, which also knows make-up Saturdays), then explicit marks (announcements,
administrators' overrides). The range of years grows on demand.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta

from .announcements import Mark
from .parsing import Session, format_sessions, parse_sessions, parse_time_of_day
from .zone import TZ

DEFAULT_SESSIONS = "08:00-12:00,13:00-17:00"
DAY = 1440
WEEKEND_NAMES = {5: "Thứ Bảy", 6: "Chủ nhật"}
WORKING_DAY_REASON = "Ngày làm việc"
MIN_YEAR, MAX_YEAR = 1900, 2200

MarkSource = Callable[[int, int], Iterable[Mark]]
"""(first_year, last_year) → marks for those years."""

OverrideLike = tuple[date, bool] | tuple[date, bool, str]

_State = tuple[int, int, list[int], list[datetime]]
"""(first ordinal, last ordinal, working-day ordinals, their midnights as aware datetimes)."""

_OFFSETS = tuple(timedelta(minutes=minute) for minute in range(DAY + 1))


class Calendar:
    """Working days and sessions of one handling unit (or the nation).

    ``Calendar(sessions, non_working, working, first_year, last_year)`` — explicit dates win
    over the weekend rule; ``base`` (keyword) supplies a lower layer of marks such as the
    ``holidays`` package; ``marks`` (keyword) adds explicit ``(date, is_working, reason)`` marks
    under ``non_working``/``working``. See ``Calendar.national`` for the usual way in.
    """

    def __init__(
        self,
        sessions: str | Sequence[tuple[time, time]] = DEFAULT_SESSIONS,
        non_working: Iterable[date] = (),
        working: Iterable[date] = (),
        first_year: int = 2015,
        last_year: int = 2035,
        *,
        base: MarkSource | None = None,
        marks: Iterable[Mark] = (),
    ) -> None:
        self.sessions: tuple[Session, ...] = parse_sessions(sessions)
        self.minutes_per_day = sum(end - start for start, end in self.sessions)
        self._base = base
        explicit: dict[date, tuple[bool, str]] = {day: (is_working, reason) for day, is_working, reason in marks}
        off = set(non_working)
        on = set(working)
        if clash := off & on:
            raise ValueError(f"dates both working and non-working: {sorted(clash)}")
        explicit.update((day, (False, "Ngày nghỉ (theo điều chỉnh)")) for day in off)
        explicit.update((day, (True, "Ngày làm việc (theo điều chỉnh)")) for day in on)
        self._explicit = explicit
        self._tables()
        self._build(first_year, last_year)

    @classmethod
    def national(
        cls,
        overrides: Iterable[OverrideLike] = (),
        sessions: str | Sequence[tuple[time, time]] = DEFAULT_SESSIONS,
        extra_non_working: Iterable[date | tuple[date, str]] = (),
        extra_working: Iterable[date | tuple[date, str]] = (),
        first_year: int = 2015,
        last_year: int = 2035,
    ) -> Calendar:
        """Vietnam's national calendar from ``holidays`` (VN, language ``vi``).

        Layers, later winning: the package (holidays, swapped days off, make-up Saturdays);
        ``extra_non_working`` / ``extra_working`` (late announcements, see ``announcements.py``);
        ``overrides`` — ``(date, is_working)`` or ``(date, is_working, reason)``.
        """
        from .national import national_marks

        marks: list[Mark] = []
        marks.extend(_mark(item, False, "Ngày nghỉ (theo thông báo)") for item in extra_non_working)
        marks.extend(_mark(item, True, "Ngày làm việc (theo thông báo)") for item in extra_working)
        for override in overrides:
            reason = override[2] if len(override) > 2 else None
            default = "Ngày làm việc (điều chỉnh)" if override[1] else "Ngày nghỉ (điều chỉnh)"
            marks.append((override[0], bool(override[1]), reason or default))
        return cls(sessions, first_year=first_year, last_year=last_year, base=national_marks, marks=marks)

    # -- construction ----------------------------------------------------------------------------

    def _tables(self) -> None:
        """Per-minute-of-day tables: elapsed working minutes, next working minute, minute of the n-th."""
        within = [0] * (DAY + 1)
        next_open = [-1] * DAY
        minute_at: list[int] = []
        for start, end in self.sessions:
            minute_at.extend(range(start + 1, end + 1))
        elapsed = 0
        for minute in range(DAY + 1):
            within[minute] = elapsed
            if minute < DAY and any(start <= minute < end for start, end in self.sessions):
                elapsed += 1
        for minute in range(DAY):
            for start, end in self.sessions:
                if minute < end:
                    next_open[minute] = max(minute, start)
                    break
        self._within = within
        self._next_open = next_open
        self._minute_at = minute_at
        self._first_open = self.sessions[0][0]

    def _build(self, first_year: int, last_year: int) -> None:
        if not (MIN_YEAR <= first_year <= last_year <= MAX_YEAR):
            raise ValueError(f"years must lie within {MIN_YEAR}..{MAX_YEAR}, got {first_year}..{last_year}")
        status: dict[date, tuple[bool, str]] = {}
        if self._base is not None:
            for day, is_working, reason in self._base(first_year, last_year):
                status[day] = (is_working, reason)
        status.update(self._explicit)
        first_ord, last_ord = date(first_year, 1, 1).toordinal(), date(last_year, 12, 31).toordinal()
        days: list[int] = []
        for ordinal in range(first_ord, last_ord + 1):
            day = date.fromordinal(ordinal)
            mark = status.get(day)
            if (mark[0] if mark is not None else day.weekday() < 5):
                days.append(ordinal)
        midnights = [datetime.combine(date.fromordinal(ordinal), time(), TZ) for ordinal in days]
        self.first_year, self.last_year = first_year, last_year
        self._status = status
        # One immutable snapshot, assigned once: a concurrent reader never sees half a rebuild.
        self._state: _State = (first_ord, last_ord, days, midnights)

    def _extend(self, ordinal: int) -> None:
        year = date.fromordinal(max(1, min(ordinal, date.max.toordinal()))).year
        first, last = self.first_year, self.last_year
        if year < first:
            first = max(MIN_YEAR, min(year, first) - 5)
        if year > last:
            last = min(MAX_YEAR, max(year, last) + 5)
        if (first, last) == (self.first_year, self.last_year):
            raise ValueError(f"date outside the supported years {MIN_YEAR}..{MAX_YEAR}")
        self._build(first, last)

    # -- integer core ----------------------------------------------------------------------------
    # An instant is (ordinal, minute of day) in Asia/Ho_Chi_Minh wall time. Results are built as
    # "midnight of a working day + timedelta", both precomputed: a result is always on a working day.

    @staticmethod
    def _split(value: datetime) -> tuple[int, int]:
        if value.tzinfo is not None and value.tzinfo is not TZ:
            value = value.astimezone(TZ)
        return value.toordinal(), value.hour * 60 + value.minute

    def _snapshot(self, ordinal: int) -> _State:
        state = self._state
        while not state[0] <= ordinal <= state[1]:
            self._extend(ordinal)
            state = self._state
        return state

    def _next_working(self, ordinal: int, of_day: int) -> tuple[_State, int, int]:
        """(state, index of the working day, minute of day) of the next working instant at or after."""
        state = self._snapshot(ordinal)
        days = state[2]
        index = bisect_left(days, ordinal)
        if index < len(days) and days[index] == ordinal:
            opening = self._next_open[of_day]
            if opening >= 0:
                return state, index, opening
            index += 1
        if index >= len(days):
            return self._next_working(state[1] + 1, 0)
        return state, index, self._first_open

    def _position(self, state: _State, ordinal: int, of_day: int) -> int:
        """Working minutes from the start of the snapshot's range up to the instant (exclusive)."""
        days = state[2]
        index = bisect_left(days, ordinal)
        if index < len(days) and days[index] == ordinal:
            return index * self.minutes_per_day + self._within[of_day]
        return index * self.minutes_per_day

    def _add(self, ordinal: int, of_day: int, minutes: int) -> datetime:
        if minutes <= 0:
            if minutes < 0:
                raise ValueError("minutes must not be negative")
            state, index, of_day = self._next_working(ordinal, of_day)
            return state[3][index] + _OFFSETS[of_day]
        state = self._snapshot(ordinal)
        index, rest = divmod(self._position(state, ordinal, of_day) + minutes - 1, self.minutes_per_day)
        while index >= len(state[2]):
            # Grow at the end, then recount in the new snapshot (its start may differ).
            self._extend(state[1] + 1 + (index - len(state[2])) * 7 // 5)
            state = self._snapshot(ordinal)
            index, rest = divmod(self._position(state, ordinal, of_day) + minutes - 1, self.minutes_per_day)
        return state[3][index] + _OFFSETS[self._minute_at[rest]]

    # -- public API ------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = day.astimezone(TZ).date() if day.tzinfo is not None else day.date()
        ordinal = day.toordinal()
        days = self._snapshot(ordinal)[2]
        index = bisect_left(days, ordinal)
        return index < len(days) and days[index] == ordinal

    def start_of_clock(self, received: datetime, cutoff: time | str | None = None) -> datetime:
        """When the clock starts for a receipt.

        Inside a session → the receipt instant (to the minute). Outside working time → the next
        session opening. With a cut-off, a receipt *strictly after* it (at minute precision: 15:00:59
        is 15:00) starts at the next working day's opening; a receipt at the cut-off minute does not move.
        """
        if received.tzinfo is not None and received.tzinfo is not TZ:
            received = received.astimezone(TZ)
        ordinal, of_day = received.toordinal(), received.hour * 60 + received.minute
        if cutoff is not None and of_day > _cutoff_minute(cutoff):
            ordinal, of_day = ordinal + 1, 0
        # Fast path (inlined _next_working): the receipt's day is in range and a session is still ahead.
        state = self._state
        if state[0] <= ordinal <= state[1]:
            days = state[2]
            index = bisect_left(days, ordinal)
            if index < len(days) and days[index] == ordinal:
                opening = self._next_open[of_day]
                if opening >= 0:
                    return state[3][index] + _OFFSETS[opening]
        state, index, of_day = self._next_working(ordinal, of_day)
        return state[3][index] + _OFFSETS[of_day]

    def add_working_time(self, start: datetime, minutes: int) -> datetime:
        """The earliest instant at which ``minutes`` of working time have elapsed since ``start``.

        Ends exactly at a session's close → the close (12:00, 17:00). ``minutes == 0`` → ``start`` if
        it is inside a session, else the next working instant (a start outside working time is
        treated as starting at the next working instant). Negative minutes raise ``ValueError``.
        """
        if start.tzinfo is not None and start.tzinfo is not TZ:
            start = start.astimezone(TZ)
        ordinal, of_day = start.toordinal(), start.hour * 60 + start.minute
        # Fast path (inlined _add): everything inside the precomputed range.
        state = self._state
        if minutes > 0 and state[0] <= ordinal <= state[1]:
            days = state[2]
            per_day = self.minutes_per_day
            index = bisect_left(days, ordinal)
            position = index * per_day
            if index < len(days) and days[index] == ordinal:
                position += self._within[of_day]
            index, rest = divmod(position + minutes - 1, per_day)
            if index < len(days):
                return state[3][index] + _OFFSETS[self._minute_at[rest]]
        return self._add(ordinal, of_day, minutes)

    def working_time_between(self, a: datetime, b: datetime) -> int:
        """Working minutes in [a, b); 0 when b <= a."""
        (a_ordinal, a_minute), (b_ordinal, b_minute) = self._split(a), self._split(b)
        if (b_ordinal, b_minute) <= (a_ordinal, a_minute):
            return 0
        self._snapshot(a_ordinal)
        state = self._snapshot(b_ordinal)
        return self._position(state, b_ordinal, b_minute) - self._position(state, a_ordinal, a_minute)

    def day_status(self, day: date) -> tuple[bool, str]:
        """(is working, why) — e.g. ``(False, "Tết Nguyên Đán")``, ``(False, "Chủ nhật")``."""
        working = self.is_working_day(day)
        mark = self._status.get(day)
        if mark is not None and mark[0] == working:
            return working, mark[1]
        if not working and day.weekday() in WEEKEND_NAMES:
            return False, WEEKEND_NAMES[day.weekday()]
        return working, WORKING_DAY_REASON

    def __repr__(self) -> str:
        return f"Calendar({format_sessions(self.sessions)!r}, {self.first_year}..{self.last_year})"


def _mark(item: date | tuple[date, str], is_working: bool, default_reason: str) -> Mark:
    if isinstance(item, tuple):
        return item[0], is_working, item[1]
    return item, is_working, default_reason


def _cutoff_minute(cutoff: time | str | None) -> int | None:
    if cutoff is None:
        return None
    if isinstance(cutoff, str):
        return parse_time_of_day(cutoff)
    return cutoff.hour * 60 + cutoff.minute
