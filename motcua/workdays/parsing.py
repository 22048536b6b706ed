"""Parsing of the clock's small text formats: sessions, times of day, durations.

Pure Python; no Django.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import time

MINUTES_PER_WORKING_DAY = 480
"""One working day = 8 working hours (docs/domain.md §6), whatever a unit's sessions are."""

_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_DURATION_RE = re.compile(r"^\s*(\d+)(?:\.(50*|0+))?\s*([dh])\s*$", re.IGNORECASE)

Session = tuple[int, int]
"""A working session as (start, end) minutes after midnight, start < end."""


def parse_time_of_day(text: str) -> int:
    """``"15:00"`` → 900 (minutes after midnight). ``"24:00"`` is allowed (end of day)."""
    match = _TIME_RE.match(text)
    if not match:
        raise ValueError(f"invalid time of day {text!r}: expected HH:MM")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"invalid time of day {text!r}: out of range")
    return hours * 60 + minutes


def _minutes_of(value: time) -> int:
    if value.second or value.microsecond:
        raise ValueError(f"session boundary {value} must be a whole minute")
    return value.hour * 60 + value.minute


def parse_sessions(sessions: str | Sequence[tuple[time, time]]) -> tuple[Session, ...]:
    """``"08:00-12:00,13:00-17:00"`` (or a sequence of ``(time, time)``) → ((480, 720), (780, 1020)).

    Any number of sessions; they must be ordered, non-overlapping and within one day.
    """
    parsed: list[Session] = []
    if isinstance(sessions, str):
        for part in sessions.split(","):
            if not part.strip():
                continue
            bounds = part.split("-")
            if len(bounds) != 2:
                raise ValueError(f"invalid session {part.strip()!r}: expected HH:MM-HH:MM")
            parsed.append((parse_time_of_day(bounds[0]), parse_time_of_day(bounds[1])))
    else:
        parsed = [(_minutes_of(start), _minutes_of(end)) for start, end in sessions]
    if not parsed:
        raise ValueError("no working session given")
    previous_end = 0
    for start, end in parsed:
        if start >= end:
            raise ValueError(f"session {start // 60:02d}:{start % 60:02d} must end after it starts")
        if start < previous_end:
            raise ValueError("sessions must be in order and must not overlap")
        previous_end = end
    return tuple(parsed)


def format_sessions(sessions: Sequence[Session]) -> str:
    return ",".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in sessions)


def parse_duration(text: str) -> int:
    """A legal time as working minutes: ``"5d"`` → 2400 (480 a day), ``"4h"`` → 240, ``"0.5d"`` → 240.

    Whole numbers of days or hours; half days (``"0.5d"``, ``"2.5d"``) are allowed too.
    Anything else raises ``ValueError`` naming the text.
    """
    match = _DURATION_RE.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(
            f"invalid duration {text!r}: expected whole working days or hours such as '5d', '4h' or '0.5d'"
        )
    whole, fraction, unit = int(match.group(1)), match.group(2), match.group(3).lower()
    half = bool(fraction) and fraction.startswith("5")
    if half and unit != "d":
        raise ValueError(f"invalid duration {text!r}: only days may be halved ('0.5d'); hours must be whole")
    if unit == "d":
        return whole * MINUTES_PER_WORKING_DAY + (MINUTES_PER_WORKING_DAY // 2 if half else 0)
    return whole * 60
